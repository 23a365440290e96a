/**
 * Cache tags (spec §2.16.1): reading them from the headers that carry them.
 * @module
 */

/** A tag is at most this many bytes (spec §2.16.1). */
export const MAX_TAG_BYTES = 128;

const TAG = /^[A-Za-z0-9_.:%-]{1,128}$/;

/** Whether `tag` is 1 to 128 bytes of `A-Z a-z 0-9 _ . : - %` (spec §2.16.1). */
export function isValidTag(tag: unknown): tag is string {
  return typeof tag === 'string' && TAG.test(tag);
}

/**
 * The tags of a header that lists them separated by `separator` (`,` for `X-Mizan-Invalidate`
 * and `Cache-Tag`), surrounding spaces removed. What is not a tag is skipped: the headers come
 * from the server, and one unreadable entry must not hide the purge of the others.
 */
export function readTagList(value: string | null, separator = ','): string[] {
  if (value === null) return [];
  const tags: string[] = [];
  for (const part of value.split(separator)) {
    const tag = part.trim();
    if (isValidTag(tag) && !tags.includes(tag)) tags.push(tag);
  }
  return tags;
}
