/**
 * The local runtime's stand-in for SNS's side of self-service subscriptions, so a person
 * can subscribe from the dashboard, confirm, receive and unsubscribe on a laptop:
 * - an email subscription waits for its confirmation, as at SNS: the confirmation
 *   "email" is printed and written to the outbox file with its link, which this runtime
 *   serves (`/local/sns/confirm`); a text number's code is printed and written there too;
 * - each message whose audience names a confirmed subscription is "delivered" to its
 *   address the same way, an email with SNS's unsubscribe link (`/local/sns/unsubscribe`);
 * - the subscriptions (addresses included: this is the person's own machine) are kept in
 *   the data folder, readable by its owner only.
 */
import { randomUUID } from "node:crypto";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Notifier, OutgoingMessage } from "../lambdas/domain/ports";
import type { SubscriptionChannel } from "../lambdas/domain/subscription";
import type { SubscriptionGateway } from "../lambdas/domain/subscription-ports";

/** One subscription as the stand-in keeps it. */
interface LocalSubscription {
  endpoint: string;
  channel: SubscriptionChannel;
  address: string;
  /** The subscriber id its filter policy names. */
  id: string;
  confirmed: boolean;
}

/** The paths this runtime serves for SNS's links. */
export const LOCAL_SNS_PATHS = {
  confirm: "/local/sns/confirm",
  unsubscribe: "/local/sns/unsubscribe",
};

/** SNS's side of subscriptions on a laptop; also the channel that delivers to them. */
export class LocalSns implements SubscriptionGateway, Notifier {
  readonly name = "local-sns";
  private subscriptions: LocalSubscription[] | undefined;

  constructor(
    private readonly options: {
      /** Where the subscriptions are kept. */
      file: string;
      /** The outbox file confirmations and deliveries are written to. */
      outboxFile: string;
      /** The runtime's URL, for the links. */
      baseUrl: () => string;
      print: (line: string) => void;
      now: () => number;
    },
  ) {}

  private async load(): Promise<LocalSubscription[]> {
    if (!this.subscriptions) {
      try {
        this.subscriptions = JSON.parse(
          await readFile(this.options.file, "utf8"),
        ) as LocalSubscription[];
      } catch {
        this.subscriptions = [];
      }
    }
    return this.subscriptions;
  }

  private async save(): Promise<void> {
    await writeFile(this.options.file, JSON.stringify(this.subscriptions ?? [], null, 2), {
      mode: 0o600,
    });
  }

  /** Writes one line to the outbox file and prints it. */
  private async record(entry: Record<string, unknown>, line: string): Promise<void> {
    const at = new Date(this.options.now()).toISOString();
    await appendFile(this.options.outboxFile, `${JSON.stringify({ ...entry, at })}\n`);
    this.options.print(line);
  }

  private link(path: string, endpoint: string): string {
    return `${this.options.baseUrl()}${path}?subscription=${encodeURIComponent(endpoint)}`;
  }

  async subscribe(channel: SubscriptionChannel, address: string, id: string): Promise<string> {
    const all = await this.load();
    const endpoint = `local:sns:${randomUUID()}`;
    // SMS subscriptions need no confirmation at SNS (outcry's code is the confirmation).
    all.push({ endpoint, channel, address, id, confirmed: channel === "sms" });
    await this.save();
    if (channel === "email") {
      const confirmUrl = this.link(LOCAL_SNS_PATHS.confirm, endpoint);
      await this.record(
        { kind: "sns-confirmation", to: address, subscriber: id, confirmUrl },
        `[sns] confirmation email to ${address}: open ${confirmUrl} to confirm`,
      );
    }
    return endpoint;
  }

  async sendText(id: string, text: string): Promise<void> {
    const all = await this.load();
    for (const s of all.filter((s) => s.id === id && s.channel === "sms")) {
      await this.record(
        { kind: "sms-code", to: s.address, subscriber: id, text },
        `[sns] text to ${s.address}: ${text}`,
      );
    }
  }

  async confirmedEndpoints(): Promise<Set<string>> {
    return new Set((await this.load()).filter((s) => s.confirmed).map((s) => s.endpoint));
  }

  async unsubscribe(endpoint: string): Promise<void> {
    const all = await this.load();
    this.subscriptions = all.filter((s) => s.endpoint !== endpoint);
    await this.save();
  }

  /** Delivers a message to each confirmed subscription its audience names, as SNS would. */
  async send(message: OutgoingMessage): Promise<void> {
    const audience = new Set(message.audience);
    for (const s of await this.load()) {
      if (!s.confirmed || !audience.has(s.id)) continue;
      const { subject, text, sms } = message.summary;
      if (s.channel === "email") {
        const unsubscribeUrl = this.link(LOCAL_SNS_PATHS.unsubscribe, s.endpoint);
        await this.record(
          {
            kind: "email",
            to: s.address,
            subscriber: s.id,
            key: message.deliveryKey,
            subject,
            text,
            unsubscribeUrl,
          },
          `[sns] email to ${s.address}: ${subject} (unsubscribe: ${unsubscribeUrl})`,
        );
      } else {
        await this.record(
          { kind: "sms", to: s.address, subscriber: s.id, key: message.deliveryKey, text: sms },
          `[sns] text to ${s.address}: ${sms}`,
        );
      }
    }
  }

  /**
   * Serves SNS's links: `GET /local/sns/confirm?subscription=…` confirms an email
   * subscription, `…/unsubscribe` ends one. Null for any other path.
   */
  async handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2 | null> {
    const path = event.rawPath;
    if (path !== LOCAL_SNS_PATHS.confirm && path !== LOCAL_SNS_PATHS.unsubscribe) return null;
    const endpoint = event.queryStringParameters?.subscription ?? "";
    const all = await this.load();
    const found = all.find((s) => s.endpoint === endpoint);
    const page = (status: number, text: string) => ({
      statusCode: status,
      headers: { "content-type": "text/plain; charset=utf-8" },
      body: `${text}\n`,
    });
    if (!found) return page(404, "No such subscription: it was ended, or never made.");
    if (path === LOCAL_SNS_PATHS.confirm) {
      found.confirmed = true;
      await this.save();
      await this.record(
        { kind: "sns-confirmed", to: found.address, subscriber: found.id },
        `[sns] ${found.address} confirmed its subscription`,
      );
      return page(200, "Subscription confirmed! You will get outcry's alerts at this address.");
    }
    await this.unsubscribe(endpoint);
    await this.record(
      { kind: "sns-unsubscribed", to: found.address, subscriber: found.id },
      `[sns] ${found.address} unsubscribed`,
    );
    return page(200, "You are unsubscribed: no more alerts will reach this address.");
  }
}
