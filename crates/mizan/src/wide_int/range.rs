//! The `pattern` of a 64-bit (or wider) integer: a regular expression that accepts exactly the
//! decimal strings of the integers in its range, so that any JSON Schema validator (and the
//! generated Zod schemas) enforce the range of a number that travels as a string (§2.9).
//!
//! The expression uses only digits, `-`, classes such as `[0-7]`, counted repetition `{n}` and
//! alternation: the portable subset every engine agrees on.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// A non-negative integer as its decimal digits, without leading zeros (`"0"` for zero).
type Digits = String;

/// An integer: its sign and magnitude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decimal {
    negative: bool,
    magnitude: Digits,
}

impl Decimal {
    /// From an `i128`.
    pub(crate) fn from_i128(n: i128) -> Self {
        Self {
            negative: n < 0,
            magnitude: n.unsigned_abs().to_string(),
        }
    }

    /// From a `u128`.
    pub(crate) fn from_u128(n: u128) -> Self {
        Self {
            negative: false,
            magnitude: n.to_string(),
        }
    }

    /// The larger of two.
    pub(crate) fn max(self, other: Self) -> Self {
        if compare(&self, &other) == Ordering::Less {
            other
        } else {
            self
        }
    }

    /// The smaller of two.
    pub(crate) fn min(self, other: Self) -> Self {
        if compare(&self, &other) == Ordering::Greater {
            other
        } else {
            self
        }
    }
}

/// The range of a wide integer `format`.
fn type_range(format: &str) -> (Decimal, Decimal) {
    match format {
        "int128" => (Decimal::from_i128(i128::MIN), Decimal::from_i128(i128::MAX)),
        "uint128" => (Decimal::from_i128(0), Decimal::from_u128(u128::MAX)),
        f if f.starts_with('u') => (Decimal::from_i128(0), Decimal::from_u128(u64::MAX.into())),
        _ => (
            Decimal::from_i128(i64::MIN.into()),
            Decimal::from_i128(i64::MAX.into()),
        ),
    }
}

/// A bound keyword as an integer: fractions round inwards (`up` for lower bounds), and an
/// exclusive bound on a whole number moves one step inwards.
fn bound(value: &Value, up: bool, exclusive: bool) -> Option<i128> {
    let (n, whole) = match (value.as_i64(), value.as_u64()) {
        (Some(i), _) => (i128::from(i), true),
        (None, Some(u)) => (i128::from(u), true),
        (None, None) => {
            let f = value.as_f64()?;
            let rounded = if up { f.ceil() } else { f.floor() };
            // Saturating: beyond i128 the type's own range is the tighter bound anyway.
            let n = rounded.clamp(i128::MIN as f64, i128::MAX as f64) as i128;
            (n, rounded == f)
        }
    };
    Some(match (exclusive && whole, up) {
        (true, true) => n.saturating_add(1),
        (true, false) => n.saturating_sub(1),
        _ => n,
    })
}

/// Takes the range keywords off a wide integer node with `format` and returns its pattern.
pub(crate) fn pattern_for(map: &mut Map<String, Value>, format: &str) -> String {
    let (mut min, mut max) = type_range(format);
    for (key, up, exclusive) in [
        ("minimum", true, false),
        ("exclusiveMinimum", true, true),
        ("maximum", false, false),
        ("exclusiveMaximum", false, true),
    ] {
        if let Some(n) = map.remove(key).and_then(|v| bound(&v, up, exclusive)) {
            let n = Decimal::from_i128(n);
            if up {
                min = min.max(n);
            } else {
                max = max.min(n);
            }
        }
    }
    let zero = Value::from(0);
    let exclude_zero = map
        .get("not")
        .and_then(Value::as_object)
        .is_some_and(|not| not.len() == 1 && not.get("const") == Some(&zero));
    if exclude_zero {
        map.remove("not");
    }
    // Contradictory bounds admit no integer: `a` followed by the start of the text never matches,
    // in every engine.
    range_pattern(&min, &max, exclude_zero).unwrap_or_else(|| "^a^".to_owned())
}

fn compare_magnitudes(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn compare(a: &Decimal, b: &Decimal) -> Ordering {
    let zero = |d: &Decimal| d.magnitude == "0";
    match (a.negative && !zero(a), b.negative && !zero(b)) {
        (false, false) => compare_magnitudes(&a.magnitude, &b.magnitude),
        (true, true) => compare_magnitudes(&b.magnitude, &a.magnitude),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
    }
}

/// The anchored pattern of the integers in `min..=max` other than those in `excluded_zero`
/// (`true` leaves 0 out: signed `NonZero` types). `None` when the range is empty.
pub(crate) fn range_pattern(min: &Decimal, max: &Decimal, exclude_zero: bool) -> Option<String> {
    if compare(min, max) == Ordering::Greater {
        return None;
    }
    let mut alternatives = Vec::new();
    // Negative numbers: `-` and a magnitude in 1..=|min| (or |max|..=|min| when max < 0).
    if min.negative && min.magnitude != "0" {
        let low = if max.negative && max.magnitude != "0" {
            max.magnitude.clone()
        } else {
            "1".to_owned()
        };
        if let Some(p) = magnitudes(&low, &min.magnitude) {
            alternatives.push(format!("-{}", group(&p)));
        }
    }
    // Zero and positive numbers.
    let non_negative_max = !max.negative || max.magnitude == "0";
    if non_negative_max {
        let low = if min.negative || min.magnitude == "0" {
            if exclude_zero { "1" } else { "0" }
        } else {
            min.magnitude.as_str()
        };
        if compare_magnitudes(low, &max.magnitude) != Ordering::Greater
            && let Some(p) = magnitudes(low, &max.magnitude)
        {
            alternatives.push(p);
        }
    }
    (!alternatives.is_empty()).then(|| format!("^{}$", group(&alternatives.join("|"))))
}

/// `alternation` in parentheses when it has a `|` of its own (not one inside a group).
fn group(alternation: &str) -> String {
    let mut depth = 0i32;
    let top_level_bar = alternation.bytes().any(|b| {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        b == b'|' && depth == 0
    });
    if top_level_bar {
        format!("({alternation})")
    } else {
        alternation.to_owned()
    }
}

/// The alternation of the magnitudes in `low..=high` (no leading zeros), grouped by digit count;
/// runs of whole digit counts become one `[1-9][0-9]{a,b}`.
fn magnitudes(low: &str, high: &str) -> Option<String> {
    let mut alternatives = Vec::new();
    let mut low = low.to_owned();
    if low == "0" {
        alternatives.push("0".to_owned());
        if high == "0" {
            return Some("0".to_owned());
        }
        low = "1".to_owned();
    }
    // The digit counts whose every number is in range, as a run `first..=last`.
    let mut whole: Option<(usize, usize)> = None;
    let flush = |whole: &mut Option<(usize, usize)>, alternatives: &mut Vec<String>| {
        if let Some((first, last)) = whole.take() {
            let rest = match (first - 1, last - 1) {
                (0, 0) => String::new(),
                (a, b) if a == b => any_digits(a),
                (a, b) => format!("[0-9]{{{a},{b}}}"),
            };
            alternatives.push(format!("[1-9]{rest}"));
        }
    };
    for len in low.len()..=high.len() {
        let smallest = format!("1{}", "0".repeat(len - 1));
        let largest = "9".repeat(len);
        let from = if len == low.len() {
            low.as_str()
        } else {
            &smallest
        };
        let to = if len == high.len() { high } else { &largest };
        if compare_magnitudes(from, to) == Ordering::Greater {
            continue;
        }
        if from == smallest && to == largest {
            whole = Some(whole.map_or((len, len), |(first, _)| (first, len)));
        } else {
            flush(&mut whole, &mut alternatives);
            alternatives.push(same_length(from.as_bytes(), to.as_bytes()));
        }
    }
    flush(&mut whole, &mut alternatives);
    (!alternatives.is_empty()).then(|| alternatives.join("|"))
}

/// The pattern (an alternation, not grouped) of the digit strings of one length from `low` to
/// `high` (same length, low <= high).
fn same_length(low: &[u8], high: &[u8]) -> String {
    let Some((&l, low_rest)) = low.split_first() else {
        return String::new();
    };
    let (&h, high_rest) = high.split_first().unwrap_or((&l, &[]));
    let rest = low_rest.len();
    if l == h {
        return format!("{}{}", l as char, group(&same_length(low_rest, high_rest)));
    }
    let all_low = low_rest.iter().all(|&d| d == b'0');
    let all_high = high_rest.iter().all(|&d| d == b'9');
    let mut alternatives = Vec::new();
    // The first digit at `l` with the rest from `low_rest` up, unless that is all of them.
    let first_full = if all_low { l } else { l + 1 };
    if !all_low {
        let nines = vec![b'9'; rest];
        alternatives.push(format!(
            "{}{}",
            l as char,
            group(&same_length(low_rest, &nines))
        ));
    }
    let last_full = if all_high { h } else { h - 1 };
    if first_full <= last_full {
        alternatives.push(format!(
            "{}{}",
            class(first_full, last_full),
            any_digits(rest)
        ));
    }
    if !all_high {
        let zeros = vec![b'0'; rest];
        alternatives.push(format!(
            "{}{}",
            h as char,
            group(&same_length(&zeros, high_rest))
        ));
    }
    alternatives.join("|")
}

fn class(from: u8, to: u8) -> String {
    if from == to {
        (from as char).to_string()
    } else {
        format!("[{}-{}]", from as char, to as char)
    }
}

fn any_digits(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "[0-9]".to_owned(),
        n => format!("[0-9]{{{n}}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(min: i128, max: i128, exclude_zero: bool) -> regex::Regex {
        // A range with no member matches nothing.
        let p = range_pattern(
            &Decimal::from_i128(min),
            &Decimal::from_i128(max),
            exclude_zero,
        )
        .unwrap_or_else(|| "^a^".to_owned());
        regex::Regex::new(&p).unwrap()
    }

    #[test]
    fn small_ranges_accept_exactly_their_members() {
        for (min, max) in [
            (0, 0),
            (0, 9),
            (1, 1000),
            (7, 93),
            (-15, 15),
            (-1000, -7),
            (-3, 0),
            (99, 101),
            (-250, 1999),
        ] {
            for exclude_zero in [false, true] {
                let re = pattern(min, max, exclude_zero);
                for n in -2100..=2100_i128 {
                    let expected = n >= min && n <= max && !(exclude_zero && n == 0);
                    assert_eq!(
                        re.is_match(&n.to_string()),
                        expected,
                        "{n} in {min}..={max} (zero excluded: {exclude_zero})"
                    );
                }
                for bad in ["", "-0", "01", "+1", "1.0", " 1", "1e2"] {
                    assert!(!re.is_match(bad), "{bad:?}");
                }
            }
        }
    }

    #[test]
    fn full_64_bit_ranges_end_where_the_types_end() {
        let u64_re = regex::Regex::new(
            &range_pattern(
                &Decimal::from_i128(0),
                &Decimal::from_u128(u64::MAX.into()),
                false,
            )
            .unwrap(),
        )
        .unwrap();
        assert!(u64_re.is_match("18446744073709551615"));
        assert!(u64_re.is_match("9999999999999999999"));
        assert!(!u64_re.is_match("18446744073709551616"));
        assert!(!u64_re.is_match("-1"));
        let i64_re = pattern(i64::MIN.into(), i64::MAX.into(), false);
        assert!(i64_re.is_match("-9223372036854775808"));
        assert!(!i64_re.is_match("-9223372036854775809"));
        assert!(i64_re.is_match("9223372036854775807"));
        assert!(!i64_re.is_match("9223372036854775808"));
        let u128_max = range_pattern(
            &Decimal::from_i128(1),
            &Decimal::from_u128(u128::MAX),
            false,
        )
        .unwrap();
        let re = regex::Regex::new(&u128_max).unwrap();
        assert!(re.is_match(&u128::MAX.to_string()));
        assert!(!re.is_match("340282366920938463463374607431768211456"));
        assert!(!re.is_match("0"));
    }

    #[test]
    fn whole_digit_counts_collapse() {
        let u64_max = Decimal::from_u128(u64::MAX.into());
        let p = range_pattern(&Decimal::from_i128(0), &u64_max, false).unwrap();
        assert!(p.starts_with("^(0|[1-9][0-9]{0,18}|1("), "{p}");
        assert!(p.len() <= 300, "{} bytes: {p}", p.len());
        assert_eq!(
            range_pattern(&Decimal::from_i128(10), &Decimal::from_i128(1000), false).unwrap(),
            "^([1-9][0-9]{1,2}|1000)$"
        );
    }

    #[test]
    fn declared_bounds_round_inwards() {
        let pattern = |schema: Value| {
            let Value::Object(mut map) = schema else {
                unreachable!()
            };
            regex::Regex::new(&pattern_for(&mut map, "uint64")).unwrap()
        };
        let re = pattern(serde_json::json!({"exclusiveMinimum": 2, "maximum": 7.5}));
        assert!(!re.is_match("2") && re.is_match("3") && re.is_match("7") && !re.is_match("8"));
        let re = pattern(serde_json::json!({"minimum": 1.5, "exclusiveMaximum": 4.0}));
        assert!(!re.is_match("1") && re.is_match("2") && re.is_match("3") && !re.is_match("4"));
        let re = pattern(serde_json::json!({"minimum": 5, "maximum": 4}));
        assert!(["", "4", "5", "a"].iter().all(|s| !re.is_match(s)));
    }

    #[test]
    fn an_empty_range_has_no_pattern() {
        assert_eq!(
            range_pattern(&Decimal::from_i128(5), &Decimal::from_i128(4), false),
            None
        );
        assert_eq!(
            range_pattern(&Decimal::from_i128(0), &Decimal::from_i128(0), true),
            None
        );
    }
}
