/**
 * UTF-8 helpers shared by the modules. Internal: not re-exported from the package entry point.
 * @internal
 * @module
 */

import { fail } from './errors.js';

const encoder = new TextEncoder();
// `fatal` makes malformed input an error instead of U+FFFD; `ignoreBOM` keeps a leading BOM in
// the text so that the JSON parser sees it and rejects it as the spec requires.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of a well-formed string. @internal */
export function utf8Encode(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Decodes UTF-8 strictly (RFC 3629); anything else is `invalid_utf8`. @internal */
export function utf8DecodeStrict(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (cause) {
    return fail('invalid_utf8', 'input is not valid UTF-8', cause);
  }
}

/**
 * Length in UTF-8 bytes of a string, without encoding it. A lone surrogate counts 3 bytes, as the
 * U+FFFD that an encoder would write for it; callers that care reject lone surrogates separately.
 * @internal
 */
export function utf8Length(text: string): number {
  let n = 0;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Index of the first surrogate code unit that is not half of a pair, or -1.
 *
 * A code-unit scan rather than `String.prototype.isWellFormed`, which older runtimes lack.
 * @internal
 */
export function findLoneSurrogate(text: string): number {
  const len = text.length;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && i + 1 < len) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    return i;
  }
  return -1;
}
