// The shared vectors of spec/vectors/: the Rust crate and this package must give the same bytes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CacheKeyDeriver,
  Keyring,
  MizanCoreError,
  PermissionKeyDeriver,
  canonicalizeBytes,
  canonicalizeText,
  deriveKey,
  fromHex,
  parseStrict,
  toHex,
  type CoreErrorCode,
  type MwtClaims,
  type PermissionScope,
} from '../src/index.js';
import {
  ContextQueryError,
  PROTOCOL_ERROR_CODES,
  PROTOCOL_ERROR_STATUS,
  decodeContextQuery,
  encodeContextQuery,
} from '../src/index.js';

interface CanonicalVectors {
  secret_hex: string;
  derived: { token: string; cache: string; permission: string };
  permission_keys: {
    scope: PermissionScope['kind'];
    user_id?: string;
    pk?: string;
    error?: CoreErrorCode;
  }[];
  cases: {
    name: string;
    input?: string;
    input_hex?: string;
    canonical?: string;
    error?: CoreErrorCode;
    cache_key?: { fn: string; pk: string; rev: number; key?: string | null; error?: CoreErrorCode };
  }[];
}

interface MwtVectors {
  issuer: string;
  audience: string;
  skew: number;
  keyring: { primary: string; keys: { kid: string; secret_hex: string; token_key_hex: string }[] };
  cases: {
    name: string;
    token: string;
    now: number;
    skew?: number;
    claims?: MwtClaims;
    kid?: string;
    error?: CoreErrorCode;
  }[];
}

interface QueryError {
  error?: string;
  status?: number;
  details?: unknown;
}

interface QueryVectors {
  encode: ({ name: string; params: Record<string, unknown>; rev: number; query?: string } & QueryError)[];
  decode: ({
    name: string;
    query: string | null;
    params?: Record<string, unknown>;
    rev?: number;
  } & QueryError)[];
}

interface ErrorVectors {
  codes: { code: string; status: number }[];
}

function load<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../../spec/vectors/${file}`, import.meta.url), 'utf8')) as T;
}

const canonical = load<CanonicalVectors>('canonical.json');
const mwt = load<MwtVectors>('mwt.json');

/** The code of the MizanCoreError that `run` throws or rejects with; fails on anything else. */
async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(MizanCoreError);
    return (error as MizanCoreError).code;
  }
  throw new Error('expected a MizanCoreError, nothing was thrown');
}

function inputBytes(c: CanonicalVectors['cases'][number]): Uint8Array {
  if (c.input_hex !== undefined) return fromHex(c.input_hex);
  if (c.input !== undefined) return new TextEncoder().encode(c.input);
  throw new Error(`case ${c.name} has no input`);
}

describe('canonical.json', () => {
  const secret = fromHex(canonical.secret_hex);

  it('has cases', () => {
    expect(canonical.cases.length).toBeGreaterThan(0);
  });

  it.each(Object.entries(canonical.derived))('derives the %s key', async (purpose, hex) => {
    expect(toHex(await deriveKey(secret, purpose as 'token' | 'cache' | 'permission'))).toBe(hex);
  });

  it.each(canonical.permission_keys.map((p) => [`${p.scope}${p.user_id === undefined ? '' : ` ${p.user_id.slice(0, 20)}`}`, p] as const))(
    'permission key %s',
    async (_, p) => {
      const deriver = await PermissionKeyDeriver.create(secret);
      const scope = (p.scope === 'user' ? { kind: 'user', userId: p.user_id } : { kind: p.scope }) as PermissionScope;
      if (p.error !== undefined) {
        expect(await codeOf(() => deriver.permissionKey(scope))).toBe(p.error);
      } else {
        expect(await deriver.permissionKey(scope)).toBe(p.pk);
      }
    },
  );

  it.each(canonical.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const bytes = inputBytes(c);
    if (c.error !== undefined) {
      expect(c.canonical).toBeUndefined();
      expect(await codeOf(() => canonicalizeBytes(bytes))).toBe(c.error);
      // The text entry point agrees wherever the input is text at all.
      if (c.input !== undefined) expect(await codeOf(() => canonicalizeText(c.input!))).toBe(c.error);
      return;
    }
    expect(c.canonical).toBeTypeOf('string');
    const out = canonicalizeBytes(bytes);
    expect(toHex(out)).toBe(toHex(new TextEncoder().encode(c.canonical)));
    expect(new TextDecoder().decode(out)).toBe(c.canonical);
    expect(canonicalizeText(c.input!)).toBe(c.canonical);
    // Canonical output is a fixed point.
    expect(canonicalizeText(c.canonical!)).toBe(c.canonical);

    const ck = c.cache_key;
    if (ck === undefined) return;
    const deriver = await CacheKeyDeriver.create(secret);
    const params = parseStrict(bytes);
    if (ck.error !== undefined) {
      expect(await codeOf(() => deriver.derive(ck.fn, params, ck.pk, ck.rev))).toBe(ck.error);
    } else {
      expect(await deriver.derive(ck.fn, params, ck.pk, ck.rev)).toBe(ck.key);
    }
  });
});

describe('mwt.json', () => {
  const keys = mwt.keyring.keys.map((k) => ({ kid: k.kid, secret: fromHex(k.secret_hex) }));
  const ring = Keyring.create({ primary: mwt.keyring.primary, keys });
  const options = (now: number, skew?: number) => ({ issuer: mwt.issuer, audience: mwt.audience, skew: skew ?? mwt.skew, now });

  it('has valid and invalid cases', () => {
    expect(mwt.cases.some((c) => c.claims !== undefined)).toBe(true);
    expect(mwt.cases.some((c) => c.error !== undefined)).toBe(true);
  });

  it.each(mwt.keyring.keys.map((k) => [k.kid, k] as const))('token key of %s', async (_, k) => {
    expect(toHex(await deriveKey(fromHex(k.secret_hex), 'token'))).toBe(k.token_key_hex);
  });

  it.each(mwt.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const keyring = await ring;
    if (c.claims !== undefined) {
      expect(c.error).toBeUndefined();
      const signed = await keyring.sign(c.claims, c.kid === undefined ? undefined : { kid: c.kid });
      expect(signed).toBe(c.token);
      expect(await keyring.verify(c.token, options(c.now, c.skew))).toEqual(c.claims);
    } else {
      expect(c.error).toBeTypeOf('string');
      expect(await codeOf(() => keyring.verify(c.token, options(c.now, c.skew)))).toBe(c.error);
    }
  });
});

/** The error members of a query vector, from what `run` throws; `undefined` when it returns. */
function queryErrorOf(run: () => unknown): QueryError | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ContextQueryError);
    const e = error as ContextQueryError;
    return e.details === undefined
      ? { error: e.code, status: e.status }
      : { error: e.code, status: e.status, details: e.details };
  }
  return undefined;
}

function expectedError(c: QueryError): QueryError {
  return c.details === undefined
    ? { error: c.error, status: c.status }
    : { error: c.error, status: c.status, details: c.details };
}

describe('query.json', () => {
  const query = load<QueryVectors>('query.json');

  it.each(query.encode.map((c) => [c.name, c] as const))('encode %s', (_, c) => {
    if (c.query !== undefined) {
      expect(encodeContextQuery(c.params, c.rev)).toBe(c.query);
    } else {
      expect(queryErrorOf(() => encodeContextQuery(c.params, c.rev))).toEqual(expectedError(c));
    }
  });

  it.each(query.decode.map((c) => [c.name, c] as const))('decode %s', (_, c) => {
    if (c.params !== undefined) {
      expect(decodeContextQuery(c.query)).toEqual({ params: c.params, rev: c.rev });
    } else {
      expect(queryErrorOf(() => decodeContextQuery(c.query))).toEqual(expectedError(c));
    }
  });
});

describe('errors.json', () => {
  const { codes } = load<ErrorVectors>('errors.json');

  it('is the table of PROTOCOL_ERROR_STATUS, in order', () => {
    expect(PROTOCOL_ERROR_CODES).toEqual(codes.map((c) => c.code));
    expect(Object.entries(PROTOCOL_ERROR_STATUS)).toEqual(codes.map((c) => [c.code, c.status]));
  });
});
