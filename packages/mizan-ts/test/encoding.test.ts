// Strict base64url (spec §1.6) and hex.
import { describe, expect, it } from 'vitest';
import { codeOf } from './helpers.js';
import { MizanCoreError, base64urlDecode, base64urlEncode, fromHex, toHex } from '../src/index.js';


/** Node's base64url, as an independent reference for the encoder. */
function reference(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

describe('base64url', () => {
  it('encodes the RFC 4648 test strings without padding', () => {
    const enc = (s: string) => base64urlEncode(new TextEncoder().encode(s));
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(enc)).toEqual([
      '',
      'Zg',
      'Zm8',
      'Zm9v',
      'Zm9vYg',
      'Zm9vYmE',
      'Zm9vYmFy',
    ]);
  });

  it('uses - and _ and round-trips every length up to 64 against Buffer', () => {
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    let seed = 7;
    for (let len = 0; len <= 64; len++) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = seed = (seed * 1103515245 + 12345) & 0xff;
      const text = base64urlEncode(bytes);
      expect(text).toBe(reference(bytes));
      expect(base64urlDecode(text)).toEqual(bytes);
    }
  });

  it('decodes the empty string to zero bytes', () => {
    expect(base64urlDecode('')).toEqual(new Uint8Array(0));
  });

  it.each([
    ['Zg==', 'padding'],
    ['Zg=', 'padding'],
    ['Zm9v=', 'padding after a full group'],
    ['+/+/', 'standard alphabet'],
    ['Zm 9v', 'space'],
    ['Zm9v\n', 'newline'],
    ['Z', 'length 1 mod 4'],
    ['Zm9vY', 'length 1 mod 4'],
    ['Zh', 'non-zero unused bits (2 chars)'],
    ['Zm9', 'non-zero unused bits (3 chars)'],
    ['Zm8é', 'non-ASCII'],
    ['Zm8\u0000', 'NUL'],
    ['Zm8😀', 'astral'],
  ])('rejects %j (%s)', (text) => {
    expect(codeOf(() => base64urlDecode(text))).toBe('invalid_encoding');
  });

  it('gives every byte string exactly one accepted encoding', () => {
    // For one trailing byte, 16 spellings share the high 6+2 bits; only the zero-padded one passes.
    const accepted = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter(
      (c) => codeOf(() => base64urlDecode(`A${c}`)) === undefined,
    );
    expect(accepted).toEqual(['A', 'Q', 'g', 'w']);
  });

  it('rejects a non-string with a code', () => {
    expect(codeOf(() => base64urlDecode(12 as unknown as string))).toBe('invalid_encoding');
  });
});

describe('hex', () => {
  it('writes lowercase and reads either case', () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(fromHex('0001ABff')).toEqual(new Uint8Array([0, 1, 0xab, 0xff]));
    expect(fromHex('')).toEqual(new Uint8Array(0));
  });

  it.each(['0', 'zz', '0g', ' 00', '+1'])('rejects %j', (hex) => {
    expect(codeOf(() => fromHex(hex))).toBe('invalid_encoding');
  });
});
