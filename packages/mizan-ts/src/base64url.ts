/**
 * Strict base64url (spec §1.6).
 *
 * Own code rather than `atob`/`btoa`/`Buffer`: those are lenient (padding, whitespace, `+` and
 * `/`, non-zero trailing bits) or not available everywhere, and leniency gives a token more than
 * one accepted spelling.
 * @module
 */

import { fail } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// Code unit -> 6-bit value, or -1 for every character outside the alphabet.
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

function sextet(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const v = c < 128 ? (DECODE[c] ?? -1) : -1;
  if (v < 0) fail('invalid_encoding', `character outside the base64url alphabet at index ${i}`);
  return v;
}

/** Encodes bytes as base64url without padding (RFC 4648 §5). */
export function base64urlEncode(bytes: Uint8Array): string {
  let out = '';
  const len = bytes.length;
  const full = len - (len % 3);
  const a = ALPHABET;
  let i = 0;
  for (; i < full; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += a[n >>> 18]! + a[(n >>> 12) & 63]! + a[(n >>> 6) & 63]! + a[n & 63]!;
  }
  const rest = len - full;
  if (rest === 1) {
    const n = bytes[i] as number;
    out += a[n >>> 2]! + a[(n & 3) << 4]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
    out += a[n >>> 10]! + a[(n >>> 4) & 63]! + a[(n & 15) << 2]!;
  }
  return out;
}

/**
 * Decodes strict base64url (spec §1.6): only `A-Z a-z 0-9 - _`, no padding, no length
 * `≡ 1 (mod 4)`, no non-zero unused bits in the last character. Every byte string therefore has
 * exactly one accepted encoding. The empty string decodes to zero bytes.
 *
 * @throws {@link MizanCoreError} `invalid_encoding`.
 */
export function base64urlDecode(text: string): Uint8Array {
  if (typeof text !== 'string') fail('invalid_encoding', 'not a string');
  const len = text.length;
  const rest = len % 4;
  if (rest === 1) fail('invalid_encoding', 'length is 1 modulo 4');
  const full = len - rest;
  const out = new Uint8Array((full / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let i = 0;
  for (; i < full; i += 4) {
    const n =
      (sextet(text, i) << 18) |
      (sextet(text, i + 1) << 12) |
      (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    if ((b & 15) !== 0) fail('invalid_encoding', 'non-zero unused bits in the last character');
    out[o] = (a << 2) | (b >>> 4);
  } else if (rest === 3) {
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = sextet(text, i + 2);
    if ((c & 3) !== 0) fail('invalid_encoding', 'non-zero unused bits in the last character');
    out[o++] = (a << 2) | (b >>> 4);
    out[o] = ((b & 15) << 4) | (c >>> 2);
  }
  return out;
}
