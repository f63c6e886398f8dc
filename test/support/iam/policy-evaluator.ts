/**
 * Decides one request against a principal's identity-based policy statements the way IAM
 * does for a principal and resources of one account: an explicit Deny wins, otherwise a
 * matching Allow is needed, otherwise the request is implicitly denied. Actions match
 * case-insensitively, resources case-sensitively; `NotAction` and `NotResource` invert
 * their element; conditions are decided by {@link conditionsHold}.
 */
import { type ConditionBlock, conditionsHold, type RequestContext } from "./conditions";
import { arnMatches, globMatches } from "./wildcards";

/** One policy statement, CloudFormation intrinsics already resolved. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | readonly string[];
  NotAction?: string | readonly string[];
  Resource?: string | readonly string[];
  NotResource?: string | readonly string[];
  Condition?: ConditionBlock;
}

/** What is asked: one action on one resource, with the request's context keys. */
export interface AuthorizationRequest {
  /** `service:Operation`, e.g. `dynamodb:PutItem`. */
  action: string;
  /** The resource's ARN. */
  resource: string;
  context: RequestContext;
}

/** IAM's answer, with the statements that decided it. */
export interface Decision {
  allowed: boolean;
  /** `explicit-deny`: a Deny matched; `no-allow`: nothing allowed it (implicit deny). */
  reason: "allowed" | "explicit-deny" | "no-allow";
  /** Indexes of the statements that matched with the deciding effect. */
  statements: number[];
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** True when the action pattern names `action` (`*` alone names every action). */
export function actionMatches(pattern: string, action: string): boolean {
  return pattern === "*" || globMatches(pattern, action, { ignoreCase: true });
}

/** True when the resource pattern names `resource`. */
export function resourceMatches(pattern: string, resource: string): boolean {
  return arnMatches(pattern, resource);
}

function checkShape(statement: PolicyStatement, index: number): void {
  const where = `statement ${statement.Sid ?? index}`;
  if (statement.Effect !== "Allow" && statement.Effect !== "Deny") {
    throw new Error(`${where}: Effect must be Allow or Deny, got ${String(statement.Effect)}`);
  }
  if ((statement.Action === undefined) === (statement.NotAction === undefined)) {
    throw new Error(`${where}: give exactly one of Action and NotAction`);
  }
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) {
    throw new Error(`${where}: give exactly one of Resource and NotResource`);
  }
  if ("Principal" in statement || "NotPrincipal" in statement) {
    throw new Error(`${where}: an identity-based policy has no Principal`);
  }
}

/** True when the statement applies to the request (its effect aside). */
function applies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const actionNamed = statement.Action
    ? list(statement.Action).some((p) => actionMatches(p, request.action))
    : !list(statement.NotAction).some((p) => actionMatches(p, request.action));
  if (!actionNamed) return false;
  const resourceNamed = statement.Resource
    ? list(statement.Resource).some((p) => resourceMatches(p, request.resource))
    : !list(statement.NotResource).some((p) => resourceMatches(p, request.resource));
  if (!resourceNamed) return false;
  return conditionsHold(statement.Condition, request.context);
}

/**
 * Decides `request` against `statements`.
 *
 * @example
 * evaluate(
 *   [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:us-east-1:0:table/t" }],
 *   { action: "dynamodb:GetItem", resource: "arn:aws:dynamodb:us-east-1:0:table/t", context: {} },
 * ); // { allowed: true, reason: "allowed", statements: [0] }
 * @throws Error for a malformed statement, UnsupportedConditionError for a condition it cannot decide
 */
export function evaluate(
  statements: readonly PolicyStatement[],
  request: AuthorizationRequest,
): Decision {
  const denies: number[] = [];
  const allows: number[] = [];
  statements.forEach((statement, index) => {
    checkShape(statement, index);
    if (!applies(statement, request)) return;
    (statement.Effect === "Deny" ? denies : allows).push(index);
  });
  if (denies.length > 0) return { allowed: false, reason: "explicit-deny", statements: denies };
  if (allows.length > 0) return { allowed: true, reason: "allowed", statements: allows };
  return { allowed: false, reason: "no-allow", statements: [] };
}
