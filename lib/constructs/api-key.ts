/**
 * The API key that read routes ask for when the config sets `api.auth` to "apiKey".
 */
import { Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/**
 * A generated API key in Secrets Manager. The secret holds one key per line: add a new
 * line, hand out the new key, then delete the old line. The function reads the secret
 * again every minute, so either change takes effect within a minute.
 *
 * @example
 * const key = new ApiKey(this, "ApiKey");
 * key.secret.grantRead(api.function);
 */
export class ApiKey extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, "Secret", {
      description: "API keys for outcry's read routes, one per line (x-api-key header)",
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    Validations.of(this.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The key is handed to API clients by hand; automatic rotation would lock them out. Rotate by adding a line, then removing the old one.",
    });
  }
}
