//! `cargo xtask changelog` on a fixture repository: check, notes, promote, and bad input.

use crate::support::Fixture;

/// The changelog with every lint rule broken, from the library's golden files.
fn broken() -> String {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../crates/launchkit-changelog/tests/data/broken.md");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn check_lists_each_finding_at_its_line() {
    let fixture = Fixture::new("versions");
    let clean = fixture.xtask(&["changelog", "check"]);
    assert_eq!((clean.code, clean.stdout.as_str()), (0, ""), "{}", clean.stderr);
    assert_eq!(clean.stderr, "CHANGELOG.md: 0 errors, 0 warnings\n");

    fixture.write("docs/OLD.md", broken());
    let run = fixture.xtask(&["changelog", "check", "--file", "docs/OLD.md"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stderr, "docs/OLD.md: 8 errors, 9 warnings\n");
    let located: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| !line.trim_start().starts_with("fix:"))
        .map(|line| line.trim_start().split(": ").next().unwrap())
        .collect();
    let expected = [9, 9, 15, 15, 17, 21, 21, 23, 25, 25, 31, 31, 31, 33, 37, 37, 43]
        .map(|line| format!("docs/OLD.md:{line}"));
    assert_eq!(located, expected);
    assert!(run.stdout.starts_with(
        "  docs/OLD.md:9: error[changelog::unreleased]: `[Unreleased]` is below the release `1.2.0` (line 3)\n    fix: move"
    ));
}

#[test]
fn notes_print_the_body_of_one_version() {
    let fixture = Fixture::new("versions");
    for version in ["0.3.1", "v0.3.1"] {
        let run = fixture.xtask(&["changelog", "notes", version]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "### Fixed\n\n- `add` no longer overflows silently.\n");
    }
}

#[test]
fn notes_find_level_one_calendar_releases() {
    let fixture = Fixture::new("versions");
    let calendar = "# 24.03 (2024-03-30)\n\nBreaking changes:\n\n- `:q` asks first.\n\n\
                    # 23.10 (2023-10-24)\n\n- Inlay hints.\n";
    fixture.write("CALVER.md", calendar);
    for version in ["24.03", "24.3.0", "v24.03"] {
        let run = fixture.xtask(&["changelog", "notes", version, "--file", "CALVER.md"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "Breaking changes:\n\n- `:q` asks first.\n");
    }
    let older = fixture.xtask(&["changelog", "notes", "23.10", "--file", "CALVER.md"]);
    assert_eq!(older.stdout, "- Inlay hints.\n");
}

#[test]
fn promote_prints_the_diff_then_writes_with_execute() {
    let fixture = Fixture::new("versions");
    let before = fixture.snapshot();
    let dry = fixture.xtask(&["changelog", "promote", "0.4.0", "--date", "2024-07-01"]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    let diff = "--- a/CHANGELOG.md\n+++ b/CHANGELOG.md\n\
        @@ -4,6 +4,8 @@\n \n ## [Unreleased]\n \n+## [0.4.0] - 2024-07-01\n+\n ### Added\n \n - `demo_core::sub`.\n\
        @@ -14,5 +16,6 @@\n \n - `add` no longer overflows silently.\n \n\
        -[Unreleased]: https://github.com/acme/demo/compare/v0.3.1...HEAD\n\
        +[Unreleased]: https://github.com/acme/demo/compare/v0.4.0...HEAD\n\
        +[0.4.0]: https://github.com/acme/demo/compare/v0.3.1...v0.4.0\n \
        [0.3.1]: https://github.com/acme/demo/releases/tag/v0.3.1\n";
    assert_eq!(dry.stdout, diff);
    assert_eq!(dry.stderr, "dry run: pass --execute to write CHANGELOG.md\n");
    assert_eq!(fixture.snapshot(), before, "a dry run changes nothing");

    let run =
        fixture.xtask(&["changelog", "promote", "v0.4.0", "--date", "2024-07-01", "--execute"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        fixture
            .read("CHANGELOG.md")
            .contains("## [Unreleased]\n\n## [0.4.0] - 2024-07-01\n\n### Added\n")
    );
    let notes = fixture.xtask(&["changelog", "notes", "0.4.0"]);
    assert_eq!(notes.stdout, "### Added\n\n- `demo_core::sub`.\n");
    assert_eq!(fixture.xtask(&["changelog", "check"]).code, 0);
    // Today's date when --date is not given.
    fixture.edit("CHANGELOG.md", "## [Unreleased]\n", "## [Unreleased]\n\n- More.\n");
    let today = fixture.xtask(&["changelog", "promote", "0.5.0"]);
    assert!(today.stdout.contains("+## [0.5.0] - 20"), "{}", today.stdout);
}

#[test]
fn bad_input_is_one_line_exit_2_and_changes_nothing() {
    let fixture = Fixture::new("versions");
    let empty =
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n## [0.3.1] - 2024-05-01\n\n- Start.\n";
    fixture.write("EMPTY.md", empty);
    fixture.write("MALFORMED.md", "# Changelog\n\n## [0.3.1] - 2024-05-01\n\n- Start.\n");
    fixture.write("LATIN1.md", b"# Changelog\n\n## [Unreleased]\n\n- Caf\xe9.\n".as_slice());
    // A changelog outside the workspace, and a link to it inside.
    let outside = fixture.root.with_extension("outside.md");
    std::fs::copy(fixture.root.join("CHANGELOG.md"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, fixture.root.join("LINKED.md")).unwrap();
    let before = fixture.snapshot();

    let cases: [(&[&str], &str); 14] = [
        (&["changelog", "promote", "0.4"], "`0.4` is not a SemVer version X.Y.Z"),
        (&["changelog", "notes", "latest"], "`latest` is not a SemVer version X.Y.Z"),
        (
            &["changelog", "promote", "0.3.0"],
            "CHANGELOG.md:11: 0.3.0 is below the latest release 0.3.1: pick a version above it",
        ),
        (
            &["changelog", "promote", "0.3.1"],
            "CHANGELOG.md:11: 0.3.1 is already in the changelog: pick a version above it",
        ),
        (
            &["changelog", "promote", "0.4.0", "--date", "2024-13-01"],
            "--date: `2024-13-01` is not a day of the calendar",
        ),
        (
            &["changelog", "promote", "0.4.0", "--date", "1/7/2024"],
            "--date: `1/7/2024` is not a date written YYYY-MM-DD",
        ),
        (
            &["changelog", "notes", "9.9.9"],
            "CHANGELOG.md: no entry for 9.9.9: the newest are 0.3.1",
        ),
        (
            &["changelog", "promote", "0.4.0", "--file", "EMPTY.md", "--execute"],
            "EMPTY.md:3: `[Unreleased]` is empty: add the changes of 0.4.0 under `### Added`, `### Changed` or `### Fixed` first",
        ),
        (
            &["changelog", "promote", "0.4.0", "--file", "MALFORMED.md", "--execute"],
            "MALFORMED.md:3: no `## [Unreleased]` heading: add one above the newest release",
        ),
        (
            &["changelog", "check", "--file", "LATIN1.md"],
            "LATIN1.md:5: not UTF-8 text: save the file as UTF-8",
        ),
        (&["changelog", "check", "--file", "MISSING.md"], "MISSING.md: cannot read it:"),
        (
            &["changelog", "check", "--file", "../CHANGELOG.md"],
            "--file ../CHANGELOG.md is outside the workspace: pass a path inside ",
        ),
        (
            &["changelog", "notes", "0.3.1", "--file", outside.to_str().unwrap()],
            "is outside the workspace",
        ),
        (
            &["changelog", "check", "--file", "LINKED.md"],
            "--file LINKED.md is outside the workspace",
        ),
    ];
    for (args, expected) in cases {
        fixture.xtask(args).assert_refused(expected);
    }
    assert_eq!(fixture.snapshot(), before);
}
