//! Calendar arithmetic on the proleptic Gregorian calendar in UTC (Howard Hinnant's
//! `days_from_civil` / `civil_from_days`): the one place renown turns days into dates and back.

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 of year `y`, month `m` (1..=12), day `d`. A day past the month's end
/// rolls over into the next month; see [`checked_days_from_civil`] for a validated date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    // March-based years: the leap day falls at the end.
    let (y, mp) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// [`days_from_civil`], or `None` for a month outside 1..=12 or a day the month does not have.
pub fn checked_days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let month = u32::try_from(m).ok().filter(|m| (1..=12).contains(m))?;
    let day = u32::try_from(d).ok()?;
    (day >= 1 && day <= days_in_month(y, month)).then(|| days_from_civil(y, month, day))
}

/// How many days month `m` (1..=12) of year `y` has.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// (year, month 1..=12, day 1..=31) of a count of days since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) of a unix time, UTC.
pub fn civil_of_time(t: i64) -> (i64, u32, u32) {
    civil_from_days(t.div_euclid(DAY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn agrees_with_chrono_both_ways() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for days in (-800_000..800_000)
            .step_by(997)
            .chain([-1, 0, 59, 60, 11_016])
        {
            let date = epoch + chrono::Duration::days(days);
            let (y, m, d) = civil_from_days(days);
            assert_eq!((y, m, d), (date.year() as i64, date.month(), date.day()));
            assert_eq!(days_from_civil(y, m, d), days);
            assert_eq!(checked_days_from_civil(y, m as i64, d as i64), Some(days));
        }
    }

    #[test]
    fn checked_rejects_days_the_month_lacks() {
        assert_eq!(checked_days_from_civil(2024, 2, 29), Some(19_782));
        assert_eq!(checked_days_from_civil(2023, 2, 29), None);
        assert_eq!(checked_days_from_civil(1900, 2, 29), None);
        assert_eq!(checked_days_from_civil(2000, 2, 29), Some(11_016));
        assert_eq!(checked_days_from_civil(2023, 4, 31), None);
        assert_eq!(checked_days_from_civil(2023, 13, 1), None);
        assert_eq!(checked_days_from_civil(2023, 0, 1), None);
        assert_eq!(checked_days_from_civil(2023, 1, 0), None);
        assert_eq!(civil_of_time(1_341_100_972), (2012, 7, 1));
        assert_eq!(civil_of_time(-1), (1969, 12, 31));
    }
}
