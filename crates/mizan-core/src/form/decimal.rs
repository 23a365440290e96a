//! Decimal strings (`-?[0-9]+(\.[0-9]+)?`), counted and compared exactly, never as floats.

use std::cmp::Ordering;

/// Whether `s` is a decimal string of §2.13.1.
pub fn is_decimal(s: &str) -> bool {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// `(digits in total, digits after the point)` of a decimal string: the integer part counts
/// without its leading zeros, the fraction counts whole.
pub fn decimal_digits(s: &str) -> (usize, usize) {
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let whole = whole.trim_start_matches('0');
    (whole.len() + fraction.len(), fraction.len())
}

/// The order of two decimal strings by value (`-0` equals `0`, `1.50` equals `1.5`).
pub fn compare_decimals(a: &str, b: &str) -> Ordering {
    let (a_negative, a_whole, a_fraction) = parts(a);
    let (b_negative, b_whole, b_fraction) = parts(b);
    let a_zero = a_whole.is_empty() && a_fraction.is_empty();
    let b_zero = b_whole.is_empty() && b_fraction.is_empty();
    let a_sign = if a_zero {
        0
    } else if a_negative {
        -1
    } else {
        1
    };
    let b_sign = if b_zero {
        0
    } else if b_negative {
        -1
    } else {
        1
    };
    if a_sign != b_sign {
        return a_sign.cmp(&b_sign);
    }
    let magnitude = a_whole
        .len()
        .cmp(&b_whole.len())
        .then_with(|| a_whole.cmp(b_whole))
        .then_with(|| a_fraction.cmp(b_fraction));
    if a_sign < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

/// Sign, integer part without leading zeros, fraction without trailing zeros.
fn parts(s: &str) -> (bool, &str, &str) {
    let (negative, unsigned) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    (
        negative,
        whole.trim_start_matches('0'),
        fraction.trim_end_matches('0'),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for ok in ["0", "-0", "007.50", "12.5", "-3"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "-", ".5", "5.", "1e3", "+1", " 1", "1,5", "--1", "١"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn digits_and_order() {
        assert_eq!(decimal_digits("007.50"), (3, 2));
        assert_eq!(decimal_digits("0.05"), (2, 2));
        assert_eq!(decimal_digits("-120"), (3, 0));
        assert_eq!(compare_decimals("1.50", "1.5"), Ordering::Equal);
        assert_eq!(compare_decimals("-0", "0.00"), Ordering::Equal);
        assert_eq!(compare_decimals("-2", "-10"), Ordering::Greater);
        assert_eq!(compare_decimals("10", "9.99"), Ordering::Greater);
        assert_eq!(compare_decimals("0.1", "0.09"), Ordering::Greater);
        assert_eq!(compare_decimals("-0.1", "0"), Ordering::Less);
    }
}
