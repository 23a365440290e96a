/**
 * The microtask batcher: calls made in the same tick share one `POST /batch` (spec §2.4), so a
 * render that fires several mutations, or a handler that awaits nothing between calls, costs one
 * round trip and one authentication on the server instead of one per call.
 * @module
 */

import { errorFromBody, invalidResponse } from './errors.js';

/** Most calls in one batch: the server's default limit (spec §2.4). Longer queues are split. */
export const MAX_BATCH_CALLS = 32;

/**
 * How the batcher reaches the server; {@link MizanClient} implements it. Both methods reject
 * with a `MizanError` for a failed request.
 * @internal
 */
export interface BatchTransport {
  /**
   * `POST /call/<fn>` with `body` (a JSON object's text) and, when given, the schema hash the
   * client was built against; resolves to the output.
   */
  call(fn: string, body: string, schema: string | undefined): Promise<unknown>;
  /** `POST /batch` with `body`; resolves to the parsed response body. */
  batch(body: string): Promise<unknown>;
}

interface Pending {
  fn: string;
  body: string;
  schema: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Queues calls until the current microtask checkpoint, then sends them: one call alone goes to
 * `/call/<fn>` (a plain call is cheaper to serve and easier to read in a network log), two or
 * more go to `/batch` in chunks of {@link MAX_BATCH_CALLS}, in the order they were made.
 * @internal
 */
export class CallBatcher {
  readonly #transport: BatchTransport;
  #queue: Pending[] = [];

  /** @param transport - sends the requests. */
  constructor(transport: BatchTransport) {
    this.#transport = transport;
  }

  /**
   * Queues the call `fn` with `body`, the JSON text of its params (serialized by the caller, so
   * that params JSON cannot encode fail their own call only), and the schema hash to send with it
   * (spec §2.7), if any. Settles with that call's own result.
   */
  enqueue(fn: string, body: string, schema?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#queue.push({ fn, body, schema, resolve, reject }) === 1) {
        queueMicrotask(() => this.#flush());
      }
    });
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH_CALLS) {
      this.#send(queue.slice(i, i + MAX_BATCH_CALLS));
    }
  }

  #send(chunk: Pending[]): void {
    const [first] = chunk;
    if (chunk.length === 1 && first) {
      this.#transport.call(first.fn, first.body, first.schema).then(first.resolve, first.reject);
      return;
    }
    // Spliced as text: each body is already JSON, and re-parsing it would only cost time.
    const calls = chunk.map(
      (c) =>
        `{"fn":${JSON.stringify(c.fn)},` +
        (c.schema === undefined ? '' : `"schema":${JSON.stringify(c.schema)},`) +
        `"params":${c.body}}`,
    );
    this.#transport.batch(`{"calls":[${calls.join(',')}]}`).then(
      (response) => settle(chunk, response),
      // The whole batch failed (network, authentication, size): every call shares that failure.
      (error: unknown) => {
        for (const c of chunk) c.reject(error);
      },
    );
  }
}

/**
 * Hands each call its own item of `{"results":[…]}`. A response of another shape, or with the
 * wrong number of results, fails every call with `invalid_response`: pairing results to calls by
 * position is only safe when the counts agree.
 */
function settle(chunk: readonly Pending[], response: unknown): void {
  const results =
    isRecord(response) &&
    Array.isArray(response.results) &&
    response.results.length === chunk.length
      ? (response.results as unknown[])
      : undefined;
  chunk.forEach((c, i) => {
    const item = results?.[i];
    if (!isRecord(item)) c.reject(invalidResponse(200));
    else if (item.ok === true) c.resolve(item.data);
    else if (item.ok === false) c.reject(errorFromBody(item.error, 200));
    else c.reject(invalidResponse(200));
  });
}
