// A fake Mizan origin and a clock for the edge's unit tests. The origin keys answers the way the
// server does (§2.16.3, §2.16.8): it verifies tokens, names the permission key of each answer in
// X-Mizan-Pk when it would store the answer, and counts its runs, so a test can tell a hit (no run)
// from a miss.
import {
  Keyring,
  PermissionKeyDeriver,
  canonicalize,
  decodeContextQuery,
  fromHex,
  isMizanCoreError,
  type MwtClaims,
} from 'mizan-ts';
import { createEdgeHandler, type EdgeHandler, type EdgeOptions } from '../src/index.js';

export const SECRET_HEX = '6d697a616e2d656467652d746573742d7365637265742d33322d62797465732121';
export const SECRET = fromHex(SECRET_HEX);
export const ISSUER = 'edge-test';
export const AUDIENCE = 'edge-test-web';
export const T0 = 1_800_000_000_000;

export const keyring = await Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret: SECRET }] });
export const pks = await PermissionKeyDeriver.create(SECRET);
export const ANON = await pks.permissionKey({ kind: 'anonymous' });
export const AUTHED = await pks.permissionKey({ kind: 'authenticated' });
export const STAFF = await pks.permissionKey({ kind: 'staff' });

const policy = (scope: string, tags: string[] = []) => ({ scope, max_age: 60, swr: 300, tags });

export const manifest = {
  protocol: 1,
  functions: [
    { name: 'greet', kind: 'context', context: 'local', auth: 'none', schema_hash: 'h-greet', cache: policy('public', ['greetings']) },
    { name: 'board', kind: 'context', context: 'global', auth: 'none', schema_hash: 'h-board', cache: policy('permission', ['notes']) },
    { name: 'staff_board', kind: 'context', context: 'global', auth: 'staff', schema_hash: 'h-sb', cache: policy('permission', ['notes']) },
    { name: 'members', kind: 'context', context: 'global', auth: 'authenticated', schema_hash: 'h-m', cache: policy('public') },
    { name: 'me', kind: 'context', context: 'global', auth: 'authenticated', schema_hash: 'h-me', cache: policy('user') },
    { name: 'custom', kind: 'context', context: 'global', auth: 'custom', schema_hash: 'h-c', cache: policy('permission') },
    { name: 'plain', kind: 'context', context: 'global', auth: 'none', schema_hash: 'h-p' },
    { name: 'post_note', kind: 'call', context: null, auth: 'none', schema_hash: 'h-post', invalidates: ['notes'] },
  ],
};

/** Signs client tokens for the tests. */
export async function token(claims: Partial<MwtClaims> & { pk: string }, nowMs = T0): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return keyring.sign({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 3600, ...claims });
}

export interface FakeOrigin {
  fetch: (request: Request) => Promise<Response>;
  /** Runs of each context, by name. */
  runs: Map<string, number>;
  /** Every request the origin got. */
  requests: Request[];
  /** What the next answers add or change. */
  tweak: {
    setCookie?: boolean;
    wrongPk?: boolean;
    noPk?: boolean;
    status?: number;
    fail?: boolean;
    /** Context runs wait for it. */
    hold?: Promise<void>;
  };
  /** A version counter that shows up in bodies: bump it to make "the data" change. */
  version: { n: number };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

async function etagOf(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)));
  return `"${Buffer.from(digest).toString('base64url')}"`;
}

export function fakeOrigin(nowMs: () => number = () => T0): FakeOrigin {
  const runs = new Map<string, number>();
  const requests: Request[] = [];
  const tweak: FakeOrigin['tweak'] = {};
  const version = { n: 1 };
  const fetch = async (request: Request): Promise<Response> => {
    requests.push(request);
    if (tweak.fail) throw new TypeError('fetch failed');
    const url = new URL(request.url);
    if (url.pathname === '/api/mizan/call/post_note') {
      version.n++;
      return json(200, {}, { 'x-mizan-invalidate': 'notes, mizan:fn:board', 'x-mizan-rev': '7' });
    }
    const name = url.pathname.slice('/api/mizan/context/'.length);
    const fn = manifest.functions.find((f) => f.name === name && f.kind === 'context');
    if (fn === undefined) return json(404, { code: 'not_found', message: 'no such function', status: 404 });
    const q = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : null;
    let params: Record<string, unknown>;
    try {
      params = decodeContextQuery(q).params;
    } catch (e) {
      return json(400, { code: 'non_canonical_query', message: String(e), status: 400 });
    }
    let claims: MwtClaims | undefined;
    const auth = request.headers.get('authorization');
    if (auth !== null) {
      try {
        claims = await keyring.verify(auth.replace(/^Bearer +/i, ''), { issuer: ISSUER, audience: AUDIENCE, now: Math.floor(nowMs() / 1000) });
      } catch (e) {
        const reason = isMizanCoreError(e) ? e.code : 'x';
        return json(401, { code: 'unauthenticated', message: 'invalid token', status: 401, details: { reason } });
      }
    }
    const signedIn = claims?.sub !== undefined;
    if (fn.auth === 'authenticated' && !signedIn) return json(401, { code: 'unauthenticated', message: 'sign in', status: 401 });
    if (fn.auth === 'staff' && !(claims?.staff || claims?.superuser)) {
      return json(signedIn ? 403 : 401, { code: signedIn ? 'forbidden' : 'unauthenticated', message: 'no', status: signedIn ? 403 : 401 });
    }
    runs.set(name, (runs.get(name) ?? 0) + 1);
    // The run reads the data now and answers when released: a read that started before a write.
    const v = version.n;
    await tweak.hold;
    const scope = fn.cache?.scope;
    const pk = scope === 'public' ? ANON : scope === 'permission' ? (claims?.pk ?? ANON) : undefined;
    const body = canonicalize({ fn: name, params, pk: pk ?? null, sub: claims?.sub ?? null, v } as never);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'private, no-cache',
      vary: 'Authorization, Cookie, X-Mizan-Schema',
      etag: await etagOf(body),
      'x-mizan-cache-status': 'miss',
    };
    if (fn.cache !== undefined) headers['cache-tag'] = [`mizan:fn:${name}`, ...fn.cache.tags].join(',');
    if (pk !== undefined && !tweak.noPk) headers['x-mizan-pk'] = tweak.wrongPk ? STAFF : pk;
    const response = new Response(body, { status: tweak.status ?? 200, headers });
    if (tweak.setCookie) response.headers.append('set-cookie', 'session=1; Path=/');
    return response;
  };
  return { fetch, runs, requests, tweak, version };
}

export interface Clock {
  now: () => number;
  advance: (ms: number) => void;
}

export function clock(start = T0): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Collects `waitUntil` promises so a test can wait for background work. */
export function waiter() {
  const pending: Promise<unknown>[] = [];
  return {
    waitUntil: (p: Promise<unknown>) => void pending.push(p),
    settle: async () => {
      while (pending.length > 0) await pending.shift();
    },
  };
}

export interface Setup {
  edge: EdgeHandler;
  origin: FakeOrigin;
  time: Clock;
}

export function setup(overrides: Partial<EdgeOptions> = {}): Setup {
  const origin = fakeOrigin();
  const time = clock();
  const edge = createEdgeHandler({
    origin: 'http://origin.test',
    secret: SECRET_HEX,
    keyring,
    validation: { issuer: ISSUER, audience: AUDIENCE },
    manifest,
    now: time.now,
    fetch: origin.fetch,
    ...overrides,
  });
  return { edge, origin, time };
}

export const BASE = 'https://edge.test/api/mizan';

export function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Request {
  return new Request(`${BASE}${path}`, { method, headers });
}

export const GREET_ADA = `/context/greet?p=${encodeURIComponent('{"name":"Ada"}')}`;
