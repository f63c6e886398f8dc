/**
 * The detector's thresholds at a bucket width, from whichever keys a configuration used:
 * the width-free `minReports` and `confirmMinutes`, or the per-bucket `minExcess` and
 * `confirmBuckets` of earlier releases. Apart from config.ts so that a function bundle
 * that runs the detector does not carry the configuration's schema.
 */
import type { DetectorSettings } from "./config";

/** The detector's thresholds at one bucket width, whichever keys the configuration used. */
export interface EffectiveThresholds {
  /** Reports above the baseline a confirmed surge must add up to. */
  minReports: number;
  /** Minutes a surge must last (a whole number of buckets, at least one). */
  confirmMinutes: number;
}

/** What `minExcess` and `confirmBuckets` defaulted to in the releases that had them. */
const LEGACY_MIN_EXCESS = 20;
const LEGACY_CONFIRM_BUCKETS = 3;

/**
 * The width-free thresholds of `settings`. A configuration of an earlier release that sets
 * `minExcess` or `confirmBuckets` keeps its meaning at the service's bucket width: the
 * other of the two at its old default (20 reports, 3 buckets), `confirmBuckets` x
 * `bucketMinutes` minutes and `minExcess` x `confirmBuckets` reports; `minReports` and
 * `confirmMinutes` are then not read.
 * @example effectiveThresholds({ ...defaults, minExcess: 20 }, 5) // { minReports: 60, confirmMinutes: 15 }
 */
export function effectiveThresholds(
  settings: DetectorSettings,
  bucketMinutes: number,
): EffectiveThresholds {
  if (settings.minExcess === undefined && settings.confirmBuckets === undefined) {
    const buckets = Math.max(1, Math.round(settings.confirmMinutes / bucketMinutes));
    return { minReports: settings.minReports, confirmMinutes: buckets * bucketMinutes };
  }
  const buckets = settings.confirmBuckets ?? LEGACY_CONFIRM_BUCKETS;
  return {
    minReports: (settings.minExcess ?? LEGACY_MIN_EXCESS) * buckets,
    confirmMinutes: buckets * bucketMinutes,
  };
}
