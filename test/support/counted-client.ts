/**
 * A document client on the embedded store that notes every request it sends (the
 * command and the partition keys it names), so tests can count what a step reads and
 * writes at the SDK boundary.
 */
import { createDocumentClient } from "../../lambdas/store/client";

/** One request as sent. */
export interface SentRequest {
  /** The DynamoDB operation: GetItem, PutItem, Query, BatchGetItem… */
  command: string;
  /** Partition keys the request names (its key, item, key condition or batch keys). */
  partitions: string[];
}

/** A key value, plain or as DynamoDB's attribute value (`{ S: "…" }`). */
type Value = string | { S?: string } | undefined;

type Input = {
  Key?: { pk?: Value };
  Item?: { pk?: Value };
  ExpressionAttributeValues?: Record<string, Value>;
  RequestItems?: Record<string, { Keys?: { pk?: Value }[] }>;
};

const text = (value: Value): string => (typeof value === "string" ? value : (value?.S ?? ""));

function partitionsOf(input: Input): string[] {
  if (input.Key?.pk) return [text(input.Key.pk)];
  if (input.Item?.pk) return [text(input.Item.pk)];
  if (input.RequestItems) {
    return Object.values(input.RequestItems).flatMap((entry) =>
      (entry.Keys ?? []).map((key) => text(key.pk)),
    );
  }
  const pk = input.ExpressionAttributeValues?.[":pk"];
  return pk === undefined ? [] : [text(pk)];
}

/**
 * A client whose requests land in `sent`.
 * @example const { client, sent } = countedClient(store.endpoint);
 */
export function countedClient(endpoint: string) {
  const client = createDocumentClient({ endpoint });
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push({
        command: (context.commandName ?? "").replace(/Command$/, ""),
        partitions: partitionsOf(args.input as Input),
      });
      return next(args);
    },
    { step: "initialize", name: "countRequests" },
  );
  return { client, sent };
}
