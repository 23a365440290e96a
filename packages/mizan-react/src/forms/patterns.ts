/**
 * The shared patterns of spec §2.13.2 in JavaScript, each matching exactly the strings the
 * server's Rust `regex` matches with `EMAIL_PATTERN` and `URL_PATTERN` of
 * `crates/mizan-core/src/form/mod.rs`.
 * @module
 */

/**
 * The HTML standard's pattern for `<input type=email>`: the server's text unchanged. It is ASCII
 * only and has no construct the two engines read differently.
 */
export const EMAIL_PATTERN = new RegExp(
  "^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
  'u',
);

/**
 * Rust's `\s` (Unicode `White_Space`), spelled out: JavaScript's `\s` differs from it at U+0085
 * (white space in Rust, not in JavaScript) and U+FEFF (the reverse).
 */
const RUST_WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * The URL pattern, `^(?i:https?)://[^\s/?#]+[^\s]*$` on the server. JavaScript engines before
 * the 2025 modifiers proposal have no scoped `(?i:…)`, so the whole pattern takes the `i` flag
 * instead: the rest of it is negated classes of characters that have no case, which the flag
 * leaves alone. With `u`, `i` folds case by Unicode simple case folding as Rust does, so both
 * accept `ſ` (U+017F, which folds to `s`) in the scheme.
 */
export const URL_PATTERN = new RegExp(
  `^https?://[^${RUST_WHITE_SPACE}/?#]+[^${RUST_WHITE_SPACE}]*$`,
  'iu',
);

const RUST_TRIM = new RegExp(`^[${RUST_WHITE_SPACE}]+|[${RUST_WHITE_SPACE}]+$`, 'gu');

/** `s` without leading and trailing white space as Rust's `str::trim` sees it. */
export function rustTrim(s: string): string {
  return s.replace(RUST_TRIM, '');
}

/** `s` with ASCII letters lowercased and every other character kept (Rust's `to_ascii_lowercase`). */
export function asciiLowercase(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

const compiledPatterns = new Map<string, RegExp | null>();

/**
 * Whether all of `s` matches a field's `pattern` (a portable regex, §2.7.1, read as `^(?:…)$`).
 * A pattern that does not compile matches nothing, as on the server.
 */
export function wholeMatch(pattern: string, s: string): boolean {
  let re = compiledPatterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`, 'u');
    } catch {
      re = null;
    }
    compiledPatterns.set(pattern, re);
  }
  return re !== null && re.test(s);
}
