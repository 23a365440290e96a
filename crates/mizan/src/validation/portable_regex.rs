//! The portable regex subset (`spec/PROTOCOL.md` §2.7): the `pattern`s the server (Rust's
//! `regex`) and the generated client (JavaScript `RegExp` with the `u` flag) evaluate the same
//! way. Registration refuses any other pattern, so the generated Zod never throws while loading
//! and never disagrees with the server.
//!
//! The subset, exactly:
//! - literal characters, except the syntax characters `^ $ \ . * + ? ( ) [ ] { } |`;
//! - the escapes `\^ \$ \\ \. \* \+ \? \( \) \[ \] \{ \} \| \/`, `\n \r \t \f \v`, `\xHH` and
//!   `\uHHHH` (not a surrogate), and inside a class also `\-`;
//! - classes `[...]` and `[^...]` of such characters and ranges `a-z` (low end not above the
//!   high end); a `-` that starts or ends a class is literal; no empty class, no `[` inside a
//!   class, no `&&`, `--` or `~~` (set operations in Rust);
//! - groups `(...)` and `(?:...)`, alternation `|`, the anchors `^` and `$`;
//! - the quantifiers `* + ?`, `{n}`, `{n,}`, `{n,m}` (n <= m), each optionally lazy (`?` after),
//!   after a character, class or group.
//!
//! Everything else is refused with the reason: `.` (engines differ at `\r`, U+2028, U+2029),
//! `\d \w \s \b` and their negations and `\p{..}` (Unicode-dependent in Rust, ASCII in
//! JavaScript: write `[0-9]`, `[A-Za-z0-9_]`, ...), lookaround, backreferences, named groups,
//! inline flags such as `(?i)`, POSIX classes like `[[:alpha:]]`.

use std::iter::Peekable;
use std::str::CharIndices;

/// Why a pattern is outside the subset, with the byte offset where it goes wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unportable {
    pub(crate) at: usize,
    pub(crate) reason: String,
}

type Chars<'a> = Peekable<CharIndices<'a>>;

fn refuse<T>(at: usize, reason: impl Into<String>) -> Result<T, Unportable> {
    Err(Unportable {
        at,
        reason: reason.into(),
    })
}

/// Checks that `pattern` is in the portable subset.
pub(crate) fn check(pattern: &str) -> Result<(), Unportable> {
    let mut chars = pattern.char_indices().peekable();
    let mut depth = 0usize;
    // Whether the last item can take a quantifier (a character, class or group).
    let mut quantifiable = false;
    while let Some((at, c)) = chars.next() {
        match c {
            '^' | '$' | '|' => quantifiable = false,
            '(' => {
                if chars.peek().map(|&(_, c)| c) == Some('?') {
                    chars.next();
                    if chars.next().map(|(_, c)| c) != Some(':') {
                        return refuse(
                            at,
                            "only `(` and `(?:` groups are portable: no lookaround, named groups or inline flags",
                        );
                    }
                }
                depth += 1;
                quantifiable = false;
            }
            ')' => {
                if depth == 0 {
                    return refuse(at, "unbalanced `)`");
                }
                depth -= 1;
                quantifiable = true;
            }
            '*' | '+' | '?' | '{' => {
                if !quantifiable {
                    return refuse(
                        at,
                        format!("`{c}` does not follow a character, class or group"),
                    );
                }
                if c == '{' {
                    counted(&mut chars, at)?;
                }
                if chars.peek().map(|&(_, c)| c) == Some('?') {
                    chars.next();
                }
                quantifiable = false;
            }
            '[' => {
                class(&mut chars, at)?;
                quantifiable = true;
            }
            '\\' => {
                escape(&mut chars, at, false)?;
                quantifiable = true;
            }
            '.' => {
                return refuse(
                    at,
                    "`.` is not portable (engines differ at \\r, U+2028 and U+2029): write a class such as [^\\n]",
                );
            }
            ']' | '}' => return refuse(at, format!("a literal `{c}` must be escaped: `\\{c}`")),
            _ => quantifiable = true,
        }
    }
    if depth > 0 {
        return refuse(pattern.len(), "unclosed `(`");
    }
    Ok(())
}

/// `{n}`, `{n,}` or `{n,m}` after the `{`.
fn counted(chars: &mut Chars<'_>, at: usize) -> Result<(), Unportable> {
    let number = |chars: &mut Chars<'_>| {
        let mut digits = String::new();
        while let Some(&(_, c)) = chars.peek().filter(|(_, c)| c.is_ascii_digit()) {
            digits.push(c);
            chars.next();
        }
        digits
    };
    let low = number(chars);
    let bad = || refuse(at, "a counted repetition must be {n}, {n,} or {n,m}");
    let Ok(low) = low.parse::<u32>() else {
        return bad();
    };
    match chars.next().map(|(_, c)| c) {
        Some('}') => Ok(()),
        Some(',') => {
            let high = number(chars);
            if chars.next().map(|(_, c)| c) != Some('}') {
                return bad();
            }
            match high.parse::<u32>() {
                Ok(high) if high < low => refuse(at, "a repetition {n,m} needs n <= m"),
                Ok(_) => Ok(()),
                Err(_) if high.is_empty() => Ok(()),
                Err(_) => bad(),
            }
        }
        _ => bad(),
    }
}

/// A class after its `[`.
fn class(chars: &mut Chars<'_>, open: usize) -> Result<(), Unportable> {
    if chars.peek().map(|&(_, c)| c) == Some('^') {
        chars.next();
    }
    if chars.peek().map(|&(_, c)| c) == Some(']') {
        return refuse(open, "an empty class `[]` (or `[^]`) is not portable");
    }
    // The previous member, if it can start a range; whether the last thing was a `-`.
    let mut previous: Option<char> = None;
    let mut members = 0usize;
    loop {
        let Some((at, c)) = chars.next() else {
            return refuse(open, "unclosed `[`");
        };
        let member = match c {
            ']' => return Ok(()),
            '[' => {
                return refuse(
                    at,
                    "`[` inside a class (nested or POSIX classes such as [[:alpha:]]) is not portable: escape it",
                );
            }
            '\\' => escape(chars, at, true)?,
            '&' | '~' | '-' if chars.peek().map(|&(_, n)| n) == Some(c) => {
                return refuse(
                    at,
                    format!(
                        "`{c}{c}` inside a class is a set operation in Rust: escape one of them"
                    ),
                );
            }
            '-' if members > 0 && chars.peek().map(|&(_, n)| n) != Some(']') => {
                // A range: `previous` - next member.
                let Some(low) = previous.take() else {
                    return refuse(at, "a range must start at a single character");
                };
                let high = match chars.next() {
                    Some((_, '\\')) => escape(chars, at, true)?,
                    Some((_, '[')) => return refuse(at, "`[` inside a class is not portable"),
                    Some((_, c)) => Some(c),
                    None => return refuse(open, "unclosed `[`"),
                };
                match high {
                    Some(high) if high >= low => {}
                    Some(_) => return refuse(at, "a class range runs backwards"),
                    None => return refuse(at, "a range must end at a single character"),
                }
                members += 1;
                continue;
            }
            c => Some(c),
        };
        previous = member;
        members += 1;
    }
}

/// An escape after its `\`: the character it stands for.
fn escape(chars: &mut Chars<'_>, at: usize, in_class: bool) -> Result<Option<char>, Unportable> {
    let Some((_, c)) = chars.next() else {
        return refuse(at, "a pattern cannot end with `\\`");
    };
    let hex = |chars: &mut Chars<'_>, n: usize| -> Option<u32> {
        let digits: String = (0..n)
            .filter_map(|_| chars.next().map(|(_, c)| c))
            .collect();
        (digits.len() == n && digits.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(&digits, 16).ok())
            .flatten()
    };
    match c {
        '^' | '$' | '\\' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'
        | '/' => Ok(Some(c)),
        '-' if in_class => Ok(Some(c)),
        'n' => Ok(Some('\n')),
        'r' => Ok(Some('\r')),
        't' => Ok(Some('\t')),
        'f' => Ok(Some('\u{c}')),
        'v' => Ok(Some('\u{b}')),
        'x' => match hex(chars, 2) {
            Some(n) => Ok(char::from_u32(n)),
            None => refuse(at, "`\\x` takes exactly two hex digits"),
        },
        'u' => match hex(chars, 4).and_then(char::from_u32) {
            Some(c) => Ok(Some(c)),
            None => refuse(
                at,
                "`\\u` takes exactly four hex digits of a non-surrogate code point (write other characters as they are)",
            ),
        },
        'd' | 'D' | 'w' | 'W' | 's' | 'S' => refuse(
            at,
            format!(
                "`\\{c}` is Unicode-aware in Rust and ASCII-only in JavaScript: write an explicit class such as [0-9], [A-Za-z0-9_] or [ \\t\\n\\r]"
            ),
        ),
        'b' | 'B' => refuse(
            at,
            format!("`\\{c}` (word boundary) depends on the engine's idea of a word"),
        ),
        'p' | 'P' => refuse(
            at,
            "Unicode property classes depend on each engine's Unicode version",
        ),
        '0'..='9' | 'k' => refuse(at, "backreferences are not portable"),
        _ => refuse(at, format!("`\\{c}` is not a portable escape")),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn portable_patterns_pass() {
        for p in [
            "^[a-z]+$",
            "^(0|-?[1-9][0-9]*)$",
            "^[A-Za-z0-9_-]{3,16}$",
            "^(?:ab|cd)*?x{2}y{1,}$",
            r"^\+[0-9]{1,3} [0-9\-\x20]+$",
            r"^[^\n]*$",
            r"\u00e9t\u00e9|été|😀",
            r"^a\/b\.c\[\]\{\}\(\)\|\\\^\$\*\?$",
            "[-a]|[a-]|[^-]",
        ] {
            assert_eq!(check(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        for (p, reason) in [
            ("a.b", "`.`"),
            (r"\d+", "explicit class"),
            (r"\w", "explicit class"),
            (r"\s", "explicit class"),
            (r"\bx", "word boundary"),
            (r"\p{L}", "Unicode property"),
            ("(?=a)", "lookaround"),
            ("(?!a)", "lookaround"),
            ("(?<=a)b", "lookaround"),
            ("(?<n>a)", "named groups"),
            ("(?P<n>a)", "named groups"),
            ("(?i)abc", "inline flags"),
            (r"(a)\1", "backreferences"),
            (r"\k<n>", "backreferences"),
            ("[[:alpha:]]", "POSIX"),
            ("[a&&b]", "set operation"),
            ("[a--b]", "set operation"),
            ("[]a]", "empty class"),
            ("[^]", "empty class"),
            ("a{,3}", "{n,m}"),
            ("a{3,1}", "n <= m"),
            ("a]", "escaped"),
            ("a}", "escaped"),
            ("*a", "does not follow"),
            ("^*", "does not follow"),
            ("a**", "does not follow"),
            ("(a", "unclosed"),
            ("a)", "unbalanced"),
            ("[z-a]", "backwards"),
            (r"\uD800", "surrogate"),
            (r"\-", "not a portable escape"),
            (r"\a", "not a portable escape"),
        ] {
            let err = check(p).expect_err(p);
            assert!(err.reason.contains(reason), "{p}: {}", err.reason);
        }
    }
}
