//! Calendar dates as days since 1970-01-01, enough to age a database without a date crate.

use std::time::{SystemTime, UNIX_EPOCH};

/// A day, counted from 1970-01-01 (day 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i64);

impl Day {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i64 = parts.next()?.parse().ok()?;
        let month: i64 = parts.next()?.parse().ok()?;
        let day: i64 = parts.next()?.get(..2)?.parse().ok()?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return None;
        }
        Some(Day(days_from_civil(year, month, day)))
    }

    /// The day `time` falls on, in UTC.
    pub fn of(time: SystemTime) -> Day {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => after.as_secs() as i64,
            Err(before) => -(before.duration().as_secs() as i64),
        };
        Day(seconds.div_euclid(86_400))
    }

    /// Today, in UTC.
    pub fn today() -> Day {
        Day::of(SystemTime::now())
    }

    /// Days from `earlier` to `self`.
    pub fn since(self, earlier: Day) -> i64 {
        self.0 - earlier.0
    }
}

/// Howard Hinnant's `days_from_civil`: proleptic Gregorian calendar, exact for any year.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_from_the_epoch() {
        assert_eq!(Day::parse("1970-01-01"), Some(Day(0)));
        assert_eq!(Day::parse("2000-03-01"), Some(Day(11_017)));
        assert_eq!(Day::parse("2021-01-08").unwrap().since(Day::parse("2020-12-31").unwrap()), 8);
        assert_eq!(Day::parse("2021-13-01"), None);
        assert_eq!(Day::of(UNIX_EPOCH + std::time::Duration::from_secs(86_400 * 3 + 5)), Day(3));
    }
}
