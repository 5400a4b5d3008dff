use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Earliest and latest times renown accepts: 1990-01-01 to 2100-01-01. Anything outside is a
/// corrupt field (milliseconds taken for seconds, a sign flip), not a real social-media event.
pub const MIN_TIME: i64 = 631_152_000;
/// See [`MIN_TIME`].
pub const MAX_TIME: i64 = 4_102_444_800;

/// Why a time was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TimeError {
    /// No form renown reads (the text, cut to 64 characters).
    #[error("unparseable time {0:?} (want unix seconds, RFC 3339 or YYYY-MM-DD)")]
    Unparseable(String),
    /// A time outside [`MIN_TIME`]..=[`MAX_TIME`].
    #[error("time {0} is outside 1990..2100")]
    OutOfRange(i64),
}

/// Parses unix seconds, RFC 3339 / ISO 8601 (with or without zone; UTC assumed), `YYYY-MM-DD`,
/// or the Twitter v1 form `Wed Oct 10 20:19:24 +0000 2018`.
pub fn parse_time(s: &str) -> Result<i64, TimeError> {
    let s = s.trim();
    let t = if let Ok(n) = s.parse::<i64>() {
        n
    } else if let Ok(f) = s.parse::<f64>() {
        if !f.is_finite() {
            return Err(TimeError::Unparseable(s.to_string()));
        }
        f as i64
    } else if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        d.timestamp()
    } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        d.and_utc().timestamp()
    } else if let Ok(d) = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f") {
        d.and_utc().timestamp()
    } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        d.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
            .timestamp()
    } else if let Ok(d) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        d.timestamp()
    } else if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        d.timestamp()
    } else {
        return Err(TimeError::Unparseable(s.chars().take(64).collect()));
    };
    check_range(t)
}

/// `t` itself if it lies within [`MIN_TIME`]..=[`MAX_TIME`].
pub fn check_range(t: i64) -> Result<i64, TimeError> {
    if (MIN_TIME..=MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(TimeError::OutOfRange(t))
    }
}

/// RFC 3339 in UTC with a `Z`, the form renown writes everywhere.
pub fn format_time(t: i64) -> String {
    let mut out = Vec::with_capacity(20);
    write_time(t, &mut out);
    String::from_utf8(out).expect("ASCII")
}

/// Appends [`format_time`]'s text to `out` without allocating: digits written by hand for
/// years 0-9999 (an export writes one per event, and chrono's formatter cost a quarter of it).
pub fn write_time(t: i64, out: &mut Vec<u8>) {
    let (y, mo, d) = crate::civil::civil_of_time(t);
    if !(0..=9999).contains(&y) {
        match Utc.timestamp_opt(t, 0).single() {
            Some(d) => out.extend_from_slice(d.format("%Y-%m-%dT%H:%M:%SZ").to_string().as_bytes()),
            None => out.extend_from_slice(t.to_string().as_bytes()),
        }
        return;
    }
    let secs = t.rem_euclid(86_400) as u32;
    let two = |x: u32| [b'0' + (x / 10) as u8, b'0' + (x % 10) as u8];
    let y = y as u32;
    let [a, b] = two(y / 100);
    let [c, e] = two(y % 100);
    let [mo1, mo2] = two(mo);
    let [d1, d2] = two(d);
    let [h1, h2] = two(secs / 3600);
    let [mi1, mi2] = two(secs / 60 % 60);
    let [s1, s2] = two(secs % 60);
    out.extend_from_slice(&[
        a, b, c, e, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2, b'Z',
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_common_forms() {
        assert_eq!(parse_time("1341100972"), Ok(1341100972));
        assert_eq!(parse_time("2012-07-01T00:02:52Z"), Ok(1341100972));
        assert_eq!(parse_time("2012-07-01T02:02:52+02:00"), Ok(1341100972));
        assert_eq!(parse_time("2012-07-01 00:02:52"), Ok(1341100972));
        assert_eq!(parse_time("2012-07-01"), Ok(1341100800));
        assert_eq!(parse_time("Sun Jul 01 00:02:52 +0000 2012"), Ok(1341100972));
        assert_eq!(format_time(1341100972), "2012-07-01T00:02:52Z");
    }

    /// The hand-written digits equal chrono's formatting across the whole valid range and
    /// beyond it (leap days, month ends, negative times).
    #[test]
    fn write_time_equals_chrono() {
        let chrono_text = |t: i64| {
            Utc.timestamp_opt(t, 0)
                .single()
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        };
        let mut t = -62_167_219_200; // 0000-01-01
        while t < 253_402_300_800 {
            // to 9999-12-31
            assert_eq!(format_time(t), chrono_text(t), "{t}");
            t += 86_400 * 13 + 3_677;
        }
        for t in [
            MIN_TIME,
            MAX_TIME,
            951_782_400,
            951_868_799,
            0,
            -1,
            1_341_100_972,
        ] {
            assert_eq!(format_time(t), chrono_text(t), "{t}");
        }
        assert_eq!(format_time(-62_167_219_201), chrono_text(-62_167_219_201));
    }

    #[test]
    fn rejects_garbage_and_out_of_range() {
        assert!(matches!(
            parse_time("yesterday"),
            Err(TimeError::Unparseable(_))
        ));
        assert_eq!(
            parse_time("1341100972000"),
            Err(TimeError::OutOfRange(1341100972000))
        );
        assert_eq!(parse_time("-5"), Err(TimeError::OutOfRange(-5)));
        assert!(parse_time("NaN").is_err());
    }
}
