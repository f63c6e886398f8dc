/**
 * Local delivery: prints each message and appends it as one JSON line to an outbox file,
 * so a person watching `npm start` sees it and a script can read it afterwards.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Notifier, OutboxMessage } from "../domain/ports";

/** A {@link Notifier} printing to a stream. */
export class ConsoleNotifier implements Notifier {
  readonly name = "console";

  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  async send(message: OutboxMessage): Promise<void> {
    const label = message.transition.toUpperCase();
    this.write(
      `\n[notify ${label}] ${message.summary.subject}\n  ${message.summary.text}\n  sms: ${message.summary.sms}\n\n`,
    );
  }
}

/** A {@link Notifier} appending JSON lines to a file. */
export class OutboxFileNotifier implements Notifier {
  readonly name = "outbox-file";

  constructor(private readonly file: string) {}

  async send(message: OutboxMessage): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(
      this.file,
      `${JSON.stringify({ ...message, createdAt: new Date(message.createdAt).toISOString() })}\n`,
    );
  }
}
