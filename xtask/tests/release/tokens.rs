//! Secrets flow to one process: during a whole release, the registry and forge tokens
//! reach the upload and the forge, and no build script, proc macro, test or git hook.

use launchkit_testkit::Faults;

use crate::flows::assert_released;
use crate::support::{GITHUB_TOKEN, MONDAY, Setup, TOKEN, run};

#[test]
fn no_build_script_or_git_hook_sees_a_token_during_a_whole_release() {
    let setup = Setup::new(Faults::none());
    let log = setup.dir.path().join("child-env.log");
    // A build script that records its whole environment, each time it runs: in
    // preflight's builds, tests and lints, and in the verification build of the packages.
    let build = format!(
        r#"use std::io::Write;

fn main() {{
    let vars: Vec<String> = std::env::vars().map(|(name, value)| format!("{{name}}={{value}}")).collect();
    let mut log = std::fs::OpenOptions::new().create(true).append(true).open({log:?}).unwrap();
    let name = std::env::var("CARGO_PKG_NAME").unwrap();
    writeln!(log, "build script of {{name}}: {{}}", vars.join(" ")).unwrap();
}}
"#
    );
    std::fs::write(setup.repo().join("core/build.rs"), build).unwrap();
    run("rustfmt", &["--edition", "2021", "core/build.rs"], &setup.repo());
    setup.git(&["add", "core/build.rs"]);
    setup.git(&["commit", "-q", "-m", "Record what build scripts see"]);
    let start = setup.git(&["rev-parse", "HEAD"]);
    let record = format!("echo \"$0: $(env | tr '\\n' ' ')\" >> '{}'", log.display());
    setup.hook(false, "pre-commit", &record);
    setup.hook(false, "pre-push", &record);

    let others = [
        ("CARGO_REGISTRY_TOKEN", "crates-io-token-3f1d"),
        ("GH_TOKEN", "gh-token-81c2"),
        ("GITLAB_TOKEN", "gitlab-token-0a9e"),
        ("GITEA_TOKEN", "gitea-token-5b7c"),
        ("CI_JOB_TOKEN", "ci-job-token-66d4"),
    ];
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    setup.xtask(&args, &others).success();
    // The upload and the forge got their tokens: everything was released.
    assert_released(&setup, &start);

    let seen = std::fs::read_to_string(&log).unwrap();
    let builds = seen.lines().filter(|line| line.starts_with("build script of demo-core")).count();
    assert!(builds >= 2, "preflight and the verification build ran it:\n{seen}");
    assert!(seen.contains("hooks/pre-commit: "), "{seen}");
    assert!(seen.contains("hooks/pre-push: "), "{seen}");
    let secrets = [TOKEN, GITHUB_TOKEN].into_iter().chain(others.iter().map(|(_, value)| *value));
    for secret in secrets {
        assert!(!seen.contains(secret), "a child process saw {secret}:\n{seen}");
    }
    for (name, _) in others.iter().chain(&[("CARGO_REGISTRIES_LK_TOKEN", ""), ("GITHUB_TOKEN", "")])
    {
        assert!(!seen.contains(&format!(" {name}=")), "a child process saw {name}:\n{seen}");
    }
}
