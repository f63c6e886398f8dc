/**
 * A secret whose value Secrets Manager generates at deploy time: the reporter salt, the
 * API key, the front door's origin secret. None rotates automatically, each for its own
 * reason (given to cdk-nag).
 */
import { Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/** Properties of a {@link GeneratedSecret}. */
export interface GeneratedSecretProps {
  /** What the secret is for, shown in the Secrets Manager console. */
  readonly description: string;
  /** Characters of the generated value (letters and digits only). */
  readonly length: number;
  /** Why it is not rotated automatically (acknowledges cdk-nag's AwsSolutions-SMG4). */
  readonly whyNotRotated: string;
  /**
   * Generate the value under this key of a JSON object (`{"current": "..."}`) instead of
   * as the whole string, so that more keys can sit beside it later (a rotation's previous value).
   */
  readonly jsonKey?: string;
}

/**
 * A generated secret without automatic rotation.
 *
 * @example
 * const salt = new GeneratedSecret(this, "ReporterSalt", {
 *   description: "Salt for hashing crowd reporters' addresses (outcry)",
 *   length: 64,
 *   whyNotRotated: "a new salt would give every reporter a new id",
 * });
 * salt.secret.grantRead(api.function);
 */
export class GeneratedSecret extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, "Secret", {
      description: props.description,
      generateSecretString: {
        passwordLength: props.length,
        excludePunctuation: true,
        ...(props.jsonKey ? { secretStringTemplate: "{}", generateStringKey: props.jsonKey } : {}),
      },
    });
    Validations.of(this.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason: props.whyNotRotated,
    });
  }
}
