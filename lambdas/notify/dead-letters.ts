/**
 * Dead-letter queues for notifications that keep failing: an SQS queue in AWS (its depth
 * is alarmed), a JSON-lines file locally. Either way the message is kept for a person to
 * look at, with the error that stopped it.
 */
import { appendFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { DeadLetterQueue, OutboxMessage } from "../domain/ports";

/** A {@link DeadLetterQueue} on an SQS queue. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: OutboxMessage, error: string): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify({ message, error }),
      }),
    );
  }
}

/** A {@link DeadLetterQueue} appending JSON lines to a file (local runtime). */
export class FileDeadLetterQueue implements DeadLetterQueue {
  constructor(private readonly file: string) {}

  async send(message: OutboxMessage, error: string): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify({ message, error })}\n`);
  }
}
