//! Dates and times for the tasks that record what they did: the local date a release
//! is judged on, and UTC timestamps for the deployment log.

use std::time::{SystemTime, UNIX_EPOCH};

use launchkit_changelog::Date;
use xshell::{Shell, cmd};

/// Today in the local time zone, as `date` prints it; UTC when `date` cannot say (the
/// standard library knows no time zones, and the release date is a human's day).
pub fn local_date(sh: &Shell) -> Date {
    let local = cmd!(sh, "date +%Y-%m-%d").quiet().ignore_stderr().read();
    local.ok().and_then(|text| text.trim().parse().ok()).unwrap_or_else(Date::today)
}

/// `time` as RFC 3339 in UTC, to the second: `2024-05-03T14:07:59Z`.
pub fn timestamp(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (hour, minute, second) = (rest / 3_600, rest % 3_600 / 60, rest % 60);
    format!("{}T{hour:02}:{minute:02}:{second:02}Z", Date::from_days(days))
}

/// Now, as [`timestamp`] writes it.
pub fn now() -> String {
    timestamp(SystemTime::now())
}

/// The English name of an ISO weekday (1 is Monday).
pub fn weekday_name(weekday: u8) -> &'static str {
    const NAMES: [&str; 7] =
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    NAMES[usize::from(weekday.clamp(1, 7)) - 1]
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn timestamps_are_rfc_3339_in_utc() {
        assert_eq!(timestamp(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        let leap_day = UNIX_EPOCH + Duration::from_secs(19_782 * 86_400 + 13 * 3_600 + 5 * 60 + 9);
        assert_eq!(timestamp(leap_day), "2024-02-29T13:05:09Z");
    }

    #[test]
    fn weekdays_have_names() {
        assert_eq!(weekday_name(1), "Monday");
        assert_eq!(weekday_name(5), "Friday");
        assert_eq!(weekday_name(7), "Sunday");
    }
}
