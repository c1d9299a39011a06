//! Releases interrupted after each step in turn, by real faults (git hooks that refuse, a
//! remote that rejects the push, a registry and a GitHub that fail, a docs command that
//! fails) and by killing the process; the same command run again always ends in the same
//! final state, with nothing done twice.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use launchkit_testkit::{Fault, Faults, Route};

use crate::flows::assert_released;
use crate::support::{Run, Setup};

/// Asserts a stop before anything left the repository, and that it was put back.
fn assert_restored(setup: &Setup, run: &Run, step: &str, state: &str) {
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stderr.contains(&format!("error: release 0.2.0 to staging stopped at {step}: ")),
        "{run}"
    );
    assert!(run.stderr.contains("restored: the repository is back at"), "{run}");
    assert_eq!(setup.state(), state, "the repository was not restored exactly:\n{run}");
}

/// Asserts a stop after the push, with what is done and how to resume.
fn assert_resumable(run: &Run, step: &str, done: &str) {
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains(&format!("stopped at {step}: ")), "{run}");
    assert!(run.stderr.contains(&format!("\ndone: {done}\n")), "{run}");
    assert!(
        run.stderr.contains("the same command resumes the release: cargo xtask release minor --env staging --date 2025-06-02 --execute"),
        "{run}"
    );
}

fn docs_runs(setup: &Setup) -> usize {
    let log = std::fs::read_to_string(setup.dir.path().join("docs-hook.log")).unwrap_or_default();
    log.lines().count()
}

#[test]
fn a_release_stopped_after_each_step_in_turn_resumes_to_the_same_end() {
    let refused = Fault::Status { status: 403, retry_after: None };
    let setup = Setup::new(Faults::none().on(Route::Publish, 2, refused));
    let start = setup.git(&["rev-parse", "HEAD"]);
    let state = setup.state();
    let release = || setup.release(&["minor", "--execute"]);

    // After write: the commit is refused by a pre-commit hook.
    setup.hook(false, "pre-commit", "echo 'commits are frozen' >&2; exit 1");
    assert_restored(&setup, &release(), "commit", &state);
    setup.unhook(false, "pre-commit");

    // After commit: git refuses to create any tag.
    let no_tags = "[ \"$1\" = prepared ] || exit 0\nwhile read old new ref; do case \"$ref\" in refs/tags/*) echo 'tags are frozen' >&2; exit 1;; esac; done";
    setup.hook(false, "reference-transaction", no_tags);
    assert_restored(&setup, &release(), "tag", &state);
    setup.unhook(false, "reference-transaction");

    // After tag: the remote rejects the push.
    setup.hook(true, "pre-receive", "echo 'the remote is read-only' >&2; exit 1");
    assert_restored(&setup, &release(), "push", &state);
    setup.unhook(true, "pre-receive");

    // After push: the registry refuses the second upload.
    let run = release();
    assert_resumable(&run, "publish", "checks, write, commit, tag, push");
    assert_eq!(setup.uploads(), ["demo-core@0.2.0"]);
    assert_eq!(setup.remote_git(&["rev-parse", "main"]), setup.git(&["rev-parse", "HEAD"]));

    // After publish: GitHub refuses (the plan's look-up, then the step's; a 5xx would be
    // retried).
    setup.forge.fail_next(2, 403);
    let run = release();
    assert_resumable(&run, "forge", "checks, write, commit, tag, push, publish");
    assert!(
        run.stdout
            .contains("6. forge    unknown (cannot look up the release on acme/demo: HTTP 403"),
        "{run}"
    );
    assert_eq!(setup.uploads().len(), 3, "each crate once");
    assert!(setup.forge.releases().is_empty());

    // After forge: the docs command fails.
    std::fs::write(setup.dir.path().join("docs-hook.fail"), "").unwrap();
    assert_resumable(&release(), "docs", "checks, write, commit, tag, push, publish, forge");
    assert_eq!((setup.forge.releases().len(), docs_runs(&setup)), (1, 0));
    std::fs::remove_file(setup.dir.path().join("docs-hook.fail")).unwrap();

    // After docs: the remote rejects the deployment log.
    let no_notes = "while read old new ref; do case \"$ref\" in refs/notes/*) exit 1;; esac; done";
    setup.hook(true, "pre-receive", no_notes);
    assert_resumable(
        &release(),
        "record",
        "checks, write, commit, tag, push, publish, forge, docs",
    );
    assert_eq!(docs_runs(&setup), 1);
    setup.unhook(true, "pre-receive");

    let run = release().success();
    assert!(
        run.stderr.contains("[8/8] record   done   already recorded, log pushed to origin"),
        "{run}"
    );
    assert_released(&setup, &start);
}

/// Starts the release in its own process group, waits until `marker` exists (a hook
/// creates it), and kills the whole group, as a cancelled CI job or Ctrl-C would.
#[cfg(unix)]
pub fn kill_when(setup: &Setup, marker: &Path) {
    use std::os::unix::process::CommandExt;

    let mut command = setup.command(&[
        "release",
        "minor",
        "--env",
        "staging",
        "--date",
        "2025-06-02",
        "--execute",
    ]);
    command.process_group(0).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the hook never ran");
        assert!(child.try_wait().unwrap().is_none(), "the release ended before the hook ran");
        std::thread::sleep(Duration::from_millis(10));
    }
    let group = format!("-{}", child.id());
    crate::support::run("kill", &["-KILL", "--", &group], Path::new("."));
    child.wait().unwrap();
}

#[cfg(unix)]
#[test]
fn a_release_killed_before_or_after_its_commit_resumes_to_the_same_end() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let marker = setup.dir.path().join("hook-started");
    let wait = format!("touch '{}'; sleep 60", marker.display());

    // Killed after writing and staging the files, while git runs the pre-commit hook.
    setup.hook(false, "pre-commit", &wait);
    kill_when(&setup, &marker);
    setup.unhook(false, "pre-commit");
    assert_ne!(setup.git(&["status", "--porcelain"]), "", "the kill left the edits");
    let dry = setup.release(&["minor"]).code(2);
    assert!(dry.stderr.contains("the working tree holds the edits of the interrupted release of 0.2.0: run the same command with --execute"), "{dry}");

    // Killed again, this time after the commit, while the post-commit hook runs.
    std::fs::remove_file(&marker).unwrap();
    setup.hook(false, "post-commit", &wait);
    kill_when(&setup, &marker);
    assert_eq!(setup.git(&["log", "-1", "--format=%s"]), "chore: release version 0.2.0");
    assert!(setup.git(&["tag", "-l"]).is_empty(), "killed before the tag");

    let run = setup.release(&["minor", "--execute"]).success();
    assert!(run.stderr.contains("[2/8] commit   found"), "{run}");
    assert_released(&setup, &start);
}
