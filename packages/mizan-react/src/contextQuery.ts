/**
 * What a context read's query is made of, shared by {@link useMizanContext} and
 * {@link useMizanSuspenseContext}: its key, its fetch (validation first, tracked reads), its retry
 * policy and its hydration rule. The user's options never reach these four.
 * @module
 */

import type { Query, QueryFunctionContext } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ZodType } from 'zod';
import { isMizanError, type MizanError } from './errors.js';
import { isHydrated } from './hydration.js';
import { useMizanClient } from './provider.js';
import { canonicalOrUndefined, queryKeyOf } from './query.js';
import { validate } from './validate.js';

/** The options of a context hook that are Mizan's own, not TanStack's. */
export interface MizanOwnContextOptions {
  /** The revision (spec §1.3.1): a new `rev` is a new URL, so caches on the way miss. Default 0. */
  rev?: number;
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
 * The parts of a context query that Mizan decides.
 * @internal
 */
export interface ContextQueryCore<O> {
  queryKey: readonly unknown[];
  queryFn: (context: QueryFunctionContext<readonly unknown[]>) => Promise<O>;
  retry: (failureCount: number, error: MizanError) => boolean;
  refetchOnMount: (query: Query<O, MizanError, O, readonly unknown[]>) => boolean;
}

/**
 * The key, fetch, retry policy and hydration rule of the read of the context `name` with
 * `params` (see `useMizanContext`).
 * @internal
 */
export function useContextQueryCore<I extends Record<string, unknown>, O>(
  name: string,
  params: I,
  input: ZodType<I>,
  options: MizanOwnContextOptions | undefined,
): ContextQueryCore<O> {
  const client = useMizanClient();
  const rev = options?.rev ?? 0;
  const schemaHash = options?.schemaHash;
  const canonical = useCanonical(params);
  return {
    queryKey: queryKeyOf(name, canonical.params, canonical.json, rev),
    queryFn: async ({ signal }) => {
      const checked = validate(input, params);
      if (canonical.json === undefined) {
        return client.context<O>(name, checked, rev, signal, schemaHash);
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
        schemaHash,
      );
    },
    retry: shouldRetry,
    refetchOnMount: (query) => !isHydrated(query),
  };
}

/**
 * The TanStack options a context hook takes. `useSuspenseQuery` sets its own `enabled` and
 * `placeholderData` over any given, so its hook shares the list.
 * @internal
 */
export const CONTEXT_OPTIONS = ['enabled', 'select', 'placeholderData', 'meta'] as const;

/**
 * The members of `options` named in `keys` whose value is not `undefined`: an option left out
 * must not hide the `QueryClient`'s default for it, and only these names are taken, so plain
 * JavaScript cannot slip in a `queryKey` or `queryFn` either.
 * @internal
 */
export function definedOptions<T extends object>(
  options: T | undefined,
  keys: readonly string[],
): Partial<T> {
  const picked: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (options as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as Partial<T>;
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
