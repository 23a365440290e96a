import { vi } from 'vitest';

/** One request seen by a {@link FakeServer}. */
export interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  credentials: RequestCredentials | undefined;
  /** The request body as text, or undefined for GET and multipart bodies. */
  body: string | undefined;
  /** The request body when it is `multipart/form-data` (a `FormData`). */
  form?: FormData;
}

/** A `fetch` that never touches the network: it records requests and answers with `handler`. */
export interface FakeServer {
  fetch: typeof fetch;
  seen: Seen[];
  mock: ReturnType<typeof vi.fn>;
}

export function fakeServer(
  handler: (req: Seen) => Response | Promise<Response> = () => json(null),
): FakeServer {
  const seen: Seen[] = [];
  const mock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const req: Seen = {
      url: String(input),
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string> | undefined) },
      credentials: init.credentials,
      body: typeof init.body === 'string' ? init.body : undefined,
      form: init.body instanceof FormData ? init.body : undefined,
    };
    seen.push(req);
    return handler(req);
  });
  return { fetch: mock as unknown as typeof fetch, seen, mock };
}

/** A JSON response. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

/** A protocol error response (spec §2.6). */
export function protocolError(
  code: string,
  status: number,
  extra: Record<string, unknown> = {},
): Response {
  return json({ code, message: `${code} happened`, status, ...extra }, status);
}

/**
 * A fake server for calls and batches: `/call/<fn>` answers `answer(fn, params)`, and `/batch`
 * answers each item the same way, as the spec's batch results. An answer that is a Response is an
 * error: its body becomes the item's error.
 */
export function callServer(answer: (fn: string, params: unknown) => unknown): FakeServer {
  return fakeServer(async (req) => {
    const path = new URL(req.url, 'http://localhost').pathname;
    if (path === '/api/mizan/batch') {
      const { calls } = JSON.parse(req.body ?? '') as { calls: { fn: string; params: unknown }[] };
      const results = await Promise.all(
        calls.map(async ({ fn, params }) => {
          const out = answer(fn, params);
          return out instanceof Response
            ? { ok: false, error: await out.json() }
            : { ok: true, data: out };
        }),
      );
      return json({ results });
    }
    const fn = path.replace('/api/mizan/call/', '');
    const out = answer(fn, JSON.parse(req.body ?? ''));
    return out instanceof Response ? out : json(out);
  });
}
