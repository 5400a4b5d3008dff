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
    match Utc.timestamp_opt(t, 0).single() {
        Some(d) => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => t.to_string(),
    }
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
