/**
 * Errors in how a command was called: printed without a stack trace, exit code 2.
 */
import { OutcryError } from "../../lambdas/domain/outcry-error";

/** A bad flag or value on the command line. */
export class UsageError extends OutcryError {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses a duration such as `250ms`, `5s`, `1m` or `2h` into milliseconds.
 * @throws UsageError naming the flag
 * @example parseDuration("5s", "--tick") // 5000
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match)
    throw new UsageError(`${flag} takes a duration such as 500ms, 5s, 1m or 1h; got '${text}'`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  const ms = Number(match[1]) * unit;
  if (ms < 10) throw new UsageError(`${flag} must be at least 10ms`);
  return ms;
}

/** Parses a TCP port. */
export function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port takes a number from 0 to 65535; got '${text}'`);
  }
  return port;
}
