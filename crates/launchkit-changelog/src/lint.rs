//! The Keep a Changelog rules, as findings with line numbers.
//!
//! Errors are what makes a changelog wrong for readers and tools: no `[Unreleased]` on
//! top, versions that are neither SemVer nor calendar versions, dates that are not `YYYY-MM-DD`, releases out of
//! order or listed twice. Warnings are what makes it sloppy: section names outside the
//! six of the format, empty sections, headings whose link is missing or points at the
//! wrong versions. What real changelogs vary on harmlessly is accepted: headings with or
//! without links, `v` prefixes, ` - ` or ` — ` before the date or the date in parentheses,
//! releases at level 1 or 2, `[Unreleased] - ReleaseDate`.

use std::collections::BTreeMap;

use launchkit_report::{Finding, Severity};

use crate::links::{compare, split_tag, tag_names, tag_page};
use crate::{Changelog, Date, Entry, HeadingLink, Version};

/// The section names Keep a Changelog 1.1.0 defines.
pub const SECTIONS: [&str; 6] = ["Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"];

/// Every finding in `changelog`, located in `path`, sorted by line.
pub fn lint(changelog: &Changelog, path: &str) -> Vec<Finding> {
    let mut lint = Lint { path, findings: Vec::new() };
    lint.unreleased(changelog);
    for entry in changelog.releases() {
        lint.version_and_date(entry);
    }
    lint.order(changelog);
    lint.sections(changelog);
    lint.links(changelog);
    lint.findings.sort_by_key(|finding| finding.line);
    lint.findings
}

struct Lint<'a> {
    path: &'a str,
    findings: Vec<Finding>,
}

impl Lint<'_> {
    fn push(&mut self, severity: Severity, line: u32, rule: &str, message: String, fix: String) {
        let finding = Finding::new(severity, message)
            .at(self.path, line)
            .rule(format!("changelog::{rule}"))
            .fix(fix);
        self.findings.push(finding);
    }

    fn unreleased(&mut self, changelog: &Changelog) {
        let Some(unreleased) = changelog.unreleased() else {
            let line = changelog.entries.first().map_or(1, |entry| entry.heading.line);
            let fix = "add `## [Unreleased]` above the newest release".to_owned();
            return self.push(
                Severity::Error,
                line,
                "unreleased",
                "no `[Unreleased]` section".to_owned(),
                fix,
            );
        };
        if let Some(first) = changelog.entries.first().filter(|first| !first.is_unreleased()) {
            let message = format!(
                "`[Unreleased]` is below the release `{}` (line {})",
                first.label, first.heading.line
            );
            let fix = "move the `[Unreleased]` section above every release".to_owned();
            self.push(Severity::Error, unreleased.heading.line, "unreleased", message, fix);
        }
        for extra in changelog.entries.iter().filter(|entry| entry.is_unreleased()).skip(1) {
            let message = format!(
                "a second `[Unreleased]` section (the first is at line {})",
                unreleased.heading.line
            );
            let fix = "merge it into the first one".to_owned();
            self.push(Severity::Error, extra.heading.line, "duplicate", message, fix);
        }
    }

    fn version_and_date(&mut self, entry: &Entry) {
        let line = entry.heading.line;
        let label = &entry.label;
        if entry.version.is_none() {
            let message = format!("`{label}` is not a SemVer version");
            let fix = "write the version as MAJOR.MINOR.PATCH, such as `1.2.0`".to_owned();
            self.push(Severity::Error, line, "version", message, fix);
        }
        let fix = format!("write the heading as `## [{label}] - YYYY-MM-DD`");
        match entry.date.as_deref().map(str::parse::<Date>) {
            None => self.push(
                Severity::Error,
                line,
                "date",
                format!("release `{label}` has no date"),
                fix,
            ),
            Some(Err(err)) => {
                self.push(Severity::Error, line, "date", format!("release `{label}`: {err}"), fix)
            }
            Some(Ok(_)) => {}
        }
    }

    /// Releases newest first, each version once.
    fn order(&mut self, changelog: &Changelog) {
        let mut seen: BTreeMap<&Version, u32> = BTreeMap::new();
        let mut previous: Option<(&Version, u32)> = None;
        for entry in changelog.releases() {
            let Some(version) = &entry.version else {
                continue;
            };
            let line = entry.heading.line;
            if let Some(first) = seen.get(version) {
                let message = format!("{version} is listed twice (first at line {first})");
                self.push(
                    Severity::Error,
                    line,
                    "duplicate",
                    message,
                    "merge the two entries".to_owned(),
                );
                continue;
            }
            if let Some((above, above_line)) = previous.filter(|(above, _)| version > above) {
                let message =
                    format!("{version} is listed below the older {above} (line {above_line})");
                let fix = "list releases newest first".to_owned();
                self.push(Severity::Error, line, "order", message, fix);
            }
            seen.insert(version, line);
            previous = Some((version, line));
        }
    }

    /// Unknown names once per name (a project that uses `Features` uses it everywhere),
    /// empty sections of releases each. An empty section under `[Unreleased]` is a
    /// template waiting for entries, not a mistake.
    fn sections(&mut self, changelog: &Changelog) {
        let mut unknown: BTreeMap<&str, (u32, usize)> = BTreeMap::new();
        for entry in &changelog.entries {
            for section in &entry.sections {
                let name = section.heading.text.as_str();
                if !SECTIONS.contains(&name) {
                    unknown.entry(name).or_insert((section.heading.line, 0)).1 += 1;
                }
                if section.is_empty && !entry.is_unreleased() {
                    let message = format!("section `{name}` of `{}` is empty", entry.label);
                    let fix = "add its entries or remove the heading".to_owned();
                    self.push(
                        Severity::Warning,
                        section.heading.line,
                        "empty-section",
                        message,
                        fix,
                    );
                }
            }
        }
        for (name, (line, count)) in unknown {
            let times = if count > 1 { format!(" (used {count} times)") } else { String::new() };
            let message = format!("`{name}` is not a Keep a Changelog section{times}");
            let fix = format!("use one of {}", SECTIONS.join(", "));
            self.push(Severity::Warning, line, "section", message, fix);
        }
    }

    fn links(&mut self, changelog: &Changelog) {
        let latest = changelog.releases().find_map(|entry| entry.version.as_ref());
        for (index, entry) in changelog.entries.iter().enumerate() {
            let line = entry.heading.line;
            if let HeadingLink::Reference(label) = &entry.link
                && changelog.link(label).is_none()
            {
                let message = format!("the heading links to `[{label}]`, which is not defined");
                let fix = format!(
                    "add `[{label}]: <compare URL>` with the other links at the end of the file"
                );
                self.push(Severity::Warning, line, "link", message, fix);
            }
            let Some(url) = changelog.entry_url(entry) else {
                continue;
            };
            let older =
                changelog.entries[index + 1..].iter().find_map(|entry| entry.version.as_ref());
            let expected = if entry.is_unreleased() {
                (latest, None)
            } else {
                (older, entry.version.as_ref())
            };
            if let Some(problem) = stale(url, expected) {
                let fix =
                    "make the link compare the previous release's tag with this one's".to_owned();
                self.push(
                    Severity::Warning,
                    line,
                    "stale-link",
                    format!("the link of `{}` {problem}", entry.label),
                    fix,
                );
            }
        }
    }
}

/// What is wrong with a release's link, given the versions it should compare: `from`
/// (the previous release) and `to` (this release; `None` for `[Unreleased]`, whose link
/// ends at a branch or `HEAD`).
fn stale(url: &str, (from, to): (Option<&Version>, Option<&Version>)) -> Option<String> {
    if let Some(link) = compare(url) {
        if let Some(to) = to.filter(|to| !tag_names(link.to, to)) {
            return Some(format!("compares up to `{}`, not {to}", link.to));
        }
        let from = from.filter(|from| !tag_names(link.from, from))?;
        // A range from a tag that names no version at all (a commit, a branch) is left alone.
        split_tag(link.from)?;
        return Some(format!("compares from `{}`, but the previous release is {from}", link.from));
    }
    let (tag, to) = (tag_page(url)?, to?);
    (!tag_names(tag, to)).then(|| format!("points at `{tag}`, not {to}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn stale_links_name_the_wrong_side() {
        let url = "https://x/o/r/compare/v1.0.0...v1.1.0";
        assert_eq!(stale(url, (Some(&v("1.0.0")), Some(&v("1.1.0")))), None);
        assert!(
            stale(url, (Some(&v("1.0.0")), Some(&v("1.2.0")))).unwrap().contains("up to `v1.1.0`")
        );
        assert!(
            stale(url, (Some(&v("0.9.0")), Some(&v("1.1.0")))).unwrap().contains("from `v1.0.0`")
        );
        assert_eq!(stale("https://x/o/r/compare/v1.0.0...HEAD", (Some(&v("1.0.0")), None)), None);
        assert!(stale("https://x/o/r/releases/tag/v1.0.0", (None, Some(&v("1.1.0")))).is_some());
        assert_eq!(
            stale("https://x/o/r/compare/abc123...v1.1.0", (Some(&v("1.0.0")), Some(&v("1.1.0")))),
            None
        );
    }
}
