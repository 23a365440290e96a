// Questions about logged requests that the demo's sections ask, in the protocol's terms.
import { totalKey, type LoggedRequest, type RequestLogSnapshot } from './requestLog';

/** The part of a request's URL below the client's base URL: `/call/echo`, `/context/greet?p=…`. */
export function apiPath(entry: LoggedRequest, baseUrl: string): string {
  const url = new URL(entry.url, 'http://page');
  const path = url.pathname.startsWith(`${baseUrl}/`) ? url.pathname.slice(baseUrl.length) : url.pathname;
  return path + url.search;
}

/** Whether `entry` is a read of the context `name` (spec §2.3). */
export function isContextRead(entry: LoggedRequest, baseUrl: string, name: string): boolean {
  return entry.method === 'GET' && new URL(entry.url, 'http://page').pathname === `${baseUrl}/context/${name}`;
}

/** Whether `entry` carried a call of `fn`: `POST /call/<fn>`, or a `POST /batch` holding it. */
export function carriesCall(entry: LoggedRequest, baseUrl: string, fn: string): boolean {
  if (entry.method !== 'POST') return false;
  const path = new URL(entry.url, 'http://page').pathname;
  return path === `${baseUrl}/call/${fn}` || (entry.calls?.includes(fn) ?? false);
}

/** How many reads of the context `name` the page made since it loaded. */
export function contextReadsSinceLoad(log: RequestLogSnapshot, baseUrl: string, name: string): number {
  return log.totals.get(totalKey('GET', `${baseUrl}/context/${name}`)) ?? 0;
}

/** The params of a context read, decoded from its `p` (`{}` when it has none). */
export function contextParams(entry: LoggedRequest): string {
  return new URL(entry.url, 'http://page').searchParams.get('p') ?? '{}';
}

/** The rev of a context read's URL, if it has one. */
export function contextRev(entry: LoggedRequest): string | undefined {
  return new URL(entry.url, 'http://page').searchParams.get('rev') ?? undefined;
}

/**
 * The status the server answered, as the log shows it: `304` for a revalidation (which `fetch`
 * itself reports as the stored `200`), `…` while pending, `—` when no answer came.
 */
export function shownStatus(entry: LoggedRequest): string {
  if (entry.status === undefined) return '…';
  if (entry.status === 0) return '—';
  return entry.httpCache === 'revalidated' ? '304' : String(entry.status);
}

/**
 * The class of a status, for its colour: `ok`, `revalidated`, `refused`, `failed` or `pending`.
 * A read cancelled because its params changed (a name being typed) is no failure: `pending`.
 */
export function statusKind(entry: LoggedRequest): string {
  if (entry.status === undefined || entry.error === 'aborted') return 'pending';
  if (entry.httpCache === 'revalidated') return 'revalidated';
  if (entry.status === 0 || entry.status >= 500) return 'failed';
  if (entry.status >= 400) return 'refused';
  return 'ok';
}
