/**
 * Builds the use cases over a fresh dynalite table, with notifiers that record what
 * they were asked to send and can be told to fail.
 */
import type { Config } from "../../lambdas/domain/config";
import type { Notifier, OutboxMessage } from "../../lambdas/domain/ports";
import { type OutboundPolicy, PUBLIC_ONLY } from "../../lambdas/http/outbound-policy";
import { sourcesForService } from "../../lambdas/sources/sources-for-service";
import { buildDependencies, type Dependencies } from "../../lambdas/wiring/dependencies";
import type { TestTable } from "../support/embedded-table";

/** A notifier that keeps every message and fails while `failures` > 0. */
export class RecordingNotifier implements Notifier {
  readonly sent: OutboxMessage[] = [];
  failures = 0;

  constructor(readonly name = "recording") {}

  async send(message: OutboxMessage): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error("injected delivery failure");
    }
    this.sent.push(message);
  }
}

/**
 * The dependencies of every use case on a new table of `table`'s store; the sources call
 * only what `outbound` allows (public addresses unless a test opens its fixture servers).
 */
export async function pipelineOn(
  table: TestTable,
  config: Config,
  now: () => number = Date.now,
  outbound: OutboundPolicy = PUBLIC_ONLY,
): Promise<{ deps: Dependencies; notifier: RecordingNotifier }> {
  const { tableName } = await table.freshTable();
  const notifier = new RecordingNotifier();
  const deps = buildDependencies({
    config,
    tableName,
    endpoint: table.store.endpoint,
    notifiers: () => [notifier],
    sources: (service, stores) => sourcesForService(service, stores, outbound),
    salt: async () => "salt",
    now,
  });
  return { deps, notifier };
}
