//! The hotfix flow as docs/rollback.md tells it: release, yank with `--hotfix`, fix on the
//! branch it made, then the `release patch` it printed releases X.Y.(Z+1), not X.Y.(Z+2).

use launchkit_testkit::Faults;

use crate::support::{CRATES, MONDAY, Setup};

/// The fix's changelog line.
const FIXED: &str = "- `demo_core::one` is documented.";

#[test]
fn a_yanked_release_is_replaced_by_releasing_patch_from_the_hotfix_branch() {
    let setup = Setup::new(Faults::none());
    setup.release(&["0.1.0", "--execute"]).success();

    let yank = ["yank", "0.1.0", "--hotfix", "--env", "staging", "--reason", "bug", "--execute"];
    let yanked = setup.xtask(&yank, &[]).success();
    assert_eq!(setup.git(&["symbolic-ref", "--short", "HEAD"]), "hotfix/0.1.1");
    let step = "  2. cargo xtask release patch --env staging --execute\n";
    assert!(yanked.stdout.contains(step), "{yanked}");

    // The fix, with its line under the `### Fixed` the hotfix scaffolded.
    let repo = setup.repo();
    let changelog = std::fs::read_to_string(repo.join("CHANGELOG.md")).unwrap();
    let scaffold = "## [Unreleased]\n\n### Fixed\n\n";
    assert!(changelog.contains(scaffold), "{changelog}");
    let fixed = changelog.replacen(scaffold, &format!("{scaffold}{FIXED}\n\n"), 1);
    std::fs::write(repo.join("CHANGELOG.md"), fixed).unwrap();
    let code = "//! The core.\n\n/// One, the first count.\npub fn one() -> u32 {\n    1\n}\n";
    std::fs::write(repo.join("core/src/lib.rs"), code).unwrap();
    setup.git(&["commit", "-q", "-am", "Document one"]);
    let fix = setup.git(&["rev-parse", "HEAD"]);

    // Exactly the command yank printed (dated, so no test runs on a Friday).
    let printed: Vec<&str> = step.split_whitespace().skip(3).collect();
    let run = setup.xtask(&[&printed[..], &["--date", MONDAY]].concat(), &[]).success();
    let header = "release 0.1.1 (patch of the last release v0.1.0, already in the manifests) to staging, dated 2025-06-02\n";
    assert!(run.stdout.starts_with(header), "{run}");

    // Tagged on the branch, the changelog promoted, the manifests as the hotfix left them.
    let head = setup.git(&["rev-parse", "HEAD"]);
    assert_eq!(setup.git(&["rev-parse", "HEAD~1"]), fix);
    assert_eq!(setup.git(&["log", "-1", "--format=%s"]), "chore: release version 0.1.1");
    assert_eq!(setup.git(&["diff", "--name-only", "HEAD~1", "HEAD"]), "CHANGELOG.md");
    assert_eq!(setup.git(&["rev-parse", "v0.1.1^{commit}"]), head);
    let notes = format!("### Fixed\n\n{FIXED}");
    assert_eq!(setup.git(&["tag", "-l", "--format=%(contents)", "v0.1.1"]), notes);
    let promoted = setup.git(&["show", "HEAD:CHANGELOG.md"]);
    assert!(
        promoted.contains(&format!("## [Unreleased]\n\n## [0.1.1] - 2025-06-02\n\n{notes}\n")),
        "{promoted}"
    );
    assert!(setup.git(&["show", "HEAD:Cargo.toml"]).contains("version = \"0.1.1\"\n"));

    // Pushed: the hotfix branch and the tag.
    assert_eq!(setup.remote_git(&["rev-parse", "refs/heads/hotfix/0.1.1"]), head);
    assert_eq!(setup.remote_git(&["rev-parse", "v0.1.1^{commit}"]), head);
    assert_eq!(setup.remote_git(&["rev-parse", "main"]), setup.git(&["rev-parse", "v0.1.0^{}"]));

    // Published: 0.1.1 beside the yanked 0.1.0, each crate uploaded once per version.
    let uploads: Vec<String> = ["0.1.0", "0.1.1"]
        .iter()
        .flat_map(|version| CRATES.map(|name| format!("{name}@{version}")))
        .collect();
    assert_eq!(setup.uploads(), uploads);
    for name in CRATES {
        assert_eq!(setup.registry.versions(name), ["0.1.0", "0.1.1"], "{name}");
        let index = setup.registry.index_file(name).unwrap();
        let yanked: Vec<bool> = index
            .lines()
            .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["yanked"] == true)
            .collect();
        assert_eq!(yanked, [true, false], "{name}");
    }
    let releases = setup.forge.releases();
    let tags: Vec<&str> = releases.iter().map(|r| r["tag_name"].as_str().unwrap()).collect();
    assert_eq!(tags, ["v0.1.0", "v0.1.1"]);
}

#[test]
fn a_hotfix_stopped_after_its_edits_stashes_them_instead_of_resetting() {
    let setup = Setup::new(Faults::none());
    setup.release(&["0.1.0", "--execute"]).success();
    let head = setup.git(&["rev-parse", "HEAD"]);
    setup.hook(false, "pre-commit", "echo 'commits are frozen' >&2; exit 1");

    let yank = ["yank", "0.1.0", "--hotfix", "--env", "staging", "--reason", "bug", "--execute"];
    let run = setup.xtask(&yank, &[]).code(2);
    assert!(
        run.stderr.contains("the hotfix stopped; branch hotfix/0.1.1 is removed (its edits are in `git stash list`) and you are back on main"),
        "{run}"
    );
    assert_eq!(setup.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(setup.git(&["symbolic-ref", "--short", "HEAD"]), "main");
    assert_eq!(setup.git(&["status", "--porcelain"]), "");
    assert_eq!(setup.git(&["branch", "--list", "hotfix/*"]), "");
    let stashes = setup.git(&["stash", "list", "--format=%s"]);
    assert!(stashes.ends_with("launchkit: the unfinished hotfix 0.1.1"), "{stashes}");
    let stashed = setup.git(&["stash", "show", "--name-only", "stash@{0}"]);
    assert!(stashed.contains("Cargo.toml") && stashed.contains("CHANGELOG.md"), "{stashed}");
}
