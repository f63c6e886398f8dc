/**
 * The one interface every source of counts implements. A source answers "how many in
 * this bucket?" and answers null when it could not tell: a gap, never a zero.
 */

/** A source of counts for one service. */
export interface CountSource {
  /** Unique within the service; names the series attribute and the health record. */
  readonly id: string;
  /** Weight of this source in the service's combined count. */
  readonly weight: number;
  /**
   * The count for the bucket starting at `bucketStart`, or null when the source has no
   * data for it.
   * @throws when the source failed (recorded as source health; the bucket stays a gap)
   */
  count(bucketStart: number, bucketMinutes: number): Promise<number | null>;
}
