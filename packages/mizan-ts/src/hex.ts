/**
 * Lowercase hex, the `hex(b)` of the spec: cache keys, permission keys and the test vectors.
 * @module
 */

import { fail } from './errors.js';

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
);

/** Lowercase hex of bytes, two characters per byte (the `hex(b)` of the spec). */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i] as number]!;
  return out;
}

/**
 * Bytes of a hex string (either case accepted), for secrets and keys kept as hex.
 *
 * @throws {@link MizanCoreError} `invalid_encoding` for an odd length or a non-hex character.
 */
export function fromHex(hex: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length % 2 !== 0) {
    fail('invalid_encoding', 'hex text must have an even length');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const pair = hex.slice(2 * i, 2 * i + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) fail('invalid_encoding', `non-hex character near ${2 * i}`);
    out[i] = parseInt(pair, 16);
  }
  return out;
}
