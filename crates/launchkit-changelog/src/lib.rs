//! [Keep a Changelog 1.1.0](https://keepachangelog.com/en/1.1.0/) for release tooling.
//!
//! [`Changelog::parse`] reads a `CHANGELOG.md` into its title, entries (`[Unreleased]` and
//! releases, each with version, date, yanked marker and sections) and link reference
//! definitions, every part with its line number. [`lint`] returns findings,
//! [`Changelog::promote`] turns `[Unreleased]` into a release, [`Changelog::with_section`]
//! adds an empty section under it, and [`Changelog::notes`] returns one version's release
//! notes. Parsing never fails: whatever the text, the
//! result describes what was found and the lint says what is wrong.
//!
//! # Example
//!
//! Lint a changelog, promote its `[Unreleased]` entry to 0.2.0 (the compare links
//! follow), then read the release notes of the new version:
//!
//! ```
//! use launchkit_changelog::{Changelog, Date, Version, lint};
//!
//! let text = concat!(
//!     "# Changelog\n\n",
//!     "## [Unreleased]\n\n### Added\n\n- `--json` output.\n\n",
//!     "## [0.1.0] - 2024-04-02\n\n### Added\n\n- First release.\n\n",
//!     "[Unreleased]: https://github.com/o/r/compare/v0.1.0...HEAD\n",
//!     "[0.1.0]: https://github.com/o/r/releases/tag/v0.1.0\n",
//! );
//! let changelog = Changelog::parse(text);
//! assert!(lint(&changelog, "CHANGELOG.md").is_empty());
//! assert_eq!(changelog.releases().count(), 1);
//!
//! let version = Version::new(0, 2, 0);
//! let promoted = changelog.promote(&version, "2024-05-01".parse::<Date>().unwrap()).unwrap();
//! assert!(promoted.contains("## [Unreleased]\n\n## [0.2.0] - 2024-05-01\n"));
//! assert!(promoted.contains("[0.2.0]: https://github.com/o/r/compare/v0.1.0...v0.2.0\n"));
//!
//! let released = Changelog::parse(promoted);
//! assert!(lint(&released, "CHANGELOG.md").is_empty());
//! assert_eq!(released.notes(&version).unwrap(), "### Added\n\n- `--json` output.");
//! ```
//!
//! A changelog with a problem gets a finding at its line, with the fix:
//!
//! ```
//! use launchkit_changelog::{Changelog, lint};
//!
//! let changelog = Changelog::parse("# Changelog\n\n## Unreleased\n\n## 0.1.0 - 2024-13-01\n");
//! let findings = lint(&changelog, "CHANGELOG.md");
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].location().as_deref(), Some("CHANGELOG.md:5"));
//! assert_eq!(findings[0].message, "release `0.1.0`: `2024-13-01` is not a day of the calendar");
//! assert_eq!(findings[0].fix.as_deref(), Some("write the heading as `## [0.1.0] - YYYY-MM-DD`"));
//! ```

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod date;
mod links;
mod lint;
mod parse;
mod promote;
mod scaffold;

use std::ops::Range;

pub use date::{Date, DateError};
pub use lint::{SECTIONS, lint};
pub use promote::PromoteError;
pub use semver::Version;

/// A parsed changelog. Owns its text, so edits can preserve every byte they do not touch.
#[derive(Debug, Clone)]
pub struct Changelog {
    text: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
    /// The level-1 heading, usually `Changelog`.
    pub title: Option<Heading>,
    /// The lines before the first entry: title, introduction, comments.
    pub preamble: Range<u32>,
    /// The release headings (`[Unreleased]` and releases), in file order: level 2, or
    /// level 1 in a file whose releases are level-1 headings (`# 24.03 (2024-03-30)`).
    pub entries: Vec<Entry>,
    /// Link reference definitions (`[label]: url`), in file order.
    pub links: Vec<LinkDef>,
}

/// A heading: its 1-based line and its text without the `#` marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1-based line of the heading.
    pub line: u32,
    /// Its last line: the underline of a setext heading, else `line`.
    pub last_line: u32,
    /// The heading's source text without the `#` marks, trimmed.
    pub text: String,
}

/// One release heading and what follows it: `[Unreleased]` or a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The heading.
    pub heading: Heading,
    /// The version or `Unreleased` as written, without brackets (`v1.2.0`, `1.2.0`).
    pub label: String,
    /// The label as a version ([`version_of`]); `None` for `[Unreleased]` and for labels
    /// that are not versions.
    pub version: Option<Version>,
    /// Whatever follows the label and its separator (`2024-05-01`, `ReleaseDate`).
    pub date: Option<String>,
    /// The text between the label and the date, such as ` - ` or ` — `.
    pub separator: String,
    /// The heading carries `[YANKED]`.
    pub yanked: bool,
    /// How the heading links to its changes.
    pub link: HeadingLink,
    /// The sections one level below the heading (`###` under `##`), in file order.
    pub sections: Vec<Section>,
    /// Lines after the heading up to the next entry or the closing link definitions.
    pub body: Range<u32>,
}

/// How an entry's heading links to its changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadingLink {
    /// Plain text: `## 1.2.0 - 2024-05-01`.
    None,
    /// `## [1.2.0]` (or `[1.2.0][label]`): needs a `[label]: url` definition.
    Reference(String),
    /// `## [1.2.0](https://...)`.
    Inline(String),
}

/// A section of an entry: `### Added` under `## [1.2.0]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading.
    pub heading: Heading,
    /// Lines after the heading up to the next section or entry.
    pub body: Range<u32>,
    /// Nothing but blank lines under the heading.
    pub is_empty: bool,
}

/// A link reference definition: `[label]: url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDef {
    /// The label as written.
    pub label: String,
    /// The destination.
    pub url: String,
    /// 1-based line where the definition starts.
    pub line: u32,
}

impl Entry {
    /// True for the `[Unreleased]` entry.
    pub fn is_unreleased(&self) -> bool {
        self.label.eq_ignore_ascii_case("unreleased")
    }

    /// The section called `name`, if the entry has one.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|section| section.heading.text == name)
    }
}

impl Changelog {
    /// Parses `text`. Never fails: malformed parts are described, and [`lint`] reports them.
    ///
    /// ```
    /// use launchkit_changelog::{Changelog, HeadingLink, Version};
    ///
    /// let text = "# Changelog\n\n## [Unreleased]\n\n## v1.2.0 - 2024-05-01 [YANKED]\n\n### Fixed\n\n- A crash.\n";
    /// let changelog = Changelog::parse(text);
    /// assert_eq!(changelog.title.as_ref().unwrap().text, "Changelog");
    /// assert!(changelog.unreleased().is_some());
    ///
    /// let release = changelog.release(&Version::new(1, 2, 0)).unwrap();
    /// assert_eq!((release.heading.line, release.label.as_str()), (5, "v1.2.0"));
    /// assert_eq!(release.date.as_deref(), Some("2024-05-01"));
    /// assert!(release.yanked);
    /// assert_eq!(release.link, HeadingLink::None);
    /// assert_eq!(release.section("Fixed").unwrap().heading.line, 7);
    /// assert_eq!(changelog.text(), text);
    /// ```
    pub fn parse(text: impl Into<String>) -> Changelog {
        parse::parse(text.into())
    }

    /// The whole text, exactly as parsed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `[Unreleased]` entry.
    pub fn unreleased(&self) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.is_unreleased())
    }

    /// Entries that are releases, newest first as written.
    pub fn releases(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|entry| !entry.is_unreleased())
    }

    /// The release of `version`, matched as SemVer (so `v1.2.0` is `1.2.0`).
    pub fn release(&self, version: &Version) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.version.as_ref() == Some(version))
    }

    /// The link definition for `label`, matched case-insensitively as markdown does.
    pub fn link(&self, label: &str) -> Option<&LinkDef> {
        // Most labels are ASCII: compare without allocating, and fold Unicode case only
        // when either side needs it (the wanted label at most once).
        let wanted = std::cell::OnceCell::new();
        self.links.iter().find(|def| {
            def.label.eq_ignore_ascii_case(label)
                || (!(def.label.is_ascii() && label.is_ascii())
                    && def.label.to_lowercase() == *wanted.get_or_init(|| label.to_lowercase()))
        })
    }

    /// Where `entry`'s heading points: its inline link or its definition's URL.
    pub fn entry_url<'a>(&'a self, entry: &'a Entry) -> Option<&'a str> {
        match &entry.link {
            HeadingLink::None => None,
            HeadingLink::Inline(url) => Some(url),
            HeadingLink::Reference(label) => self.link(label).map(|def| def.url.as_str()),
        }
    }

    /// The release notes of `version`: its body without surrounding blank lines.
    ///
    /// ```
    /// use launchkit_changelog::{Changelog, Version};
    ///
    /// let changelog = Changelog::parse("## [1.0.0] - 2024-05-01\n\n### Added\n\n- Everything.\n\n## [0.1.0] - 2024-01-01\n\n- First.\n");
    /// assert_eq!(changelog.notes(&Version::new(1, 0, 0)).unwrap(), "### Added\n\n- Everything.");
    /// assert_eq!(changelog.notes(&Version::new(0, 1, 0)).unwrap(), "- First.");
    /// assert_eq!(changelog.notes(&Version::new(2, 0, 0)), None);
    /// ```
    pub fn notes(&self, version: &Version) -> Option<String> {
        self.release(version).map(|entry| self.body_text(entry))
    }

    /// An entry's body without the blank lines around it, nor trailing HTML comments such
    /// as cargo-release's `<!-- next-url -->` marker.
    pub fn body_text(&self, entry: &Entry) -> String {
        let mut lines: Vec<&str> = entry.body.clone().map(|line| self.line(line)).collect();
        while lines.last().is_some_and(|line| line.trim().is_empty() || is_comment(line)) {
            lines.pop();
        }
        let start = lines.iter().position(|line| !line.trim().is_empty()).unwrap_or(lines.len());
        lines[start..].join("\n")
    }

    /// Line `number` (1-based) without its line ending; empty past the end.
    pub fn line(&self, number: u32) -> &str {
        let bytes = self.line_bytes(number);
        let line = &self.text[bytes];
        let line = line.strip_suffix('\n').unwrap_or(line);
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// Number of lines.
    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// Byte range of line `number` (1-based), line ending included.
    fn line_bytes(&self, number: u32) -> Range<usize> {
        let index = number as usize;
        if index == 0 || index > self.line_starts.len() {
            return self.text.len()..self.text.len();
        }
        let start = self.line_starts[index - 1];
        let end = self.line_starts.get(index).copied().unwrap_or(self.text.len());
        start..end
    }

    /// 1-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> u32 {
        self.line_starts.partition_point(|&start| start <= offset) as u32
    }
}

/// The version a release label names: SemVer with an optional `v` (`1.2.0`, `v1.2.0`),
/// or a calendar version (`24.03`, `24.03.1`, `2024.01.15`), which is the SemVer version
/// without the zeros that pad its month and day: `24.03` is 24.3.0, the version cargo
/// knows the release by.
///
/// ```
/// use launchkit_changelog::{Version, version_of};
///
/// assert_eq!(version_of("v1.2.0"), Some(Version::new(1, 2, 0)));
/// assert_eq!(version_of("24.03"), Some(Version::new(24, 3, 0)));
/// assert_eq!(version_of("Unreleased"), None);
/// ```
pub fn version_of(label: &str) -> Option<Version> {
    let bare = label.strip_prefix(['v', 'V']).unwrap_or(label);
    Version::parse(bare).ok().or_else(|| calendar_version(bare))
}

/// `YY.MM`, `YYYY.MM`, optionally `.N`: a year, a month of two digits, a patch or day.
pub(crate) fn calendar_version(label: &str) -> Option<Version> {
    let parts: Vec<&str> = label.split('.').collect();
    let digits = |part: &&str| {
        !part.is_empty() && part.len() <= 4 && part.bytes().all(|b| b.is_ascii_digit())
    };
    if !(2..=3).contains(&parts.len()) || !parts.iter().all(digits) {
        return None;
    }
    let number = |index: usize| parts.get(index).map_or(Some(0), |part| part.parse::<u64>().ok());
    let (year, month, patch) = (number(0)?, number(1)?, number(2)?);
    let year_shaped = parts[0].len() == 2 || (parts[0].len() == 4 && (1900..2200).contains(&year));
    (year_shaped && parts[1].len() == 2 && (1..=12).contains(&month))
        .then(|| Version::new(year, month, patch))
}

/// A line that holds only an HTML comment, such as `<!-- next-header -->`.
fn is_comment(line: &str) -> bool {
    let line = line.trim();
    line.starts_with("<!--") && line.ends_with("-->")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_versions_are_versions_without_their_padding() {
        let v = |text: &str| version_of(text).map(|version| version.to_string());
        assert_eq!(v("24.03").as_deref(), Some("24.3.0"));
        assert_eq!(v("v24.03.1").as_deref(), Some("24.3.1"));
        assert_eq!(v("2024.03.05").as_deref(), Some("2024.3.5"));
        assert_eq!(v("1.2.0").as_deref(), Some("1.2.0"));
        for not_a_version in ["1.2", "24.13", "24.3", "24", "next", "24.03.x", "3024.01"] {
            assert_eq!(v(not_a_version), None, "{not_a_version}");
        }
    }
}
