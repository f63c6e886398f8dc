/** Which hashtags a Mastodon source reads (shared by its config check and its reader). */

/**
 * The hashtags a source reads, `hashtag` first, each once (Mastodon matches them in any
 * case, so `TMobile` and `tmobile` are one).
 * @example mastodonTags({ hashtag: "tmobile", tags: ["TMobile", "tmobileoutage"] }) // ["tmobile", "tmobileoutage"]
 */
export function mastodonTags(source: {
  hashtag?: string | undefined;
  tags?: readonly string[] | undefined;
}): string[] {
  const seen = new Set<string>();
  return [...(source.hashtag === undefined ? [] : [source.hashtag]), ...(source.tags ?? [])].filter(
    (tag) => {
      const key = tag.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    },
  );
}
