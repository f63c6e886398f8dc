/**
 * A zone's offset from UTC at any moment, cheaply: the detector needs the local hour of
 * every bucket, and asking Intl once a bucket would dominate a backtest.
 */
import { MINUTE_MS } from "./buckets";

const HOUR_MS = 60 * MINUTE_MS;

/** Offsets by zone and 6-hour block of UTC time: `[offset, change time, offset after]`. */
const offsets = new Map<string, Map<number, [number, number, number]>>();
const formatters = new Map<string, Intl.DateTimeFormat>();
/** Offsets never change twice within this span, so two lookups cover it. */
const OFFSET_SPAN_MS = 6 * HOUR_MS;
/** Blocks kept per zone before the cache is cleared (about a year and a half). */
const OFFSET_BLOCKS_KEPT = 2200;

/**
 * The zone's offset from UTC at `timeMs` (local = UTC + offset), in milliseconds.
 * Cached per 6-hour block, so a replay asks `Intl` a few times a day, not once a bucket.
 * @example utcOffsetMs("America/New_York", Date.parse("2023-02-14T03:20:00Z")) // -18_000_000
 */
export function utcOffsetMs(zone: string, timeMs: number): number {
  if (zone === "UTC") return 0;
  let blocks = offsets.get(zone);
  if (!blocks) {
    blocks = new Map();
    offsets.set(zone, blocks);
  }
  const block = Math.floor(timeMs / OFFSET_SPAN_MS);
  let known = blocks.get(block);
  if (!known) {
    if (blocks.size >= OFFSET_BLOCKS_KEPT) blocks.clear();
    known = offsetsInBlock(zone, block * OFFSET_SPAN_MS);
    blocks.set(block, known);
  }
  return timeMs < known[1] ? known[0] : known[2];
}

/** The offset at the block's start, when it changes inside the block, and after that. */
function offsetsInBlock(zone: string, start: number): [number, number, number] {
  const first = lookUpOffset(zone, start);
  const end = start + OFFSET_SPAN_MS;
  const last = lookUpOffset(zone, end);
  if (first === last) return [first, end, first];
  // A change inside the block: find it to the minute.
  let low = start;
  let high = end;
  while (high - low > MINUTE_MS) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (lookUpOffset(zone, mid) === first) low = mid;
    else high = mid;
  }
  return [first, high, last];
}

function lookUpOffset(zone: string, timeMs: number): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(timeMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
  );
  return wall - Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
}
