//! Version bumps: SemVer 2.0 levels, and the edits that apply a version to a workspace.
//!
//! [`Bump`] moves a version by a level (`major`, `minor`, `patch`, the pre-release
//! counters `alpha`, `beta`, `rc`, `release`) or to an explicit `X.Y.Z`; the result is
//! always greater than the current version, or an error says why not. The levels do what
//! they name, as in cargo-release and npm: `major` on 0.4.2 gives 1.0.0. The 0.x
//! convention (a breaking change in 0.y needs only a minor bump) is [`is_breaking`],
//! which release checks use to tell whether a bump may carry breaking changes.
//! [`VersionPlan`] lists the manifest edits that set a new version (see `apply.rs`).

mod apply;

use std::fmt;
use std::str::FromStr;

use cargo_metadata::semver::{Prerelease, Version};

pub use apply::{FileChange, VersionPlan};

/// How to move a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bump {
    /// `X.0.0` of the next major (or the release of a `X.0.0` pre-release).
    Major,
    /// `x.Y.0` of the next minor (or the release of a `x.Y.0` pre-release).
    Minor,
    /// The next patch (or the release of a pre-release).
    Patch,
    /// The next `-alpha.N`.
    Alpha,
    /// The next `-beta.N`.
    Beta,
    /// The next `-rc.N`.
    Rc,
    /// The pre-release's release: `1.2.0-rc.2` gives `1.2.0`.
    Release,
    /// Exactly this version, which must be greater than the current one.
    Exact(Version),
}

/// Why a version could not be bumped or applied, in one line that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError(pub(crate) String);

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for VersionError {}

/// The pre-release channels, lowest first.
const CHANNELS: [&str; 3] = ["alpha", "beta", "rc"];

impl FromStr for Bump {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Bump, VersionError> {
        Ok(match text {
            "major" => Bump::Major,
            "minor" => Bump::Minor,
            "patch" => Bump::Patch,
            "alpha" => Bump::Alpha,
            "beta" => Bump::Beta,
            "rc" => Bump::Rc,
            "release" => Bump::Release,
            _ => Bump::Exact(Version::parse(text.strip_prefix('v').unwrap_or(text)).map_err(|err| {
                VersionError(format!(
                    "`{text}` is neither a level (major, minor, patch, alpha, beta, rc, release) nor a SemVer version X.Y.Z: {err}"
                ))
            })?),
        })
    }
}

/// The level's name, or the exact version: the text `Bump` parses from.
impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::Alpha => "alpha",
            Bump::Beta => "beta",
            Bump::Rc => "rc",
            Bump::Release => "release",
            Bump::Exact(version) => return version.fmt(f),
        })
    }
}

impl Bump {
    /// The version after `current`, always greater than it.
    ///
    /// ```
    /// use launchkit_workspace::version::Bump;
    ///
    /// let next = |bump: &str, current: &str| {
    ///     bump.parse::<Bump>().unwrap().apply(&current.parse().unwrap()).map(|v| v.to_string())
    /// };
    /// assert_eq!(next("minor", "0.4.2").unwrap(), "0.5.0");
    /// assert_eq!(next("major", "0.4.2").unwrap(), "1.0.0");
    /// assert_eq!(next("rc", "1.0.0-beta.2").unwrap(), "1.0.0-rc.1");
    /// assert_eq!(next("release", "1.0.0-rc.1").unwrap(), "1.0.0");
    /// assert_eq!(next("1.0.0", "1.2.0").unwrap_err().to_string(), "1.0.0 is not above the current version 1.2.0: pick a higher version");
    /// ```
    pub fn apply(&self, current: &Version) -> Result<Version, VersionError> {
        let pre = !current.pre.is_empty();
        let (major, minor, patch) = (current.major, current.minor, current.patch);
        let next = match self {
            Bump::Major if pre && minor == 0 && patch == 0 => Version::new(major, 0, 0),
            Bump::Major => Version::new(major + 1, 0, 0),
            Bump::Minor if pre && patch == 0 => Version::new(major, minor, 0),
            Bump::Minor => Version::new(major, minor + 1, 0),
            Bump::Patch if pre => Version::new(major, minor, patch),
            Bump::Patch => Version::new(major, minor, patch + 1),
            Bump::Alpha => next_pre(current, "alpha")?,
            Bump::Beta => next_pre(current, "beta")?,
            Bump::Rc => next_pre(current, "rc")?,
            Bump::Release if pre => Version::new(major, minor, patch),
            Bump::Release => {
                return Err(VersionError(format!(
                    "{current} is not a pre-release: use patch, minor or major"
                )));
            }
            Bump::Exact(version) => version.clone(),
        };
        if next <= *current {
            return Err(VersionError(format!(
                "{next} is not above the current version {current}: pick a higher version"
            )));
        }
        Ok(next)
    }
}

/// The next pre-release on `channel`: its counter plus one on the same channel, `.1` on a
/// later channel, or the next patch's `.1` after a release.
fn next_pre(current: &Version, channel: &str) -> Result<Version, VersionError> {
    let mut next = Version::new(current.major, current.minor, current.patch);
    if current.pre.is_empty() {
        next.patch += 1;
    }
    let (on, counter) = match current.pre.as_str().split_once('.') {
        Some((name, number)) => (name, number.parse::<u64>().ok()),
        None => (current.pre.as_str(), Some(0)),
    };
    let rank = |name: &str| CHANNELS.iter().position(|known| *known == name);
    let number = match (rank(on), counter) {
        (Some(_), Some(counter)) if on == channel => counter + 1,
        (Some(at), _) if rank(channel) < Some(at) => {
            return Err(VersionError(format!(
                "{current} is already past {channel}: use {on}, release, or an explicit version"
            )));
        }
        _ => 1,
    };
    next.pre = Prerelease::new(&format!("{channel}.{number}")).expect("a valid pre-release");
    Ok(next)
}

/// True when `to` may break users of `from` under cargo's compatibility rules: the
/// leftmost non-zero component changed (major from 1.0, minor in 0.y, patch in 0.0.z).
/// Pre-releases are compared by their release numbers.
///
/// ```
/// use launchkit_workspace::version::is_breaking;
///
/// let v = |text: &str| text.parse().unwrap();
/// assert!(is_breaking(&v("0.4.2"), &v("0.5.0")));
/// assert!(!is_breaking(&v("0.4.2"), &v("0.4.3")));
/// assert!(!is_breaking(&v("1.4.2"), &v("1.5.0")));
/// assert!(is_breaking(&v("1.4.2"), &v("2.0.0")));
/// ```
pub fn is_breaking(from: &Version, to: &Version) -> bool {
    if from.major > 0 || to.major != from.major {
        return to.major != from.major;
    }
    if from.minor > 0 || to.minor != from.minor {
        return to.minor != from.minor;
    }
    to.patch != from.patch
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bump(level: &str, from: &str) -> Result<String, String> {
        let bump: Bump = level.parse().map_err(|err: VersionError| err.0)?;
        bump.apply(&Version::parse(from).unwrap()).map(|v| v.to_string()).map_err(|err| err.0)
    }

    /// Each `(level, from, to)` bumps `from` to `to`.
    fn assert_bumps(cases: &[(&str, &str, &str)]) {
        for (level, from, to) in cases {
            assert_eq!(bump(level, from).as_deref(), Ok(*to), "{level} from {from}");
        }
    }

    #[test]
    fn levels_move_the_named_component() {
        let cases = [
            ("major", "1.2.3", "2.0.0"),
            ("minor", "1.2.3", "1.3.0"),
            ("patch", "1.2.3", "1.2.4"),
            ("major", "0.4.2", "1.0.0"),
            ("minor", "0.4.2", "0.5.0"),
            ("patch", "0.0.3", "0.0.4"),
            ("patch", "1.2.3+build.5", "1.2.4"),
            ("major", "2.0.0-rc.1", "2.0.0"),
            ("major", "2.1.0-rc.1", "3.0.0"),
            ("minor", "1.3.0-beta.2", "1.3.0"),
            ("minor", "1.3.1-beta.2", "1.4.0"),
            ("patch", "1.3.1-beta.2", "1.3.1"),
            ("1.5.0", "1.2.3", "1.5.0"),
            ("v1.5.0", "1.2.3", "1.5.0"),
        ];
        assert_bumps(&cases);
    }

    #[test]
    fn a_bump_prints_as_it_is_written() {
        for text in ["major", "minor", "patch", "alpha", "beta", "rc", "release", "1.5.0-rc.1"] {
            assert_eq!(text.parse::<Bump>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn pre_release_counters_count_up_and_move_forward() {
        let cases = [
            ("alpha", "1.2.3", "1.2.4-alpha.1"),
            ("rc", "1.2.3", "1.2.4-rc.1"),
            ("rc", "1.3.0-rc.1", "1.3.0-rc.2"),
            ("alpha", "1.3.0-alpha.9", "1.3.0-alpha.10"),
            ("beta", "1.3.0-alpha.3", "1.3.0-beta.1"),
            ("rc", "1.3.0-beta", "1.3.0-rc.1"),
            ("beta", "1.3.0-beta", "1.3.0-beta.1"),
            ("release", "1.3.0-rc.2", "1.3.0"),
            ("release", "0.2.0-alpha.1", "0.2.0"),
        ];
        assert_bumps(&cases);
    }

    #[test]
    fn lower_or_equal_versions_are_refused_with_the_way_out() {
        assert_eq!(
            bump("1.2.3", "1.2.3").unwrap_err(),
            "1.2.3 is not above the current version 1.2.3: pick a higher version"
        );
        assert!(bump("1.0.0", "1.2.3").unwrap_err().contains("not above"));
        assert_eq!(
            bump("alpha", "1.3.0-rc.1").unwrap_err(),
            "1.3.0-rc.1 is already past alpha: use rc, release, or an explicit version"
        );
        assert_eq!(
            bump("release", "1.3.0").unwrap_err(),
            "1.3.0 is not a pre-release: use patch, minor or major"
        );
        // An unknown pre-release sorts above `alpha` ("dev" > "alpha"), so alpha.1 is lower.
        assert!(bump("alpha", "1.3.0-dev").unwrap_err().contains("not above"));
        assert!(bump("1.x", "1.0.0").unwrap_err().starts_with("`1.x` is neither a level"));
        assert!(bump("huge", "1.0.0").is_err());
    }

    #[test]
    fn breaking_follows_the_leftmost_non_zero_component() {
        let breaking = |from: &str, to: &str| {
            is_breaking(&Version::parse(from).unwrap(), &Version::parse(to).unwrap())
        };
        assert!(breaking("1.4.0", "2.0.0"));
        assert!(!breaking("1.4.0", "1.5.0"));
        assert!(breaking("0.4.2", "0.5.0"));
        assert!(!breaking("0.4.2", "0.4.3"));
        assert!(breaking("0.4.2", "1.0.0"));
        assert!(breaking("0.0.3", "0.0.4"));
        assert!(!breaking("1.0.0-rc.1", "1.0.0"));
    }
}
