//! One release at a time: the lock is taken before any check, atomically, and held to the
//! end; a second run refuses at once naming the holder, and a lock left by a run that
//! died is taken over with a note.

use std::process::Stdio;

use launchkit_testkit::Faults;

use crate::flows::assert_released;
use crate::support::{GITHUB_TOKEN, MONDAY, Run, Setup, TOKEN};

#[test]
fn of_three_releases_started_together_one_ships_and_the_others_refuse_at_once() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    // The lock file of a run that died: it names a holder, but no process holds the lock.
    let lock = setup.repo().join(".git/launchkit/release.lock");
    std::fs::create_dir_all(lock.parent().unwrap()).unwrap();
    let stale = r#"{"pid":4194000,"host":"gone-host","started":"2025-06-02T08:00:00Z","command":"cargo xtask release minor --execute"}"#;
    std::fs::write(&lock, stale).unwrap();

    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut command = setup.command(&args);
            command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    let runs: Vec<(u32, Run)> = children
        .into_iter()
        .map(|child| {
            let pid = child.id();
            (pid, Run::checked(child.wait_with_output().unwrap(), &[TOKEN, GITHUB_TOKEN]))
        })
        .collect();
    let (released, refused): (Vec<_>, Vec<_>) =
        runs.iter().partition(|(_, run)| run.code == Some(0));
    let all: Vec<String> = runs.iter().map(|(_, run)| run.to_string()).collect();
    assert_eq!(released.len(), 1, "exactly one release:\n{}", all.join("\n"));
    let (winner, run) = released[0];
    assert!(run.stdout.contains("released 0.2.0 to staging"), "{run}");
    assert!(
        run.stderr.contains("note: took over the release lock from process 4194000 on gone-host"),
        "{run}"
    );
    for (_, run) in refused {
        assert_eq!(run.code, Some(2), "{run}");
        let expected = format!("error: another release is running (process {winner} on ");
        assert!(run.stderr.starts_with(&expected), "{run}");
        assert!(run.stderr.contains("cargo xtask release minor --env staging"), "{run}");
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "one line, before any check:\n{run}");
        assert!(run.stdout.is_empty(), "{run}");
    }
    // Index, remote refs and the deployment log hold one of each.
    assert_released(&setup, &start);
    assert_eq!(setup.remote_git(&["tag", "-l"]), "v0.2.0");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "", "the lock names nobody after the run");
}
