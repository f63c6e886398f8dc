/**
 * Picking one count out of a JSON document, for the `http-json` source: a JSON Pointer
 * (RFC 6901, `/data/count`) or a JSONPath singular query (RFC 9535 §2.3.5.1,
 * `$.data.count`), parsed once when the configuration is read and followed on each
 * answer. Pure: the config schema checks the expressions with it, the source reads with it.
 */

/** One step into a JSON document: a member name, or an array index (negative: from the end). */
export type JsonStep = { name: string } | { index: number };

/**
 * Parses an RFC 6901 JSON Pointer into steps. A pointer token applies to an object as a
 * member name and to an array as an index, so tokens are kept as names and read as indexes
 * only when they meet an array.
 * @throws Error explaining what is wrong with the pointer
 * @example parseJsonPointer("/data/count") // [{ name: "data" }, { name: "count" }]
 */
export function parseJsonPointer(pointer: string): JsonStep[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) {
    throw new Error(`a JSON Pointer starts with '/', e.g. '/data/count' (got '${pointer}')`);
  }
  return pointer
    .slice(1)
    .split("/")
    .map((token) => {
      if (/~(?![01])/.test(token)) {
        throw new Error(`'~' in a JSON Pointer must be written '~0' ('~1' for '/'): '${pointer}'`);
      }
      return { name: token.replace(/~1/g, "/").replace(/~0/g, "~") };
    });
}

const SHORTHAND = /^[A-Za-z_\u0080-\uFFFF][A-Za-z0-9_\u0080-\uFFFF]*/;
const ESCAPES: Record<string, string> = {
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  "/": "/",
  "\\": "\\",
  "'": "'",
  '"': '"',
};

/** Reads a quoted name selector starting at `text[start]` (the quote); returns it and the end. */
function readQuoted(text: string, start: number, path: string): { name: string; end: number } {
  const quote = text[start];
  let name = "";
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i] as string;
    if (char === quote) return { name, end: i + 1 };
    if (char !== "\\") {
      name += char;
      continue;
    }
    const next = text[i + 1] ?? "";
    if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
      name += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
      i += 5;
    } else if (ESCAPES[next] !== undefined && (next === quote || (next !== "'" && next !== '"'))) {
      name += ESCAPES[next];
      i += 1;
    } else {
      throw new Error(`bad escape '\\${next}' in the JSONPath '${path}'`);
    }
  }
  throw new Error(`unclosed quote in the JSONPath '${path}'`);
}

/**
 * Parses a JSONPath singular query (`$.data.count`, `$['data'][0].count`, `$.items[-1].n`).
 * @throws Error explaining what is wrong or unsupported
 * @example parseJsonPath("$.data[0].count") // [{ name: "data" }, { index: 0 }, { name: "count" }]
 */
export function parseJsonPath(path: string): JsonStep[] {
  const unsupported = `; only name and index selectors are supported, e.g. '$.data.count' or '$.items[0].total'`;
  if (!path.startsWith("$")) throw new Error(`a JSONPath starts with '$', e.g. '$.data.count'`);
  const steps: JsonStep[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    if (rest.startsWith("..")) throw new Error(`'..' selects many values${unsupported}`);
    if (rest.startsWith(".")) {
      const name = SHORTHAND.exec(rest.slice(1))?.[0];
      if (!name)
        throw new Error(
          `expected a member name after '.' at position ${i + 1} of '${path}'${unsupported}`,
        );
      steps.push({ name });
      i += 1 + name.length;
      continue;
    }
    if (rest.startsWith("[")) {
      const index = /^\[\s*(-?(?:0|[1-9]\d*))\s*\]/.exec(rest);
      if (index) {
        steps.push({ index: Number(index[1]) });
        i += index[0].length;
        continue;
      }
      const open = /^\[\s*/.exec(rest)?.[0].length ?? 1;
      if (rest[open] === "'" || rest[open] === '"') {
        const { name, end } = readQuoted(path, i + open, path);
        const close = /^\s*\]/.exec(path.slice(end));
        if (!close) throw new Error(`expected ']' at position ${end} of '${path}'`);
        steps.push({ name });
        i = end + close[0].length;
        continue;
      }
    }
    throw new Error(`cannot read '${rest}' in the JSONPath '${path}'${unsupported}`);
  }
  return steps;
}

/** A short description of a JSON value for an error message. */
export function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  }
  return `${typeof value === "boolean" ? "the boolean" : "the number"} ${String(value)}`;
}

/** Follows `steps` into `document`; undefined when a step finds nothing. */
export function followSteps(document: unknown, steps: readonly JsonStep[]): unknown {
  let value: unknown = document;
  for (const step of steps) {
    if (Array.isArray(value)) {
      const index =
        "index" in step
          ? step.index
          : /^(0|[1-9]\d*)$/.test(step.name)
            ? Number(step.name)
            : Number.NaN;
      value = value[index < 0 ? value.length + index : index];
    } else if (value !== null && typeof value === "object" && "name" in step) {
      value = Object.hasOwn(value, step.name)
        ? (value as Record<string, unknown>)[step.name]
        : undefined;
    } else {
      return undefined;
    }
  }
  return value;
}

const DECIMAL = /^\s*\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Where the count is in a document, as configured. */
export interface CountSelector {
  /** `pointer '/data/count'` or `path '$.data.count'`, for messages. */
  label: string;
  steps: readonly JsonStep[];
}

/** Compiles the configured pointer or path. @throws Error when it does not parse */
export function compileSelector(settings: { pointer?: string; path?: string }): CountSelector {
  if (settings.pointer !== undefined) {
    return { label: `pointer '${settings.pointer}'`, steps: parseJsonPointer(settings.pointer) };
  }
  if (settings.path !== undefined) {
    return { label: `path '${settings.path}'`, steps: parseJsonPath(settings.path) };
  }
  throw new Error("give a JSON Pointer ('pointer') or a JSONPath ('path') to the count");
}

/**
 * The count `selector` picks from `document`: a non-negative finite number, or a string
 * holding one in decimal.
 * @throws Error naming the selector and what it found instead
 */
export function pickCount(document: unknown, selector: CountSelector): number {
  const value = followSteps(document, selector.steps);
  let count = Number.NaN;
  if (typeof value === "number") count = value;
  else if (typeof value === "string" && DECIMAL.test(value)) count = Number(value);
  if (Number.isFinite(count) && count >= 0) return count;
  throw new Error(
    `the ${selector.label} found ${describeJson(value)}, not a count (a number from 0 up)`,
  );
}
