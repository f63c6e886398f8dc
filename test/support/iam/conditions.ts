/**
 * IAM's Condition element, decided against a request context the way IAM documents it:
 * operators AND-ed, keys under an operator AND-ed, the values of one key OR-ed (NOR-ed for
 * a negated operator); a key missing from the context fails a positive operator and
 * passes a negated one; `...IfExists` passes on a missing key; `ForAllValues:` passes on
 * a missing or empty key and otherwise needs every context value to match, while
 * `ForAnyValue:` needs one. An operator this module does not know throws, so a policy it
 * cannot judge fails the test instead of being waved through.
 */
import { arnMatches, globMatches } from "./wildcards";

/** Context keys of a request; a multivalued key (e.g. `dynamodb:LeadingKeys`) holds an array. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** A statement's Condition element after CloudFormation has been resolved. */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** One value of the context against one value of the policy. */
type Comparison = (contextValue: string, policyValue: string) => boolean;

const COMPARISONS: Record<string, { compare: Comparison; negated: boolean }> = {
  StringEquals: { compare: (a, b) => a === b, negated: false },
  StringNotEquals: { compare: (a, b) => a === b, negated: true },
  StringEqualsIgnoreCase: {
    compare: (a, b) => a.toLowerCase() === b.toLowerCase(),
    negated: false,
  },
  StringNotEqualsIgnoreCase: {
    compare: (a, b) => a.toLowerCase() === b.toLowerCase(),
    negated: true,
  },
  StringLike: { compare: (a, b) => globMatches(b, a), negated: false },
  StringNotLike: { compare: (a, b) => globMatches(b, a), negated: true },
  // ArnEquals and ArnLike behave the same: segment by segment, wildcards allowed.
  ArnEquals: { compare: (a, b) => arnMatches(b, a), negated: false },
  ArnLike: { compare: (a, b) => arnMatches(b, a), negated: false },
  ArnNotEquals: { compare: (a, b) => arnMatches(b, a), negated: true },
  ArnNotLike: { compare: (a, b) => arnMatches(b, a), negated: true },
  Bool: { compare: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false },
};

/** Thrown for a condition this evaluator cannot decide; never read as "allowed". */
export class UnsupportedConditionError extends Error {
  override readonly name = "UnsupportedConditionError";
}

interface ParsedOperator {
  set: "ForAllValues" | "ForAnyValue" | null;
  name: string;
  ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  const [prefix, rest] = operator.includes(":") ? operator.split(":", 2) : [null, operator];
  if (prefix !== null && prefix !== "ForAllValues" && prefix !== "ForAnyValue") {
    throw new UnsupportedConditionError(
      `unknown condition set operator '${prefix}' in ${operator}`,
    );
  }
  const base = rest as string;
  const ifExists = base.endsWith("IfExists");
  const name = ifExists ? base.slice(0, -"IfExists".length) : base;
  if (name !== "Null" && !(name in COMPARISONS)) {
    throw new UnsupportedConditionError(
      `the condition operator ${operator} is not modelled by the IAM test layer; add it to test/support/iam/conditions.ts`,
    );
  }
  if (name === "Null" && (ifExists || prefix)) {
    throw new UnsupportedConditionError(`${operator} is not a valid IAM condition operator`);
  }
  return { set: prefix as ParsedOperator["set"], name, ifExists };
}

/** The context's values of `key` (names are case-insensitive), or undefined when absent. */
function contextValues(context: RequestContext, key: string): readonly string[] | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() === wanted) return typeof value === "string" ? [value] : value;
  }
  return undefined;
}

function policyValues(operator: string, key: string, value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => {
    if (typeof v === "boolean" || typeof v === "number") return String(v);
    if (typeof v !== "string") {
      throw new UnsupportedConditionError(
        `${operator} ${key}: a condition value must be a string, got ${JSON.stringify(v)}`,
      );
    }
    if (v.includes("${")) {
      throw new UnsupportedConditionError(
        `${operator} ${key}: policy variables (${v}) are not modelled by the IAM test layer`,
      );
    }
    return v;
  });
}

/** One context value against all the policy's values of a key: OR, or NOR when negated. */
function valueMatches(
  op: { compare: Comparison; negated: boolean },
  value: string,
  wanted: string[],
) {
  const any = wanted.some((policyValue) => op.compare(value, policyValue));
  return op.negated ? !any : any;
}

function keyHolds(operator: string, key: string, rawValue: unknown, context: RequestContext) {
  const parsed = parseOperator(operator);
  const wanted = policyValues(operator, key, rawValue);
  const values = contextValues(context, key);
  const present = values !== undefined && values.length > 0;
  if (parsed.name === "Null") {
    const [expectNull] = wanted;
    if (expectNull !== "true" && expectNull !== "false") {
      throw new UnsupportedConditionError(`Null ${key}: the value must be "true" or "false"`);
    }
    return expectNull === "true" ? !present : present;
  }
  const op = COMPARISONS[parsed.name] as { compare: Comparison; negated: boolean };
  if (parsed.set === "ForAllValues") {
    // IAM: true when the key is missing or empty, as for a request without the key.
    return !present || values.every((value) => valueMatches(op, value, wanted));
  }
  if (parsed.set === "ForAnyValue") {
    return present && values.some((value) => valueMatches(op, value, wanted));
  }
  if (!present) return parsed.ifExists || op.negated;
  if (values.length > 1) {
    throw new UnsupportedConditionError(
      `${operator} on ${key}, which has ${values.length} values here: use ForAllValues: or ForAnyValue: with a multivalued key`,
    );
  }
  return valueMatches(op, values[0] as string, wanted);
}

/**
 * True when every condition of `block` holds for `context`.
 *
 * @example
 * conditionsHold(
 *   { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["S#*"] } },
 *   { "dynamodb:LeadingKeys": ["S#t-mobile"] },
 * ); // true
 * @throws UnsupportedConditionError for an operator or value it does not model
 */
export function conditionsHold(
  block: ConditionBlock | undefined,
  context: RequestContext,
): boolean {
  if (block === undefined) return true;
  // Every operator and key is parsed, even after one failed: an unknown one always throws.
  let holds = true;
  for (const [operator, keys] of Object.entries(block)) {
    for (const [key, value] of Object.entries(keys)) {
      if (!keyHolds(operator, key, value, context)) holds = false;
    }
  }
  return holds;
}
