// Bounded, deterministic garbage: nothing but MizanCoreError may leave the API, and what the strict
// parser accepts, JSON.parse must accept with the same value.
import { describe, expect, it } from 'vitest';
import {
  CacheKeyDeriver,
  Keyring,
  MizanCoreError,
  base64urlDecode,
  canonicalize,
  canonicalizeBytes,
  canonicalizeText,
  parseStrict,
} from '../src/index.js';

/** mulberry32: a tiny seeded generator, so that a failure replays exactly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSONISH = [
  '{', '}', '[', ']', ',', ':', '"', '\\', 'u', 'd', '8', '0', '1', '-', '.', 'e', ' ', 'a', 'N',
  'I', 't', 'n', 'null', 'true', '"k"', '\\ud800', '\\udc00', '1.5', '9007199254740992', 'é', '😀',
  '\u0000', '\ufeff',
];

function jsonishText(next: () => number): string {
  let out = '';
  const n = Math.floor(next() * 24);
  for (let i = 0; i < n; i++) out += JSONISH[Math.floor(next() * JSONISH.length)];
  return out;
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const WS = ['', '', '', ' ', '\n', '\t', '\r', '  '];
const SCALARS = [
  '0', '-0', '7', '-12', '9007199254740991', '-9007199254740991', '9007199254740992', '1.5', '1e3',
  'true', 'false', 'null', 'NaN', '-Infinity', '""', '"a"', '"\\u0061"', '"\\ud83d\\ude00"',
  '"\\ud800"', '"é😀"', '"\\n\\"\\/"',
];
const KEYS = ['"a"', '"b"', '"\\u0061"', '"😀"', '"｡"', '"__proto__"', '""'];

/** Mostly valid JSON text, with the odd invalid scalar, so that both paths are exercised. */
function jsonText(next: () => number, depth: number): string {
  const w = () => pick(next, WS);
  const r = next();
  if (depth > 3 || r < 0.45) return w() + pick(next, SCALARS) + w();
  const n = Math.floor(next() * 4);
  const items = Array.from({ length: n }, () =>
    r < 0.7 ? jsonText(next, depth + 1) : `${w()}${pick(next, KEYS)}${w()}:${jsonText(next, depth + 1)}`,
  );
  return r < 0.7 ? `${w()}[${items.join(',')}]${w()}` : `${w()}{${items.join(',')}}${w()}`;
}

function randomBytes(next: () => number): Uint8Array {
  const source = next() < 0.7 ? jsonText(next, 0) : jsonishText(next);
  const text = new TextEncoder().encode(source);
  // Sometimes replace a byte with any value, to reach the UTF-8 checks.
  if (text.length > 0 && next() < 0.3) text[Math.floor(next() * text.length)] = Math.floor(next() * 256);
  return text;
}

function expectCoreError(error: unknown, input: unknown): void {
  if (!(error instanceof MizanCoreError)) {
    throw new Error(`non-MizanCoreError for ${JSON.stringify(input)}: ${String(error)}`);
  }
}

describe('fuzz: JSON text', () => {
  it('only ever throws MizanCoreError, and agrees with JSON.parse on what it accepts', () => {
    const next = rng(0x5eed);
    let accepted = 0;
    for (let i = 0; i < 4000; i++) {
      const bytes = randomBytes(next);
      let out: Uint8Array | undefined;
      try {
        out = canonicalizeBytes(bytes);
      } catch (error) {
        expectCoreError(error, [...bytes]);
      }
      if (out === undefined) continue;
      accepted++;
      const text = new TextDecoder().decode(bytes);
      // Compared through canonical text, because JSON.parse keeps -0 and this parser reads it as 0.
      expect(canonicalize(JSON.parse(text))).toBe(new TextDecoder().decode(out));
      expect(canonicalize(parseStrict(bytes))).toBe(new TextDecoder().decode(out));
      expect(canonicalizeBytes(out)).toEqual(out);
    }
    // Enough of the random inputs are valid JSON for the comparison to mean something.
    expect(accepted).toBeGreaterThan(1000);
  });

  it('handles arbitrary strings, lone surrogates included', () => {
    const next = rng(42);
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = Math.floor(next() * 16);
      for (let j = 0; j < n; j++) s += String.fromCharCode(Math.floor(next() * 0x10000));
      for (const run of [() => canonicalizeText(s), () => canonicalize(s), () => base64urlDecode(s)]) {
        try {
          run();
        } catch (error) {
          expectCoreError(error, s);
        }
      }
    }
  });
});

describe('fuzz: values', () => {
  const odd = [undefined, null, 0, -0, 1.5, NaN, 2 ** 60, 'x', '\ud800', 1n, Symbol('s'), () => 1, new Date(0), new Map(), [], {}];
  function randomValue(next: () => number, depth: number): unknown {
    const r = next();
    if (depth > 35 || r < 0.4) return odd[Math.floor(next() * odd.length)];
    if (r < 0.7) return Array.from({ length: Math.floor(next() * 3) }, () => randomValue(next, depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(next() * 3); i > 0; i--) o[String.fromCharCode(97 + Math.floor(next() * 3))] = randomValue(next, depth + 1);
    return o;
  }

  it('canonicalize and cache keys only ever throw MizanCoreError', async () => {
    const next = rng(7);
    const ck = await CacheKeyDeriver.create(new Uint8Array(32));
    for (let i = 0; i < 1500; i++) {
      const value = randomValue(next, 0);
      try {
        canonicalize(value);
      } catch (error) {
        expectCoreError(error, typeof value);
      }
      await ck.derive('f', value, 'p').catch((error: unknown) => expectCoreError(error, typeof value));
    }
  });
});

describe('fuzz: tokens', () => {
  const secret = new Uint8Array(32).fill(9);
  const ring = Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret }] });
  const options = { issuer: 'i', audience: 'a', now: 1500 };

  it('rejects random strings with MizanCoreError', async () => {
    const r = await ring;
    const next = rng(99);
    const parts = ['mwt1', 'k1', '.', '.', 'eyJ9', 'A', '_', '-', '=', '+', 'é', '\ud800', '0'.repeat(43), 'x'];
    for (let i = 0; i < 2000; i++) {
      let token = next() < 0.5 ? 'mwt1.k1.' : '';
      const n = Math.floor(next() * 12);
      for (let j = 0; j < n; j++) token += parts[Math.floor(next() * parts.length)];
      await r.verify(token, options).then(
        () => {
          throw new Error(`accepted ${token}`);
        },
        (error: unknown) => expectCoreError(error, token),
      );
    }
  });

  it('rejects every single-character change of a valid token', async () => {
    const r = await ring;
    const token = await r.sign({ iss: 'i', aud: 'a', iat: 1000, exp: 2000, pk: 'p', ext: { n: 1 } });
    expect(await r.verify(token, options)).toBeTruthy();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=';
    const next = rng(3);
    for (let i = 0; i < 1500; i++) {
      const at = Math.floor(next() * token.length);
      const c = alphabet[Math.floor(next() * alphabet.length)]!;
      if (c === token[at]) continue;
      const mutated = token.slice(0, at) + c + token.slice(at + 1);
      await r.verify(mutated, options).then(
        () => {
          throw new Error(`accepted a mutation at ${at}: ${mutated}`);
        },
        (error: unknown) => expectCoreError(error, mutated),
      );
    }
  });
});
