//! Golden files: every changelog under `tests/data` with its lint findings, its promotion
//! (or the refusal) and the notes of the promoted version, under `tests/data/expected`.
//! Run with `UPDATE_GOLDEN=1` to rewrite the expected files, then review the diff.

mod common;

use std::path::{Path, PathBuf};

use launchkit_changelog::{Changelog, Date, Version, lint};
use launchkit_report::human::finding_line;

/// Each input and the version it is promoted to.
const CASES: &[(&str, &str)] = &[
    ("standard", "1.2.0"),
    ("variations", "2.1.0"),
    ("broken", "1.4.0"),
    ("inline-links", "0.4.2"),
    ("first-release", "0.1.0"),
    ("plain", "3.2.0"),
    ("no-final-newline", "0.2.0"),
    // One file per heading style the lint accepts; promotion must write it back exactly.
    ("parentheses", "0.21.3"),
    ("bracket-parentheses", "1.5.0"),
    ("dashes", "0.10.0"),
    ("colon", "2.3.1"),
    ("closing-marks", "0.4.0"),
    ("setext", "14.1.1"),
    ("level-one", "1.3.0"),
    ("calendar", "24.7.0"),
    ("calendar-links", "2024.3.6"),
];

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn check(name: &str, actual: &str) {
    let path = data().join("expected").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("{}: {err} (run with UPDATE_GOLDEN=1 to create it)", path.display())
    });
    assert!(
        expected == actual,
        "{name} differs from its golden file:\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn golden_files() {
    let date: Date = "2024-07-01".parse().unwrap();
    for (name, version) in CASES {
        let text = std::fs::read_to_string(data().join(format!("{name}.md"))).unwrap();
        let changelog = Changelog::parse(text.as_str());
        let findings: String = lint(&changelog, "CHANGELOG.md")
            .iter()
            .map(|finding| finding_line(finding) + "\n")
            .collect();
        check(&format!("{name}.lint.txt"), &findings);

        let version: Version = version.parse().unwrap();
        match changelog.promote(&version, date) {
            Ok(promoted) => {
                check(&format!("{name}.promoted.md"), &promoted);
                common::assert_round_trip(&changelog, &promoted, &version);
            }
            Err(err) => check(&format!("{name}.promote-error.txt"), &format!("{err}\n")),
        }
    }
}

/// `text` promoted to `version` on 2024-02-02.
fn promote(text: &str, version: &str) -> String {
    Changelog::parse(text)
        .promote(&version.parse().unwrap(), "2024-02-02".parse().unwrap())
        .unwrap()
}

#[test]
fn crlf_files_stay_crlf() {
    let text = "# Changelog\r\n\r\n## [Unreleased]\r\n\r\n- A fix.\r\n\r\n## [1.0.0] - 2024-01-01\r\n\r\n- Start.\r\n\r\n[Unreleased]: https://github.com/o/r/compare/v1.0.0...HEAD\r\n[1.0.0]: https://github.com/o/r/releases/tag/v1.0.0\r\n";
    let promoted = promote(text, "1.0.1");
    assert_eq!(promoted.matches("\r\n").count(), promoted.matches('\n').count());
    assert!(
        promoted.contains("## [Unreleased]\r\n\r\n## [1.0.1] - 2024-02-02\r\n\r\n- A fix.\r\n")
    );
    assert!(promoted.contains(
        "[Unreleased]: https://github.com/o/r/compare/v1.0.1...HEAD\r\n[1.0.1]: https://github.com/o/r/compare/v1.0.0...v1.0.1\r\n"
    ));
}

#[test]
fn promotion_refuses_what_it_cannot_do() {
    let refuse = |text: &str, version: &str| {
        let err = Changelog::parse(text)
            .promote(&version.parse().unwrap(), "2024-02-02".parse().unwrap())
            .unwrap_err();
        (err.line, err.message)
    };
    let empty = "# C\n\n## [Unreleased]\n\n### Added\n\n<!-- nothing yet -->\n\n## [1.0.0] - 2024-01-01\n\n- x\n";
    let (line, message) = refuse(empty, "1.1.0");
    assert_eq!(line, 3);
    assert!(
        message.starts_with("`[Unreleased]` is empty: add the changes of 1.1.0 under `### Added`"),
        "{message}"
    );
    let (line, message) = refuse(&empty.replace("<!-- nothing yet -->", "- y"), "1.0.0");
    assert_eq!(
        (line, message.as_str()),
        (9, "1.0.0 is already in the changelog: pick a version above it")
    );
    let (line, message) = refuse(&empty.replace("<!-- nothing yet -->", "- y"), "0.9.0");
    assert_eq!(
        (line, message.as_str()),
        (9, "0.9.0 is below the latest release 1.0.0: pick a version above it")
    );
    let (line, message) = refuse("# C\n\n## [1.0.0] - 2024-01-01\n", "1.1.0");
    assert_eq!(
        (line, message.as_str()),
        (3, "no `## [Unreleased]` heading: add one above the newest release")
    );
}

#[test]
fn setext_headings_stay_whole() {
    let text = "Changelog\n=========\n\nUnreleased\n----------\n\n- A fix.\n\n1.0.0 - 2024-01-01\n------------------\n\n- Start.\n";
    let promoted = promote(text, "1.0.1");
    assert!(
        promoted.contains(
            "Unreleased\n----------\n\n1.0.1 - 2024-02-02\n------------------\n\n- A fix.\n"
        ),
        "{promoted}"
    );
    assert_eq!(Changelog::parse(promoted).notes(&"1.0.1".parse().unwrap()).unwrap(), "- A fix.");
}

#[test]
fn every_part_has_its_lines() {
    let text = std::fs::read_to_string(data().join("standard.md")).unwrap();
    let changelog = Changelog::parse(text);
    assert_eq!(
        changelog.title.as_ref().map(|title| (title.line, title.text.as_str())),
        Some((1, "Changelog"))
    );
    assert_eq!(changelog.preamble, 1..8);
    let labels: Vec<(&str, u32, bool)> = changelog
        .entries
        .iter()
        .map(|entry| (entry.label.as_str(), entry.heading.line, entry.yanked))
        .collect();
    assert_eq!(
        labels,
        [("Unreleased", 8, false), ("1.1.0", 18, false), ("1.0.1", 28, true), ("1.0.0", 34, false)]
    );
    let yanked = &changelog.entries[2];
    assert_eq!((yanked.date.as_deref(), yanked.separator.as_str()), (Some("2024-02-11"), " - "));
    let sections: Vec<(&str, u32)> = changelog.entries[1]
        .sections
        .iter()
        .map(|section| (section.heading.text.as_str(), section.heading.line))
        .collect();
    assert_eq!(sections, [("Added", 20), ("Deprecated", 24)]);
    assert_eq!(changelog.entries[1].body, 19..28);
    let links: Vec<(&str, u32)> =
        changelog.links.iter().map(|def| (def.label.as_str(), def.line)).collect();
    assert_eq!(links, [("Unreleased", 44), ("1.1.0", 45), ("1.0.1", 46), ("1.0.0", 47)]);
    // The last entry stops before the closing link definitions.
    assert_eq!(changelog.entries[3].body, 35..43);
}
