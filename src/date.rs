//! Calendar dates (`YYYY-MM-DD`, proleptic Gregorian), stored as a day number so that they
//! order and form intervals like counts do.

use std::fmt;

/// A calendar date, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// The date for a year, month (1–12) and day, if that day exists.
    pub fn from_ymd(year: i64, month: u32, day: u32) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        // Howard Hinnant's days_from_civil.
        let y = if month <= 2 { year - 1 } else { year };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(month);
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Parses `YYYY-MM-DD`; `None` if the text is not of that form or the day does not exist.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return None;
        }
        Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The day number (days since 1970-01-01).
    pub fn days(self) -> i64 {
        self.0
    }

    /// The date with this day number.
    pub fn from_days(days: i64) -> Date {
        Date(days)
    }

    /// Year, month and day.
    pub fn ymd(self) -> (i64, u32, u32) {
        // Howard Hinnant's civil_from_days.
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, u32::try_from(m).unwrap_or(1), u32::try_from(d).unwrap_or(1))
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        for text in ["1970-01-01", "2000-02-29", "2024-03-22", "2026-01-01", "0001-01-01", "9999-12-31"] {
            let date = Date::parse(text).unwrap();
            assert_eq!(date.to_string(), text);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().days(), 1);
        assert!(Date::parse("2024-03-21") < Date::parse("2024-03-22"));
        let a = Date::parse("2024-02-28").unwrap();
        assert_eq!(Date::from_days(a.days() + 1).to_string(), "2024-02-29");
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        for text in ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-1-01", "1900-02-29", "+999-01-01"] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
    }
}
