//! Tasks started in a member's folder work on the whole workspace, exactly as from its
//! root: the shell is rooted once, and every git and cargo command runs there.

use launchkit_testkit::Faults;

use crate::flows::assert_released;
use crate::support::{GITHUB_TOKEN, MONDAY, Run, Setup, TOKEN};

/// The xtask with `args`, started in the repository's folder `folder`.
fn from(setup: &Setup, folder: &str, args: &[&str]) -> Run {
    let mut command = setup.command(args);
    command.current_dir(setup.repo().join(folder));
    Run::checked(command.output().unwrap(), &[TOKEN, GITHUB_TOKEN])
}

#[test]
fn a_release_started_in_a_member_folder_releases_the_workspace() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let run = from(&setup, "util", &args).success();
    assert!(run.stdout.contains("released 0.2.0 to staging: tag v0.2.0"), "{run}");
    assert_released(&setup, &start);

    // The same command from another member's folder finds it done, and says how to resume
    // without a --manifest-path.
    let again = from(&setup, "core/src", &args).success();
    assert!(again.stdout.contains("0.2.0 was already released to staging"), "{again}");
    let status = from(&setup, "app", &["status", "--env", "staging"]).success();
    assert!(status.stdout.contains("demo-core  0.2.0    v0.2.0  yes    yes"), "{status}");
    let yank = from(&setup, "core", &["yank", "0.2.0", "--env", "staging"]).success();
    assert!(yank.stderr.contains("dry run"), "{yank}");
    assert_released(&setup, &start);
}
