//! Dates and times as HTML inputs send them (§2.13.1), checked for real days and times.

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Whether `s` is `YYYY-MM-DD`, a real day of the years 0001 to 9999.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) =
        (number(&s[0..4]), number(&s[5..7]), number(&s[8..10]))
    else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

/// Whether `s` is `HH:MM` or `HH:MM:SS`, from 00:00:00 to 23:59:59.
pub fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    let fields_ok =
        |h: &str, m: &str| matches!((number(h), number(m)), (Some(h), Some(m)) if h < 24 && m < 60);
    match b.len() {
        5 => b[2] == b':' && fields_ok(&s[0..2], &s[3..5]),
        8 => {
            b[2] == b':'
                && b[5] == b':'
                && fields_ok(&s[0..2], &s[3..5])
                && number(&s[6..8]).is_some_and(|sec| sec < 60)
        }
        _ => false,
    }
}

/// Whether `s` is a date, `T`, and a time.
pub fn is_datetime(s: &str) -> bool {
    match s.split_once('T') {
        Some((date, time)) => is_date(date) && is_time(time),
        None => false,
    }
}

/// A valid time, date-time or date written so that string order is time order: `HH:MM` becomes
/// `HH:MM:00`.
pub fn normalized_time(s: &str) -> String {
    let time_at = s.find('T').map_or(0, |i| i + 1);
    if s.len() - time_at == 5 && s[time_at..].contains(':') {
        format!("{s}:00")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("1900-02-29"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("0000-01-01"));
        assert!(!is_date("2024-13-01"));
        assert!(!is_date("2024-1-01"));
        assert!(!is_date("２０２４-01-01"));
        assert!(is_time("23:59:59"));
        assert!(is_time("00:00"));
        assert!(!is_time("24:00"));
        assert!(!is_time("12:60"));
        assert!(!is_time("12:00:60"));
        assert!(is_datetime("2024-02-29T08:30"));
        assert!(!is_datetime("2024-02-29 08:30"));
        assert_eq!(normalized_time("08:30"), "08:30:00");
        assert_eq!(normalized_time("2024-01-01T08:30"), "2024-01-01T08:30:00");
        assert_eq!(normalized_time("2024-01-01"), "2024-01-01");
    }
}
