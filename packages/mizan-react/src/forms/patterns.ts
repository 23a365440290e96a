/**
 * The shared patterns of spec §2.13.2 in JavaScript, each matching exactly the strings the
 * server's Rust `regex` matches with `EMAIL_PATTERN` and `URL_PATTERN` of
 * `crates/mizan-core/src/form/mod.rs`, and the media type essence of §2.13.4.
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
 * Whitespace in the URL pattern: exactly the Unicode `White_Space` characters, spelled out,
 * because `\s` differs between engines (JavaScript's includes U+FEFF and lacks U+0085).
 */
const WHITE_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';

/**
 * The URL pattern of §2.13.2, as the spec writes it in the portable subset: `http` or `https` in
 * ASCII letters of either case, spelled as pairs rather than with a case-insensitive flag, under
 * which `ſ` (U+017F) would count as an `s`; then no whitespace.
 */
export const URL_PATTERN = new RegExp(
  `^[Hh][Tt][Tt][Pp][Ss]?://[^${WHITE_SPACE}/?#]+[^${WHITE_SPACE}]*$`,
  'u',
);

/**
 * The essence of a media type (§2.13.4): the part before the first `;`, without the spaces and
 * tabs around it, ASCII letters lowercased, nothing else changed (`String.prototype.trim` and
 * `toLowerCase` do more, so the server would disagree).
 */
export function mediaTypeEssence(mediaType: string): string {
  const head = mediaType.split(';')[0] ?? '';
  return head.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
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
