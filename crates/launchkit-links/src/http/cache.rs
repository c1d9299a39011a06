//! Remembers which URLs answered with a success, and when, so a second run within the
//! time to live does not ask again. Failures and rate limits are never stored: they are
//! exactly what must be asked again.
//!
//! The file has one `<unix seconds> <url>` line per URL.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Successes with the time they were seen.
pub struct Cache {
    path: PathBuf,
    ttl: Duration,
    now: u64,
    checked: HashMap<String, u64>,
}

impl Cache {
    /// The cache stored at `path` (empty when missing or unreadable), keeping only
    /// entries younger than `ttl`.
    pub fn load(path: PathBuf, ttl: Duration) -> Cache {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let checked = text
            .lines()
            .filter_map(|line| {
                let (at, url) = line.split_once(' ')?;
                Some((url.to_owned(), at.parse::<u64>().ok()?))
            })
            .filter(|(_, at)| now.saturating_sub(*at) < ttl.as_secs())
            .collect();
        Cache { path, ttl, now, checked }
    }

    /// True when `url` succeeded within the time to live.
    pub fn is_fresh(&self, url: &str) -> bool {
        self.checked.get(url).is_some_and(|at| self.now.saturating_sub(*at) < self.ttl.as_secs())
    }

    /// Remembers that `url` succeeded now.
    pub fn insert(&mut self, url: &str) {
        self.checked.insert(url.to_owned(), self.now);
    }

    /// Writes the fresh entries back.
    pub fn save(&self) -> std::io::Result<()> {
        let mut lines: Vec<String> =
            self.checked.iter().map(|(url, at)| format!("{at} {url}\n")).collect();
        lines.sort_unstable();
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&self.path, lines.concat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_fresh_successes_and_forgets_old_ones() {
        let path =
            std::env::temp_dir().join(format!("launchkit-links-cache-{}", std::process::id()));
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        std::fs::write(
            &path,
            format!("{} https://old.org\n{} https://fresh.org\nnot a line\n", now - 7200, now - 60),
        )
        .unwrap();
        let mut cache = Cache::load(path.clone(), Duration::from_secs(3600));
        assert!(cache.is_fresh("https://fresh.org"));
        assert!(!cache.is_fresh("https://old.org"));
        cache.insert("https://new.org");
        cache.save().unwrap();
        let saved = std::fs::read_to_string(&path).unwrap();
        assert!(
            saved.contains(" https://new.org\n") && saved.contains(" https://fresh.org\n"),
            "{saved}"
        );
        assert!(!saved.contains("old.org"), "{saved}");
        std::fs::remove_file(path).unwrap();
    }
}
