/**
 * The IAM gate: a loopback HTTP server in front of dynalite and the wire fakes that does
 * what AWS does before a call reaches a service. It tells the calling function from the
 * access key id in the SigV4 `Authorization` header, reads the request as the service
 * does (the action, the resource ARNs, the context keys), decides each check against that
 * function's policies from the synthesized template, and either forwards the request
 * unchanged to its backend or refuses it as AWS does. Every decision is recorded.
 *
 * @example
 * const gate = await startIamGate({ model, backends: { dynamodb: store.endpoint, sns: aws.endpoint } });
 * // clients: { endpoint: gate.endpoint, credentials: { accessKeyId: "collect", secretAccessKey: "x" } }
 * expect(gate.refusals()).toEqual([]);
 */
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { RequestContext } from "./conditions";
import { dynamoDbChecks } from "./dynamodb-requests";
import { type AuthorizationRequest, evaluate } from "./policy-evaluator";
import { deniedMessage, refusal } from "./refusals";
import { type ServiceChecks, secretsManagerChecks, snsChecks, sqsChecks } from "./service-requests";
import type { FunctionIdentity, StackModel } from "./stack-model";

/** One check the gate decided. */
export interface GateDecision {
  /** The calling function's access key id. */
  caller: string;
  /** The SigV4 service name: `dynamodb`, `sns`, `sqs`, `secretsmanager`, or `lambda` for Lambda's own calls. */
  service: string;
  operation: string;
  action: string;
  resource: string;
  context: RequestContext;
  allowed: boolean;
  reason: "allowed" | "explicit-deny" | "no-allow";
  /** Indexes in the caller's statements of those that decided it. */
  statements: number[];
}

/** Where each service's requests go once allowed. */
export type Backends = Partial<Record<"dynamodb" | "sns" | "sqs" | "secretsmanager", string>>;

/** A running gate. */
export interface IamGate {
  /** `http://127.0.0.1:<port>`: the endpoint of every client under test. */
  endpoint: string;
  model: StackModel;
  decisions: GateDecision[];
  /** Every refused check and every request the gate could not read, as sentences; `[]` when none. */
  refusals(): string[];
  /**
   * Decides and records a call AWS makes with the function's role on its behalf (Lambda
   * writing its logs, sending a failed event to its destination).
   */
  authorize(caller: string, service: string, check: AuthorizationRequest): GateDecision;
  /** Forgets the decisions so far. */
  reset(): void;
  close(): Promise<void>;
}

/** Context keys every call carries, and the service keys the gate fills in; a policy naming another fails the gate's start. */
const MODELLED_KEYS = new Set(
  [
    "aws:SecureTransport",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:RequestedRegion",
    "dynamodb:LeadingKeys",
    "kms:ViaService",
    "kms:CallerAccount",
    // Filled in for Subscribe by snsChecks (service-requests.ts).
    "sns:Protocol",
    "sns:Endpoint",
  ].map((key) => key.toLowerCase()),
);

function checkModelledKeys(identity: FunctionIdentity): void {
  for (const statement of identity.statements) {
    for (const keys of Object.values(statement.Condition ?? {})) {
      for (const key of Object.keys(keys)) {
        if (!MODELLED_KEYS.has(key.toLowerCase())) {
          throw new Error(
            `${identity.accessKeyId}'s policy has a condition on ${key}, which the IAM gate does not fill in; add it to test/support/iam/gate.ts`,
          );
        }
      }
    }
  }
}

/** The access key id and service of a SigV4 `Authorization` header. */
export function signerOf(
  authorization: string | undefined,
): { accessKeyId: string; service: string } | undefined {
  const match = authorization?.match(/Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/);
  return match ? { accessKeyId: match[1] as string, service: match[2] as string } : undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
) {
  response.writeHead(status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  response.end(body);
}

/** What a gate decides with: a model, or one built from the gate's own endpoint (for queue URLs). */
export type GateModel = StackModel | ((endpoint: string) => StackModel);

/**
 * Starts a gate deciding with `model`, forwarding to `backends`.
 * @throws Error when a policy conditions on a context key the gate does not fill in
 */
export async function startIamGate(options: {
  model: GateModel;
  backends: Backends;
}): Promise<IamGate> {
  const { backends } = options;
  // Listen first: the model may need the gate's own address.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const model = typeof options.model === "function" ? options.model(endpoint) : options.model;
  try {
    for (const identity of model.identities) checkModelledKeys(identity);
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  const byKey = new Map(model.identities.map((identity) => [identity.accessKeyId, identity]));
  const decisions: GateDecision[] = [];
  const problems: string[] = [];
  const agent = new Agent({ keepAlive: true });

  const decide = (
    identity: FunctionIdentity,
    service: string,
    operation: string,
    check: AuthorizationRequest,
  ) => {
    const context: RequestContext = {
      "aws:SecureTransport": "true",
      "aws:PrincipalArn": identity.roleArn,
      "aws:PrincipalAccount": model.account.account,
      "aws:RequestedRegion": model.account.region,
      ...check.context,
    };
    const decision = evaluate(identity.statements, { ...check, context });
    const recorded: GateDecision = {
      caller: identity.accessKeyId,
      service,
      operation,
      action: check.action,
      resource: check.resource,
      context: check.context,
      ...decision,
    };
    decisions.push(recorded);
    return recorded;
  };

  const checksOf = (service: string, request: IncomingMessage, body: Buffer): ServiceChecks => {
    const target = String(request.headers["x-amz-target"] ?? "");
    const json = () => JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    switch (service) {
      case "dynamodb": {
        const operation = target.replace(/^DynamoDB_20120810\./, "");
        return { operation, checks: dynamoDbChecks(operation, json(), model.tables) };
      }
      case "sns":
        return snsChecks(
          new URLSearchParams(body.toString("utf8")),
          model.topicKeys,
          model.account,
        );
      case "sqs":
        return sqsChecks(target, json(), model.account);
      case "secretsmanager":
        return secretsManagerChecks(target, json(), model.account);
      default:
        throw new Error(`the IAM gate does not model the service ${service}`);
    }
  };

  const forward = (
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
    backend: string,
  ) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = httpRequest(
        new URL(request.url ?? "/", backend),
        { method: request.method, headers: request.headers, agent },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          answer.on("end", resolve);
          answer.on("error", reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request);
    const signer = signerOf(request.headers.authorization);
    const identity = signer ? byKey.get(signer.accessKeyId) : undefined;
    if (!signer || !identity) {
      problems.push(
        `a request signed by ${signer?.accessKeyId ?? "nobody"}, which is none of the functions under test`,
      );
      send(
        response,
        403,
        { "content-type": "application/x-amz-json-1.0" },
        JSON.stringify({
          __type: "com.amazon.coral.service#UnrecognizedClientException",
          message: "The security token included in the request is invalid.",
        }),
      );
      return;
    }
    // A request the gate cannot read, or a policy it cannot decide, fails the call and is
    // recorded: it is never waved through.
    let refused: GateDecision | undefined;
    try {
      const parsed = checksOf(signer.service, request, body);
      for (const check of parsed.checks) {
        const decision = decide(identity, signer.service, parsed.operation, check);
        if (!decision.allowed) {
          refused = decision;
          break;
        }
      }
    } catch (error) {
      const problem = `${identity.accessKeyId}: ${(error as Error).message}`;
      problems.push(problem);
      send(
        response,
        400,
        { "content-type": "application/x-amz-json-1.0" },
        JSON.stringify({ __type: "com.outcry.iamgate#UnmodelledRequest", message: problem }),
      );
      return;
    }
    if (refused) {
      // SQS writes the action in lower case in its message.
      const action = signer.service === "sqs" ? refused.action.toLowerCase() : refused.action;
      const message = deniedMessage(
        identity.principalArn,
        action,
        refused.resource,
        refused.reason === "explicit-deny",
      );
      const answer = refusal(signer.service, refused.action, message);
      send(response, answer.status, answer.headers, answer.body);
      return;
    }
    const backend = backends[signer.service as keyof Backends];
    if (!backend) {
      problems.push(
        `${identity.accessKeyId} called ${signer.service}, which has no backend behind the gate`,
      );
      send(response, 500, { "content-type": "text/plain" }, `no backend for ${signer.service}`);
      return;
    }
    await forward(request, body, response, backend);
  };

  server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      problems.push(`the gate failed: ${(error as Error).message}`);
      if (!response.headersSent)
        send(response, 500, { "content-type": "text/plain" }, String(error));
      else response.destroy();
    });
  });

  return {
    endpoint,
    model,
    decisions,
    refusals: () => [...problems, ...decisions.filter((d) => !d.allowed).map(describeDecision)],
    authorize(caller, service, check) {
      const identity = byKey.get(caller);
      if (!identity) throw new Error(`${caller} is none of the functions under test`);
      return decide(identity, service, check.action.split(":")[1] ?? "", check);
    },
    reset() {
      decisions.length = 0;
      problems.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** "collect dynamodb:PutItem on arn:... [LeadingKeys A#t-mobile]: no identity-based policy allows it". */
export function describeDecision(decision: GateDecision): string {
  const keys = decision.context["dynamodb:LeadingKeys"];
  const leading = keys ? ` [LeadingKeys ${[keys].flat().join(", ")}]` : "";
  const verdict =
    decision.reason === "allowed"
      ? "allowed"
      : decision.reason === "explicit-deny"
        ? "refused by an explicit deny"
        : "refused: no identity-based policy allows it";
  return `${decision.caller} ${decision.action} on ${decision.resource}${leading}: ${verdict}`;
}
