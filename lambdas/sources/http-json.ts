/**
 * The `http-json` source: a count read from any JSON endpoint (an own feed, a ticket
 * system, a commercial API), picked by a JSON Pointer (RFC 6901, `/data/count`) or a
 * JSONPath (`$.data.count`).
 *
 * Two ways to ask:
 * - the URL holds `{from}` and/or `{to}`: it is fetched once per requested bucket with
 *   the bucket's start and end (ISO-8601 UTC), so a late-arriving item is counted when the
 *   look-back buckets are read again;
 * - otherwise it is fetched once per tick and its value is the count of the newest
 *   bucket (the endpoint only tells the present; the earlier buckets stay gaps). The
 *   response's validators and value are remembered, so a 304 repeats the value.
 *
 * JSONPath is supported as its *singular query* subset (RFC 9535 §2.3.5.1): `$` followed
 * by name selectors (`.count`, `['count']`, `["a b"]`) and index selectors (`[0]`, `[-1]`
 * for the last element). Wildcards, slices, filters and `..` select several values, which
 * cannot be one count, so they are refused when the configuration is read.
 */
import { MINUTE_MS, toIso } from "../domain/buckets";
import type { CountSource, SourceReading, SourceRequest } from "./count-source";
import {
  fetchWithPolicy,
  parseJsonBody,
  validatorsFromMemory,
  validatorsToMemory,
} from "./http/fetch-with-policy";

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

/** Settings of an http-json source (see `HttpJsonSourceSchema`). */
export interface HttpJsonSettings {
  id: string;
  weight: number;
  url: string;
  pointer?: string;
  path?: string;
  headers?: Record<string, string>;
}

const PLACEHOLDER = /\{(from|to)\}/g;

/** A {@link CountSource} reading one number from a JSON endpoint. */
export class HttpJsonSource implements CountSource {
  readonly id: string;
  readonly weight: number;
  private readonly selector: CountSelector;
  private readonly perBucket: boolean;

  /**
   * @example
   * new HttpJsonSource({ id: "acme", name: "Acme" }, {
   *   id: "tickets", weight: 1, url: "https://tickets.example/api/open?since={from}&until={to}",
   *   pointer: "/total",
   * });
   */
  constructor(
    readonly service: { id: string; name: string },
    private readonly settings: HttpJsonSettings,
  ) {
    this.id = settings.id;
    this.weight = settings.weight;
    this.selector = compileSelector(settings);
    this.perBucket = new RegExp(PLACEHOLDER.source).test(settings.url);
  }

  async read(request: SourceRequest): Promise<SourceReading> {
    return this.perBucket ? this.readEachBucket(request) : this.readPresent(request);
  }

  /** One request per bucket; a bucket whose request failed is a gap, all failing is an error. */
  private async readEachBucket(request: SourceRequest): Promise<SourceReading> {
    const width = request.bucketMinutes * MINUTE_MS;
    const settled = await Promise.allSettled(
      request.buckets.map(async (start) => {
        const url = this.settings.url.replace(PLACEHOLDER, (_, which: string) =>
          encodeURIComponent(toIso(which === "from" ? start : start + width)),
        );
        const result = await fetchWithPolicy(url, this.fetchOptions(request));
        if (result.status !== "fresh") throw new Error(`${url} answered 304 to a plain request`);
        return pickCount(parseJsonBody(result), this.selector);
      }),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure && settled.every((s) => s.status === "rejected")) throw failure.reason;
    return { counts: settled.map((s) => (s.status === "fulfilled" ? s.value : null)) };
  }

  /** One conditional request; the value counts for the newest bucket. */
  private async readPresent(request: SourceRequest): Promise<SourceReading> {
    const remembered = request.memory?.value;
    const canRepeat = typeof remembered === "number";
    let result = await fetchWithPolicy(this.settings.url, {
      ...this.fetchOptions(request),
      validators: canRepeat ? validatorsFromMemory(request.memory) : null,
    });
    let count: number;
    if (result.status === "not-modified" && canRepeat) {
      count = remembered;
    } else {
      if (result.status === "not-modified") {
        result = await fetchWithPolicy(this.settings.url, this.fetchOptions(request));
      }
      if (result.status !== "fresh") {
        throw new Error(`${this.settings.url} answered 304 to a plain request`);
      }
      count = pickCount(parseJsonBody(result), this.selector);
    }
    const counts: (number | null)[] = request.buckets.map(() => null);
    if (counts.length > 0) counts[counts.length - 1] = count;
    return { counts, memory: { ...validatorsToMemory(result.validators), value: count } };
  }

  private fetchOptions(request: SourceRequest) {
    return {
      signal: request.signal,
      deadlineAt: request.deadlineAt,
      expect: "json" as const,
      headers: this.settings.headers,
    };
  }
}
