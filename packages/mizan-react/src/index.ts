/**
 * The browser runtime of Mizan: what the generated React client imports. A {@link MizanClient}
 * speaks the HTTP protocol of `spec/PROTOCOL.md` Layer 2 (calls, canonical context URLs,
 * microtask batching, protocol errors); {@link MizanProvider}, {@link useMizanCall} and
 * {@link useMizanContext} (and {@link useMizanSuspenseContext}) put it behind TanStack Query, with Zod validation before sending and
 * hydration from the server-rendered page.
 * @packageDocumentation
 */

export {
  MizanClient,
  CSRF_HEADER,
  SCHEMA_HEADER,
  createMizanClient,
  type MizanClientOptions,
} from './client.js';
export { DEFAULT_BATCH_BYTES, MAX_BATCH_CALLS } from './batch.js';
export {
  MIZAN_ERROR_CODES,
  MizanError,
  isMizanError,
  type MizanErrorCode,
  type MizanErrorInit,
  type MizanFieldError,
} from './errors.js';
export { canonicalQuery, mizanQueryKey, percentEncode, type MizanQueryKey } from './query.js';
export { invalidateMizanContext } from './invalidate.js';
export type { MizanInvalidation } from './reads.js';
export {
  HYDRATION_ELEMENT_ID,
  readHydration,
  type HydratedForm,
  type HydrationPayload,
} from './hydration.js';
export { MizanProvider, useMizanClient, type MizanProviderProps } from './provider.js';
export {
  useMizanCall,
  type MizanCallOptions,
  type UseMizanCallOptions,
} from './useMizanCall.js';
export {
  useMizanContext,
  type MizanContextOptions,
  type UseMizanContextOptions,
} from './useMizanContext.js';
export {
  useMizanSuspenseContext,
  type MizanSuspenseContextOptions,
  type UseMizanSuspenseContextOptions,
} from './useMizanSuspenseContext.js';
export { useMizanStaleClient } from './stale.js';
export { fieldsFromIssues, type IssueLike } from './issues.js';
export * from './forms/index.js';
export * from './channels/index.js';
