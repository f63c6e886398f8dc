/**
 * How a detector state is held in its item, so that a warm one costs one write unit (an
 * item of at most 1 KB) rather than two: its JSON, deflated against a dictionary of the
 * state's own field names and common values, in the Binary attribute `packed`. Most of
 * a state is field names and short runs of repeated numbers (the 168 weekly slots), which
 * the dictionary lets deflate refer to from the first byte; a warm state of about 1,800
 * characters packs into about 400 bytes. The JSON is kept whole, numbers and all: the
 * packing loses nothing, and the migration reads a packed state as it reads a plain one.
 *
 * Items written before packing hold the plain JSON in the String attribute `state`; they
 * are read as they are. Format 1 packed version-2 states; format 2, against a dictionary
 * that knows version 3's fields, packs what this release saves. Both are read.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { DetectorState } from "../domain/detector";
import type { StoredDetectorState } from "../domain/detector-state-migration";
import { OutcryError } from "../domain/outcry-error";

/** The attribute a packed state is stored in. */
export const PACKED_ATTRIBUTE = "packed";
/** The attribute of a state saved as plain JSON (before packing). */
export const PLAIN_ATTRIBUTE = "state";

/** The first byte of a packed state: how the rest was packed. */
const FORMAT_DEFLATE_V1 = 1;
/** Format 2: the same deflate, against a dictionary of the version-3 state's fields. */
const FORMAT_DEFLATE_V2 = 2;

/**
 * What format 1 deflates against. Never change it: every state packed in format 1 is
 * inflated with these exact bytes. A better dictionary is a new format byte beside it.
 * Deflate refers back from the nearest match, so the fields every state has come last,
 * in the order `JSON.stringify` writes them, after those of an open incident.
 */
const DICTIONARY_V1 = Buffer.from(
  '"incident":{"id":"-2024-06-03T12:00Z","service":"","startedAt":17,"openedAt":17,' +
    '"countAtOpen":1,"baselineAtOpen":0.,"peak":{"count":1,"at":17},' +
    '"falloffs":[{"at":17,"count":1}],"resolvedAt":null,"correlatedWith":[]},' +
    '{"version":2,"lastBucket":null,"baseline":{"level":0,"samples":0,"zone":"UTC",' +
    '"drift":1,"tail":-1,"tailDays":0,"day":-1,"dayMax":0,"dayBuckets":0,"hour":-1,' +
    `"hourSum":0,"hourBuckets":0,"daily":[${repeated("-1", 24)}],` +
    `"dailySeen":[${repeated("21", 24)}],"weekly":[${repeated("-1", 168)}],` +
    `"weeklySeen":[${repeated("3", 168)}]},"pending":null,"quietBuckets":0,` +
    '"quietSince":null,"incident":null,"incidentSurprise":0,"afterglow":null,' +
    '"recent":{"count":0,"expected":0},"elevated":null}',
  "utf8",
);

/**
 * What format 2 deflates against: format 1's dictionary with the fields version 3 of the
 * state added (the window of newest buckets, what recurs), in the order they are written.
 * Never change it either.
 */
const DICTIONARY_V2 = Buffer.from(
  '"incident":{"id":"-2024-06-03T12:00Z","service":"","startedAt":17,"openedAt":17,' +
    '"countAtOpen":1,"baselineAtOpen":0.,"peak":{"count":1,"at":17},' +
    '"falloffs":[{"at":17,"count":1}],"resolvedAt":null,"correlatedWith":[]},' +
    '{"version":3,"lastBucket":null,"baseline":{"level":0,"samples":0,"zone":"UTC",' +
    '"drift":1,"tail":-1,"tailDays":0,"day":-1,"dayMax":0,"dayBuckets":0,"hour":-1,' +
    '"hourSum":0,"hourBuckets":0,"hourAll":0,"hourAllBuckets":0,"hourOdd":0,' +
    `"daily":[${repeated("-1", 24)}],"dailySeen":[${repeated("21", 24)}],` +
    `"weekly":[${repeated("-1", 168)}],"weeklySeen":[${repeated("3", 168)}],` +
    `"dailyHot":[${repeated("0", 24)}],"dailyHotLevel":[${repeated("-1", 24)}],` +
    `"weeklyHot":[${repeated("0", 168)}],"weeklyHotLevel":[${repeated("-1", 168)}]},` +
    '"window":[-1,0],"pending":null,"quietBuckets":0,' +
    '"quietSince":null,"incident":null,"incidentSurprise":0,"afterglow":null,' +
    '"recent":{"count":0,"expected":0},"elevated":null,"long":{"count":0,"expected":0},' +
    '"bursts":[],"burstDays":{"day":-1,"max":0,"typical":-1}}',
  "utf8",
);

/** The dictionary of each format this code reads. */
const DICTIONARIES: Readonly<Record<number, Buffer>> = {
  [FORMAT_DEFLATE_V1]: DICTIONARY_V1,
  [FORMAT_DEFLATE_V2]: DICTIONARY_V2,
};

function repeated(value: string, times: number): string {
  return new Array<string>(times).fill(value).join(",");
}

/** The bytes `state` is stored as in {@link PACKED_ATTRIBUTE}. */
export function packState(state: DetectorState): Uint8Array {
  const deflated = deflateRawSync(JSON.stringify(state), { level: 9, dictionary: DICTIONARY_V2 });
  return Buffer.concat([Buffer.from([FORMAT_DEFLATE_V2]), deflated]);
}

/** A stored state this code cannot unpack: packed by a newer release, or damaged. */
export class UnknownStateFormatError extends OutcryError {
  constructor(readonly format: number | undefined) {
    super(
      `detector state packed in format ${format ?? "(none: the attribute is empty)"} is unknown: this code reads formats ${FORMAT_DEFLATE_V1} and ${FORMAT_DEFLATE_V2}` +
        (format !== undefined && format > FORMAT_DEFLATE_V2 ? " (saved by a newer release?)" : ""),
    );
    this.name = "UnknownStateFormatError";
  }
}

/**
 * The state an item holds, packed or plain, as it was saved (the migration brings it to
 * the current version).
 * @throws {UnknownStateFormatError} when the packed bytes are in a format this code does not know
 */
export function storedStateOf(item: Record<string, unknown>): StoredDetectorState {
  const packed = item[PACKED_ATTRIBUTE];
  if (packed instanceof Uint8Array) {
    const dictionary = packed[0] === undefined ? undefined : DICTIONARIES[packed[0]];
    if (!dictionary) throw new UnknownStateFormatError(packed[0]);
    const json = inflateRawSync(packed.subarray(1), { dictionary });
    return JSON.parse(json.toString("utf8")) as StoredDetectorState;
  }
  return JSON.parse(item[PLAIN_ATTRIBUTE] as string) as StoredDetectorState;
}
