/**
 * What a status source's read changed in what its provider states: the incidents stated
 * for the first time and the ones no longer stated, against the keys the source's memory
 * kept from its last read. Only changes are written, so a page stating the same incident
 * for a week costs two writes, not one a minute.
 */
import type { SourceMemory, StatedIncident } from "./count-source";

/** The memory entry that keeps the stated keys (one per line) beside the source's own. */
export const STATED_MEMORY_KEY = "stated";
/** Stated incidents one source keeps track of; a page stating more is a page in trouble already. */
export const MAX_STATED = 20;

/** The changes of one read, and the memory to keep for the next. */
export interface StatedChanges {
  started: StatedIncident[];
  ended: string[];
  /** The memory to store: the source's, with the stated keys; undefined: keep what is stored. */
  memory: SourceMemory | undefined;
}

function keysOf(memory: SourceMemory | null | undefined): string[] {
  const text = memory?.[STATED_MEMORY_KEY];
  return typeof text === "string" && text !== "" ? text.split("\n") : [];
}

/**
 * Compares a read's stated incidents with what the previous read stated.
 *
 * @param previous - the memory stored after the last successful read
 * @param stated - what this read states (undefined: it could not tell, e.g. a 304)
 * @param memory - the memory this read returned (undefined: keep the stored one)
 * @example statedChanges({ stated: "a" }, [b], { etag: "x" }) // started [b], ended ["a"]
 */
export function statedChanges(
  previous: SourceMemory | null,
  stated: readonly StatedIncident[] | undefined,
  memory: SourceMemory | undefined,
): StatedChanges {
  const before = keysOf(previous);
  if (stated === undefined) {
    // Nothing new was read: the stated keys carry over into whatever memory is kept.
    if (memory === undefined || before.length === 0) return { started: [], ended: [], memory };
    return {
      started: [],
      ended: [],
      memory: { ...memory, [STATED_MEMORY_KEY]: before.join("\n") },
    };
  }
  const current = new Map<string, StatedIncident>();
  for (const incident of stated) {
    // A key with a line break could not be remembered; such a page is read again whole.
    if (current.size >= MAX_STATED || incident.key.includes("\n") || incident.key === "") continue;
    current.set(incident.key, incident);
  }
  const known = new Set(before);
  const started = [...current.values()].filter((incident) => !known.has(incident.key));
  const ended = before.filter((key) => !current.has(key));
  const { [STATED_MEMORY_KEY]: _, ...own } = memory ?? previous ?? {};
  const next: SourceMemory =
    current.size > 0 ? { ...own, [STATED_MEMORY_KEY]: [...current.keys()].join("\n") } : own;
  return { started, ended, memory: next };
}
