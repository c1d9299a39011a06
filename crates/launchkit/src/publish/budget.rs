//! The ceiling on a run's waiting: every wait of a publish (429s, backoffs after 5xx and
//! broken connections, polling the index for a dependency or a fresh upload) comes out of
//! one budget, 15 minutes unless `--max-wait` or `LAUNCHKIT_PUBLISH_MAX_WAIT` says
//! otherwise. When a wait would pass it, the run stops with the resume command instead.
//! Pacing to the registry's published limits (`pace.rs`) is not trouble and is not
//! counted here.

use std::cell::Cell;
use std::time::{Duration, Instant};

use anyhow::bail;
use cargo_metadata::semver::Version;
use launchkit_registry::{IndexEntry, RegistryError, SparseIndex};

use super::engine::Stop;

/// The ceiling when neither the flag nor the variable sets one.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// The variable that sets the ceiling, for `publish` and `release` alike.
pub const MAX_WAIT_VAR: &str = "LAUNCHKIT_PUBLISH_MAX_WAIT";

/// What a run may still wait.
#[derive(Debug)]
pub struct Budget {
    limit: Duration,
    waited: Cell<Duration>,
}

impl Budget {
    /// A budget of `limit` in all.
    pub fn new(limit: Duration) -> Budget {
        Budget { limit, waited: Cell::new(Duration::ZERO) }
    }

    fn left(&self) -> Duration {
        self.limit.saturating_sub(self.waited.get())
    }

    fn spend(&self, duration: Duration) {
        self.waited.set(self.waited.get() + duration);
    }

    /// Sleeps `wait` when the budget allows it; a stop saying so when it does not.
    pub fn sleep(&self, wait: Duration, why: &str) -> Result<(), Stop> {
        if wait > self.left() {
            return Err(self.exhausted(&format!("{why}, {}s more", wait.as_secs())));
        }
        std::thread::sleep(wait);
        self.spend(wait);
        Ok(())
    }

    /// Polls until the index serves `name@version`; a registry that does not answer
    /// (refused, dropped, 5xx, 429) is polled again like one that does not serve it yet.
    pub fn wait_until_served(
        &self,
        index: &SparseIndex,
        name: &str,
        version: &Version,
    ) -> Result<IndexEntry, Stop> {
        let started = Instant::now();
        let result = index.wait_until_published(name, version, self.left());
        self.spend(started.elapsed());
        result.map_err(|err| match err {
            RegistryError::Timeout { last_error, .. } => {
                let last = last_error.map(|error| format!(" (last error: {error})"));
                self.exhausted(&format!(
                    "the index did not serve {name} {version}{}",
                    last.unwrap_or_default()
                ))
            }
            other => Stop::new(other.to_string()),
        })
    }

    fn exhausted(&self, what: &str) -> Stop {
        Stop::new(format!(
            "{what}: past the ceiling of {}s of waiting in all (--max-wait or {MAX_WAIT_VAR}); resume later",
            self.limit.as_secs()
        ))
    }
}

/// The ceiling: `flag`, else `LAUNCHKIT_PUBLISH_MAX_WAIT`, else 15 minutes.
pub fn max_wait(flag: Option<Duration>) -> anyhow::Result<Duration> {
    if let Some(limit) = flag {
        return Ok(limit);
    }
    match std::env::var(MAX_WAIT_VAR) {
        Ok(text) if !text.trim().is_empty() => match parse_duration(&text) {
            Ok(limit) => Ok(limit),
            Err(why) => bail!("{MAX_WAIT_VAR}={text} {why}"),
        },
        _ => Ok(DEFAULT_MAX_WAIT),
    }
}

/// `90`, `90s`, `15m` or `1h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let scale = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => 0,
    };
    match number.parse::<u64>() {
        Ok(count) if scale > 0 => Ok(Duration::from_secs(count * scale)),
        _ => Err("is not a duration: write seconds (`90`, `90s`), minutes (`15m`) or hours (`1h`)"
            .to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_seconds_minutes_and_hours() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration(" 1h "), Ok(Duration::from_secs(3600)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn a_wait_past_the_ceiling_stops_without_sleeping() {
        let budget = Budget::new(Duration::from_secs(5));
        let started = Instant::now();
        let stop = budget.sleep(Duration::from_secs(6), "rate limited (HTTP 429)").unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            stop.reason,
            "rate limited (HTTP 429), 6s more: past the ceiling of 5s of waiting in all (--max-wait or LAUNCHKIT_PUBLISH_MAX_WAIT); resume later"
        );
        budget.sleep(Duration::from_millis(10), "backing off").unwrap();
        assert_eq!(budget.left(), Duration::from_millis(4990));
    }
}
