/**
 * The transport: turns calls and context reads into the HTTP requests of spec §2.2–§2.4 and their
 * answers into values or {@link MizanError}s.
 * @module
 */

import { CallBatcher } from './batch.js';
import type { ChannelOptions } from './channels/options.js';
import { readCookie } from './cookie.js';
import { MizanError, errorFromBody, invalidResponse } from './errors.js';
import { canonicalQuery, canonicalQueryOfJson } from './query.js';
import {
  ReadTracker,
  headerRev,
  headerTags,
  type MizanInvalidation,
  type ReadRef,
} from './reads.js';

/** How a {@link MizanClient} reaches the server. Every member is optional. */
export interface MizanClientOptions {
  /** Where the server mounts Mizan. Default `'/api/mizan'`; trailing slashes are dropped. */
  baseUrl?: string;
  /** `fetch`'s `credentials`. Default `'same-origin'`: cookies go with same-site requests. */
  credentials?: RequestCredentials;
  /**
   * Every POST carries `X-Mizan-CSRF` (spec §2.5), with the value `1`; with this option, the value
   * of the cookie `cookie` (read from `document.cookie` at send time) when it is set, sent in
   * `header` too when that names another header.
   */
  csrf?: { header: string; cookie: string };
  /** Extra headers, asked for at every request, so a refreshed `Authorization` is picked up. */
  headers?: () => Record<string, string>;
  /** The `fetch` to use. Default `globalThis.fetch`, looked up at each request. */
  fetch?: typeof fetch;
  /** Send calls made in the same tick as one `POST /batch`. Default `true`. */
  batch?: boolean;
  /**
   * The most bytes (UTF-8) of one `POST /batch` body. Default `DEFAULT_BATCH_BYTES`
   * (512 KiB); keep it below the server's body limit (1 MiB unless configured). Longer queues are
   * split; a call that is over it on its own goes alone to `POST /call/<name>`.
   */
  batchBytes?: number;
  /**
   * Called once, with the error, the first time the server answers `stale_client` (spec §2.7):
   * it runs another version of a function than this client was built against, so the page is out
   * of date. Typically shows a "reload" banner; see also `useMizanStaleClient`.
   */
  onStaleClient?: (error: MizanError) => void;
  /** How the client's channel socket connects and authenticates (spec §2.15); see `channelSocket`. */
  channels?: ChannelOptions;
  /**
   * Live invalidation (spec §2.16.5): while the client holds context reads with cache tags, its
   * channel socket watches those tags and the reads another caller's write made stale are fetched
   * again at once. Default `true`; it works once the app uses the channel socket (any channel
   * hook, or `channelSocket(client)` once at start), so an app without channels ships none of
   * the socket's code. `false` turns it off: reads then go stale only on this client's own writes.
   */
  liveInvalidation?: boolean;
}

/** The request header that carries a function's schema hash (spec §2.2, §2.7). */
/** The header that proves a cookie-authenticated write came from the app's own pages (spec §2.5). */
export const CSRF_HEADER = 'x-mizan-csrf';

export const SCHEMA_HEADER = 'x-mizan-schema';

/**
 * Talks to one Mizan server. Create one per application and share it (see `MizanProvider`).
 *
 * Every failure is a rejected {@link MizanError}: the server's protocol error (spec §2.6),
 * `network_error` (status 0) when no answer came, `invalid_response` when the answer is not the
 * protocol's shape.
 */
export class MizanClient {
  readonly #options: MizanClientOptions;
  readonly #baseUrl: string;
  readonly #batcher: CallBatcher | undefined;
  #stale = false;
  readonly #staleListeners = new Set<() => void>();
  readonly #invalidateListeners = new Set<(event: MizanInvalidation) => void>();
  /**
   * The tags and revs of the context reads the hooks hold.
   * @internal
   */
  readonly reads = new ReadTracker();

  /** @param options - see {@link MizanClientOptions}. */
  constructor(options: MizanClientOptions = {}) {
    this.#options = options;
    this.#baseUrl = (options.baseUrl ?? '/api/mizan').replace(/\/+$/, '');
    this.#batcher =
      options.batch === false
        ? undefined
        : new CallBatcher(
            {
              call: (fn, body, schema) => this.#post(`/call/${fn}`, body, schema),
              batch: (body) => this.#post('/batch', body, undefined),
            },
            options.batchBytes,
          );
  }

  /**
   * Runs the call `name` with `params` (spec §2.2) and resolves to its output.
   *
   * With batching on, calls made in the same tick go out together as `POST /batch` (spec §2.4),
   * at most 32 and at most `batchBytes` bytes per request, one request after another in the order
   * the calls were made; each promise still settles with its own call's result. A call alone goes
   * to `POST /call/<name>`. Calls of different ticks are independent requests: a call that must
   * run after another awaits it.
   *
   * @param schemaHash - the function's `schema_hash` from the manifest the client was built from
   *   (generated hooks pass it); the server answers `stale_client` when it has changed since.
   */
  call<O>(name: string, params: Record<string, unknown>, schemaHash?: string): Promise<O> {
    let body: string;
    try {
      // Plain JSON, not canonical: call params may hold floats (spec §2.2).
      body = JSON.stringify(params ?? {});
    } catch (cause) {
      return Promise.reject(
        new MizanError({
          code: 'malformed_json',
          message: 'params cannot be written as JSON',
          details: { reason: 'unsupported_value' },
          cause,
        }),
      );
    }
    return this.#watch(
      this.#batcher
        ? this.#batcher.enqueue(name, body, schemaHash)
        : this.#post(`/call/${name}`, body, schemaHash),
    ) as Promise<O>;
  }

  /**
   * Runs the call `name` with a `multipart/form-data` body (a form's `<name>.submit` with files,
   * spec §2.13.4), never batched: a batch is JSON. The browser writes the `Content-Type` with
   * its boundary; the CSRF header and the app's headers go as with {@link MizanClient.call}.
   */
  callMultipart<O>(name: string, body: FormData, schemaHash?: string): Promise<O> {
    return this.#watch(
      this.#request(
        `${this.#baseUrl}/call/${name}`,
        () => ({
          method: 'POST',
          headers: this.#headers(true, schemaHash, null),
          body,
        }),
        this.#effects,
      ),
    ) as Promise<O>;
  }

  /** The base URL every request goes to, without a trailing slash (`'/api/mizan'` by default). */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  /**
   * The options of the client's channel socket.
   * @internal
   */
  get channelOptions(): ChannelOptions {
    return this.#options.channels ?? {};
  }

  /**
   * Notes a `stale_client` error that came another way than a call (a channel's `subscribe`).
   * @internal
   */
  noteStale(error: MizanError): void {
    this.#watch(Promise.reject(error)).catch(() => {});
  }

  /**
   * Whether the server has answered `stale_client`: it runs another version of some function than
   * this client was built against, and the page should be reloaded (spec §2.7).
   */
  get isStale(): boolean {
    return this.#stale;
  }

  /**
   * Calls `listener` when {@link MizanClient.isStale} becomes true; returns the unsubscribe
   * function (the shape React's `useSyncExternalStore` expects).
   */
  subscribeStale(listener: () => void): () => void {
    this.#staleListeners.add(listener);
    return () => {
      this.#staleListeners.delete(listener);
    };
  }

  /** Notes a `stale_client` answer: the first one marks the client stale and tells everyone. */
  #watch<T>(promise: Promise<T>): Promise<T> {
    return promise.catch((error: unknown) => {
      if (!this.#stale && error instanceof MizanError && error.isStaleClient) {
        this.#stale = true;
        // Listeners first, and the app's callback guarded: a callback that throws must neither
        // silence the banner nor replace the call's own error.
        for (const listener of [...this.#staleListeners]) listener();
        try {
          this.#options.onStaleClient?.(error);
        } catch (callbackError) {
          queueMicrotask(() => {
            throw callbackError;
          });
        }
      }
      throw error;
    });
  }

  /**
   * Reads the context `name` with `params` at revision `rev` (spec §2.3): `GET` of
   * {@link MizanClient.contextUrl}, so the browser's HTTP cache and any CDN can answer it. A read
   * refused as `unissued_rev` (a rev the server does not know, spec §2.16.3) is sent once more
   * with the server's `details.rev`.
   *
   * @param signal - aborts the request (TanStack Query passes one to cancel outdated reads).
   * @param schemaHash - the function's `schema_hash`, as for {@link MizanClient.call}.
   */
  context<O>(
    name: string,
    params: Record<string, unknown>,
    rev?: number,
    signal?: AbortSignal,
    schemaHash?: string,
  ): Promise<O> {
    return this.#context((r) => this.contextUrl(name, params, r), rev ?? 0, signal, schemaHash);
  }

  /**
   * A context read of the hooks, which the client keeps track of: `json` is the canonical JSON of
   * the query key's params, under which the read's tags and rev are kept; the URL is of `params`
   * when given (the schema changed them), else of `json`. The rev sent is the larger of `rev` and
   * the one a purge issued for the read (spec §2.16.4).
   * @internal
   */
  trackedContext<O>(
    name: string,
    json: string,
    params: Record<string, unknown> | undefined,
    rev: number,
    signal?: AbortSignal,
    schemaHash?: string,
  ): Promise<O> {
    const url = (r: number): string =>
      params === undefined
        ? `${this.#baseUrl}/context/${name}${canonicalQueryOfJson(json, r)}`
        : this.contextUrl(name, params, r);
    const issued = this.reads.rev(name, json);
    // Only a rev a purge issued replaces `rev`: an invalid one (negative, fractional) must still
    // fail as `invalid_rev` rather than be read as 0.
    return this.#context(url, issued > 0 && issued > rev ? issued : rev, signal, schemaHash, {
      name,
      json,
    });
  }

  #context<O>(
    makeUrl: (rev: number) => string,
    rev: number,
    signal: AbortSignal | undefined,
    schemaHash: string | undefined,
    read?: ReadRef,
  ): Promise<O> {
    let tags: string[] = [];
    const get = (r: number): Promise<unknown> =>
      this.#request(
        makeUrl(r),
        () => ({
          method: 'GET',
          headers: this.#headers(false, schemaHash),
          // Always revalidate with the server (a cheap 304 when unchanged): otherwise the
          // browser's stale-while-revalidate copy would answer an invalidated query with old data.
          cache: 'no-cache',
          signal,
        }),
        (response) => {
          tags = headerTags(response.headers.get('cache-tag'));
        },
      );
    const run = async (): Promise<unknown> => {
      let data: unknown;
      try {
        data = await get(rev);
      } catch (error) {
        const issued = unissuedRev(error);
        if (issued === undefined) throw error;
        if (read) this.reads.setRev(read.name, read.json, issued);
        data = await get(issued);
      }
      if (read) this.reads.record(read.name, read.json, tags);
      return data;
    };
    return this.#watch(run()) as Promise<O>;
  }

  /**
   * The URL of a context read: base URL, `/context/<name>`, then the canonical query of spec §2.3
   * (`p` omitted for `{}`, `rev` omitted for 0, no `?` when both are).
   *
   * @throws {@link MizanError} as `canonicalQuery` does, for params or a `rev` that have no
   *   canonical form.
   */
  contextUrl(name: string, params: Record<string, unknown>, rev?: number): string {
    return `${this.#baseUrl}/context/${name}${canonicalQuery(params, rev)}`;
  }

  #headers(
    post: boolean,
    schemaHash: string | undefined,
    // `null`: none, so that `fetch` writes a multipart body's own with its boundary.
    contentType: string | null = 'application/json',
  ): Record<string, string> {
    // Lowercased, so an app's `Content-Type` or `X-Mizan-CSRF` replaces ours instead of
    // travelling beside it (two values joined by a comma).
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#options.headers?.() ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    if (schemaHash !== undefined) headers[SCHEMA_HEADER] = schemaHash;
    if (post) {
      if (contentType === null) delete headers['content-type'];
      else headers['content-type'] = contentType;
      const csrf = this.#options.csrf;
      const token = (csrf && readCookie(csrf.cookie)) ?? '1';
      // The server checks only that the header is there (spec §2.5), so it always goes, even
      // without a cookie or an option: a cookie-authenticated write without it is a 403.
      headers[CSRF_HEADER] = token;
      if (csrf && csrf.header.toLowerCase() !== CSRF_HEADER) headers[csrf.header] = token;
    }
    return headers;
  }

  #post(path: string, body: string, schemaHash: string | undefined): Promise<unknown> {
    return this.#request(
      this.#baseUrl + path,
      () => ({
        method: 'POST',
        headers: this.#headers(true, schemaHash),
        body,
      }),
      this.#effects,
    );
  }

  /**
   * The cache hints of a call's or batch's answer (spec §2.10), read whatever its status: a call
   * that returned an error still purges the tags it named.
   */
  readonly #effects = (response: Response): void => {
    const tags = headerTags(response.headers.get('x-mizan-invalidate'));
    if (tags.length > 0) {
      this.invalidated({ tags, rev: headerRev(response.headers.get('x-mizan-rev')), source: 'response' });
    }
  };

  /**
   * Calls `listener` with every purge the client learns of (spec §2.16.4, §2.16.5), from its own
   * calls' answers and, with live invalidation, from its channel socket; returns the unsubscribe
   * function. The hooks already refetch the reads a purge concerns: this is for code outside
   * React, or other caches of the app's own.
   */
  onInvalidate(listener: (event: MizanInvalidation) => void): () => void {
    this.#invalidateListeners.add(listener);
    return () => {
      this.#invalidateListeners.delete(listener);
    };
  }

  /**
   * Handles a purge: tells the listeners of {@link MizanClient.onInvalidate}, then makes the held
   * reads it concerns stale, with its rev.
   * @internal
   */
  invalidated(event: MizanInvalidation): void {
    for (const listener of [...this.#invalidateListeners]) {
      try {
        listener(event);
      } catch (error) {
        // An app's listener that throws must not keep the reads from being refetched.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    this.reads.invalidate(event.tags, event.rev);
  }

  /** Whether live invalidation is on (see {@link MizanClientOptions.liveInvalidation}). */
  get liveInvalidation(): boolean {
    return this.#options.liveInvalidation ?? true;
  }

  /**
   * Sends a request; `init` is built inside, so that an app's `headers()` that throws fails this
   * request as a `network_error` instead of throwing at the caller (or stranding a batch).
   */
  async #request(
    url: string,
    init: () => RequestInit,
    onResponse?: (response: Response) => void,
  ): Promise<unknown> {
    // Read once per request, so a fetch replaced after construction (tests, polyfills) is used,
    // and called unbound, since browsers refuse `fetch` called on another object.
    const doFetch = this.#options.fetch ?? globalThis.fetch;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        ...init(),
        credentials: this.#options.credentials ?? 'same-origin',
      });
      text = await response.text();
    } catch (cause) {
      throw new MizanError({ code: 'network_error', message: 'the request failed', cause });
    }
    onResponse?.(response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw invalidResponse(response.status, cause);
    }
    if (response.ok) return body;
    throw errorFromBody(body, response.status);
  }
}

/**
 * The rev to read again with when `error` is a refusal of an unissued rev (spec §2.16.3):
 * `400 bad_request`, `details.reason = "unissued_rev"`, `details.rev` the current rev.
 */
function unissuedRev(error: unknown): number | undefined {
  if (!(error instanceof MizanError) || error.code !== 'bad_request') return undefined;
  const details = error.details as { reason?: unknown; rev?: unknown } | null | undefined;
  const rev = details?.rev;
  return details?.reason === 'unissued_rev' &&
    typeof rev === 'number' &&
    Number.isSafeInteger(rev) &&
    rev >= 0
    ? rev
    : undefined;
}

/** A new {@link MizanClient}; the same as `new MizanClient(options)`. */
export function createMizanClient(options?: MizanClientOptions): MizanClient {
  return new MizanClient(options);
}
