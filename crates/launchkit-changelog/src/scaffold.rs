//! Scaffolding: an empty `### Section` under `[Unreleased]`, for the entries of the next
//! release (a hotfix starts with `### Fixed`). Like promotion, the edit inserts lines and
//! copies every other byte as it was.

use std::collections::BTreeMap;

use crate::Changelog;
use crate::lint::SECTIONS;

impl Changelog {
    /// The text with an empty `### {section}` under `[Unreleased]`, in Keep a Changelog's
    /// order of sections; `[Unreleased]` is added above the newest release when missing.
    /// The text is unchanged when the section is already there.
    ///
    /// ```
    /// use launchkit_changelog::Changelog;
    ///
    /// let changelog = Changelog::parse("# Changelog\n\n## [1.0.0] - 2024-01-01\n\n- First.\n");
    /// let text = changelog.with_section("Fixed");
    /// assert_eq!(text, "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n## [1.0.0] - 2024-01-01\n\n- First.\n");
    /// assert_eq!(Changelog::parse(text.as_str()).with_section("Fixed"), text);
    /// ```
    pub fn with_section(&self, section: &str) -> String {
        let (entry_marks, section_marks) = self.marks();
        let heading = format!("{section_marks} {section}");
        let Some(unreleased) = self.unreleased() else {
            let mut lines = vec![format!("{entry_marks} [Unreleased]"), String::new(), heading];
            let edit = match self.entries.first() {
                Some(first) => {
                    lines.extend([String::new(), self.line(first.heading.line).to_owned()]);
                    (first.heading.line, lines)
                }
                None => {
                    let last = self.line_count().max(1);
                    lines.insert(0, String::new());
                    lines.insert(0, self.line(last).to_owned());
                    (last, lines)
                }
            };
            return self.apply(&BTreeMap::from([edit]));
        };
        if unreleased.section(section).is_some() {
            return self.text().to_owned();
        }
        let rank = |name: &str| SECTIONS.iter().position(|known| *known == name);
        let later = unreleased.sections.iter().find(|existing| {
            matches!((rank(&existing.heading.text), rank(section)), (Some(at), Some(new)) if at > new)
        });
        let edit = match later {
            Some(later) => {
                let line = later.heading.line;
                (line, vec![heading, String::new(), self.line(line).to_owned()])
            }
            None => {
                let anchor = unreleased
                    .body
                    .clone()
                    .rev()
                    .find(|&line| !self.line(line).trim().is_empty())
                    .unwrap_or(unreleased.heading.last_line);
                let mut lines = vec![self.line(anchor).to_owned(), String::new(), heading];
                if anchor == self.line_count() || !self.line(anchor + 1).trim().is_empty() {
                    lines.push(String::new());
                }
                (anchor, lines)
            }
        };
        self.apply(&BTreeMap::from([edit]))
    }

    /// The `#` marks of a release heading and of a section in this file: `##` and `###`
    /// as Keep a Changelog writes them, `#` and `##` in a file of level-1 releases.
    fn marks(&self) -> (String, String) {
        let level = |line: &str| line.trim_start().bytes().take_while(|&b| b == b'#').count();
        let entry = self.entries.first().map_or(2, |entry| {
            if entry.heading.last_line == entry.heading.line {
                level(self.line(entry.heading.line)).max(1)
            } else if self.line(entry.heading.last_line).trim_start().starts_with('=') {
                1 // A setext underline of `=` is level 1, of `-` level 2.
            } else {
                2
            }
        });
        let section = self.entries.iter().flat_map(|entry| &entry.sections).next();
        let section = section.map(|section| level(self.line(section.heading.line)));
        let section = section.filter(|&level| level > entry).unwrap_or(entry + 1);
        ("#".repeat(entry), "#".repeat(section))
    }
}

#[cfg(test)]
mod tests {
    use crate::Changelog;

    fn fixed(text: &str) -> String {
        Changelog::parse(text).with_section("Fixed")
    }

    #[test]
    fn an_empty_unreleased_gets_the_section() {
        let text =
            "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2024-05-01\n\n### Added\n\n- It.\n";
        assert_eq!(
            fixed(text),
            "# Changelog\n\n## [Unreleased]\n\n### Fixed\n\n## [0.1.0] - 2024-05-01\n\n### Added\n\n- It.\n"
        );
    }

    #[test]
    fn the_section_goes_in_keep_a_changelog_order_and_only_once() {
        let text = "## [Unreleased]\n\n### Added\n\n- New.\n\n### Security\n\n- Patched.\n";
        let expected =
            "## [Unreleased]\n\n### Added\n\n- New.\n\n### Fixed\n\n### Security\n\n- Patched.\n";
        assert_eq!(fixed(text), expected);
        assert_eq!(fixed(expected), expected);
        let after_added = "## [Unreleased]\n### Added\n- New.\n## [0.1.0]\n";
        assert_eq!(
            fixed(after_added),
            "## [Unreleased]\n### Added\n- New.\n\n### Fixed\n\n## [0.1.0]\n"
        );
    }

    #[test]
    fn files_of_level_one_releases_get_headings_of_their_levels() {
        let text = "# [Unreleased]\n\n# [1.0.0] - 2024-05-01\n\n## Added\n\n- It.\n";
        assert!(fixed(text).starts_with("# [Unreleased]\n\n## Fixed\n\n# [1.0.0]"));
        let text = "# 24.03 (2024-03-30)\n\n- It.\n";
        assert!(fixed(text).starts_with("# [Unreleased]\n\n## Fixed\n\n# 24.03"));
    }

    #[test]
    fn a_missing_unreleased_is_added_above_the_newest_release() {
        let text = "# Changelog\r\n\r\n## [0.1.0] - 2024-05-01\r\n- It.";
        assert_eq!(
            fixed(text),
            "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Fixed\r\n\r\n## [0.1.0] - 2024-05-01\r\n- It."
        );
        assert_eq!(fixed("# Changelog\n"), "# Changelog\n\n## [Unreleased]\n\n### Fixed\n");
    }
}
