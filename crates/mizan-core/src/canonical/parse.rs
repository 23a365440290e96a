//! The strict JSON text parser of §1.1.5.

use serde_json::{Map, Number, Value};

use super::{CanonicalError, MAX_SAFE_INTEGER, ParseOptions};

pub(super) fn parse(json: &[u8], options: ParseOptions) -> Result<Value, CanonicalError> {
    parse_mode(json, options, false)
}

/// Parses `json` only if it is exactly canonical JSON text (§1.1): the bytes a canonical encoder
/// would write for the value. Cheaper than parsing and encoding again to compare.
pub(crate) fn parse_exact(json: &[u8]) -> Option<Value> {
    parse_mode(json, ParseOptions::CANONICAL, true).ok()
}

fn parse_mode(json: &[u8], options: ParseOptions, exact: bool) -> Result<Value, CanonicalError> {
    let text = std::str::from_utf8(json).map_err(|e| CanonicalError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    let mut parser = Parser {
        text,
        src: text.as_bytes(),
        pos: 0,
        options,
        exact,
    };
    parser.skip_whitespace();
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.src.len() {
        return Err(parser.invalid("unexpected content after the value"));
    }
    Ok(value)
}

/// Reads canonical JSON text piece by piece, for a caller that knows the exact shape it expects
/// (the claims of a token): literal punctuation and keys, and values read as
/// [`parse_exact`] reads them.
pub(crate) struct ExactReader<'a>(Parser<'a>);

impl<'a> ExactReader<'a> {
    /// A reader at the start of `json`; `None` when it is not UTF-8.
    pub(crate) fn new(json: &'a [u8]) -> Option<Self> {
        let text = std::str::from_utf8(json).ok()?;
        Some(Self(Parser {
            text,
            src: text.as_bytes(),
            pos: 0,
            options: ParseOptions::CANONICAL,
            exact: true,
        }))
    }

    /// Consumes `literal` if the text goes on with it.
    pub(crate) fn literal(&mut self, literal: &[u8]) -> bool {
        let found = self.0.rest_starts_with(literal);
        if found {
            self.0.pos += literal.len();
        }
        found
    }

    /// Reads a member value of the top-level object (a value at depth 1), as [`parse_exact`]
    /// would read it there.
    pub(crate) fn member_value(&mut self) -> Option<Value> {
        self.0.value(1).ok()
    }

    /// Whether the whole text was read.
    pub(crate) fn at_end(&self) -> bool {
        self.0.pos == self.0.src.len()
    }
}

/// The previous key of an object being read in exact mode.
enum Previous {
    /// Its text, between these offsets, has no escape: it is the key.
    InText(usize, usize),
    /// It had an escape.
    Copied(String),
}

struct Parser<'a> {
    /// Valid UTF-8, checked before parsing starts.
    src: &'a [u8],
    /// The same text as `str`: slicing it at the ASCII bytes where tokens start and end needs no
    /// second UTF-8 check.
    text: &'a str,
    pos: usize,
    options: ParseOptions,
    /// Reject anything a canonical encoder would not have written.
    exact: bool,
}

impl Parser<'_> {
    fn invalid(&self, reason: &'static str) -> CanonicalError {
        CanonicalError::InvalidJson {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn rest_starts_with(&self, literal: &[u8]) -> bool {
        self.src[self.pos..].starts_with(literal)
    }

    fn skip_whitespace(&mut self) {
        if self.exact {
            return;
        }
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn not_canonical(&self) -> CanonicalError {
        self.invalid("not canonical")
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), CanonicalError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.invalid(reason))
        }
    }

    /// Parses one value; `depth` is the depth of the container it sits in (0 at the top).
    fn value(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        match self.peek() {
            None => Err(self.invalid("expected a value, found the end of input")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'N' | b'I') | Some(b'-')
                if self.rest_starts_with(b"NaN")
                    || self.rest_starts_with(b"Infinity")
                    || self.rest_starts_with(b"-Infinity") =>
            {
                Err(CanonicalError::NonFiniteNumber {
                    offset: Some(self.pos),
                })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.invalid("expected a value")),
        }
    }

    fn literal(&mut self, literal: &[u8], value: Value) -> Result<Value, CanonicalError> {
        if self.rest_starts_with(literal) {
            self.pos += literal.len();
            Ok(value)
        } else {
            Err(self.invalid("expected a value"))
        }
    }

    fn enter(&self, depth: usize) -> Result<(), CanonicalError> {
        if depth > self.options.max_depth {
            Err(CanonicalError::DepthExceeded {
                offset: Some(self.pos),
            })
        } else {
            Ok(())
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut map = Map::new();
        // The previous key, for the canonical order: where it is in the text when it has no
        // escape (the common case, compared without a copy), or a copy.
        let mut previous: Option<Previous> = None;
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.invalid("expected an object key"));
            }
            let key_offset = self.pos;
            let key = self.string()?;
            if self.exact {
                // Keys in strictly increasing order are never repeated.
                if let Some(previous) = &previous {
                    let previous = match previous {
                        Previous::InText(start, end) => {
                            // Between two quotes of valid UTF-8 text: valid UTF-8.
                            self.text.get(*start..*end).unwrap_or_default()
                        }
                        Previous::Copied(key) => key.as_str(),
                    };
                    if super::write::utf16_cmp(previous, &key).is_ge() {
                        return Err(self.not_canonical());
                    }
                }
                let raw = &self.src[key_offset + 1..self.pos - 1];
                previous = Some(if raw.contains(&b'\\') {
                    Previous::Copied(key.clone())
                } else {
                    Previous::InText(key_offset + 1, self.pos - 1)
                });
            } else if map.contains_key(&key) {
                return Err(CanonicalError::DuplicateKey {
                    offset: key_offset,
                    key,
                });
            }
            self.skip_whitespace();
            self.expect(b':', "expected ':' after an object key")?;
            self.skip_whitespace();
            let value = self.value(depth)?;
            map.insert(key, value);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.invalid("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, CanonicalError> {
        self.enter(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.invalid("expected ',' or ']' in an array")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value, CanonicalError> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.invalid("expected a digit")),
        }
        let int_end = self.pos;
        let mut is_float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.invalid("expected a digit after '.'"));
            }
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.invalid("expected a digit in the exponent"));
            }
            is_float = true;
        }
        if is_float {
            if !self.options.allow_floats {
                return Err(CanonicalError::FloatNotAllowed {
                    offset: Some(start),
                });
            }
            // The token matched the JSON number grammar, which Rust's float syntax includes.
            let text = self.text.get(start..self.pos).unwrap_or_default();
            return text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or(CanonicalError::NonFiniteNumber {
                    offset: Some(start),
                });
        }
        let out_of_range = CanonicalError::IntegerOutOfRange {
            offset: Some(start),
        };
        let digits = &self.src[int_start..int_end];
        if digits.len() > 16 {
            return Err(out_of_range);
        }
        let magnitude = digits
            .iter()
            .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'));
        if magnitude > MAX_SAFE_INTEGER {
            return Err(out_of_range);
        }
        if self.exact && negative && magnitude == 0 {
            return Err(self.not_canonical());
        }
        let value = if negative { -magnitude } else { magnitude };
        Ok(Value::Number(Number::from(value)))
    }

    fn hex4(&self, at: usize) -> Option<u16> {
        let digits = self.src.get(at..at + 4)?;
        let mut value = 0u16;
        for &d in digits {
            let nibble = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return None,
            };
            value = value * 16 + u16::from(nibble);
        }
        Some(value)
    }

    /// Parses a string starting at its opening quote.
    fn string(&mut self) -> Result<String, CanonicalError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            self.pos += self.src[run_start..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(self.src.len() - run_start);
            // The run stops only at ASCII bytes or the end: character boundaries of the text.
            let run = self.text.get(run_start..self.pos).unwrap_or_default();
            if out.is_empty() && self.peek() == Some(b'"') {
                // No escape: the string is the run, allocated once at its size.
                self.pos += 1;
                return Ok(run.to_owned());
            }
            out.push_str(run);
            match self.peek() {
                None => return Err(self.invalid("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => return Err(self.invalid("control character in a string")),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), CanonicalError> {
        let escape_start = self.pos;
        if self.exact {
            return self.exact_escape(out);
        }
        let simple = match self.src.get(self.pos + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let unit = self
                    .hex4(self.pos + 2)
                    .ok_or_else(|| self.invalid("expected four hex digits after \\u"))?;
                self.pos += 6;
                let ch = match unit {
                    0xD800..=0xDBFF => {
                        let low = if self.rest_starts_with(b"\\u") {
                            self.hex4(self.pos + 2)
                        } else {
                            None
                        };
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                self.pos += 6;
                                let scalar = 0x10000
                                    + ((u32::from(unit) - 0xD800) << 10)
                                    + (u32::from(low) - 0xDC00);
                                char::from_u32(scalar)
                            }
                            _ => None,
                        }
                    }
                    0xDC00..=0xDFFF => None,
                    _ => char::from_u32(u32::from(unit)),
                };
                let ch = ch.ok_or(CanonicalError::LoneSurrogate {
                    offset: escape_start,
                })?;
                out.push(ch);
                return Ok(());
            }
            _ => return Err(self.invalid("unknown escape sequence")),
        };
        self.pos += 2;
        out.push(simple);
        Ok(())
    }

    /// The escapes a canonical encoder writes: the five short ones for control characters, `\"`,
    /// `\\`, and lowercase `\u00xx` for the other control characters. Nothing else.
    fn exact_escape(&mut self, out: &mut String) -> Result<(), CanonicalError> {
        let ch = match self.src.get(self.pos + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let digits = self
                    .src
                    .get(self.pos + 2..self.pos + 6)
                    .ok_or_else(|| self.not_canonical())?;
                let lower_hex = |b: &u8| b.is_ascii_digit() || (b'a'..=b'f').contains(b);
                let unit = self
                    .hex4(self.pos + 2)
                    .filter(|_| digits.iter().all(lower_hex));
                match unit {
                    Some(u @ 0..=0x1F) if !matches!(u, 0x08 | 0x09 | 0x0A | 0x0C | 0x0D) => {
                        self.pos += 6;
                        out.push(char::from(u as u8));
                        return Ok(());
                    }
                    _ => return Err(self.not_canonical()),
                }
            }
            _ => return Err(self.not_canonical()),
        };
        self.pos += 2;
        out.push(ch);
        Ok(())
    }
}
