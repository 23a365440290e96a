/**
 * Context URLs and query keys. A context has exactly one URL per logical request (spec §2.3): the
 * server answers any other spelling with `400 non_canonical_query`, and browser and CDN caches only
 * hit when every client spells the URL the same way, so the query is built byte for byte as the
 * spec says.
 * @module
 */

import { canonicalize, isMizanCoreError } from 'mizan-ts';
import { MizanError } from './errors.js';

/**
 * `percent` of spec §2.3: keeps `A-Z a-z 0-9 - . _ ~` and writes every other UTF-8 byte as `%XX`
 * with uppercase hex digits.
 *
 * `encodeURIComponent` already does exactly that, except that it also keeps `! ' ( ) *`.
 * The input must have no lone surrogates (canonical JSON never has).
 */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The canonical query of spec §2.3, with its leading `?`, or `''` when there is no part:
 * `p=percent(canonical(params))` unless `params` is `{}`, then `rev=<rev>` unless `rev` is 0.
 *
 * @throws {@link MizanError} `malformed_json` (status 0, the Layer 1 code in `details.reason`)
 *   when `params` has no canonical JSON form (a float, a non-finite number, a lone surrogate…),
 *   as the server would answer for the same params; `bad_request` (status 0) when `rev` is not an
 *   integer in `0 ..= 2^53 - 1`.
 */
export function canonicalQuery(params: Record<string, unknown>, rev = 0): string {
  let json: string;
  try {
    json = canonicalize(params);
  } catch (e) {
    if (!isMizanCoreError(e)) throw e;
    throw new MizanError({
      code: 'malformed_json',
      message: `params have no canonical JSON form: ${e.message}`,
      details: { reason: e.code },
      cause: e,
    });
  }
  if (!Number.isSafeInteger(rev) || rev < 0) {
    throw new MizanError({ code: 'bad_request', message: `invalid rev: ${rev}` });
  }
  const parts: string[] = [];
  if (json !== '{}') parts.push(`p=${percentEncode(json)}`);
  if (rev > 0) parts.push(`rev=${rev}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/**
 * The TanStack Query key of a context read: `['mizan', name, canonical(params), rev]`.
 *
 * Canonical JSON makes keys equal exactly when the URLs are equal, whatever the property order.
 * Keys are computed while rendering, so params without a canonical form do not throw here: the
 * params object itself stands in, and the query's fetch reports the error instead.
 *
 * To invalidate every read of one context:
 * `queryClient.invalidateQueries({ queryKey: ['mizan', name] })`.
 */
export function mizanQueryKey(
  name: string,
  params: Record<string, unknown>,
  rev?: number,
): readonly unknown[] {
  let p: unknown = params;
  try {
    p = canonicalize(params);
  } catch {
    // Kept as the object: see above.
  }
  return ['mizan', name, p, rev ?? 0];
}
