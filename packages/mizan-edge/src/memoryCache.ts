/**
 * An in-memory cache with the shape of the Web Cache API, for runtimes without `caches.default`
 * (Node, tests).
 * @module
 */

/**
 * The part of the Web Cache API (`caches.default` in Cloudflare Workers) that the edge uses.
 * Keys are absolute URLs of `GET` requests.
 */
export interface CacheLike {
  /** The stored response for `request`, or `undefined`. */
  match(request: Request | string | URL): Promise<Response | undefined>;
  /** Stores `response` for `request`, replacing what was there. */
  put(request: Request | string | URL, response: Response): Promise<void>;
  /** Removes the response for `request`; whether there was one. */
  delete(request: Request | string | URL): Promise<boolean>;
}

/** What {@link MemoryCache} takes. */
export interface MemoryCacheOptions {
  /** The most responses kept; default 10 000. */
  maxEntries?: number;
  /** The most body bytes kept, all responses together; default 64 MiB. */
  maxBytes?: number;
  /** The clock, milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

interface Stored {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
  expires: number;
}

function keyOf(request: Request | string | URL): string {
  return typeof request === 'string' ? new URL(request).href : request instanceof URL ? request.href : request.url;
}

/**
 * Seconds a response may be kept by its `Cache-Control`: `s-maxage`, else `max-age`; `0` for
 * `no-store`, `private` or neither, like a shared cache.
 */
function lifetime(cacheControl: string | null): number {
  if (cacheControl === null) return 0;
  const directives = cacheControl.toLowerCase().split(',').map((d) => d.trim());
  if (directives.some((d) => d === 'no-store' || d === 'private')) return 0;
  for (const name of ['s-maxage=', 'max-age=']) {
    const found = directives.find((d) => d.startsWith(name));
    if (found !== undefined) {
      const seconds = Number(found.slice(name.length));
      return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : 0;
    }
  }
  return 0;
}

/**
 * The Cache API shape in memory: least recently used responses are dropped first to stay within
 * `maxEntries` and `maxBytes`; a response is kept as long as its `Cache-Control` allows
 * (`s-maxage` or `max-age`), and one that may not be kept at all is not stored, as a shared cache
 * would do.
 */
export class MemoryCache implements CacheLike {
  // A Map iterates in insertion order; every hit re-inserts its entry, so the first is the least
  // recently used.
  readonly #entries = new Map<string, Stored>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  /** @param options - see {@link MemoryCacheOptions}. */
  constructor(options: MemoryCacheOptions = {}) {
    this.#maxEntries = Math.max(1, Math.floor(options.maxEntries ?? 10_000));
    this.#maxBytes = Math.max(0, Math.floor(options.maxBytes ?? 64 * 1024 * 1024));
    this.#now = options.now ?? Date.now;
  }

  /** {@inheritDoc CacheLike.match} */
  async match(request: Request | string | URL): Promise<Response | undefined> {
    const key = keyOf(request);
    const stored = this.#entries.get(key);
    if (stored === undefined) return undefined;
    this.#remove(key, stored);
    if (stored.expires <= this.#now()) return undefined;
    this.#insert(key, stored);
    return new Response(stored.body.byteLength === 0 ? null : stored.body.slice(), {
      status: stored.status,
      statusText: stored.statusText,
      headers: stored.headers,
    });
  }

  /** {@inheritDoc CacheLike.put} */
  async put(request: Request | string | URL, response: Response): Promise<void> {
    const key = keyOf(request);
    const seconds = lifetime(response.headers.get('cache-control'));
    const body = new Uint8Array(await response.arrayBuffer());
    const previous = this.#entries.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    if (seconds === 0 || body.byteLength > this.#maxBytes) return;
    this.#insert(key, {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
      expires: this.#now() + seconds * 1000,
    });
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#remove(oldest, entry);
    }
  }

  /** {@inheritDoc CacheLike.delete} */
  async delete(request: Request | string | URL): Promise<boolean> {
    const key = keyOf(request);
    const stored = this.#entries.get(key);
    if (stored === undefined) return false;
    this.#remove(key, stored);
    return true;
  }

  /** How many responses are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /** How many body bytes are kept. */
  get bytes(): number {
    return this.#bytes;
  }

  #insert(key: string, stored: Stored): void {
    this.#entries.set(key, stored);
    this.#bytes += stored.body.byteLength;
  }

  #remove(key: string, stored: Stored): void {
    this.#entries.delete(key);
    this.#bytes -= stored.body.byteLength;
  }
}
