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
 * The default cap on the bytes of one `POST /batch` body: 512 KiB, half the server's default body
 * limit of 1 MiB (spec §2.2), so a batch of calls that each fit is never refused as a whole for
 * its size. Set another with `MizanClientOptions.batchBytes`.
 */
export const DEFAULT_BATCH_BYTES = 512 * 1024;

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
  /** The call as a batch item, `{"fn":…,"schema":…,"params":…}`. */
  item: string;
  schema: string | undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Queues calls until the current microtask checkpoint, then sends them in the order they were
 * made, as chunks of at most {@link MAX_BATCH_CALLS} calls whose `/batch` body is at most
 * `maxBytes` bytes of UTF-8. A chunk of one call goes to `/call/<fn>` (a plain call is cheaper to
 * serve and easier to read in a network log); so does a call whose batch item alone is over the
 * cap. The chunks of one flush go out one after another, each once the previous one has been
 * answered, so the server runs the calls of one tick in the order they were made. Flushes of
 * different ticks do not wait for each other: one slow call must not hold up the whole app.
 * @internal
 */
export class CallBatcher {
  readonly #transport: BatchTransport;
  readonly #maxBytes: number;
  #queue: Pending[] = [];

  /**
   * @param transport - sends the requests.
   * @param maxBytes - the most bytes of one `/batch` body (default {@link DEFAULT_BATCH_BYTES}).
   */
  constructor(transport: BatchTransport, maxBytes: number = DEFAULT_BATCH_BYTES) {
    this.#transport = transport;
    this.#maxBytes = maxBytes;
  }

  /**
   * Queues the call `fn` with `body`, the JSON text of its params (serialized by the caller, so
   * that params JSON cannot encode fail their own call only), and the schema hash to send with it
   * (spec §2.7), if any. Settles with that call's own result.
   */
  enqueue(fn: string, body: string, schema?: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const item =
        `{"fn":${JSON.stringify(fn)},` +
        (schema === undefined ? '' : `"schema":${JSON.stringify(schema)},`) +
        `"params":${body}}`;
      if (this.#queue.push({ fn, body, item, schema, resolve, reject }) === 1) {
        queueMicrotask(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const queue = this.#queue;
    this.#queue = [];
    for (const chunk of chunks(queue, this.#maxBytes)) {
      // Never rejects: every failure settles the chunk's own promises.
      await this.#send(chunk);
    }
  }

  async #send(chunk: Pending[]): Promise<void> {
    const [first] = chunk;
    if (chunk.length === 1 && first) {
      await this.#transport.call(first.fn, first.body, first.schema).then(first.resolve, first.reject);
      return;
    }
    // Spliced as text: each body is already JSON, and re-parsing it would only cost time.
    const body = `${BATCH_OPEN}${chunk.map((c) => c.item).join(',')}${BATCH_CLOSE}`;
    await this.#transport.batch(body).then(
      (response) => settle(chunk, response),
      // The whole batch failed (network, authentication, size): every call shares that failure.
      (error: unknown) => {
        for (const c of chunk) c.reject(error);
      },
    );
  }
}

const BATCH_OPEN = '{"calls":[';
const BATCH_CLOSE = ']}';

/**
 * Splits the queue, in order, into chunks of at most {@link MAX_BATCH_CALLS} calls whose batch
 * body is at most `maxBytes` bytes; an item that is over the cap on its own is a chunk by itself.
 */
function chunks(queue: readonly Pending[], maxBytes: number): Pending[][] {
  const out: Pending[][] = [];
  let chunk: Pending[] = [];
  let bytes = 0;
  for (const pending of queue) {
    const itemBytes = utf8Length(pending.item);
    // The body of `chunk` plus this item: the separating comma, the item, and the wrapper.
    const withItem = chunk.length === 0 ? itemBytes : bytes + 1 + itemBytes;
    const fits = withItem + BATCH_OPEN.length + BATCH_CLOSE.length <= maxBytes;
    if (chunk.length > 0 && (chunk.length === MAX_BATCH_CALLS || !fits)) {
      out.push(chunk);
      chunk = [];
      bytes = 0;
    }
    bytes = chunk.length === 0 ? itemBytes : bytes + 1 + itemBytes;
    chunk.push(pending);
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/** The length of `text` in UTF-8, without encoding it. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
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
