//! Version ranges of advisories, such as `>= 0.6.14, < 1.0.0` or `^0.1`.
//!
//! They are written as cargo requirements, but cargo's matching hides pre-releases from
//! any requirement that does not name one: `>= 1.6.1` does not match `2.0.0-alpha.1`.
//! For a patched range that would call a pre-release vulnerable, so ranges here compare
//! versions by their order alone, as the RustSec tools do.

use std::fmt;

use semver::{Comparator, Op, Prerelease, Version, VersionReq};

/// A set of versions: every comparator must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    req: VersionReq,
    /// As the advisory writes it, for messages.
    text: String,
}

impl Range {
    /// Parses `>= 1.2.0, < 2.0.0`, `^0.1`, `=0.2.0`, ...
    pub fn parse(text: &str) -> Result<Range, semver::Error> {
        Ok(Range { req: VersionReq::parse(text)?, text: text.trim().to_owned() })
    }

    /// True when `version` is in the range.
    pub fn contains(&self, version: &Version) -> bool {
        let version = Version { build: semver::BuildMetadata::EMPTY, ..version.clone() };
        self.req.comparators.iter().all(|comparator| holds(comparator, &version))
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn holds(comparator: &Comparator, version: &Version) -> bool {
    let floor = Version {
        major: comparator.major,
        minor: comparator.minor.unwrap_or(0),
        patch: comparator.patch.unwrap_or(0),
        pre: comparator.pre.clone(),
        build: semver::BuildMetadata::EMPTY,
    };
    // The first version past what the comparator names: `1.2` names all of 1.2.x.
    let after_named = || match (comparator.minor, comparator.patch) {
        (None, _) => lowest(comparator.major + 1, 0, 0),
        (Some(minor), None) => lowest(comparator.major, minor + 1, 0),
        (Some(minor), Some(patch)) => lowest(comparator.major, minor, patch + 1),
    };
    match comparator.op {
        Op::Exact | Op::Wildcard if comparator.patch.is_some() => *version == floor,
        Op::Exact | Op::Wildcard => floor <= *version && *version < after_named(),
        Op::Greater => {
            *version >= after_named() || (comparator.patch.is_some() && *version > floor)
        }
        Op::GreaterEq => *version >= floor,
        Op::Less => *version < floor,
        Op::LessEq => *version < after_named() || *version == floor,
        Op::Tilde => floor <= *version && *version < tilde_end(comparator),
        Op::Caret => floor <= *version && *version < caret_end(comparator),
        _ => false,
    }
}

/// `~1.2.3` and `~1.2` end before 1.3.0; `~1` before 2.0.0.
fn tilde_end(comparator: &Comparator) -> Version {
    match comparator.minor {
        Some(minor) => lowest(comparator.major, minor + 1, 0),
        None => lowest(comparator.major + 1, 0, 0),
    }
}

/// `^` allows changes that do not modify the left-most non-zero part.
fn caret_end(comparator: &Comparator) -> Version {
    match (comparator.major, comparator.minor, comparator.patch) {
        (0, Some(0), Some(patch)) => lowest(0, 0, patch + 1),
        (0, Some(minor), _) => lowest(0, minor + 1, 0),
        (0, None, _) => lowest(1, 0, 0),
        (major, _, _) => lowest(major + 1, 0, 0),
    }
}

/// The lowest version of `major.minor.patch`: its first pre-release, `-0`.
fn lowest(major: u64, minor: u64, patch: u64) -> Version {
    Version {
        major,
        minor,
        patch,
        pre: Prerelease::new("0").expect("`0` is a pre-release"),
        build: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(range: &str, version: &str) -> bool {
        Range::parse(range).unwrap().contains(&Version::parse(version).unwrap())
    }

    #[test]
    fn ranges_of_the_advisory_database() {
        assert!(contains(">= 0.6.14, < 1.0.0", "0.6.14"));
        assert!(!contains(">= 0.6.14, < 1.0.0", "1.0.0"));
        assert!(contains(">= 1.6.1", "1.6.1"));
        assert!(!contains(">= 1.6.1", "1.6.0"));
        assert!(contains("^0.1", "0.1.43"));
        assert!(!contains("^0.1", "0.2.0"));
        assert!(contains("=0.2.3", "0.2.3"));
        assert!(!contains("=0.2.3", "0.2.4"));
        assert!(contains("< 0.10.0, >= 0.9.3", "0.9.4"));
        assert!(contains("> 1.2", "1.3.0") && !contains("> 1.2", "1.2.9"));
        assert!(contains("<= 1.2", "1.2.9") && !contains("<= 1.2", "1.3.0"));
        assert!(contains("~1.2.3", "1.2.9") && !contains("~1.2.3", "1.3.0"));
        assert!(contains("^0.0.3", "0.0.3") && !contains("^0.0.3", "0.0.4"));
        assert!(contains("1.*", "1.9.0") && !contains("1.*", "2.0.0"));
    }

    #[test]
    fn pre_releases_are_ordered_not_hidden() {
        assert!(contains(">= 1.6.1", "2.0.0-alpha.1"));
        assert!(!contains(">= 1.6.1", "1.6.1-rc.1"));
        assert!(contains("< 1.0.0", "1.0.0-beta"));
        assert!(contains(">= 1.0.0", "1.0.0+build.5"));
    }
}
