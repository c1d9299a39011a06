//! Index files: one JSON object per line, one line per published version.

use semver::Version;
use serde::Deserialize;

/// One version as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The crate name as published (original case).
    pub name: String,
    /// The version.
    pub version: Version,
    /// SHA-256 of the `.crate` file, lowercase hex.
    pub cksum: String,
    /// Yanked versions stay in the index but new lockfiles do not pick them.
    pub yanked: bool,
    /// The `rust-version` the crate declares, when it does.
    pub rust_version: Option<String>,
}

#[derive(Deserialize)]
struct Line {
    name: String,
    vers: String,
    #[serde(default)]
    cksum: String,
    #[serde(default)]
    yanked: bool,
    #[serde(default)]
    rust_version: Option<String>,
}

/// Parses an index file. Like cargo, skips lines it cannot read (a newer format, a
/// version that is not SemVer) rather than failing the whole crate.
///
/// ```
/// use launchkit_registry::parse_index;
///
/// let text = concat!(
///     r#"{"name":"demo","vers":"1.0.0","deps":[],"cksum":"aa","features":{},"yanked":false}"#, "\n",
///     r#"{"name":"demo","vers":"not a version","cksum":"bb"}"#, "\n",
///     r#"{"name":"demo","vers":"1.0.1","deps":[],"cksum":"cc","features":{},"yanked":true}"#, "\n",
/// );
/// let entries = parse_index(text);
/// let versions: Vec<String> = entries.iter().map(|entry| entry.version.to_string()).collect();
/// assert_eq!(versions, ["1.0.0", "1.0.1"]);
/// assert_eq!((entries[1].cksum.as_str(), entries[1].yanked), ("cc", true));
/// ```
pub fn parse_index(text: &str) -> Vec<IndexEntry> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .filter_map(|line| {
            let version = Version::parse(&line.vers).ok()?;
            Some(IndexEntry {
                name: line.name,
                version,
                cksum: line.cksum,
                yanked: line.yanked,
                rust_version: line.rust_version,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_versions_with_their_flags() {
        let text = concat!(
            r#"{"name":"demo","vers":"0.1.0","deps":[],"cksum":"aa","features":{},"yanked":false}"#,
            "\n",
            r#"{"name":"demo","vers":"0.2.0","deps":[],"cksum":"bb","features":{},"yanked":true,"rust_version":"1.70","v":2}"#,
            "\n\nnot json\n",
            r#"{"name":"demo","vers":"not-semver","cksum":"cc"}"#,
            "\n"
        );
        let entries = parse_index(text);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].version, Version::new(0, 1, 0));
        assert_eq!(
            (entries[0].cksum.as_str(), entries[0].yanked, entries[0].rust_version.as_deref()),
            ("aa", false, None)
        );
        assert_eq!(
            (entries[1].cksum.as_str(), entries[1].yanked, entries[1].rust_version.as_deref()),
            ("bb", true, Some("1.70"))
        );
    }
}
