//! A release that stops before anything left the repository undoes exactly what it made
//! (the commit and tag ids and the file contents its journal recorded) and nothing else:
//! work done meanwhile survives, and a remote that moved on is answered with a pull.

use launchkit_testkit::Faults;

use crate::support::{Setup, run};

/// A git hook that refuses to create any tag, so a release stops at its tag step.
const NO_TAGS: &str = "[ \"$1\" = prepared ] || exit 0\nwhile read old new ref; do case \"$ref\" in refs/tags/*) echo 'tags are frozen' >&2; exit 1;; esac; done";

#[test]
fn edits_made_while_a_release_runs_survive_its_failure() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let read = |path: &str| std::fs::read_to_string(setup.repo().join(path)).unwrap();
    let (manifest, lib, changelog) =
        (read("Cargo.toml"), read("core/src/lib.rs"), read("CHANGELOG.md"));
    // While the release runs (right after its commit), its user edits a source file and
    // the changelog the release wrote; then the tag step fails.
    setup.hook(
        false,
        "post-commit",
        "echo '// edited meanwhile' >> core/src/lib.rs\necho '- A note written meanwhile.' >> CHANGELOG.md",
    );
    setup.hook(false, "reference-transaction", NO_TAGS);
    let run = setup.release(&["minor", "--execute"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("stopped at tag: "), "{run}");
    assert!(
        run.stderr.contains("restored what the release made, but kept what changed meanwhile:\n  CHANGELOG.md: changed during the release"),
        "{run}"
    );

    // The release's commit and tag are gone, its untouched edits undone...
    assert_eq!(setup.git(&["rev-parse", "HEAD"]), start);
    assert_eq!(setup.git(&["tag", "-l"]), "");
    assert_eq!(read("Cargo.toml"), manifest);
    // ...and the user's edits are all there.
    assert_eq!(read("core/src/lib.rs"), format!("{lib}// edited meanwhile\n"));
    let kept = read("CHANGELOG.md");
    assert!(kept.ends_with("- A note written meanwhile.\n"), "{kept}");
    assert_ne!(kept, changelog);
    assert_eq!(
        setup.git(&["status", "--porcelain"]),
        " M CHANGELOG.md\n M core/src/lib.rs",
        "nothing staged, only the edits made meanwhile left"
    );
    assert!(!setup.repo().join(".git/launchkit/release.json").exists());
}

#[test]
fn a_push_rejected_because_another_clone_released_first_undoes_the_local_release() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let other = setup.dir.path().join("other");
    run("git", &["clone", "-q", "remote.git", "other"], setup.dir.path());
    for (key, value) in [("user.name", "Other"), ("user.email", "other@example.com")] {
        run("git", &["config", key, value], &other);
    }
    // While the release runs (right after its commit), another clone releases 0.2.0 first.
    setup.hook(
        false,
        "post-commit",
        "unset GIT_DIR GIT_INDEX_FILE GIT_WORK_TREE\ncd ../other && git commit -q --allow-empty -m 'Release elsewhere' && git tag v0.2.0 && git push -q origin main v0.2.0",
    );
    let run = setup.release(&["minor", "--execute"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("stopped at push: "), "{run}");
    assert!(
        run.stderr.contains("restored: the repository is back at"),
        "nothing left the repository, so it is undone:\n{run}"
    );
    assert!(
        run.stderr.contains("origin/main moved on while this release ran (another clone pushed or released): run `git pull --rebase origin main`, then run again: cargo xtask release minor"),
        "{run}"
    );
    assert_eq!(setup.git(&["rev-parse", "HEAD"]), start, "no local release commit");
    assert_eq!(setup.git(&["tag", "-l"]), "", "no local tag");
    assert_eq!(setup.git(&["status", "--porcelain"]), "");
    assert!(!setup.repo().join(".git/launchkit/release.json").exists(), "no journal");
    assert!(setup.uploads().is_empty());
    let theirs = run_in(&other, &["rev-parse", "HEAD"]);
    assert_eq!(setup.remote_git(&["rev-parse", "main"]), theirs, "the remote is the other's");
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> String {
    run("git", args, dir)
}

#[cfg(unix)]
#[test]
fn a_release_killed_after_its_commit_then_stopped_undoes_the_commit_it_made() {
    let setup = Setup::new(Faults::none());
    let state = setup.state();
    // Killed right after its commit, before its journal noted the commit id.
    let marker = setup.dir.path().join("hook-started");
    setup.hook(false, "post-commit", &format!("touch '{}'; sleep 60", marker.display()));
    crate::interrupts::kill_when(&setup, &marker);
    setup.unhook(false, "post-commit");
    assert_eq!(setup.git(&["log", "-1", "--format=%s"]), "chore: release version 0.2.0");

    // The next run resumes, takes the commit as its release's (it sits on the journal's
    // start), stops at the tag and undoes it.
    setup.hook(false, "reference-transaction", NO_TAGS);
    let run = setup.release(&["minor", "--execute"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("note: took over the release lock from process "), "{run}");
    assert!(run.stderr.contains("stopped at tag: "), "{run}");
    assert!(run.stderr.contains("restored: the repository is back at"), "{run}");
    assert_eq!(setup.state(), state, "the repository was not restored exactly:\n{run}");
}
