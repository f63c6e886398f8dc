/**
 * SNS's subscriptions as the wire fake keeps them (AWS Query protocol): Subscribe,
 * Unsubscribe, GetSubscriptionAttributes, and which subscriptions a Publish reaches. It
 * enforces what SNS enforces and an emulator would let through: the protocols and
 * endpoint forms, a filter policy's limits (5 keys, 150 value combinations, 256 KB) and
 * the topic's quota of 200 filter policies; an email waits for its confirmation (the test
 * confirms it, as the person would by SNS's link) and gets nothing before.
 */
import { randomUUID } from "node:crypto";

/** One subscription of the fake. */
export interface FakeSubscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy: Record<string, unknown> | null;
  pending: boolean;
}

/** One message SNS would deliver to one subscription. */
export interface FakeDelivery {
  protocol: string;
  endpoint: string;
  /** `confirmation` for SNS's own confirmation email, else the message's. */
  kind: "confirmation" | "message";
  subject: string | undefined;
  body: string;
}

/** An SNS error as the Query protocol answers it. */
export class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** SNS's default quota of filter policies on one topic. */
export const FAKE_FILTER_POLICY_QUOTA = 200;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Why SNS would refuse this filter policy, or null. */
function policyRefusal(policy: unknown): string | null {
  if (typeof policy !== "object" || policy === null || Array.isArray(policy)) {
    return "Invalid parameter: FilterPolicy: filter policy must be a JSON object";
  }
  const keys = Object.keys(policy);
  if (keys.length > 5)
    return "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys";
  const combinations = Object.values(policy).reduce(
    (product: number, values) => product * (Array.isArray(values) ? values.length : 1),
    1,
  );
  if (combinations > 150) {
    return "Invalid parameter: FilterPolicy: Filter policy is too complex";
  }
  return null;
}

/** True when the message attributes (name → String or String.Array value) match `policy`. */
function matches(policy: Record<string, unknown>, attributes: Record<string, string>): boolean {
  return Object.entries(policy).every(([name, wanted]) => {
    const raw = attributes[name];
    if (raw === undefined || !Array.isArray(wanted)) return false;
    let values: unknown[];
    try {
      const parsed = JSON.parse(raw) as unknown;
      values = Array.isArray(parsed) ? parsed : [raw];
    } catch {
      values = [raw];
    }
    return values.some((value) => wanted.includes(value));
  });
}

/** The subscriptions of the fake, and the deliveries their publishes made. */
export class FakeSnsSubscriptions {
  readonly subscriptions: FakeSubscription[] = [];
  readonly deliveries: FakeDelivery[] = [];
  filterPolicyQuota = FAKE_FILTER_POLICY_QUOTA;

  /** Confirms an email subscription, as its person following SNS's link. */
  confirm(arn: string): void {
    const found = this.subscriptions.find((s) => s.arn === arn);
    if (!found) throw new Error(`no subscription ${arn}`);
    found.pending = false;
  }

  /** Answers one request of the Query protocol; null when it is not a subscription call. */
  handle(form: URLSearchParams): string | null {
    switch (form.get("Action")) {
      case "Subscribe":
        return this.subscribe(form);
      case "Unsubscribe": {
        const arn = form.get("SubscriptionArn") ?? "";
        const index = this.subscriptions.findIndex((s) => s.arn === arn);
        if (index < 0) throw new SnsError("NotFound", "Subscription does not exist", 404);
        this.subscriptions.splice(index, 1);
        return `<UnsubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></UnsubscribeResponse>`;
      }
      case "ListSubscriptionsByTopic": {
        // One page of everything: SNS pages by 100, which the client follows by NextToken.
        const members = this.subscriptions
          .filter((sub) => sub.topicArn === form.get("TopicArn"))
          .map(
            (sub) =>
              `<member><TopicArn>${sub.topicArn}</TopicArn><Protocol>${sub.protocol}</Protocol><SubscriptionArn>${sub.pending ? "PendingConfirmation" : sub.arn}</SubscriptionArn><Owner>000000000000</Owner><Endpoint>${escapeXml(sub.endpoint)}</Endpoint></member>`,
          )
          .join("");
        return `<ListSubscriptionsByTopicResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ListSubscriptionsByTopicResult><Subscriptions>${members}</Subscriptions></ListSubscriptionsByTopicResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></ListSubscriptionsByTopicResponse>`;
      }
      case "GetSubscriptionAttributes": {
        const found = this.subscriptions.find((s) => s.arn === form.get("SubscriptionArn"));
        if (!found) throw new SnsError("NotFound", "Subscription does not exist", 404);
        const entries = {
          SubscriptionArn: found.arn,
          TopicArn: found.topicArn,
          Protocol: found.protocol,
          Endpoint: found.endpoint,
          PendingConfirmation: String(found.pending),
          ...(found.filterPolicy ? { FilterPolicy: JSON.stringify(found.filterPolicy) } : {}),
        };
        const xml = Object.entries(entries)
          .map(
            ([key, value]) => `<entry><key>${key}</key><value>${escapeXml(value)}</value></entry>`,
          )
          .join("");
        return `<GetSubscriptionAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetSubscriptionAttributesResult><Attributes>${xml}</Attributes></GetSubscriptionAttributesResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetSubscriptionAttributesResponse>`;
      }
      default:
        return null;
    }
  }

  private subscribe(form: URLSearchParams): string {
    const topicArn = form.get("TopicArn") ?? "";
    const protocol = form.get("Protocol") ?? "";
    const endpoint = form.get("Endpoint") ?? "";
    if (
      protocol === "email"
        ? !EMAIL.test(endpoint)
        : protocol === "sms"
          ? !E164.test(endpoint)
          : true
    ) {
      throw new SnsError(
        "InvalidParameter",
        `Invalid parameter: ${protocol === "email" || protocol === "sms" ? "Endpoint" : "Protocol"}`,
      );
    }
    const attributes: Record<string, string> = {};
    for (let i = 1; form.has(`Attributes.entry.${i}.key`); i++) {
      attributes[form.get(`Attributes.entry.${i}.key`) ?? ""] =
        form.get(`Attributes.entry.${i}.value`) ?? "";
    }
    let filterPolicy: Record<string, unknown> | null = null;
    if (attributes.FilterPolicy !== undefined) {
      if (Buffer.byteLength(attributes.FilterPolicy) > 256 * 1024) {
        throw new SnsError("InvalidParameter", "Invalid parameter: FilterPolicy: too long");
      }
      const parsed = JSON.parse(attributes.FilterPolicy) as unknown;
      const refused = policyRefusal(parsed);
      if (refused) throw new SnsError("InvalidParameter", refused);
      filterPolicy = parsed as Record<string, unknown>;
    }
    if (
      attributes.FilterPolicyScope !== undefined &&
      !["MessageAttributes", "MessageBody"].includes(attributes.FilterPolicyScope)
    ) {
      throw new SnsError("InvalidParameter", "Invalid parameter: FilterPolicyScope");
    }
    const existing = this.subscriptions.find(
      (s) => s.topicArn === topicArn && s.protocol === protocol && s.endpoint === endpoint,
    );
    if (existing) {
      if (JSON.stringify(existing.filterPolicy) !== JSON.stringify(filterPolicy)) {
        throw new SnsError(
          "InvalidParameter",
          "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        );
      }
      return this.subscribed(existing, form);
    }
    const withPolicies = this.subscriptions.filter(
      (s) => s.topicArn === topicArn && s.filterPolicy,
    );
    if (filterPolicy && withPolicies.length >= this.filterPolicyQuota) {
      throw new SnsError("FilterPolicyLimitExceeded", "Filter policy limit exceeded", 403);
    }
    const subscription: FakeSubscription = {
      arn: `${topicArn}:${randomUUID()}`,
      topicArn,
      protocol,
      endpoint,
      filterPolicy,
      // SNS confirms SMS subscriptions at once; an email waits for its person.
      pending: protocol === "email",
    };
    this.subscriptions.push(subscription);
    if (subscription.pending) {
      this.deliveries.push({
        protocol,
        endpoint,
        kind: "confirmation",
        subject: "AWS Notification - Subscription Confirmation",
        body: `You have chosen to subscribe to the topic: ${topicArn}`,
      });
    }
    return this.subscribed(subscription, form);
  }

  private subscribed(subscription: FakeSubscription, form: URLSearchParams): string {
    const arn =
      subscription.pending && form.get("ReturnSubscriptionArn") !== "true"
        ? "pending confirmation"
        : subscription.arn;
    return `<SubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><SubscribeResult><SubscriptionArn>${arn}</SubscriptionArn></SubscribeResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SubscribeResponse>`;
  }

  /** Records what a publish of `message` (its JSON structure) reaches. */
  deliver(
    topicArn: string,
    subject: string | undefined,
    message: string,
    structure: string | undefined,
    attributes: Record<string, string>,
  ): void {
    const bodies = structure === "json" ? (JSON.parse(message) as Record<string, string>) : null;
    for (const s of this.subscriptions) {
      if (s.topicArn !== topicArn || s.pending) continue;
      if (s.filterPolicy && !matches(s.filterPolicy, attributes)) continue;
      const body = bodies ? (bodies[s.protocol] ?? bodies.default ?? "") : message;
      this.deliveries.push({
        protocol: s.protocol,
        endpoint: s.endpoint,
        kind: "message",
        subject,
        body,
      });
    }
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
