/**
 * The answer AWS sends when IAM refuses a call, per protocol, so the SDK throws the error
 * type it throws in AWS: DynamoDB `AccessDeniedException` (JSON 1.0), SQS the same body
 * with its query-protocol code `AccessDenied` in a header (JSON 1.0; the SDK names the
 * error after that code), Secrets Manager `AccessDeniedException`
 * (JSON 1.1), SNS `AuthorizationError` (Query protocol, 403 XML), and SNS's
 * `KMSAccessDenied` when it was the topic's key that the publisher may not use.
 */
import { randomUUID } from "node:crypto";

/** An HTTP answer. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The sentence IAM writes, e.g. "User: ... is not authorized to perform: dynamodb:PutItem on resource: ...". */
export function deniedMessage(
  principalArn: string,
  action: string,
  resource: string,
  explicit: boolean,
): string {
  const why = explicit
    ? "with an explicit deny in an identity-based policy"
    : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The refusal of `action` on `resource` as `service` answers it.
 *
 * @example refusal("dynamodb", "dynamodb:PutItem", message).status; // 400
 */
export function refusal(service: string, action: string, message: string): Refusal {
  const requestId = randomUUID();
  switch (service) {
    case "dynamodb":
      return {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": requestId },
        body: JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", message }),
      };
    case "sqs":
      return {
        status: 403,
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": requestId,
          "x-amzn-query-error": "AccessDenied;Sender",
        },
        body: JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", message }),
      };
    case "secretsmanager":
      return {
        status: 400,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId },
        body: JSON.stringify({ __type: "AccessDeniedException", Message: message }),
      };
    case "sns": {
      // A refused key is reported by SNS as KMS answered it.
      const kms = action.startsWith("kms:");
      const code = kms ? "KMSAccessDenied" : "AuthorizationError";
      const text = kms
        ? `${message} (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: ${randomUUID()}; Proxy: null)`
        : message;
      return {
        status: kms ? 400 : 403,
        headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
        body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(text)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    default:
      throw new Error(`no refusal format for ${service}`);
  }
}
