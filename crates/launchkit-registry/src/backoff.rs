//! Waits that double up to a cap: polling an index, retrying a failed request.

use std::time::Duration;

/// An endless schedule of waits: `first`, twice that, ... up to `max`, then `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at `first` and doubles up to `max`.
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff { next: first, max }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let wait = self.next.min(self.max);
        self.next = wait.saturating_mul(2);
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap() {
        let waits: Vec<u64> = Backoff::new(Duration::from_millis(100), Duration::from_millis(500))
            .take(5)
            .map(|d| d.as_millis() as u64)
            .collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
    }
}
