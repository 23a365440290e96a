/**
 * Context URLs and query keys. A context has exactly one URL per logical request (spec §2.3): the
 * server answers any other spelling with `400 non_canonical_query`, and browser and CDN caches only
 * hit when every client spells the URL the same way, so the query is built byte for byte as the
 * spec says.
 * @module
 */

import {
  ContextQueryError,
  canonicalize,
  encodeCanonicalContextQuery,
  encodeContextQuery,
} from 'mizan-ts';
import type { DataTag } from '@tanstack/react-query';
import { MizanError } from './errors.js';

export { percentEncode } from 'mizan-ts';

/**
 * The canonical query of spec §2.3, with its leading `?`, or `''` when there is no part:
 * `p=percent(canonical(params))` unless `params` is `{}`, then `rev=<rev>` unless `rev` is 0.
 * Built by `encodeContextQuery` of `mizan-ts`, the encoder an edge worker uses too.
 *
 * @throws {@link MizanError} with status 0 (nothing was sent) and the code and details of
 *   `mizan-ts`'s `ContextQueryError`: `malformed_json` (the Layer 1 code in `details.reason`)
 *   when `params` has no canonical JSON form (a float, a non-finite number, a lone surrogate…),
 *   as the server would answer for the same params; `bad_request` (`details.reason`
 *   `invalid_rev`) when `rev` is not an integer in `0 ..= 2^53 - 1`; `validation_failed` when
 *   `params` is not a plain object.
 */
export function canonicalQuery(params: Record<string, unknown>, rev = 0): string {
  return withQuestionMark(() => encodeContextQuery(params, rev));
}

/**
 * {@link canonicalQuery} of params whose canonical JSON `json` is already known.
 * @internal
 */
export function canonicalQueryOfJson(json: string, rev = 0): string {
  return withQuestionMark(() => encodeCanonicalContextQuery(json, rev));
}

function withQuestionMark(encode: () => string): string {
  let query: string;
  try {
    query = encode();
  } catch (e) {
    if (!(e instanceof ContextQueryError)) throw e;
    throw new MizanError({ code: e.code, message: e.message, details: e.details, cause: e });
  }
  return query === '' ? '' : `?${query}`;
}

/**
 * A query key of a context read, tagged with the type of the data it holds (TanStack's `DataTag`),
 * so that `queryClient.getQueryData(key)` and `setQueryData(key, …)` are typed `O`.
 */
export type MizanQueryKey<O = unknown> = DataTag<readonly unknown[], O, MizanError>;

/**
 * The TanStack Query key of a context read: `['mizan', name, canonical(params), rev]` (`rev`
 * default 0), the key of the hooks' query for these params. Without `params`, `['mizan', name]`:
 * the prefix of every read of the context, for `invalidateQueries` or `removeQueries`.
 *
 * Canonical JSON makes keys equal exactly when the URLs are equal, whatever the property order.
 * Keys are computed while rendering, so params without a canonical form do not throw here: the
 * params object itself stands in, and the query's fetch reports the error instead.
 *
 * The generated `<camel>QueryKey(params?, rev?)` of each context calls this with its types.
 */
export function mizanQueryKey<O = unknown>(
  name: string,
  params?: Record<string, unknown>,
  rev?: number,
): MizanQueryKey<O> {
  const key =
    params === undefined
      ? ['mizan', name]
      : queryKeyOf(name, params, canonicalOrUndefined(params), rev);
  return key as MizanQueryKey<O>;
}

/**
 * The canonical JSON of `params`, or `undefined` when they have none.
 * @internal
 */
export function canonicalOrUndefined(params: Record<string, unknown>): string | undefined {
  try {
    return canonicalize(params);
  } catch {
    return undefined;
  }
}

/**
 * {@link mizanQueryKey} of params whose canonical JSON is known (`undefined`: they have none, and
 * the params object itself stands in).
 * @internal
 */
export function queryKeyOf(
  name: string,
  params: Record<string, unknown>,
  json: string | undefined,
  rev?: number,
): readonly unknown[] {
  return ['mizan', name, json ?? params, rev ?? 0];
}
