/** The environment the CDK stack gives each function, and the one opening a local run may add. */
import { OutcryError } from "../domain/outcry-error";
import type { OutboundPolicy } from "../http/outbound-policy";

/**
 * Reads a variable the stack sets.
 * @throws Error naming the variable when it is missing
 */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`environment variable ${name} is not set; deploy with the outcry CDK stack`);
  return value;
}

/**
 * `1` lets outbound requests reach loopback, private and link-local addresses: for a local
 * run against servers on this machine or network, and for tests. The stack never sets it.
 */
export const ALLOW_PRIVATE_NETWORKS = "OUTCRY_ALLOW_PRIVATE_NETWORKS";

/**
 * Where outbound requests may go: public addresses only, unless
 * {@link ALLOW_PRIVATE_NETWORKS} is `1` (or `allowPrivateNetworks` is passed, as
 * `npm start -- --allow-private-networks` does); the Lambda runtime API
 * (`AWS_LAMBDA_RUNTIME_API`) is never called either way.
 * @throws OutcryError naming the variable when it holds anything but `1`, `0` or nothing,
 *   so a `true` that would silently keep private networks closed is not taken for an opening
 * @example const outbound = outboundPolicyFromEnvironment();
 */
export function outboundPolicyFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  allowPrivateNetworks = false,
): OutboundPolicy {
  const opening = env[ALLOW_PRIVATE_NETWORKS] ?? "";
  if (!["", "0", "1"].includes(opening)) {
    throw new OutcryError(
      `environment variable ${ALLOW_PRIVATE_NETWORKS} is "${opening}"; set it to 1 to let outcry call private networks, or leave it unset`,
    );
  }
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  return {
    allowPrivateNetworks: allowPrivateNetworks || opening === "1",
    neverCall: runtimeApi ? [runtimeApi] : [],
  };
}
