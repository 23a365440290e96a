/**
 * The strict JSON text parser of spec §1.1.5.
 *
 * `JSON.parse` cannot be used: it accepts duplicate keys (last wins), lone surrogate escapes and
 * floats, and does not say where the first error is. This parser reports the first error met,
 * left to right, with the codes of §1.1.5.
 * @module
 */

import type { JsonValue } from './canonical.js';
import { fail } from './errors.js';
import { findLoneSurrogate, utf8DecodeStrict } from './utf8.js';

const MAX_DEPTH = 32;

// Character codes, named for readability of the scanner.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const SIMPLE_ESCAPES: Readonly<Record<number, string>> = {
  0x22: '"',
  0x5c: '\\',
  0x2f: '/',
  0x62: '\b',
  0x66: '\f',
  0x6e: '\n',
  0x72: '\r',
  0x74: '\t',
};

const OWN_MEMBER = { enumerable: true, writable: true, configurable: true } as const;

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Parser state over a well-formed JavaScript string. */
class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseDocument(): JsonValue {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos !== this.src.length) this.error('trailing content after the value');
    return value;
  }

  private error(what: string): never {
    return fail('invalid_json', `${what} at index ${this.pos}`);
  }

  private skipWhitespace(): void {
    const s = this.src;
    let c = s.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++this.pos);
  }

  /** `depth` is the number of containers enclosing the value. */
  private parseValue(depth: number): JsonValue {
    this.skipWhitespace();
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    switch (c) {
      case 0x7b /* { */:
      case 0x5b /* [ */:
        if (depth >= MAX_DEPTH) {
          fail('depth_exceeded', `container at depth ${depth + 1}, index ${this.pos}`);
        }
        this.pos++;
        return c === 0x7b ? this.parseObject(depth + 1) : this.parseArray(depth + 1);
      case QUOTE:
        return this.parseString();
      case 0x74 /* t */:
        return this.literal('true', true);
      case 0x66 /* f */:
        return this.literal('false', false);
      case 0x6e /* n */:
        return this.literal('null', null);
      case 0x4e /* N */:
        if (s.startsWith('NaN', this.pos)) fail('non_finite_number', `NaN at index ${this.pos}`);
        return this.error('unexpected character');
      case 0x49 /* I */:
        if (s.startsWith('Infinity', this.pos)) {
          fail('non_finite_number', `Infinity at index ${this.pos}`);
        }
        return this.error('unexpected character');
      default:
        if (c === MINUS || isDigit(c)) return this.parseNumber();
        return this.error(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private literal<T extends JsonValue>(word: string, value: T): T {
    if (!this.src.startsWith(word, this.pos)) this.error('invalid literal');
    this.pos += word.length;
    return value;
  }

  private parseNumber(): number {
    const s = this.src;
    const start = this.pos;
    let c = s.charCodeAt(this.pos);
    if (c === MINUS) {
      if (s.startsWith('Infinity', this.pos + 1)) {
        fail('non_finite_number', `-Infinity at index ${start}`);
      }
      c = s.charCodeAt(++this.pos);
    }
    if (c === DIGIT_0) {
      c = s.charCodeAt(++this.pos);
    } else if (isDigit(c)) {
      do c = s.charCodeAt(++this.pos);
      while (isDigit(c));
    } else {
      return this.error('expected a digit');
    }
    let isFloat = false;
    if (c === 0x2e /* . */) {
      c = s.charCodeAt(++this.pos);
      if (!isDigit(c)) return this.error('expected a digit after the decimal point');
      do c = s.charCodeAt(++this.pos);
      while (isDigit(c));
      isFloat = true;
    }
    if (c === 0x65 /* e */ || c === 0x45 /* E */) {
      c = s.charCodeAt(++this.pos);
      if (c === 0x2b /* + */ || c === MINUS) c = s.charCodeAt(++this.pos);
      if (!isDigit(c)) return this.error('expected a digit in the exponent');
      do c = s.charCodeAt(++this.pos);
      while (isDigit(c));
      isFloat = true;
    }
    const token = s.slice(start, this.pos);
    if (isFloat) fail('float_not_allowed', `${token} at index ${start}`);
    // Every integer above 2^53 - 1 converts to a double of at least 2^53, so this test is exact
    // even though the conversion rounds.
    const n = Number(token);
    if (!Number.isSafeInteger(n)) fail('integer_out_of_range', `${token} at index ${start}`);
    return n === 0 ? 0 : n;
  }

  /** Reads a string starting at its opening quote; returns it unescaped. */
  private parseString(): string {
    const s = this.src;
    let pos = this.pos + 1;
    let out = '';
    let start = pos;
    for (;;) {
      const c = s.charCodeAt(pos);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        out += s.slice(start, pos) + this.parseEscape(pos);
        pos = start = this.pos;
        continue;
      }
      if (c < 0x20 || Number.isNaN(c)) {
        this.pos = pos;
        this.error(Number.isNaN(c) ? 'unterminated string' : 'raw control character in string');
      }
      pos++;
    }
    this.pos = pos + 1;
    return out + s.slice(start, pos);
  }

  /**
   * Reads the escape at `at` (a backslash), leaves `pos` after it and returns the character it
   * stands for. An escaped surrogate pair is read as one character.
   */
  private parseEscape(at: number): string {
    const s = this.src;
    this.pos = at;
    const kind = s.charCodeAt(at + 1);
    if (kind !== 0x75 /* u */) {
      const simple = SIMPLE_ESCAPES[kind];
      if (simple === undefined) return this.error('unknown escape');
      this.pos = at + 2;
      return simple;
    }
    const unit = this.readHex4(at + 2);
    if (unit < 0) return this.error('bad \\u escape');
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      fail('lone_surrogate', `unpaired low surrogate escape at index ${at}`);
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      // The pair must be two adjacent escapes; whatever else follows leaves the high half alone.
      const low =
        s.charCodeAt(at + 6) === BACKSLASH && s.charCodeAt(at + 7) === 0x75
          ? this.readHex4(at + 8)
          : -1;
      if (low < 0xdc00 || low > 0xdfff) {
        fail('lone_surrogate', `unpaired high surrogate escape at index ${at}`);
      }
      this.pos = at + 12;
      return String.fromCharCode(unit, low);
    }
    this.pos = at + 6;
    return String.fromCharCode(unit);
  }

  /** The value of four hex digits at `at`, or -1. */
  private readHex4(at: number): number {
    const s = this.src;
    const a = hexValue(s.charCodeAt(at));
    const b = hexValue(s.charCodeAt(at + 1));
    const c = hexValue(s.charCodeAt(at + 2));
    const d = hexValue(s.charCodeAt(at + 3));
    if ((a | b | c | d) < 0) return -1;
    return (a << 12) | (b << 8) | (c << 4) | d;
  }

  private parseArray(depth: number): JsonValue[] {
    const items: JsonValue[] = [];
    this.skipWhitespace();
    if (this.src.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.parseValue(depth));
      this.skipWhitespace();
      const c = this.src.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x5d /* ] */) return items;
      if (c !== 0x2c /* , */) {
        this.pos--;
        this.error("expected ',' or ']'");
      }
    }
  }

  private parseObject(depth: number): { [key: string]: JsonValue } {
    const obj: { [key: string]: JsonValue } = {};
    this.skipWhitespace();
    if (this.src.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.src.charCodeAt(this.pos) !== QUOTE) this.error('expected a string key');
      const keyAt = this.pos;
      const key = this.parseString();
      if (Object.hasOwn(obj, key)) fail('duplicate_key', `key ${JSON.stringify(key)} at ${keyAt}`);
      this.skipWhitespace();
      if (this.src.charCodeAt(this.pos) !== 0x3a /* : */) this.error("expected ':'");
      this.pos++;
      const value = this.parseValue(depth);
      // Plain assignment of "__proto__" would set the prototype instead of creating a member.
      if (key === '__proto__') Object.defineProperty(obj, key, { ...OWN_MEMBER, value });
      else obj[key] = value;
      this.skipWhitespace();
      const c = this.src.charCodeAt(this.pos);
      this.pos++;
      if (c === 0x7d /* } */) return obj;
      if (c !== 0x2c /* , */) {
        this.pos--;
        this.error("expected ',' or '}'");
      }
    }
  }
}

/**
 * Parses JSON text strictly (spec §1.1.5) and returns its value.
 *
 * Bytes must be UTF-8 (`invalid_utf8` otherwise; a leading byte order mark is kept and so is
 * `invalid_json`). A string must not hold a lone surrogate (`lone_surrogate`, checked before
 * parsing). Then the first error in input order wins: `invalid_json`, `non_finite_number`,
 * `float_not_allowed`, `integer_out_of_range`, `lone_surrogate` (escapes), `duplicate_key`
 * (at the second key) or `depth_exceeded` (at the opening bracket of depth 33).
 *
 * Objects in the result have `Object.prototype` as prototype; a `"__proto__"` key becomes an
 * ordinary own member.
 *
 * @throws {@link MizanCoreError} with one of the codes above.
 */
export function parseStrict(input: Uint8Array | string): JsonValue {
  let text: string;
  if (typeof input === 'string') {
    const at = findLoneSurrogate(input);
    if (at >= 0) fail('lone_surrogate', `raw lone surrogate at index ${at}`);
    text = input;
  } else if (input instanceof Uint8Array) {
    text = utf8DecodeStrict(input);
  } else {
    // Only reachable from untyped callers; still an error with a code, never a TypeError.
    return fail('invalid_json', 'input is neither a string nor a Uint8Array');
  }
  return new Parser(text).parseDocument();
}
