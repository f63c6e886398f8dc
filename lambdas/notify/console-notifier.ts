/**
 * Local delivery: prints each message with its audience and appends it as one JSON line
 * to an outbox file, so a person watching `npm start` sees what would go to whom (a
 * message whose audience is empty too) and a script can read it afterwards.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Notifier, OutgoingMessage } from "../domain/ports";

/** A {@link Notifier} printing to a stream. */
export class ConsoleNotifier implements Notifier {
  readonly name = "console";

  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    const label = message.transition.toUpperCase();
    const to = message.audience.length > 0 ? message.audience.join(", ") : "nobody";
    this.write(
      `\n[notify ${label}] ${message.summary.subject}\n  ${message.summary.text}\n  sms: ${message.summary.sms}\n  to: ${to}\n\n`,
    );
  }
}

/** A {@link Notifier} appending JSON lines to a file. */
export class OutboxFileNotifier implements Notifier {
  readonly name = "outbox-file";

  constructor(private readonly file: string) {}

  async send(message: OutgoingMessage): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(
      this.file,
      `${JSON.stringify({ ...message, createdAt: new Date(message.createdAt).toISOString() })}\n`,
    );
  }
}
