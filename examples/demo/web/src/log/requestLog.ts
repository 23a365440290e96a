// The request log: every request the Mizan client makes, as the page saw it. It wraps the
// client's `fetch` option (and its channel socket's `WebSocket`), so it records exactly what the
// client sent, without the client knowing; the browser's Resource Timing adds what `fetch`
// cannot see, such as a `304` the HTTP cache turned back into its stored `200`.

/** One request of the log. Updated in place (as a new object) while its answer arrives. */
export interface LoggedRequest {
  /** Increasing from 1 in the order the requests were made. */
  id: number;
  /** `GET`, `POST`, … or `WS` for the channel socket. */
  method: string;
  /** The URL as the client asked for it (relative to the page). */
  url: string;
  /** `performance.now()` when it was sent. */
  startedAt: number;
  /** The HTTP status; `undefined` while pending, `0` when no answer came. */
  status: number | undefined;
  /** Milliseconds from sending to the end of the answer's body. */
  ms: number | undefined;
  /** The error code of an error answer, `aborted`, or `network_error`. */
  error: string | undefined;
  /** The functions of a `POST /batch`, in order. */
  calls: string[] | undefined;
  /** Each call's outcome in a batch: `ok`, or `<status> <code>`. */
  results: string[] | undefined;
  /** `X-Mizan-Cache-Status` of a context read: `hit`, `miss` or `bypass`. */
  cacheStatus: string | undefined;
  /** `X-Mizan-Invalidate`: the cache tags a call purged. */
  invalidated: string[] | undefined;
  /** `X-Mizan-Rev`: the rev the purge issued. */
  rev: string | undefined;
  /** Whether the request carried `X-Mizan-CSRF` (every POST should). */
  csrf: boolean;
  /**
   * What the browser's HTTP cache did, from Resource Timing: `revalidated` (it asked the server
   * with `If-None-Match` and got `304 Not Modified`, which `fetch` shows as the stored `200`),
   * `stored` (answered without asking), `network` (a full answer); `undefined` when unknown.
   */
  httpCache: 'revalidated' | 'stored' | 'network' | undefined;
  /** For the socket: frames sent and received. */
  framesOut: number;
  framesIn: number;
}

/** What the log holds at one moment. */
export interface RequestLogSnapshot {
  /** The requests, newest first, at most the log's limit of them. */
  entries: readonly LoggedRequest[];
  /**
   * How many requests were made since the page loaded, by method and path without the query
   * (`GET /api/mizan/context/current_user`), old ones the log no longer shows included.
   */
  totals: ReadonlyMap<string, number>;
}

/** A live, bounded log of a client's requests, newest first. */
export interface RequestLog {
  /** Pass as `createMizanClient({ fetch })`. */
  readonly fetch: typeof fetch;
  /** Pass as `createMizanClient({ channels: { WebSocket } })`. */
  readonly WebSocket: typeof WebSocket;
  /** The log now: a new object after every change (as React's `useSyncExternalStore` needs). */
  snapshot(): RequestLogSnapshot;
  /** The id the next request will get: what a click can compare later entries against. */
  nextId(): number;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Forgets the entries shown (the totals and the ids keep counting). */
  clear(): void;
}

/** The most requests the log keeps: a page left open must not grow without bound. */
export const REQUEST_LOG_LIMIT = 60;

interface ResourceTimingLike {
  name: string;
  startTime: number;
  initiatorType: string;
  transferSize: number;
  deliveryType?: string;
}

/** A new, empty log keeping the last `limit` requests. */
export function createRequestLog(limit: number = REQUEST_LOG_LIMIT): RequestLog {
  let entries: readonly LoggedRequest[] = [];
  let totals = new Map<string, number>();
  let snapshot: RequestLogSnapshot = { entries, totals };
  let next = 1;
  const listeners = new Set<() => void>();
  const changed = (): void => {
    snapshot = { entries, totals };
    for (const listener of [...listeners]) listener();
  };

  const add = (method: string, url: string, fields: Partial<LoggedRequest>): number => {
    const id = next++;
    const entry: LoggedRequest = {
      id,
      method,
      url,
      startedAt: performance.now(),
      status: undefined,
      ms: undefined,
      error: undefined,
      calls: undefined,
      results: undefined,
      cacheStatus: undefined,
      invalidated: undefined,
      rev: undefined,
      csrf: false,
      httpCache: undefined,
      framesOut: 0,
      framesIn: 0,
      ...fields,
    };
    entries = [entry, ...entries].slice(0, limit);
    const key = totalKey(method, url);
    totals = new Map(totals).set(key, (totals.get(key) ?? 0) + 1);
    changed();
    return id;
  };

  const update = (id: number, change: (entry: LoggedRequest) => Partial<LoggedRequest>): void => {
    const index = entries.findIndex((entry) => entry.id === id);
    const entry = entries[index];
    if (entry === undefined) return;
    const copy = [...entries];
    copy[index] = { ...entry, ...change(entry) };
    entries = copy;
    changed();
  };

  const loggedFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    const id = add(method, url, {
      calls: batchCalls(url, init?.body),
      csrf: new Headers(init?.headers).has('x-mizan-csrf'),
    });
    const started = performance.now();
    let response: Response;
    try {
      response = await globalThis.fetch(input, init);
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === 'AbortError';
      update(id, () => ({
        status: 0,
        ms: performance.now() - started,
        error: aborted ? 'aborted' : 'network_error',
      }));
      throw error;
    }
    const headers = response.headers;
    update(id, () => ({
      status: response.status,
      cacheStatus: headers.get('x-mizan-cache-status') ?? undefined,
      invalidated: headers.get('x-mizan-invalidate')?.split(/[\s,]+/).filter(Boolean),
      rev: headers.get('x-mizan-rev') ?? undefined,
    }));
    // A copy of the body, read beside the client's own reading: the answer's error code, and a
    // batch's outcome per call. A body that cannot be read is only a detail the log lacks.
    response
      .clone()
      .text()
      .then(
        (text) => update(id, (entry) => ({ ms: performance.now() - started, ...outcome(text, entry) })),
        () => update(id, () => ({ ms: performance.now() - started })),
      );
    return response;
  };

  // The browser reports each fetch's timing once its body has arrived, after `fetch` resolved:
  // matched to the latest logged request for the same URL that started before it.
  const timed = (timing: ResourceTimingLike): void => {
    if (timing.initiatorType !== 'fetch' || timing.deliveryType === undefined) return;
    const match = entries.find(
      (entry) =>
        entry.httpCache === undefined &&
        entry.method !== 'WS' &&
        entry.startedAt <= timing.startTime + 1 &&
        new URL(entry.url, document.baseURI).href === timing.name,
    );
    if (!match) return;
    // Resource Timing: `deliveryType` is `cache` for an answer from the HTTP cache, and its
    // `transferSize` is 0 unless the server was asked (a revalidation answered `304`).
    const fromCache = timing.deliveryType === 'cache';
    update(match.id, () => ({
      httpCache: !fromCache ? 'network' : timing.transferSize > 0 ? 'revalidated' : 'stored',
    }));
  };
  if (typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes.includes('resource')) {
    new PerformanceObserver((list) => {
      for (const timing of list.getEntries()) timed(timing as unknown as ResourceTimingLike);
    }).observe({ type: 'resource' });
  }

  // The channel socket (chat, live invalidation): one entry for the connection, counting the
  // frames each way, since its messages are not requests of their own.
  const LoggedWebSocket = class extends globalThis.WebSocket {
    readonly #id: number;

    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      const started = performance.now();
      const id = add('WS', String(url), {});
      this.#id = id;
      this.addEventListener('open', () => update(id, () => ({ status: 101, ms: performance.now() - started })));
      this.addEventListener('message', () => update(id, (entry) => ({ framesIn: entry.framesIn + 1 })));
      this.addEventListener('close', (event) =>
        update(id, (entry) => ({ error: `closed ${event.code}`, status: entry.status ?? 0 })),
      );
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      super.send(data);
      update(this.#id, (entry) => ({ framesOut: entry.framesOut + 1 }));
    }
  };

  return {
    fetch: loggedFetch,
    WebSocket: LoggedWebSocket,
    snapshot: () => snapshot,
    nextId: () => next,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    clear() {
      entries = [];
      changed();
    },
  };
}

/** The key of {@link RequestLogSnapshot.totals} for a request. */
export function totalKey(method: string, url: string): string {
  return `${method} ${new URL(url, 'http://page').pathname}`;
}

/** The function names of a `POST …/batch` body (spec §2.4), or `undefined` for other requests. */
function batchCalls(url: string, body: BodyInit | null | undefined): string[] | undefined {
  if (!/\/batch$/.test(new URL(url, 'http://page').pathname) || typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const calls = isRecord(parsed) && Array.isArray(parsed.calls) ? parsed.calls : [];
    return calls.map((call: unknown) => (isRecord(call) && typeof call.fn === 'string' ? call.fn : '?'));
  } catch {
    return undefined;
  }
}

/** What an answer's body says: its error code, or a batch's result per call. */
function outcome(text: string, entry: LoggedRequest): Partial<LoggedRequest> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (!isRecord(body)) return {};
  if (entry.calls !== undefined && Array.isArray(body.results)) {
    return {
      results: body.results.map((result: unknown) => {
        if (!isRecord(result)) return '?';
        if (result.ok === true) return 'ok';
        const error = isRecord(result.error) ? result.error : {};
        return `${String(error.status ?? '')} ${String(error.code ?? 'error')}`.trim();
      }),
    };
  }
  return entry.status !== undefined && entry.status >= 400 && typeof body.code === 'string' ? { error: body.code } : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
