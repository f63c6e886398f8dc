/**
 * The opening a test grants its requests explicitly: the fixture servers listen on
 * loopback, which the deployed functions never call (see outbound-policy.ts).
 */
import type { OutboundPolicy } from "../../lambdas/http/outbound-policy";

/** Private networks allowed, so sources and webhooks reach the fixture servers. */
export const FIXTURE_NETWORK: OutboundPolicy = { allowPrivateNetworks: true, neverCall: [] };
