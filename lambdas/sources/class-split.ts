/**
 * How a text source's counts split by keyword class (its `classes` setting): each counted
 * item goes to the first class whose keywords it mentions (`itemClassifier`), and its id
 * is kept in the seen-items store in a set per class and bucket, beside the source's own
 * set. So an item met by two pages or two ticks counts once in its class, as it counts
 * once in the source's count, and a read that meets nothing new (a 304) still tells the
 * stored split. An item in no class stays in the count only.
 */
import type { KeywordClasses } from "../domain/keyword-classes";
import type { SeenItemsStore } from "../domain/ports";
import { itemClassifier } from "./text-matching";

/**
 * The seen-items set of one class of a source, `<source>#<class>`. A source id never
 * holds '#' (`sourceIdSchema`), so no source's own set can have this name.
 */
export function classSetName(sourceId: string, classId: string): string {
  return `${sourceId}#${classId}`;
}

/** Where one source is kept in the seen-items store. */
export interface SeenSetOwner {
  seen: SeenItemsStore;
  service: string;
  source: string;
}

/**
 * The items of one read sorted into classes, per requested bucket; {@link breakdowns}
 * stores them and answers the split of each bucket.
 */
export class ClassTally {
  /** class id → bucket → ids of this read's items of that class. */
  private readonly idsByClass: Map<string, Map<number, string[]>>;

  constructor(
    private readonly classOf: (text: string) => string | null,
    classIds: readonly string[],
    private readonly buckets: readonly number[],
  ) {
    this.idsByClass = new Map(
      classIds.map((id) => [id, new Map(buckets.map((bucket) => [bucket, []]))]),
    );
  }

  /** Notes a counted item of `bucket` in its class, if its text puts it in one. */
  note(bucket: number, id: string, text: string): void {
    const classId = this.classOf(text);
    if (classId === null) return;
    this.idsByClass.get(classId)?.get(bucket)?.push(id);
  }

  /**
   * Adds the noted items to their classes' sets (one query per class, and a write only
   * for a bucket with items its set does not hold yet) and returns each bucket's split:
   * the classes holding items, in config order; null where `counts` has no count.
   */
  async breakdowns(
    store: SeenSetOwner,
    counts: readonly (number | null)[],
  ): Promise<(Record<string, number> | null)[]> {
    const stored = await Promise.all(
      [...this.idsByClass].map(
        async ([classId, idsByBucket]) =>
          [
            classId,
            await store.seen.addOnce(
              store.service,
              classSetName(store.source, classId),
              idsByBucket,
            ),
          ] as const,
      ),
    );
    return counts.map((count, i) => {
      const bucket = this.buckets[i];
      if (count === null || bucket === undefined) return null;
      const split: Record<string, number> = {};
      for (const [classId, byBucket] of stored) {
        const n = byBucket.get(bucket) ?? 0;
        if (n > 0) split[classId] = n;
      }
      return split;
    });
  }
}

/**
 * A source's `classes`, compiled once: each read takes a {@link ClassTally} of its own.
 * @example
 * const split = new ClassSplit({ calls: ["call", "voice"], "mobile-data": ["data", "lte"] });
 * const tally = split.tally(request.buckets);
 * tally.note(bucket, post.id, post.text);
 * const breakdowns = await tally.breakdowns({ seen, service, source: "mastodon" }, counts);
 */
export class ClassSplit {
  private readonly classOf: (text: string) => string | null;
  private readonly classIds: readonly string[];

  constructor(classes: KeywordClasses) {
    this.classOf = itemClassifier(classes);
    this.classIds = Object.keys(classes);
  }

  /** A tally for one read of `buckets`. */
  tally(buckets: readonly number[]): ClassTally {
    return new ClassTally(this.classOf, this.classIds, buckets);
  }
}

/** The split of a source's `classes`, or null when it has none (its readings then carry no breakdowns). */
export function classSplitOf(classes: KeywordClasses | undefined): ClassSplit | null {
  return classes === undefined ? null : new ClassSplit(classes);
}
