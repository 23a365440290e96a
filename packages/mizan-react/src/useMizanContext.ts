/**
 * The hook behind every generated context hook.
 * @module
 */

import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ZodType } from 'zod';
import { isMizanError, type MizanError } from './errors.js';
import { isHydrated } from './hydration.js';
import { useMizanClient } from './provider.js';
import { canonicalOrUndefined, queryKeyOf } from './query.js';
import { validate } from './validate.js';

/** Options of {@link useMizanContext}. */
export interface UseMizanContextOptions {
  /** The revision (spec §1.3.1): a new `rev` is a new URL, so caches on the way miss. Default 0. */
  rev?: number;
  /** How long data stays fresh, in milliseconds (TanStack's `staleTime`). Default 0. */
  staleTime?: number;
  /** Set `false` to hold the request, e.g. until the params are known. Default `true`. */
  enabled?: boolean;
  /**
   * The function's `schema_hash` from the manifest (generated hooks pass it): the server answers
   * `stale_client` when the function has changed since (spec §2.7).
   */
  schemaHash?: string;
}

// Retrying cannot fix input the server refused (4xx) or input refused before sending (status 0,
// any code but `network_error`); network failures and 5xx get TanStack's usual three retries.
function shouldRetry(failureCount: number, error: MizanError): boolean {
  if (isMizanError(error)) {
    const { status, code } = error;
    if ((status >= 400 && status < 500) || (status === 0 && code !== 'network_error')) return false;
  }
  return failureCount < 3;
}

/**
 * A TanStack query that reads the context `name` with `params` (spec §2.3).
 *
 * The key is `mizanQueryKey(name, params, rev)`, so new params (in any property order that
 * changes their canonical JSON) make a new query and a new request. The query function checks
 * `params` with the `input` schema first (a failure is a `MizanError` `validation_failed` with
 * status 0 and no request), then `GET`s `client.contextUrl(name, params, rev)`.
 *
 * Data seeded from hydration by `MizanProvider` is used on mount without a request; after that,
 * `staleTime` (default 0) decides as usual.
 *
 * The read is fetched again when a purge meets the tags of its last answer (`Cache-Tag`, spec
 * §2.16.4): one of this client's calls, or another caller's write heard over the channel socket
 * (§2.16.5). It then asks for the rev the purge issued (the larger of it and `rev`), so no cache
 * on the way answers with data from before the write; the query key stays the same.
 */
export function useMizanContext<I extends Record<string, unknown>, O>(
  name: string,
  params: I,
  input: ZodType<I>,
  options?: UseMizanContextOptions,
): UseQueryResult<O, MizanError> {
  const client = useMizanClient();
  const rev = options?.rev ?? 0;
  const canonical = useCanonical(params);
  return useQuery<O, MizanError, O, readonly unknown[]>({
    queryKey: queryKeyOf(name, canonical.params, canonical.json, rev),
    queryFn: async ({ signal }) => {
      const checked = validate(input, params);
      if (canonical.json === undefined) {
        return client.context<O>(name, checked, rev, signal, options?.schemaHash);
      }
      // The URL from the key's canonical JSON, unless the schema changed the params (a default);
      // the read's tags and rev are kept under the key's, which purges find it by.
      const changed = !sameEntries(checked, canonical.params);
      return client.trackedContext<O>(
        name,
        canonical.json,
        changed ? checked : undefined,
        rev,
        signal,
        options?.schemaHash,
      );
    },
    staleTime: options?.staleTime ?? 0,
    enabled: options?.enabled ?? true,
    retry: shouldRetry,
    refetchOnMount: (query) => !isHydrated(query),
  });
}

interface Canonical {
  params: Record<string, unknown>;
  /** `undefined` when the params have no canonical JSON. */
  json: string | undefined;
}

/**
 * The canonical JSON of `params`, computed again only when they change: a component usually
 * passes a new object with the same members on every render. Members are compared with
 * `Object.is`, as React compares dependencies; params are values, not mutated in place.
 */
function useCanonical(params: Record<string, unknown>): Canonical {
  const last = useRef<Canonical | null>(null);
  let current = last.current;
  if (current === null || !sameEntries(current.params, params)) {
    current = { params, json: canonicalOrUndefined(params) };
    last.current = current;
  }
  return current;
}

function sameEntries(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (a === b) return true;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && Object.is(a[key], b[key]));
}
