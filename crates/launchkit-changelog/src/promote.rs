//! Promotion: `[Unreleased]` becomes `[X.Y.Z] - YYYY-MM-DD` under a fresh, empty
//! `[Unreleased]`, and the compare links follow.
//!
//! The edit is line-based: the `[Unreleased]` heading line, its link definition line, and
//! the lines inserted next to them. Every other byte of the file is copied as it was, line
//! endings included. The new heading copies the file's own style from the latest release
//! (brackets, `v` prefix, separator, inline or reference link) and the new links copy the
//! file's own URL and tag pattern (`v1.2.0`, `1.2.0`, `my-crate-v1.2.0`).

use std::collections::BTreeMap;
use std::fmt;

use crate::links::{compare, repo_base, split_tag, tag_page};
use crate::{Changelog, Date, Entry, HeadingLink, Version, is_comment};

/// Why `[Unreleased]` could not be promoted: the line it is about, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoteError {
    /// 1-based line the problem is at.
    pub line: u32,
    /// What is wrong and what to do, in one line.
    pub message: String,
}

impl fmt::Display for PromoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for PromoteError {}

fn refuse(line: u32, message: String) -> PromoteError {
    PromoteError { line, message }
}

/// The file's conventions, read from its latest release.
struct Style<'a> {
    bracket: bool,
    v_prefix: bool,
    separator: &'a str,
    /// The latest release's heading links inline to its changes.
    inline: bool,
}

impl Style<'_> {
    fn of(latest: Option<&Entry>) -> Style<'_> {
        Style {
            bracket: latest.is_none_or(|entry| entry.link != HeadingLink::None),
            v_prefix: latest.is_some_and(|entry| entry.label.starts_with(['v', 'V'])),
            separator: latest
                .map(|entry| entry.separator.as_str())
                .filter(|sep| !sep.is_empty())
                .unwrap_or(" - "),
            inline: latest.is_some_and(|entry| matches!(entry.link, HeadingLink::Inline(_))),
        }
    }

    /// The new heading's label: `1.2.0`, or `v1.2.0` in a file that writes `v`.
    fn label(&self, version: &Version) -> String {
        format!("{}{version}", if self.v_prefix { "v" } else { "" })
    }
}

impl Changelog {
    /// The text with `[Unreleased]` promoted to `version`, released on `date`.
    ///
    /// Refuses, saying what to do, when there is no `[Unreleased]` on top, when it is
    /// empty, when `version` is not above every release already listed, or when a link
    /// definition for it already exists.
    pub fn promote(&self, version: &Version, date: Date) -> Result<String, PromoteError> {
        let first_line = self.entries.first().map_or(1, |entry| entry.heading.line);
        let Some(unreleased) = self.unreleased() else {
            return Err(refuse(
                first_line,
                "no `## [Unreleased]` heading: add one above the newest release".into(),
            ));
        };
        let line = unreleased.heading.line;
        if first_line != line {
            return Err(refuse(
                line,
                "`[Unreleased]` is not the first section: move it above every release".into(),
            ));
        }
        if let Some(existing) = self.release(version) {
            let message = format!("{version} is already in the changelog: pick a version above it");
            return Err(refuse(existing.heading.line, message));
        }
        let latest = self.releases().find(|entry| entry.version.is_some());
        if let Some((entry, newest)) = latest
            .and_then(|entry| Some((entry, entry.version.as_ref()?)))
            .filter(|(_, newest)| version < *newest)
        {
            let message =
                format!("{version} is below the latest release {newest}: pick a version above it");
            return Err(refuse(entry.heading.line, message));
        }
        let style = Style::of(latest);
        if let Some(def) =
            self.link(&style.label(version)).filter(|_| style.bracket && !style.inline)
        {
            let message = format!(
                "`[{}]` is already defined: remove that definition, promotion writes it",
                def.label
            );
            return Err(refuse(def.line, message));
        }
        if !self.has_changes(unreleased) {
            let message = format!(
                "`[Unreleased]` is empty: add the changes of {version} under `### Added`, `### Changed` or `### Fixed` first"
            );
            return Err(refuse(line, message));
        }
        Ok(self.apply(&self.promotion(unreleased, latest, version, date)))
    }

    /// True when an entry's body holds something besides headings, blanks and comments:
    /// an `[Unreleased]` worth releasing.
    pub fn has_changes(&self, entry: &Entry) -> bool {
        entry.body.clone().any(|number| {
            let text = self.line(number).trim();
            let is_heading = entry.sections.iter().any(|section| section.heading.line == number);
            !text.is_empty() && !is_heading && !is_comment(text)
        })
    }

    /// The edits, as replacement lines for some of the file's lines.
    fn promotion(
        &self,
        unreleased: &Entry,
        latest: Option<&Entry>,
        version: &Version,
        date: Date,
    ) -> BTreeMap<u32, Vec<String>> {
        let style = Style::of(latest);
        let label = style.label(version);
        let unreleased_url = self.entry_url(unreleased);
        let latest_url = latest.and_then(|entry| self.entry_url(entry));
        let links = Links::new(
            unreleased_url.or(latest_url),
            latest.and_then(|entry| Some((entry.version.as_ref()?, latest_url))),
        );
        let release_url = links.as_ref().map(|links| links.release(version));

        let mut heading = if style.bracket { format!("[{label}]") } else { label.clone() };
        if style.inline
            && let Some(url) = &release_url
        {
            heading.push_str(&format!("({url})"));
        }
        let mut edits = BTreeMap::new();
        let line = unreleased.heading.line;
        if let (HeadingLink::Inline(old), Some(links)) = (&unreleased.link, &links) {
            let updated = self.line(line).replacen(old.as_str(), &links.unreleased(version), 1);
            edits.insert(line, vec![updated]);
        }
        // A setext heading ends at its underline: insert after it, not inside the heading.
        let after = unreleased.heading.last_line;
        let lines = edits.entry(after).or_insert_with(|| vec![self.line(after).to_owned()]);
        if self.line(after + 1).trim().is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("## {heading}{}{date}", style.separator));

        let (Some(links), true, false) = (links, style.bracket, style.inline) else {
            return edits;
        };
        let definition = format!("[{label}]: {}", links.release(version));
        let unreleased_def = match &unreleased.link {
            HeadingLink::Reference(target) => self.link(target),
            _ => None,
        };
        if let Some(def) = unreleased_def {
            let old = self.line(def.line);
            let updated = old.replacen(def.url.as_str(), &links.unreleased(version), 1);
            edits.insert(def.line, vec![updated, definition]);
        } else if let Some(def) = latest.and_then(|entry| match &entry.link {
            HeadingLink::Reference(target) => self.link(target),
            _ => None,
        }) {
            edits.insert(def.line, vec![definition, self.line(def.line).to_owned()]);
        }
        edits
    }

    /// The text with each edited line replaced by its lines. The last replacement line
    /// keeps the original line's ending, so a file without a final newline keeps none.
    pub(crate) fn apply(&self, edits: &BTreeMap<u32, Vec<String>>) -> String {
        let eol = if self.text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut out = String::with_capacity(self.text.len() + 256);
        for number in 1..=self.line_count() {
            let original = &self.text[self.line_bytes(number)];
            let Some(lines) = edits.get(&number) else {
                out.push_str(original);
                continue;
            };
            let ending = &original[self.line(number).len()..];
            for (index, line) in lines.iter().enumerate() {
                out.push_str(line);
                out.push_str(if index + 1 == lines.len() { ending } else { eol });
            }
        }
        out
    }
}

/// The file's link pattern: repository URL, tag prefix, range dots, and what
/// `[Unreleased]` compares up to (`HEAD` or a branch).
struct Links {
    base: String,
    prefix: String,
    dots: String,
    head: String,
    /// The latest release's tag as its link spells it.
    previous_tag: Option<String>,
}

impl Links {
    /// The pattern of `url` (the `[Unreleased]` link, else the latest release's), with
    /// the latest release's version and link when there is one.
    fn new(url: Option<&str>, latest: Option<(&Version, Option<&str>)>) -> Option<Links> {
        let url = url?;
        let range = compare(url);
        let base = range.map(|range| range.base).or_else(|| repo_base(url))?.to_owned();
        let latest_link = latest.and_then(|(_, url)| url);
        let tag_in_links = latest_link
            .and_then(|url| compare(url).map(|range| range.to).or_else(|| tag_page(url)))
            .or_else(|| range.map(|range| range.from))
            .filter(|tag| split_tag(tag).is_some());
        let prefix = tag_in_links.and_then(split_tag).map_or("v", |(prefix, _)| prefix).to_owned();
        let previous_tag = latest.map(|(version, _)| {
            match tag_in_links
                .filter(|tag| split_tag(tag).is_some_and(|(_, tagged)| &tagged == version))
            {
                Some(tag) => tag.to_owned(),
                None => format!("{prefix}{version}"),
            }
        });
        let head = range
            .filter(|range| split_tag(range.to).is_none())
            .map_or("HEAD", |range| range.to)
            .to_owned();
        let dots = range.map_or("...", |range| range.dots).to_owned();
        Some(Links { base, prefix, dots, head, previous_tag })
    }

    fn tag(&self, version: &Version) -> String {
        format!("{}{version}", self.prefix)
    }

    fn unreleased(&self, version: &Version) -> String {
        format!("{}/compare/{}{}{}", self.base, self.tag(version), self.dots, self.head)
    }

    fn release(&self, version: &Version) -> String {
        match &self.previous_tag {
            Some(previous) => {
                format!("{}/compare/{previous}{}{}", self.base, self.dots, self.tag(version))
            }
            None => format!("{}/releases/tag/{}", self.base, self.tag(version)),
        }
    }
}
