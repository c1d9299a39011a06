//! Release dates as Keep a Changelog writes them: `YYYY-MM-DD` (ISO 8601), checked
//! against the calendar.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date was refused, in words fit for a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError(String);

impl Date {
    /// Today in UTC, the date a release made now carries.
    pub fn today() -> Date {
        let seconds =
            SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        Date::from_days(seconds / 86_400)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days(days: u64) -> Date {
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + u64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// Days from 1970-01-01 to this date (Howard Hinnant's `days_from_civil`); dates
    /// before 1970 count as 0.
    pub fn days(self) -> u64 {
        let year = u64::from(self.year) - u64::from(self.month <= 2);
        let era = year / 400;
        let yoe = year - era * 400;
        let month = u64::from(self.month);
        let doy =
            (153 * if month > 2 { month - 3 } else { month + 9 } + 2) / 5 + u64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe).saturating_sub(719_468)
    }

    /// The ISO 8601 day of the week: 1 for Monday to 7 for Sunday.
    pub fn weekday(self) -> u8 {
        // 1970-01-01 was a Thursday.
        ((self.days() + 3) % 7 + 1) as u8
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let shape = text.len() == 10
            && text.bytes().enumerate().all(|(at, byte)| {
                if at == 4 || at == 7 { byte == b'-' } else { byte.is_ascii_digit() }
            });
        if !shape {
            return Err(DateError(format!("`{text}` is not a date written YYYY-MM-DD")));
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
        let (year, month, day) = (number(0..4), number(5..7) as u8, number(8..10) as u8);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DateError(format!("`{text}` is not a day of the calendar")));
        }
        Ok(Date { year, month, day })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_iso_and_real() {
        assert_eq!("2024-02-29".parse::<Date>().unwrap().to_string(), "2024-02-29");
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "2024-01-01 ",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn days_since_the_epoch_become_dates() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(19_782).to_string(), "2024-02-29");
        assert_eq!(Date::from_days(20_454).to_string(), "2026-01-01");
        assert!(Date::today() > "2024-01-01".parse().unwrap());
    }

    #[test]
    fn dates_count_back_to_the_epoch_and_know_their_weekday() {
        for days in [0, 59, 60, 365, 11_016, 19_782, 20_454, 47_541] {
            assert_eq!(Date::from_days(days).days(), days);
        }
        let weekday = |text: &str| text.parse::<Date>().unwrap().weekday();
        assert_eq!(weekday("1970-01-01"), 4);
        assert_eq!(weekday("2024-05-03"), 5);
        assert_eq!(weekday("2024-02-29"), 4);
        assert_eq!(weekday("2025-06-01"), 7);
        assert_eq!(weekday("2000-03-06"), 1);
    }
}
