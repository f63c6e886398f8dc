/**
 * The other half of least privilege: which parts of a function's policy no call used. A
 * grant is used when an allowed call was allowed by its statement and named by the part:
 * each action, each resource, each value of a condition (e.g. one `dynamodb:LeadingKeys`
 * prefix). Whatever is left over is a grant the code does not need.
 */
import { type ConditionBlock, conditionsHold } from "./conditions";
import type { GateDecision } from "./gate";
import { actionMatches, resourceMatches } from "./policy-evaluator";
import type { FunctionIdentity } from "./stack-model";

/** A grant a test knows to be unused, with the reason it stays. */
export interface ToleratedGrant {
  action: string;
  resource: string;
  why: string;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** True when one of the decision's values of `key` satisfies `operator` against `value` alone. */
function conditionValueUsed(operator: string, key: string, value: string, decision: GateDecision) {
  const entry = Object.entries(decision.context).find(
    ([name]) => name.toLowerCase() === key.toLowerCase(),
  );
  if (!entry) return false;
  return [entry[1]].flat().some((contextValue) =>
    conditionsHold({ [operator]: { [key]: [value] } } as ConditionBlock, {
      [key]: [contextValue],
    }),
  );
}

/**
 * The parts of `identity`'s Allow statements that none of its allowed `decisions` used,
 * as sentences; `[]` when every part was needed.
 *
 * @example
 * unusedGrants(collect, gate.decisions); // ["collect: dynamodb:BatchGetItem (statement 1) was never called"]
 */
export function unusedGrants(
  identity: FunctionIdentity,
  decisions: readonly GateDecision[],
  tolerated: readonly ToleratedGrant[] = [],
): string[] {
  const mine = decisions.filter((d) => d.caller === identity.accessKeyId && d.allowed);
  const unused: string[] = [];
  identity.statements.forEach((statement, index) => {
    if (statement.Effect !== "Allow") return;
    const by = mine.filter((d) => d.statements.includes(index));
    const where = `${identity.accessKeyId}: statement ${index}`;
    for (const action of list(statement.Action)) {
      if (by.some((d) => actionMatches(action, d.action))) continue;
      const resources = list(statement.Resource);
      const excused = resources.every((resource) =>
        tolerated.some((t) => actionMatches(t.action, action) && t.resource === resource),
      );
      if (!excused) unused.push(`${where}: ${action} on ${resources.join(", ")} was never called`);
    }
    for (const resource of list(statement.Resource)) {
      if (!by.some((d) => resourceMatches(resource, d.resource))) {
        unused.push(`${where}: nothing was called on ${resource}`);
      }
    }
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      for (const [key, values] of Object.entries(keys)) {
        for (const value of [values].flat() as string[]) {
          if (!by.some((d) => conditionValueUsed(operator, key, value, d))) {
            unused.push(`${where}: no call needed ${operator} ${key} ${value}`);
          }
        }
      }
    }
  });
  return unused;
}
