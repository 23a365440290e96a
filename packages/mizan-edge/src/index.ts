/**
 * An edge cache for Mizan (spec §2.16.8): keeps context answers per permission key next to the
 * clients, verifying tokens with the deployment's keyring, and forwards everything it cannot key
 * to the server untouched. Built on `mizan-ts` and Web APIs only (`fetch`, `Request`, `Response`,
 * `crypto.subtle`, the Cache API), so it runs in Cloudflare Workers, Node and similar runtimes.
 * @packageDocumentation
 */

export { createEdgeHandler, type EdgeHandler } from './handler.js';
export { PURGE_AUDIENCE, type EdgeOptions, type EdgeValidation } from './options.js';
export { EdgeConfigError } from './errors.js';
export { MemoryCache, type CacheLike, type MemoryCacheOptions } from './memoryCache.js';
export { MemoryTagStore, type MemoryTagStoreOptions, type TagStore } from './tagStore.js';
export { EDGE_STATUS, type EdgeStatus } from './forward.js';
export { isValidTag, MAX_TAG_BYTES } from './tags.js';
export { readManifest, type AuthRequirement, type CachePolicy, type CacheScope, type EdgeContext } from './manifest.js';
export type { Waiter } from './fill.js';
