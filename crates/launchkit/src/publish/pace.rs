//! Pacing uploads to the registry's published rate limits, so a large publish follows
//! the registry's schedule instead of running into HTTP 429s.
//!
//! A limit is a burst, then one upload per interval: a bucket of `burst` tokens, full at
//! the first upload, refilled with one token every interval. crates.io's are 5 new crates
//! then 1 per 10 minutes, and 30 new versions of existing crates then 1 per minute; the
//! environment's `rate-limit-new-crates` and `rate-limit-new-versions` set them for other
//! registries (or change them). The schedule gives the plan its estimate and the run its
//! waits, which are the registry's schedule rather than trouble, so they come out of no
//! waiting budget. A 429 that comes anyway (another publisher used the same account) is
//! still waited out by the retry policy.

use std::cell::Cell;
use std::time::{Duration, Instant};

use launchkit_registry::Registry;

use super::budget::parse_duration;
use crate::config::Environment;

/// A burst of uploads, then one per `every`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Uploads let through at once.
    pub burst: u32,
    /// Then one per this interval.
    pub every: Duration,
}

/// crates.io's limit on new crates.
const CRATES_IO_NEW_CRATES: Limit = Limit { burst: 5, every: Duration::from_secs(600) };
/// crates.io's limit on new versions of existing crates.
const CRATES_IO_NEW_VERSIONS: Limit = Limit { burst: 30, every: Duration::from_secs(60) };

impl Limit {
    /// `BURST/INTERVAL` (`5/10m`: 5 at once, then 1 every 10 minutes), or `none`.
    pub fn parse(text: &str) -> Result<Option<Limit>, String> {
        let text = text.trim();
        if text == "none" {
            return Ok(None);
        }
        let bad = || {
            format!(
                "`{text}` is not a rate limit: write BURST/INTERVAL, such as `5/10m` (5 at once, then 1 every 10 minutes), or `none`"
            )
        };
        let (burst, every) = text.split_once('/').ok_or_else(bad)?;
        let burst: u32 = burst.trim().parse().map_err(|_| bad())?;
        let every = parse_duration(every).map_err(|_| bad())?;
        if burst == 0 || every.is_zero() {
            return Err(bad());
        }
        Ok(Some(Limit { burst, every }))
    }

    /// The earliest start of the `k`th upload (from 0), after the first one started.
    fn earliest(self, k: u32) -> Duration {
        self.every * (k + 1).saturating_sub(self.burst)
    }
}

/// The limits a publish follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Uploads of crates the registry has no version of.
    pub new_crates: Option<Limit>,
    /// Uploads of new versions of crates it has.
    pub new_versions: Option<Limit>,
}

impl Limits {
    /// The environment's limits, else crates.io's on crates.io and none elsewhere. The
    /// values were checked when the environment was read.
    pub fn of(env: &Environment, registry: &Registry) -> Limits {
        let pick = |configured: &Option<String>, default: Limit| match configured {
            Some(text) => Limit::parse(text).expect("checked by config::environment"),
            None => registry.is_crates_io().then_some(default),
        };
        Limits {
            new_crates: pick(&env.rate_limit_new_crates, CRATES_IO_NEW_CRATES),
            new_versions: pick(&env.rate_limit_new_versions, CRATES_IO_NEW_VERSIONS),
        }
    }

    fn of_kind(&self, new_crate: bool) -> Option<Limit> {
        if new_crate { self.new_crates } else { self.new_versions }
    }

    /// The earliest start of each upload (`true` for a new crate), in order, after the
    /// first one started, uploads themselves taking no time.
    pub fn schedule(&self, uploads: impl IntoIterator<Item = bool>) -> Vec<Duration> {
        let mut counts = [0u32; 2];
        let mut at = Duration::ZERO;
        let mut starts = Vec::new();
        for new_crate in uploads {
            let count = &mut counts[usize::from(new_crate)];
            if let Some(limit) = self.of_kind(new_crate) {
                at = at.max(limit.earliest(*count));
            }
            *count += 1;
            starts.push(at);
        }
        starts
    }

    /// The plan's line: the uploads of each kind, the limits, and when the last upload can
    /// start. `None` without limits or uploads.
    pub fn summary(&self, registry: &str, uploads: &[bool]) -> Option<String> {
        if uploads.is_empty() || *self == Limits::default() {
            return None;
        }
        let new_crates = uploads.iter().filter(|new| **new).count();
        let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let limit = |limit: Option<Limit>| match limit {
            Some(Limit { burst, every }) => format!("{burst} then 1 per {}", span(every)),
            None => "no limit".into(),
        };
        let last = self.schedule(uploads.iter().copied()).last().copied().unwrap_or_default();
        let when = if last.is_zero() {
            "within the bursts, so no upload waits".to_owned()
        } else {
            format!("the last upload starts about {} after the first", span(last))
        };
        Some(format!(
            "{} and {} under `{registry}`'s limits (new crates: {}; new versions: {}): {when}",
            count(new_crates, "new crate"),
            count(uploads.len() - new_crates, "new version"),
            limit(self.new_crates),
            limit(self.new_versions),
        ))
    }
}

/// `45s`, `10m`, `1h 5m`: what the plan and progress lines show.
pub fn span(duration: Duration) -> String {
    let seconds = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
    let (hours, minutes, seconds) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let parts = [(hours, "h"), (minutes, "m"), (seconds, "s")];
    let shown: Vec<String> =
        parts.iter().filter(|(n, _)| *n > 0).map(|(n, unit)| format!("{n}{unit}")).collect();
    if shown.is_empty() { "0s".into() } else { shown.join(" ") }
}

/// A run's place in the schedule: the uploads of each kind so far, from the first one's
/// start.
#[derive(Debug, Default)]
pub struct Pacer {
    limits: Limits,
    first: Cell<Option<Instant>>,
    counts: Cell<[u32; 2]>,
}

impl Pacer {
    /// A pacer for `limits`, before any upload.
    pub fn new(limits: Limits) -> Pacer {
        Pacer { limits, ..Pacer::default() }
    }

    /// How long the next upload (of a new crate or not) must wait, and the limit that
    /// says so; nothing when it may go now. Counts the upload.
    pub fn next(&self, new_crate: bool) -> Option<(Duration, Limit)> {
        let first = self.first.get().unwrap_or_else(Instant::now);
        self.first.set(Some(first));
        let mut counts = self.counts.get();
        let count = &mut counts[usize::from(new_crate)];
        let k = *count;
        *count += 1;
        self.counts.set(counts);
        let limit = self.limits.of_kind(new_crate)?;
        let wait = (first + limit.earliest(k)).saturating_duration_since(Instant::now());
        (!wait.is_zero()).then_some((wait, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(n: u64) -> Duration {
        Duration::from_secs(60 * n)
    }

    #[test]
    fn limits_read_burst_and_interval() {
        assert_eq!(Limit::parse("5/10m"), Ok(Some(CRATES_IO_NEW_CRATES)));
        assert_eq!(Limit::parse(" 30/60 "), Ok(Some(CRATES_IO_NEW_VERSIONS)));
        assert_eq!(Limit::parse("none"), Ok(None));
        for bad in ["5", "0/1m", "5/0s", "x/1m", "5/soon", ""] {
            assert!(Limit::parse(bad).unwrap_err().contains("is not a rate limit"), "{bad}");
        }
    }

    #[test]
    fn the_schedule_lets_a_burst_through_then_one_per_interval() {
        let crates_io = Limits {
            new_crates: Some(CRATES_IO_NEW_CRATES),
            new_versions: Some(CRATES_IO_NEW_VERSIONS),
        };
        let starts = crates_io.schedule([true; 7]);
        assert_eq!(starts[..5], [Duration::ZERO; 5]);
        assert_eq!(starts[5..], [minutes(10), minutes(20)]);
        // Versions have their own bucket, but uploads go in order: one behind a paced new
        // crate starts after it.
        let starts = crates_io.schedule([true, true, true, true, true, true, false]);
        assert_eq!(starts[5..], [minutes(10), minutes(10)]);
        assert_eq!(crates_io.schedule([false; 32])[30..], [minutes(1), minutes(2)]);
        assert_eq!(Limits::default().schedule([true; 9]), [Duration::ZERO; 9]);
    }

    #[test]
    fn the_summary_says_when_the_last_upload_starts() {
        let crates_io = Limits {
            new_crates: Some(CRATES_IO_NEW_CRATES),
            new_versions: Some(CRATES_IO_NEW_VERSIONS),
        };
        let uploads: Vec<bool> = [[true; 7].as_slice(), &[false; 2]].concat();
        assert_eq!(
            crates_io.summary("crates-io", &uploads).unwrap(),
            "7 new crates and 2 new versions under `crates-io`'s limits (new crates: 5 then 1 per 10m; new versions: 30 then 1 per 1m): the last upload starts about 20m after the first"
        );
        assert_eq!(
            crates_io.summary("crates-io", &[false]).unwrap(),
            "0 new crates and 1 new version under `crates-io`'s limits (new crates: 5 then 1 per 10m; new versions: 30 then 1 per 1m): within the bursts, so no upload waits"
        );
        assert_eq!(Limits::default().summary("lk", &[true]), None);
        assert_eq!(span(Duration::from_secs(3900)), "1h 5m");
    }

    #[test]
    fn the_pacer_waits_only_past_the_burst() {
        let every = Duration::from_millis(200);
        let pacer =
            Pacer::new(Limits { new_crates: Some(Limit { burst: 1, every }), new_versions: None });
        assert_eq!(pacer.next(true), None);
        assert_eq!(pacer.next(false), None);
        let (wait, limit) = pacer.next(true).unwrap();
        assert!(wait <= every && wait > every / 2, "{wait:?}");
        assert_eq!(limit.burst, 1);
    }
}
