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
    pub fn with_section(&self, section: &str) -> String {
        let heading = format!("### {section}");
        let Some(unreleased) = self.unreleased() else {
            let mut lines = vec!["## [Unreleased]".to_owned(), String::new(), heading];
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
    fn a_missing_unreleased_is_added_above_the_newest_release() {
        let text = "# Changelog\r\n\r\n## [0.1.0] - 2024-05-01\r\n- It.";
        assert_eq!(
            fixed(text),
            "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n### Fixed\r\n\r\n## [0.1.0] - 2024-05-01\r\n- It."
        );
        assert_eq!(fixed("# Changelog\n"), "# Changelog\n\n## [Unreleased]\n\n### Fixed\n");
    }
}
