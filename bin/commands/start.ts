/**
 * `outcry start`: the local runtime on the real clock.
 */
import { parseArgs } from "node:util";
import { loadConfigFile } from "../../lambdas/wiring/config-file";
import {
  ALLOW_PRIVATE_NETWORKS,
  outboundPolicyFromEnvironment,
} from "../../lambdas/wiring/environment";
import { startLocalRuntime } from "../../local/local-runtime";
import { parseTrustedProxies, type TrustedProxies } from "../../local/request-address";
import { parseDuration, parsePort, UsageError } from "./usage-error";

/** Usage of `outcry start`. */
export const START_USAGE = `usage: npm start -- [--config PATH] [--port N] [--data-dir DIR] [--tick DURATION] [--trust-proxy [HOPS|ADDRESSES]] [--allow-private-networks]

  --config PATH      configuration file (default: outcry.config.json)
  --port N           HTTP port on 127.0.0.1 (default: 3000)
  --data-dir DIR     where the embedded store keeps its data (default: .outcry)
  --tick DURATION    time between collect/detect ticks, e.g. 5s (default: the config's scheduleMinutes)
  --trust-proxy [HOPS|ADDRESSES]
                     behind reverse proxies of yours: take the client address from
                     X-Forwarded-For, read from the right past the trusted proxies:
                     the nearest HOPS of them (alone: 1), or those at ADDRESSES
                     (comma-separated addresses, CIDR blocks, loopback, linklocal,
                     uniquelocal); entries a client wrote itself are never taken
  --allow-private-networks
                     let sources and webhooks call loopback, private and link-local
                     addresses, e.g. a feed served on this machine (also ${ALLOW_PRIVATE_NETWORKS}=1)`;

/** The flag's value when it is given alone (`--trust-proxy`): the nearest proxy. */
const ONE_HOP = "1";

/** `args` with `--trust-proxy`'s value filled in where the flag stands alone. */
function withTrustProxyValue(args: readonly string[]): string[] {
  return args.flatMap((arg, i) => {
    const next = args[i + 1];
    const alone = arg === "--trust-proxy" && (next === undefined || next.startsWith("--"));
    return alone ? [arg, ONE_HOP] : [arg];
  });
}

/** The trusted proxies `--trust-proxy VALUE` names; null without the flag. */
function trustedProxiesOption(value: string | undefined): TrustedProxies | null {
  if (value === undefined) return null;
  try {
    return parseTrustedProxies(value);
  } catch (error) {
    throw new UsageError(
      `--trust-proxy ${(error as Error).message} (e.g. --trust-proxy 2, --trust-proxy loopback,10.0.0.0/8); got '${value}'`,
    );
  }
}

/** Runs `outcry start` until SIGINT/SIGTERM. */
export async function startCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args: withTrustProxyValue(args),
    options: {
      config: { type: "string", default: "outcry.config.json" },
      port: { type: "string", default: "3000" },
      "data-dir": { type: "string", default: ".outcry" },
      tick: { type: "string" },
      "trust-proxy": { type: "string" },
      "allow-private-networks": { type: "boolean", default: false },
    },
    strict: true,
  });
  const config = loadConfigFile(values.config);
  const outbound = outboundPolicyFromEnvironment(process.env, values["allow-private-networks"]);
  const runtime = await startLocalRuntime({
    config,
    dataDir: values["data-dir"],
    port: parsePort(values.port),
    ...(values.tick ? { tickMs: parseDuration(values.tick, "--tick") } : {}),
    trustedProxies: trustedProxiesOption(values["trust-proxy"]),
    outbound,
  });
  process.stdout.write(
    `outcry is watching ${config.services.map((s) => s.name).join(", ")}\n` +
      `  API: ${runtime.url}  (try ${runtime.url}/services)\n` +
      `  sources' health: ${runtime.url}/services/${config.services[0]?.id ?? "{id}"}\n` +
      `  data: ${values["data-dir"]}   notifications: ${runtime.outboxFile}\n` +
      "  Ctrl-C stops.\n",
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.stdout.write("stopping: finishing the current tick...\n");
      runtime.stop().then(resolve, (error) => {
        process.stderr.write(`stop failed: ${(error as Error).message}\n`);
        resolve();
      });
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  process.stdout.write("stopped; data kept.\n");
}
