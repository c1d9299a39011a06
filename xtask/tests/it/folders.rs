//! Every task works from any folder inside the workspace, a member's or not, exactly as
//! from the root: the shell is rooted at the workspace once, before the task runs.

use crate::support::{Fixture, Run, xtask};

/// Exit code and stdout, without the durations that differ from run to run.
fn result(run: &Run) -> (i32, String) {
    let duration = regex::Regex::new(r#""duration_ms": ?\d+"#).unwrap();
    (run.code, duration.replace_all(&run.stdout, "").into_owned())
}

#[test]
fn every_task_works_from_any_folder_inside_the_workspace() {
    let fixture = Fixture::new("clean");
    fixture.write("docs/guide.md", "# Guide\n\n[core](../core/Cargo.toml), [gone](gone.md).\n");
    fixture.write("README.md", "# Fixture\n\nRead the [guide](docs/guide.md).\n");
    fixture.commit("docs");
    let before = fixture.snapshot();
    let steps = "fmt,changelog,version,links,secrets";
    // Each task with its exit code at the root: the broken link fails links and preflight.
    let tasks: [(&[&str], i32); 6] = [
        (&["preflight", "--only", steps, "--format", "json", "--no-cache"], 1),
        (&["changelog", "check"], 0),
        (&["changelog", "notes", "0.3.1"], 0),
        (&["version", "minor"], 0),
        (&["config", "--format", "json"], 0),
        (&["links", "--offline", "--format", "json"], 1),
    ];
    for (args, code) in tasks {
        let at_root = fixture.xtask(args);
        assert_eq!(at_root.code, code, "{args:?}: {}{}", at_root.stdout, at_root.stderr);
        for folder in ["core", "core/src", "docs"] {
            let inside = xtask(&fixture.root.join(folder), args, &[]);
            assert_eq!(
                result(&inside),
                result(&at_root),
                "{args:?} from {folder}: {}",
                inside.stderr
            );
        }
    }
    let links = fixture.xtask(&["links", "--offline", "--format", "json"]);
    assert!(links.stdout.contains("docs/gone.md` does not exist"), "{}", links.stdout);
    assert_eq!(fixture.snapshot(), before, "the tasks must not change the repository");
}

#[test]
fn a_file_to_write_outside_the_workspace_is_refused_before_any_work() {
    let fixture = Fixture::new("clean");
    let before = fixture.snapshot();
    let run = fixture.xtask(&["bench", "links", "--write", "../benchmarks.md"]);
    run.assert_refused("--write ../benchmarks.md is outside the workspace: pass a path inside");
    assert!(!fixture.root.with_file_name("benchmarks.md").exists());
    assert_eq!(fixture.snapshot(), before);
}
