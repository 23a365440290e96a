/**
 * `If-None-Match` against a stored ETag (RFC 9110 §13.1.2, weak comparison), as the server
 * compares it (spec §2.3).
 * @module
 */

/** Whether an `If-None-Match` value lists `etag` (either one weak or not) or is `*`. */
export function noneMatch(ifNoneMatch: string | null, etag: string | null): boolean {
  if (ifNoneMatch === null || etag === null) return false;
  const opaque = (tag: string) => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const wanted = opaque(etag.trim());
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || opaque(tag) === wanted;
  });
}

/** The headers a `304` keeps from its `200` (spec §2.3). */
const NOT_MODIFIED_KEEPS = ['etag', 'cache-control', 'vary', 'cache-tag', 'surrogate-key', 'x-mizan-cache-status'];

/** The `304 Not Modified` of a `200` with `headers`. */
export function notModified(headers: Headers): Response {
  const out = new Headers();
  for (const name of NOT_MODIFIED_KEEPS) {
    const value = headers.get(name);
    if (value !== null) out.set(name, value);
  }
  return new Response(null, { status: 304, headers: out });
}
