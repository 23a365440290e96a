/**
 * How an answer is kept in the cache: the origin's status, headers and body, with what the edge
 * needs to judge it later (when it was fetched, under which permission key, its tags) in one
 * header of its own.
 * @module
 */

import { readTagList } from './tags.js';

/** The header that carries an entry's metadata inside the cache; never sent to a client. */
const META = 'x-mizan-edge-entry';

/** Headers of the origin's answer that describe its transfer, not the answer: never kept. */
const TRANSFER = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

/** What the edge knows of a stored answer. */
export interface EntryMeta {
  /** When its fetch started (ms on the edge's clock): a purge at or after it makes it stale. */
  fetched: number;
  /** The permission key it was stored under. */
  pk: string;
  /** Its tags, from `Cache-Tag`, plus `mizan:fn:<f>`. */
  tags: string[];
  /** The origin's headers, in order. */
  headers: [string, string][];
}

/** A stored answer read back from the cache. */
export interface Entry {
  /** Its metadata. */
  meta: EntryMeta;
  /** Its body. */
  body: ArrayBuffer;
}

/**
 * The response to put into the cache for an origin answer, and its metadata. Its own `Cache-Control` keeps it for
 * `keepSeconds` (`max_age + swr`), because a shared cache (`caches.default`) honours that header,
 * and the origin's (`max-age=0` or `private`) would have it dropped; the origin's headers travel
 * in the metadata and are given back as they were.
 */
export function toStored(
  fn: string,
  pk: string,
  fetched: number,
  origin: Response,
  body: ArrayBuffer,
  keepSeconds: number,
): { stored: Response; meta: EntryMeta } {
  const tags = readTagList(origin.headers.get('cache-tag'));
  // The function's own tag is added whatever the server sent, so purging a whole function
  // always reaches its answers.
  const fnTag = `mizan:fn:${fn}`;
  if (!tags.includes(fnTag)) tags.unshift(fnTag);
  const headers: [string, string][] = [];
  origin.headers.forEach((value, name) => {
    if (!TRANSFER.has(name)) headers.push([name, value]);
  });
  const meta: EntryMeta = { fetched, pk, tags, headers };
  const stored = new Response(body, {
    status: 200,
    headers: {
      'cache-control': `public, max-age=${keepSeconds}`,
      'content-type': 'application/octet-stream',
      [META]: encodeURIComponent(JSON.stringify(meta)),
    },
  });
  return { stored, meta };
}

function isMeta(value: unknown): value is EntryMeta {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m['fetched'] === 'number' &&
    typeof m['pk'] === 'string' &&
    Array.isArray(m['tags']) &&
    (m['tags'] as unknown[]).every((t) => typeof t === 'string') &&
    Array.isArray(m['headers']) &&
    (m['headers'] as unknown[]).every(
      (h) => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string',
    )
  );
}

/**
 * Reads back what {@link toStored} put; `undefined` for anything else (a response another program
 * put under the key, a damaged entry), which the edge treats as a miss.
 */
export async function fromStored(stored: Response): Promise<Entry | undefined> {
  const raw = stored.headers.get(META);
  let meta: unknown;
  try {
    meta = raw === null ? undefined : JSON.parse(decodeURIComponent(raw));
  } catch {
    meta = undefined;
  }
  if (!isMeta(meta)) {
    await stored.body?.cancel();
    return undefined;
  }
  return { meta, body: await stored.arrayBuffer() };
}

/** The origin's headers of an entry, for an answer to a client. */
export function entryHeaders(meta: EntryMeta): Headers {
  const headers = new Headers();
  for (const [name, value] of meta.headers) headers.append(name, value);
  return headers;
}
