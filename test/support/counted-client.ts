/**
 * A document client on the embedded store that notes every request it sends (the
 * command, the partition keys it names and the capacity units the store says it
 * consumed), so tests can count what a step reads and writes at the SDK boundary.
 */
import { createDocumentClient } from "../../lambdas/store/client";

/** One request as sent. */
export interface SentRequest {
  /** The DynamoDB operation: GetItem, PutItem, Query, BatchGetItem… */
  command: string;
  /** Partition keys the request names (its key, item, key condition or batch keys). */
  partitions: string[];
  /**
   * Capacity units consumed, as the store reckons them from item sizes (a write unit per
   * KB); absent when the store gave no figure (e.g. a write its condition refused).
   */
  units?: number;
}

/** A key value, plain or as DynamoDB's attribute value (`{ S: "…" }`). */
type Value = string | { S?: string } | undefined;

type Input = {
  ReturnConsumedCapacity?: string;
  Key?: { pk?: Value };
  Item?: { pk?: Value };
  ExpressionAttributeValues?: Record<string, Value>;
  RequestItems?: Record<string, { Keys?: { pk?: Value }[] }>;
};

type Consumed = { CapacityUnits?: number };

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
      const input = args.input as Input;
      const request: SentRequest = {
        command: (context.commandName ?? "").replace(/Command$/, ""),
        partitions: partitionsOf(input),
      };
      sent.push(request);
      input.ReturnConsumedCapacity ??= "TOTAL";
      const answer = await next(args);
      const consumed = (answer.output as { ConsumedCapacity?: Consumed | Consumed[] })
        .ConsumedCapacity;
      const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
      if (consumed !== undefined) request.units = units;
      return answer;
    },
    { step: "initialize", name: "countRequests" },
  );
  return { client, sent };
}
