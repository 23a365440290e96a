// The Mizan Web Token (spec §1.5) beyond the shared vectors: signing rules, keyrings, time checks.
import { createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asyncCodeOf as codeOf } from './helpers.js';
import {
  Keyring,
  MAX_TOKEN_BYTES,
  MizanCoreError,
  base64urlDecode,
  base64urlEncode,
  canonicalize,
  canonicalizeText,
  isValidKid,
  type MwtClaims,
} from '../src/index.js';

const s1 = new Uint8Array(32).fill(1);
const s2 = new Uint8Array(48).fill(2);
const base: MwtClaims = { iss: 'app', aud: 'edge', iat: 1000, exp: 2000, pk: 'p' };
const at = (now: number, skew?: number) => ({ issuer: 'app', audience: 'edge', now, ...(skew === undefined ? {} : { skew }) });


const ring = Keyring.create({ primary: 'k1', keys: [{ kid: 'k1', secret: s1 }, { kid: 'k2', secret: s2 }] });

function payloadOf(token: string): string {
  return new TextDecoder().decode(base64urlDecode(token.split('.')[2]!));
}

/** A token for an arbitrary payload text, signed with node:crypto as an independent reference. */
function forge(payload: string, kid = 'k1', secret = s1): string {
  const key = Buffer.from(hkdfSync('sha256', secret, 'mizan.v1', 'mizan.v1.token', 32));
  const signed = `mwt1.${kid}.${base64urlEncode(new TextEncoder().encode(payload))}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

describe('Keyring.sign', () => {
  it('writes the canonical payload and a tag node:crypto agrees with', async () => {
    const r = await ring;
    const token = await r.sign({ ...base, ext: { b: 1, a: [true] }, sub: '7' });
    expect(payloadOf(token)).toBe('{"aud":"edge","exp":2000,"ext":{"a":[true],"b":1},"iat":1000,"iss":"app","pk":"p","sub":"7"}');
    expect(token).toBe(forge(payloadOf(token)));
    expect(token.split('.')[3]).toHaveLength(43);
  });

  it('omits false flags and undefined optionals, keeps true flags', async () => {
    const r = await ring;
    const plain = await r.sign(base);
    expect(await r.sign({ ...base, staff: false, superuser: false, sub: undefined, nbf: undefined })).toBe(plain);
    expect(payloadOf(await r.sign({ ...base, staff: true }))).toContain('"staff":true');
    expect(await r.verify(plain, at(1500))).toEqual(base);
  });

  it('signs with the chosen kid', async () => {
    const r = await ring;
    const token = await r.sign(base, { kid: 'k2' });
    expect(token.startsWith('mwt1.k2.')).toBe(true);
    expect(token).toBe(forge(payloadOf(token), 'k2', s2));
    expect(await r.verify(token, at(1500))).toEqual(base);
    expect(await codeOf(() => r.sign(base, { kid: 'k3' }))).toBe('unknown_kid');
  });

  it.each([
    ['missing iss', { aud: 'a', iat: 0, exp: 0, pk: 'p' }],
    ['missing pk', { iss: 'i', aud: 'a', iat: 0, exp: 0 }],
    ['unknown claim', { ...base, alg: 'none' }],
    ['iat negative', { ...base, iat: -1 }],
    ['exp float', { ...base, exp: 1.5 }],
    ['exp too large', { ...base, exp: 2 ** 53 }],
    ['nbf string', { ...base, nbf: '1' }],
    ['iss number', { ...base, iss: 1 }],
    ['sub null', { ...base, sub: null }],
    ['staff string', { ...base, staff: 'yes' }],
    ['ext array', { ...base, ext: [] }],
    ['ext null', { ...base, ext: null }],
    ['ext float', { ...base, ext: { x: 0.5 } }],
    ['ext function', { ...base, ext: { f: () => 1 } }],
    ['ext too deep', { ...base, ext: JSON.parse(`${'{"a":'.repeat(32)}1${'}'.repeat(32)}`) }],
    ['lone surrogate', { ...base, sub: '\ud800' }],
    ['class instance', Object.assign(new (class C {})(), base)],
    ['null', null],
    ['string', 'claims'],
  ])('%s -> invalid_claims', async (_, claims) => {
    const r = await ring;
    expect(await codeOf(() => r.sign(claims as MwtClaims))).toBe('invalid_claims');
  });

  it('accepts ext nested up to the 32-level limit of the whole payload', async () => {
    const r = await ring;
    // The claims object is depth 1, so ext and what it holds may take the other 31 levels.
    const ext = JSON.parse(`${'{"a":'.repeat(31)}1${'}'.repeat(31)}`) as MwtClaims['ext'];
    const token = await r.sign({ ...base, ext });
    expect(await r.verify(token, at(1500))).toEqual({ ...base, ext });
  });

  it('refuses a token over 4096 bytes and allows exactly 4096', async () => {
    const r = await ring;
    const fixed = canonicalize({ ...base, ext: { x: '' } }).length;
    const tokenLength = (n: number) => 'mwt1.k1.'.length + Math.ceil(((fixed + n) * 4) / 3) + 1 + 43;
    let n = 0;
    while (tokenLength(n) < MAX_TOKEN_BYTES) n++;
    expect(tokenLength(n)).toBe(MAX_TOKEN_BYTES);
    const exact = await r.sign({ ...base, ext: { x: 'y'.repeat(n) } });
    expect(exact).toHaveLength(MAX_TOKEN_BYTES);
    expect(await r.verify(exact, at(1500))).toBeTruthy();
    expect(await codeOf(() => r.sign({ ...base, ext: { x: 'y'.repeat(n + 1) } }))).toBe('token_too_large');
    expect(await codeOf(() => r.verify(`${exact}A`, at(1500)))).toBe('token_too_large');
  });
});

describe('Keyring.create', () => {
  it('exposes the primary and the kids', async () => {
    const r = await ring;
    expect(r.primary).toBe('k1');
    expect(r.kids).toEqual(['k1', 'k2']);
  });

  it.each([
    ['no entries', { primary: 'k1', keys: [] }, 'empty_keyring'],
    ['primary not among entries', { primary: 'k9', keys: [{ kid: 'k1', secret: s1 }] }, 'empty_keyring'],
    ['no options', undefined, 'empty_keyring'],
    ['duplicate kid', { primary: 'a', keys: [{ kid: 'a', secret: s1 }, { kid: 'a', secret: s2 }] }, 'duplicate_kid'],
    ['empty kid', { primary: '', keys: [{ kid: '', secret: s1 }] }, 'invalid_kid'],
    ['kid with a dot', { primary: 'a.b', keys: [{ kid: 'a.b', secret: s1 }] }, 'invalid_kid'],
    ['kid of 65 characters', { primary: 'a', keys: [{ kid: 'a'.repeat(65), secret: s1 }] }, 'invalid_kid'],
    ['kid not a string', { primary: 'a', keys: [{ kid: 1, secret: s1 }] }, 'invalid_kid'],
    ['entry not an object', { primary: 'a', keys: [null] }, 'invalid_kid'],
    ['short secret', { primary: 'a', keys: [{ kid: 'a', secret: new Uint8Array(31) }] }, 'secret_too_short'],
    ['secret not bytes', { primary: 'a', keys: [{ kid: 'a', secret: 'x'.repeat(40) }] }, 'secret_too_short'],
  ])('%s -> %s', async (_, options, code) => {
    expect(await codeOf(() => Keyring.create(options as never))).toBe(code);
  });

  it('follows the kid rule', () => {
    expect(isValidKid('a'.repeat(64))).toBe(true);
    expect(isValidKid('2026-11_rot')).toBe(true);
    expect(isValidKid('a'.repeat(65))).toBe(false);
    expect(isValidKid('k!')).toBe(false);
  });
});

describe('Keyring.verify', () => {
  it('fails closed on kids that are object property names', async () => {
    const r = await ring;
    const token = await r.sign(base);
    for (const kid of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(await codeOf(() => r.verify(token.replace('.k1.', `.${kid}.`), at(1500)))).toBe('unknown_kid');
    }
  });

  it('checks time with the skew at each boundary', async () => {
    const r = await ring;
    const token = await r.sign({ ...base, nbf: 1100, iat: 1000, exp: 2000 });
    expect(await codeOf(() => r.verify(token, at(2029)))).toBeUndefined();
    expect(await codeOf(() => r.verify(token, at(2030)))).toBe('expired');
    expect(await codeOf(() => r.verify(token, at(1070)))).toBeUndefined();
    expect(await codeOf(() => r.verify(token, at(1069)))).toBe('not_yet_valid');
    expect(await codeOf(() => r.verify(token, at(2000, 0)))).toBe('expired');
    expect(await codeOf(() => r.verify(token, at(1999, 0)))).toBeUndefined();
    expect(await codeOf(() => r.verify(token, at(1099, 0)))).toBe('not_yet_valid');
    const future = await r.sign({ ...base, iat: 1500, exp: 9000 });
    expect(await codeOf(() => r.verify(future, at(1470)))).toBeUndefined();
    expect(await codeOf(() => r.verify(future, at(1469)))).toBe('issued_in_future');
  });

  it('is exact at the edge of the safe integer range', async () => {
    const r = await ring;
    const max = Number.MAX_SAFE_INTEGER;
    const late = await r.sign({ ...base, iat: 0, exp: max });
    // exp + skew would leave the safe range; the rearranged test stays exact.
    expect(await codeOf(() => r.verify(late, at(max)))).toBeUndefined();
    expect(await codeOf(() => r.verify(late, at(max - 1, 0)))).toBeUndefined();
    expect(await codeOf(() => r.verify(late, at(max, 0)))).toBe('expired');
    const edge = await r.sign({ ...base, iat: max, exp: max, nbf: max });
    expect(await codeOf(() => r.verify(edge, at(max - 30)))).toBeUndefined();
    expect(await codeOf(() => r.verify(edge, at(max - 31)))).toBe('not_yet_valid');
    expect(await codeOf(() => r.verify(edge, at(max - 31, 31)))).toBeUndefined();
    const zero = await r.sign({ ...base, iat: 0, exp: max, nbf: 0 });
    expect(await codeOf(() => r.verify(zero, at(0, max)))).toBeUndefined();
    expect(await codeOf(() => r.verify(zero, at(-max, max)))).toBeUndefined();
    expect(await codeOf(() => r.verify(zero, at(-max, 0)))).toBe('not_yet_valid');
    expect(await codeOf(() => r.verify(zero, at(-max, max - 1)))).toBe('not_yet_valid');
  });

  it('uses the system clock and a 30 s skew by default', async () => {
    const r = await ring;
    const now = Math.floor(Date.now() / 1000);
    const token = await r.sign({ ...base, iat: now, exp: now + 60 });
    expect(await r.verify(token, { issuer: 'app', audience: 'edge' })).toMatchObject({ iat: now });
    const old = await r.sign({ ...base, iat: now - 100, exp: now - 29 });
    expect(await r.verify(old, { issuer: 'app', audience: 'edge' })).toBeTruthy();
    const older = await r.sign({ ...base, iat: now - 100, exp: now - 31 });
    expect(await codeOf(() => r.verify(older, { issuer: 'app', audience: 'edge' }))).toBe('expired');
  });

  it('turns bad options into the code of the step that uses them, never an earlier one', async () => {
    const r = await ring;
    const token = await r.sign(base);
    expect(await codeOf(() => r.verify(token, { issuer: 1, audience: 'edge' } as never))).toBe('wrong_issuer');
    expect(await codeOf(() => r.verify(token, { issuer: 'app' } as never))).toBe('wrong_audience');
    expect(await codeOf(() => r.verify(token, undefined as never))).toBe('wrong_issuer');
    expect(await codeOf(() => r.verify(token, at(1500.5)))).toBe('expired');
    expect(await codeOf(() => r.verify(token, at(Number.NaN)))).toBe('expired');
    expect(await codeOf(() => r.verify(token, at(1500, -1)))).toBe('expired');
    expect(await codeOf(() => r.verify('x', at(Number.NaN)))).toBe('malformed_token');
  });

  it('rejects payload forms that a signer never writes', async () => {
    const r = await ring;
    const body = '"aud":"edge","exp":2000,"iat":1000,"iss":"app","pk":"p"';
    expect(await r.verify(forge(`{${body}}`), at(1500))).toEqual(base);
    expect(await r.verify(forge(`{${body},"staff":true}`), at(1500))).toEqual({ ...base, staff: true });
    // Canonical text, so that each case fails the claims check and nothing earlier.
    const canon = (extra: string) => canonicalizeText(`{${body},${extra}}`);
    for (const payload of [
      canon('"staff":false'),
      canon('"superuser":false'),
      canon('"sub":null'),
      canon('"ext":[]'),
      canon('"ext":"x"'),
      canon('"__proto__":{}'),
      canon('"nbf":-1'),
      canon('"alg":"none"'),
      '{"aud":"edge","exp":2000,"iat":1000,"iss":"app"}',
      '{}',
      '[]',
      'null',
      '',
    ]) {
      expect(await codeOf(() => r.verify(forge(payload), at(1500))), payload).toBe('malformed_payload');
    }
    // Not canonical, or not even strict JSON.
    for (const payload of [
      `{${body} }`,
      `{${body},"iat":1}`,
      `\ufeff{${body}}`,
      '{"aud":"edge","exp":2000,"iat":1000,"iss":"app","pk":"\\u0070"}',
      '{"aud":"edge","exp":2e3,"iat":1000,"iss":"app","pk":"p"}',
      '{"pk":"p","aud":"edge","exp":2000,"iat":1000,"iss":"app"}',
    ]) {
      expect(await codeOf(() => r.verify(forge(payload), at(1500))), payload).toBe('malformed_payload');
    }
  });

  it('rejects a payload that is not UTF-8 as malformed_payload', async () => {
    const r = await ring;
    const key = Buffer.from(hkdfSync('sha256', s1, 'mizan.v1', 'mizan.v1.token', 32));
    const signed = `mwt1.k1.${base64urlEncode(new Uint8Array([0x7b, 0xff, 0x7d]))}`;
    const token = `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
    expect(await codeOf(() => r.verify(token, at(1500)))).toBe('malformed_payload');
  });

  it('measures the size limit in UTF-8 bytes', async () => {
    const r = await ring;
    expect(await codeOf(() => r.verify('é'.repeat(2049), at(0)))).toBe('token_too_large');
    expect(await codeOf(() => r.verify('é'.repeat(2048), at(0)))).toBe('malformed_token');
    expect(await codeOf(() => r.verify('.'.repeat(5000), at(0)))).toBe('token_too_large');
    expect(await codeOf(() => r.verify(42 as unknown as string, at(0)))).toBe('malformed_token');
  });
});
