/**
 * Decimal strings (`-?[0-9]+(\.[0-9]+)?`, spec §2.13.1), counted and compared exactly as
 * strings, never through floating point: `0.1 + 0.2` must not decide whether a price is allowed.
 * A port of `crates/mizan-core/src/form/decimal.rs`.
 * @module
 */

const DECIMAL = /^-?[0-9]+(?:\.[0-9]+)?$/;

/** Whether `s` is a decimal string of spec §2.13.1 (ASCII digits only, no `+`, no exponent). */
export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

function unsignedParts(s: string): { negative: boolean; whole: string; fraction: string } {
  const negative = s.startsWith('-');
  const unsigned = negative ? s.slice(1) : s;
  const point = unsigned.indexOf('.');
  return point < 0
    ? { negative, whole: unsigned, fraction: '' }
    : { negative, whole: unsigned.slice(0, point), fraction: unsigned.slice(point + 1) };
}

/**
 * The digits of a decimal string: `total` counts the integer part without its leading zeros and
 * every digit after the point, `places` the digits after the point (`007.50` has 3 and 2).
 */
export function decimalDigits(s: string): { total: number; places: number } {
  const { whole, fraction } = unsignedParts(s);
  return { total: whole.replace(/^0+/, '').length + fraction.length, places: fraction.length };
}

/**
 * The order of two decimal strings by value: negative, zero or positive as `a` is below, equal
 * to or above `b` (`-0` equals `0`, `1.50` equals `1.5`).
 */
export function compareDecimals(a: string, b: string): number {
  const x = normalized(a);
  const y = normalized(b);
  if (x.sign !== y.sign) return x.sign - y.sign;
  const magnitude =
    x.whole.length !== y.whole.length
      ? x.whole.length - y.whole.length
      : compareStrings(x.whole, y.whole) || compareStrings(x.fraction, y.fraction);
  return x.sign < 0 ? -magnitude : magnitude;
}

// Sign (0 for zero), integer part without leading zeros, fraction without trailing zeros: equal
// values then have equal parts, and digit strings of equal length compare as numbers.
function normalized(s: string): { sign: number; whole: string; fraction: string } {
  const parts = unsignedParts(s);
  const whole = parts.whole.replace(/^0+/, '');
  const fraction = parts.fraction.replace(/0+$/, '');
  const zero = whole === '' && fraction === '';
  return { sign: zero ? 0 : parts.negative ? -1 : 1, whole, fraction };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
