/**
 * Dates and times as HTML inputs send them (spec §2.13.1), checked for real days and times.
 * A port of `crates/mizan-core/src/form/temporal.rs`.
 * @module
 */

// ASCII digits only: `\d` would do too in JavaScript, but spelling the class out says why a
// full-width `２０２４` is refused on both sides.
const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const TIME = /^([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?$/;

/** Whether `s` is `YYYY-MM-DD`, a real day of the years 0001 to 9999. */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && year >= 1 && day >= 1 && day <= days;
}

/** Whether `s` is `HH:MM` or `HH:MM:SS`, from 00:00:00 to 23:59:59. */
export function isTime(s: string): boolean {
  const m = TIME.exec(s);
  if (!m) return false;
  return Number(m[1]) < 24 && Number(m[2]) < 60 && (m[3] === undefined || Number(m[3]) < 60);
}

/** Whether `s` is a date, `T` (the first one) and a time, without a zone. */
export function isDatetime(s: string): boolean {
  const t = s.indexOf('T');
  return t >= 0 && isDate(s.slice(0, t)) && isTime(s.slice(t + 1));
}

/**
 * A valid time, date-time or date written so that string order is time order: `HH:MM` becomes
 * `HH:MM:00` (alone or after the `T`), the rest is kept.
 */
export function normalizedTime(s: string): string {
  const timeAt = s.indexOf('T') + 1;
  const time = s.slice(timeAt);
  return time.length === 5 && time.includes(':') ? `${s}:00` : s;
}
