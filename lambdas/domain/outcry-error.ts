/**
 * The one base of the errors outcry raises itself. Each is worded for the person who can
 * act on it (it names the field, the file, the flag or the URL, and the fix), so a command
 * prints its message without a stack trace, and each says whether trying again unchanged
 * may succeed, so a retry loop or a scheduler can decide without knowing its kind.
 */

/** What an {@link OutcryError} may carry besides its message. */
export interface OutcryErrorOptions {
  /** True when trying again unchanged (now, or on a later run) may well succeed. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * An error raised by outcry's own code, with a message meant to be shown as it is.
 * @example
 * if (error instanceof OutcryError) console.error(error.message); else console.error(error);
 */
export class OutcryError extends Error {
  /** True when trying again unchanged (now, or on a later run) may well succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: OutcryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    // Names are written out: bundles are minified, so a class's own name is not kept.
    this.name = "OutcryError";
    this.retryable = options.retryable ?? false;
  }
}
