//! Fast paths for the timestamps the JSON exports write on every record. `parse_time` tries
//! integer, float and several chrono formats in turn (5-7 % of a reader's time); the exact
//! common shapes are read by hand here, and anything else goes to `parse_time`, which decides.

use renown_model::civil::checked_days_from_civil;
use renown_model::{check_range, parse_time, TimeError};

/// `2026-01-03T02:57:45.138Z` / `2022-11-08T16:13:48Z` (UTC, `Z`, 0-9 fraction digits) read by
/// hand; `None` for any other shape or an odd value (leap second, impossible day).
fn rfc3339_utc(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
        return None;
    }
    if b[16] != b':' || *b.last()? != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b[r].iter().try_fold(0i64, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + (c - b'0') as i64)
        })
    };
    let frac = &b[19..b.len() - 1];
    match frac {
        [] => {}
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
        }
        _ => return None,
    }
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || sec > 59 {
        return None;
    }
    let days = checked_days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?)?;
    Some(days * 86_400 + h * 3600 + mi * 60 + sec)
}

/// [`parse_time`], with the common RFC 3339 UTC shape read by hand.
pub fn parse(s: &str) -> Result<i64, TimeError> {
    match rfc3339_utc(s) {
        Some(t) => check_range(t),
        None => parse_time(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_parse_time() {
        for s in [
            "2026-01-03T02:57:45.138Z",
            "2022-11-08T16:13:48Z",
            "2024-02-29T23:59:59.999999999Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "2000-03-01T00:00:00.0Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            assert!(rfc3339_utc(s).is_some(), "{s}");
            assert_eq!(parse(s), parse_time(s), "{s}");
        }
        // Other shapes and odd values go to parse_time, which decides.
        for s in [
            "2023-02-29T12:00:00Z",
            "2023-02-18T24:00:00Z",
            "2023-02-18T12:00:60Z",
            "2023-02-18t12:00:00z",
            "2023-02-18T12:00:00+01:00",
            "2023-02-18T12:00:00.Z",
            "2023-02-18T12:00:00.1234567890Z",
            "2023-2-18T12:00:00Z",
            " 2023-02-18T12:00:00Z",
            "+2023-02-18T12:00:00Z",
            "2023-02-18T12:00:00",
            "",
        ] {
            assert_eq!(rfc3339_utc(s), None, "{s}");
            assert_eq!(parse(s), parse_time(s), "{s}");
        }
    }
}
