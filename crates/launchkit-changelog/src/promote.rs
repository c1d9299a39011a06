//! Promotion: `[Unreleased]` becomes `[X.Y.Z] - YYYY-MM-DD` under a fresh, empty
//! `[Unreleased]`, and the compare links follow.
//!
//! The edit is line-based: the `[Unreleased]` heading line, its link definition line, and
//! the lines inserted next to them. Every other byte of the file is copied as it was, line
//! endings included. The new heading copies the file's own style from the latest release
//! (heading level and marks or setext underline, brackets, `v` prefix, separator, date in
//! parentheses or not, inline or reference link, calendar versions) and the new links
//! copy the file's own URL and tag pattern (`v1.2.0`, `1.2.0`, `my-crate-v1.2.0`, `24.07`).

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

/// The file's conventions, read from its latest release (else from `[Unreleased]`).
struct Style<'a> {
    bracket: bool,
    v_prefix: bool,
    separator: &'a str,
    /// The latest release's heading links inline to its changes.
    inline: bool,
    /// The date is written in parentheses: `## 0.21.2 (2025-02-28)`.
    parens: bool,
    /// What the heading line holds before its text (`## `, `# `) and after it (a closing
    /// `##`); empty for a setext heading.
    marks: (&'a str, &'a str),
    /// A setext heading's underline, `=` or `-`, and its length when it is not the
    /// heading's own length.
    underline: Option<(char, Option<usize>)>,
    /// The labels are calendar versions (`24.03`); `true` when they always have a third
    /// part padded to two digits (`2024.03.05`), else it is written only when not zero.
    calendar: Option<bool>,
}

impl<'a> Style<'a> {
    fn of(changelog: &'a Changelog, latest: Option<&'a Entry>, unreleased: &'a Entry) -> Style<'a> {
        let model = latest.unwrap_or(unreleased);
        let line = changelog.line(model.heading.line);
        let text = &model.heading.text;
        let (before, after) = match line.find(text.as_str()) {
            Some(at) => (&line[..at], &line[at + text.len()..]),
            None => ("## ", ""),
        };
        let setext = model.heading.last_line != model.heading.line;
        let underline = setext.then(|| {
            let underline = changelog.line(model.heading.last_line).trim();
            let length = underline.chars().count();
            let char = underline.chars().next().unwrap_or('-');
            (char, (length != text.chars().count()).then_some(length))
        });
        Style {
            bracket: latest.is_none_or(|entry| entry.link != HeadingLink::None),
            v_prefix: latest.is_some_and(|entry| entry.label.starts_with(['v', 'V'])),
            separator: latest
                .map(|entry| entry.separator.as_str())
                .filter(|sep| !sep.is_empty())
                .unwrap_or(" - "),
            inline: latest.is_some_and(|entry| matches!(entry.link, HeadingLink::Inline(_))),
            parens: latest
                .and_then(|entry| entry.date.as_ref())
                .is_some_and(|date| entry_text_after_label(latest).contains(&format!("({date})"))),
            marks: (before, after),
            underline,
            calendar: latest.and_then(calendar_parts),
        }
    }

    /// The new heading's label: `1.2.0`, `v1.2.0` in a file that writes `v`, `24.07` in a
    /// file of calendar versions.
    fn label(&self, version: &Version) -> String {
        format!("{}{}", if self.v_prefix { "v" } else { "" }, self.version(version))
    }

    /// `version` as the file writes its versions, without a `v`: `1.2.0`, `24.07`.
    fn version(&self, version: &Version) -> String {
        match self.calendar {
            Some(padded) if version.pre.is_empty() => {
                let mut text = format!("{}.{:02}", version.major, version.minor);
                if padded {
                    text.push_str(&format!(".{:02}", version.patch));
                } else if version.patch != 0 {
                    text.push_str(&format!(".{}", version.patch));
                }
                text
            }
            _ => version.to_string(),
        }
    }

    /// The heading line(s) for `heading` (label and link) released on `date`.
    fn heading(&self, heading: &str, date: Date) -> Vec<String> {
        let date = if self.parens { format!("({date})") } else { date.to_string() };
        let text = format!("{heading}{}{date}", self.separator);
        match self.underline {
            Some((char, length)) => {
                let length = length.unwrap_or_else(|| text.chars().count());
                vec![format!("{}{text}", self.marks.0), char.to_string().repeat(length)]
            }
            None => vec![format!("{}{text}{}", self.marks.0, self.marks.1)],
        }
    }
}

/// The heading text after its label and link: ` - 2024-01-01`, ` (2025-02-28)`.
fn entry_text_after_label(entry: Option<&Entry>) -> &str {
    let Some(entry) = entry else { return "" };
    let text = entry.heading.text.as_str();
    text.find(entry.label.as_str()).map_or(text, |at| &text[at + entry.label.len()..])
}

/// For a calendar label that is not SemVer (`24.03`, `24.03.1`, `2024.03.05`): whether
/// every label has a padded third part, as `YYYY.MM.DD` does.
fn calendar_parts(entry: &Entry) -> Option<bool> {
    let bare = entry.label.strip_prefix(['v', 'V']).unwrap_or(&entry.label);
    if Version::parse(bare).is_ok() || entry.version.is_none() {
        return None;
    }
    let parts: Vec<&str> = bare.split('.').collect();
    Some(parts.len() == 3 && parts[0].len() == 4 && parts[2].len() == 2)
}

impl Changelog {
    /// The text with `[Unreleased]` promoted to `version`, released on `date`.
    ///
    /// Refuses, saying what to do, when there is no `[Unreleased]` on top, when it is
    /// empty, when `version` is not above every release already listed, or when a link
    /// definition for it already exists.
    ///
    /// ```
    /// use launchkit_changelog::{Changelog, Date, Version};
    ///
    /// let changelog = Changelog::parse("## [Unreleased]\n\n- A fix.\n\n## [1.0.0] - 2024-01-01\n\n- First.\n");
    /// let date: Date = "2024-05-01".parse().unwrap();
    ///
    /// let promoted = changelog.promote(&Version::new(1, 0, 1), date).unwrap();
    /// assert!(promoted.starts_with("## [Unreleased]\n\n## [1.0.1] - 2024-05-01\n\n- A fix.\n"));
    ///
    /// let refused = changelog.promote(&Version::new(0, 9, 0), date).unwrap_err();
    /// assert_eq!(refused.line, 5);
    /// assert_eq!(refused.message, "0.9.0 is below the latest release 1.0.0: pick a version above it");
    /// ```
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
        let style = Style::of(self, latest, unreleased);
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
        let style = Style::of(self, latest, unreleased);
        let label = style.label(version);
        let unreleased_url = self.entry_url(unreleased);
        let latest_url = latest.and_then(|entry| self.entry_url(entry));
        let links = Links::new(
            unreleased_url.or(latest_url),
            latest.and_then(|entry| {
                let version = entry.version.as_ref()?;
                Some((version, style.version(version), latest_url))
            }),
        );
        // Tags spell the version as the headings do: `v1.2.0`, `24.07`.
        let version_text = style.version(version);
        let release_url = links.as_ref().map(|links| links.release(&version_text));

        let mut heading = if style.bracket { format!("[{label}]") } else { label.clone() };
        if style.inline
            && let Some(url) = &release_url
        {
            heading.push_str(&format!("({url})"));
        }
        let mut edits = BTreeMap::new();
        let line = unreleased.heading.line;
        if let (HeadingLink::Inline(old), Some(links)) = (&unreleased.link, &links) {
            let updated =
                self.line(line).replacen(old.as_str(), &links.unreleased(&version_text), 1);
            edits.insert(line, vec![updated]);
        }
        // A setext heading ends at its underline: insert after it, not inside the heading.
        let after = unreleased.heading.last_line;
        let lines = edits.entry(after).or_insert_with(|| vec![self.line(after).to_owned()]);
        if self.line(after + 1).trim().is_empty() {
            lines.push(String::new());
        }
        lines.extend(style.heading(&heading, date));

        let (Some(links), true, false) = (links, style.bracket, style.inline) else {
            return edits;
        };
        let definition = format!("[{label}]: {}", links.release(&version_text));
        let unreleased_def = match &unreleased.link {
            HeadingLink::Reference(target) => self.link(target),
            _ => None,
        };
        if let Some(def) = unreleased_def {
            let old = self.line(def.line);
            let updated = old.replacen(def.url.as_str(), &links.unreleased(&version_text), 1);
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
    fn new(url: Option<&str>, latest: Option<(&Version, String, Option<&str>)>) -> Option<Links> {
        let url = url?;
        let range = compare(url);
        let base = range.map(|range| range.base).or_else(|| repo_base(url))?.to_owned();
        let latest_link = latest.as_ref().and_then(|(_, _, url)| *url);
        let tag_in_links = latest_link
            .and_then(|url| compare(url).map(|range| range.to).or_else(|| tag_page(url)))
            .or_else(|| range.map(|range| range.from))
            .filter(|tag| split_tag(tag).is_some());
        let prefix = tag_in_links.and_then(split_tag).map_or("v", |(prefix, _)| prefix).to_owned();
        let previous_tag = latest.map(|(version, text, _)| {
            match tag_in_links
                .filter(|tag| split_tag(tag).is_some_and(|(_, tagged)| &tagged == version))
            {
                Some(tag) => tag.to_owned(),
                None => format!("{prefix}{text}"),
            }
        });
        let head = range
            .filter(|range| split_tag(range.to).is_none())
            .map_or("HEAD", |range| range.to)
            .to_owned();
        let dots = range.map_or("...", |range| range.dots).to_owned();
        Some(Links { base, prefix, dots, head, previous_tag })
    }

    fn tag(&self, version: &str) -> String {
        format!("{}{version}", self.prefix)
    }

    fn unreleased(&self, version: &str) -> String {
        format!("{}/compare/{}{}{}", self.base, self.tag(version), self.dots, self.head)
    }

    fn release(&self, version: &str) -> String {
        match &self.previous_tag {
            Some(previous) => {
                format!("{}/compare/{previous}{}{}", self.base, self.dots, self.tag(version))
            }
            None => format!("{}/releases/tag/{}", self.base, self.tag(version)),
        }
    }
}
