/**
 * Resolves the CloudFormation intrinsics a synthesized policy or environment holds
 * (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and the pseudo
 * parameters) against stand-in physical ids, the way CloudFormation would at deploy time.
 * Anything else throws: a value that cannot be resolved must not pass for one that was.
 */

/** Physical ids and attributes of a template's resources in a test account. */
export interface PhysicalIds {
  /** `Ref` of a logical id or a pseudo parameter (`AWS::Region`, ...). */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a logical id. */
  getAtt(logicalId: string, attribute: string): string;
}

/** `AWS::NoValue`: the property is dropped from its object or list. */
const NO_VALUE = Symbol("AWS::NoValue");

function isIntrinsic(value: object): [string, unknown] | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === "Ref" || key.startsWith("Fn::")
    ? [key, (value as Record<string, unknown>)[key]]
    : undefined;
}

function asString(value: unknown, where: string): string {
  if (typeof value !== "string") {
    throw new Error(`${where}: expected a string after resolving, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `Fn::Sub`: `${Name}`, `${Name.Attribute}`, `${!Literal}`, and the given variables. */
function substitute(text: string, variables: Record<string, unknown>, ids: PhysicalIds): string {
  return text.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
    if (name.startsWith("!")) return `\${${name.slice(1)}}`;
    if (name in variables) return asString(resolve(variables[name], ids), `Fn::Sub \${${name}}`);
    const dot = name.indexOf(".");
    if (dot > 0 && !name.startsWith("AWS::"))
      return ids.getAtt(name.slice(0, dot), name.slice(dot + 1));
    return ids.ref(name);
  });
}

function resolveIntrinsic(name: string, argument: unknown, ids: PhysicalIds): unknown {
  switch (name) {
    case "Ref": {
      const target = asString(argument, "Ref");
      return target === "AWS::NoValue" ? NO_VALUE : ids.ref(target);
    }
    case "Fn::GetAtt": {
      const [logicalId, attribute] =
        typeof argument === "string" ? argument.split(/\.(.*)/s) : (argument as unknown[]);
      return ids.getAtt(asString(logicalId, "Fn::GetAtt"), asString(attribute, "Fn::GetAtt"));
    }
    case "Fn::Join": {
      const [separator, parts] = argument as [string, unknown];
      const resolved = resolve(parts, ids);
      if (!Array.isArray(resolved)) throw new Error("Fn::Join: the second argument must be a list");
      return resolved.map((part) => asString(part, "Fn::Join")).join(separator);
    }
    case "Fn::Sub": {
      const [text, variables] =
        typeof argument === "string"
          ? [argument, {}]
          : (argument as [string, Record<string, unknown>]);
      return substitute(text, variables ?? {}, ids);
    }
    case "Fn::Select": {
      const [index, items] = argument as [unknown, unknown];
      const resolved = resolve(items, ids);
      if (!Array.isArray(resolved))
        throw new Error("Fn::Select: the second argument must be a list");
      return resolved[Number(resolve(index, ids))];
    }
    case "Fn::Split": {
      const [separator, text] = argument as [string, unknown];
      return asString(resolve(text, ids), "Fn::Split").split(separator);
    }
    default:
      throw new Error(
        `${name} is not resolved by the IAM test layer (test/support/iam/intrinsics.ts)`,
      );
  }
}

/**
 * `value` with every intrinsic replaced by what CloudFormation would deploy.
 *
 * @example
 * resolveIntrinsics({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":sns:..."] ] }, ids);
 * @throws Error for an intrinsic it does not resolve, or a resource without a stand-in
 */
export function resolveIntrinsics(value: unknown, ids: PhysicalIds): unknown {
  const resolved = resolve(value, ids);
  if (resolved === NO_VALUE) throw new Error("AWS::NoValue where a value is required");
  return resolved;
}

function resolve(value: unknown, ids: PhysicalIds): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(item, ids)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== "object") return value;
  const intrinsic = isIntrinsic(value);
  if (intrinsic) return resolveIntrinsic(intrinsic[0], intrinsic[1], ids);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolve(item, ids);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}
