/**
 * The outbound policy as the wiring reads it from the environment: closed unless the
 * opening is given, the runtime API always refused, and a value that is not `1`, `0` or
 * empty refused rather than read as closed.
 */
import { describe, expect, it } from "vitest";
import { OutcryError } from "../../lambdas/domain/outcry-error";
import { outboundPolicyFromEnvironment } from "../../lambdas/wiring/environment";

describe("outboundPolicyFromEnvironment", () => {
  it("allows public addresses only unless the variable or the flag opens private networks", () => {
    expect(outboundPolicyFromEnvironment({})).toEqual({
      allowPrivateNetworks: false,
      neverCall: [],
    });
    expect(outboundPolicyFromEnvironment({ OUTCRY_ALLOW_PRIVATE_NETWORKS: "0" })).toMatchObject({
      allowPrivateNetworks: false,
    });
    expect(outboundPolicyFromEnvironment({ OUTCRY_ALLOW_PRIVATE_NETWORKS: "1" })).toMatchObject({
      allowPrivateNetworks: true,
    });
    expect(outboundPolicyFromEnvironment({}, true)).toMatchObject({ allowPrivateNetworks: true });
  });

  it("never calls the Lambda runtime API, open or not", () => {
    const policy = outboundPolicyFromEnvironment({
      OUTCRY_ALLOW_PRIVATE_NETWORKS: "1",
      AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    });
    expect(policy.neverCall).toEqual(["127.0.0.1:9001"]);
  });

  it("refuses a value it would otherwise have to guess at, naming the variable", () => {
    const read = () => outboundPolicyFromEnvironment({ OUTCRY_ALLOW_PRIVATE_NETWORKS: "true" });
    expect(read).toThrow(OutcryError);
    expect(read).toThrow(
      'environment variable OUTCRY_ALLOW_PRIVATE_NETWORKS is "true"; set it to 1 to let outcry call private networks, or leave it unset',
    );
  });
});
