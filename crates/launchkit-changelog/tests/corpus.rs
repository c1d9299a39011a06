//! Changelogs in the styles of real projects: cargo-deny (no blank line after headings,
//! tags without `v`, an empty `ReleaseDate` section), cargo-release (its own section names,
//! releases without sections, a `<!-- next-url -->` marker, stale and missing links) and
//! release-plz (links inside the headings, no definitions). They parse, lint with exactly
//! the findings listed here (each one checked by hand against the file), promote in their
//! own style, and round-trip.
//!
//! The small files in `tests/data/styles` are written for these tests; the real changelogs
//! they imitate are the opt-in suite's (`cargo xtask test --corpora DIR`, reading
//! `DIR/changelogs`).

mod common;

use launchkit_changelog::{Changelog, Date, HeadingLink, Version, lint};

/// `tests/data/styles/<name>.md`.
fn style(name: &str) -> Changelog {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/styles")
        .join(format!("{name}.md"));
    Changelog::parse(std::fs::read_to_string(path).unwrap())
}

/// The real changelog `<name>.md` of the opt-in corpora.
fn corpus(name: &str) -> Changelog {
    let path = launchkit_testkit::corpora::corpus("changelogs").join(format!("{name}.md"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    Changelog::parse(text)
}

/// `(line, rule)` of every finding.
fn findings(changelog: &Changelog) -> Vec<(u32, String)> {
    lint(changelog, "CHANGELOG.md")
        .into_iter()
        .map(|finding| (finding.line.unwrap(), finding.rule.unwrap().replace("changelog::", "")))
        .collect()
}

fn expected(list: &[(u32, &str)]) -> Vec<(u32, String)> {
    list.iter().map(|(line, rule)| (*line, (*rule).to_owned())).collect()
}

/// Adds a change under `[Unreleased]`, promotes it to `version`, checks the round trip,
/// and returns the promoted text.
fn promote_a_change(changelog: &Changelog, version: &str, change: &str) -> String {
    let line = changelog.unreleased().unwrap().heading.line as usize;
    let mut lines: Vec<&str> = changelog.text().split_inclusive('\n').collect();
    lines.insert(line, change);
    let with_change = Changelog::parse(lines.concat());
    let version: Version = version.parse().unwrap();
    let date: Date = "2024-07-01".parse().unwrap();
    let promoted = with_change.promote(&version, date).unwrap();
    common::assert_round_trip(&with_change, &promoted, &version);
    promoted
}

#[test]
fn cargo_deny_style() {
    let changelog = style("cargo-deny");
    assert_eq!(changelog.entries.len(), 6);
    let unreleased = &changelog.entries[0];
    assert_eq!(
        (unreleased.label.as_str(), unreleased.date.as_deref()),
        ("Unreleased", Some("ReleaseDate"))
    );
    let beta = changelog.release(&"0.4.0-beta".parse().unwrap()).unwrap();
    assert_eq!((beta.heading.line, beta.date.as_deref()), (29, Some("2024-01-15")));
    // `#### [advisories]` under `### Removed` of 0.5.0 is content, not a section.
    let removed = changelog.release(&"0.5.0".parse().unwrap()).unwrap().section("Removed").unwrap();
    assert_eq!((removed.heading.line, removed.body.end), (16, 26));

    // The definitions jump from `[0.4.0-beta]` (which compares from 0.3.1) to `[0.3.0]`:
    // the heading `## [0.3.1]` has none.
    assert_eq!(findings(&changelog), expected(&[(33, "link")]));

    let err = changelog.promote(&"0.5.2".parse().unwrap(), Date::today()).unwrap_err();
    assert_eq!(err.line, 10);
    assert!(err.message.starts_with("`[Unreleased]` is empty"), "{}", err.message);

    let promoted = promote_a_change(&changelog, "0.5.2", "### Fixed\n- A fix.\n");
    assert!(promoted.contains(
        "## [Unreleased] - ReleaseDate\n## [0.5.2] - 2024-07-01\n### Fixed\n- A fix.\n## [0.5.1]"
    ));
    assert!(promoted.contains(
        "<!-- next-url -->\n\
         [Unreleased]: https://github.com/example/deny-style/compare/0.5.2...HEAD\n\
         [0.5.2]: https://github.com/example/deny-style/compare/0.5.1...0.5.2\n\
         [0.5.1]:"
    ));
}

#[test]
fn cargo_release_style() {
    let changelog = style("cargo-release");
    assert_eq!(changelog.entries.len(), 7);
    assert_eq!(changelog.notes(&"1.1.1".parse().unwrap()).unwrap(), "");
    assert_eq!(changelog.notes(&"0.9.2".parse().unwrap()).unwrap(), "");
    assert!(
        changelog
            .notes(&"0.9.0".parse().unwrap())
            .unwrap()
            .ends_with("- Support `workspace.metadata`")
    );

    // One finding per section name Keep a Changelog does not define (Features, Fixes,
    // Breaking Changes); `[1.0.0]` compares from v0.9.3, which has no heading (the release
    // below is 0.9.2); 0.9.2, 0.9.1 and 0.9.0 have no definition.
    let all = [
        (14, "section"),
        (18, "section"),
        (22, "stale-link"),
        (24, "section"),
        (32, "link"),
        (34, "link"),
        (40, "link"),
    ];
    assert_eq!(findings(&changelog), expected(&all));

    let promoted = promote_a_change(&changelog, "1.2.0", "\n### Features\n\n- Something new.\n");
    assert!(
        promoted
            .contains("## [Unreleased] - ReleaseDate\n\n## [1.2.0] - 2024-07-01\n\n### Features\n")
    );
    assert!(promoted.contains(
        "[Unreleased]: https://github.com/example/release-style/compare/v1.2.0...HEAD\n\
         [1.2.0]: https://github.com/example/release-style/compare/v1.1.1...v1.2.0\n\
         [1.1.1]:"
    ));
}

#[test]
fn release_plz_style() {
    let changelog = style("release-plz");
    assert_eq!(changelog.entries.len(), 6);
    assert!(changelog.links.is_empty());
    let latest = &changelog.entries[1];
    assert_eq!(latest.version, Some("0.3.2".parse().unwrap()));
    assert_eq!(
        latest.link,
        HeadingLink::Inline(
            "https://github.com/example/plz-style/compare/plz-style-v0.3.1...plz-style-v0.3.2"
                .into()
        )
    );

    // No link definitions: `## [Unreleased]`, `## [0.2.1]` and `## [0.2.0]` render with
    // literal brackets. `Other` and `Fix` are not Keep a Changelog sections.
    let all = [(8, "link"), (16, "section"), (22, "section"), (31, "link"), (36, "link")];
    assert_eq!(findings(&changelog), expected(&all));

    let promoted = promote_a_change(&changelog, "0.3.3", "\n### Fixed\n\n- A fix.\n");
    assert!(promoted.contains(
        "## [Unreleased]\n\n## [0.3.3](https://github.com/example/plz-style/compare/\
         plz-style-v0.3.2...plz-style-v0.3.3) - 2024-07-01\n\n### Fixed\n\n- A fix.\n"
    ));
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn cargo_deny() {
    let changelog = corpus("cargo-deny");
    assert_eq!(changelog.entries.len(), 117);
    let unreleased = &changelog.entries[0];
    assert_eq!(
        (unreleased.label.as_str(), unreleased.date.as_deref()),
        ("Unreleased", Some("ReleaseDate"))
    );
    let beta = changelog.release(&"0.3.0-beta".parse().unwrap()).unwrap();
    assert_eq!((beta.heading.line, beta.date.as_deref()), (794, Some("2019-10-07")));
    // `#### [advisories]` under `### Removed` of 0.16.0 is content, not a section.
    let removed =
        changelog.release(&"0.16.0".parse().unwrap()).unwrap().section("Removed").unwrap();
    assert_eq!((removed.heading.line, removed.body.end), (198, 221));

    // Checked by hand: the link definitions jump from `[0.3.0-beta]` (which compares
    // from 0.2.5) to `[0.2.3]`; the headings `## [0.2.5]` and `## [0.2.4]` have none.
    assert_eq!(findings(&changelog), expected(&[(823, "link"), (827, "link")]));

    // `## [Unreleased] - ReleaseDate` has nothing under it.
    let err = changelog.promote(&"0.20.3".parse().unwrap(), Date::today()).unwrap_err();
    assert_eq!(err.line, 10);
    assert!(err.message.starts_with("`[Unreleased]` is empty"), "{}", err.message);

    // This file puts no blank line after headings, and its tags have no `v`.
    let promoted = promote_a_change(&changelog, "0.20.3", "### Fixed\n- A fix.\n");
    assert!(promoted.contains(
        "## [Unreleased] - ReleaseDate\n## [0.20.3] - 2024-07-01\n### Fixed\n- A fix.\n## [0.20.2]"
    ));
    assert!(promoted.contains(
        "[Unreleased]: https://github.com/EmbarkStudios/cargo-deny/compare/0.20.3...HEAD\n\
         [0.20.3]: https://github.com/EmbarkStudios/cargo-deny/compare/0.20.2...0.20.3\n\
         [0.20.2]:"
    ));
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn cargo_release() {
    let changelog = corpus("cargo-release");
    assert_eq!(changelog.entries.len(), 102);
    // Releases without any section, such as 1.1.5, are valid and have empty notes.
    assert_eq!(changelog.notes(&"1.1.5".parse().unwrap()).unwrap(), "");
    // The last release's notes stop before the `<!-- next-url -->` marker and the links.
    assert!(changelog.notes(&"0.12.0".parse().unwrap()).unwrap().ends_with("* Doc update"));

    // Checked by hand, one per name (with its count in the message): cargo-release names
    // its sections Features (21), Fixes (44), Performance, Compatibility (7), Internal
    // (3), Breaking Changes (7), Highlights and Breaking Change, none of which Keep a
    // Changelog defines.
    let sections =
        [(14, "section"), (20, "section"), (43, "section"), (57, "section"), (79, "section")];
    let more_sections = [(282, "section"), (330, "section"), (417, "section")];
    // Checked by hand: `[0.17.0]` compares v0.16.6...v0.17.0, but 0.16.4 to 0.16.6 have
    // no heading, so the release below 0.17.0 is 0.16.3.
    let stale = [(621, "stale-link")];
    // Checked by hand: the definitions stop at `[0.16.4]`; the headings from 0.16.3 down
    // to 0.12.0 (except 0.13.2, which has no heading either) have none.
    let missing =
        [647, 649, 655, 661, 675, 681, 695, 709, 711, 718, 724, 730, 736, 743, 749, 756, 767, 778]
            .into_iter()
            .chain([810, 816, 822, 828, 834])
            .map(|line| (line, "link"));
    let all: Vec<(u32, &str)> =
        sections.into_iter().chain(more_sections).chain(stale).chain(missing).collect();
    assert_eq!(findings(&changelog), expected(&all));

    let promoted = promote_a_change(&changelog, "1.2.0", "\n### Features\n\n- Something new.\n");
    assert!(
        promoted
            .contains("## [Unreleased] - ReleaseDate\n\n## [1.2.0] - 2024-07-01\n\n### Features\n")
    );
    assert!(promoted.contains(
        "[Unreleased]: https://github.com/crate-ci/cargo-release/compare/v1.2.0...HEAD\n\
         [1.2.0]: https://github.com/crate-ci/cargo-release/compare/v1.1.5...v1.2.0\n\
         [1.1.5]:"
    ));
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn release_plz() {
    let changelog = corpus("release-plz");
    assert_eq!(changelog.entries.len(), 226);
    assert!(changelog.links.is_empty());
    let latest = &changelog.entries[1];
    assert_eq!(latest.version, Some("0.3.160".parse().unwrap()));
    assert_eq!(
        latest.link,
        HeadingLink::Inline(
            "https://github.com/release-plz/release-plz/compare/release-plz-v0.3.159...release-plz-v0.3.160".into()
        )
    );

    // Checked by hand: the file has no link definitions at all, so `## [Unreleased]`
    // (line 8), `## [0.2.1]` and `## [0.2.0]` render with literal brackets; every other
    // heading links inline. `Other` (128 times) and `Fix` (twice, in 0.2.54 and 0.2.51)
    // are not Keep a Changelog sections.
    let all = [(8, "link"), (21, "section"), (1424, "section"), (1748, "link"), (1756, "link")];
    assert_eq!(findings(&changelog), expected(&all));

    let promoted = promote_a_change(&changelog, "0.3.161", "\n### Fixed\n\n- A fix.\n");
    assert!(promoted.contains(
        "## [Unreleased]\n\n## [0.3.161](https://github.com/release-plz/release-plz/compare/\
         release-plz-v0.3.160...release-plz-v0.3.161) - 2024-07-01\n\n### Fixed\n\n- A fix.\n"
    ));
}
