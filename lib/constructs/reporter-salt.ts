/**
 * The secret salt that turns a crowd reporter's client address into an opaque id, so
 * the table never holds addresses.
 */
import { Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/**
 * A generated random salt in Secrets Manager.
 *
 * @example
 * const salt = new ReporterSalt(this, "ReporterSalt");
 * salt.secret.grantRead(api.function);
 */
export class ReporterSalt extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, "Secret", {
      description: "Salt for hashing crowd reporters' addresses (outcry)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    Validations.of(this.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "Not a credential: a salt for one-way hashes that no other system shares. Rotating it would give every reporter a new id and break the duplicate-report window.",
    });
  }
}
