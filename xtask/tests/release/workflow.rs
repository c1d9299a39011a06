//! The release workflow `cargo xtask init` writes (and this repository uses) run as
//! GitHub Actions would run its script: `bash -e` in the checkout, with the level in
//! `LEVEL` and an empty `CARGO_REGISTRY_TOKEN` (the secret is unset).

use launchkit_testkit::{Faults, Run};

use crate::support::{CRATES, GITHUB_TOKEN, Setup, TOKEN};

/// The script of the workflow's `run: |` step, without its indentation.
fn release_script() -> String {
    let workflow = include_str!("../../../.github/workflows/release.yml");
    let (_, block) = workflow.split_once("        run: |\n").expect("a run block");
    let lines = block.lines().map_while(|line| line.strip_prefix("          "));
    lines.map(|line| format!("{line}\n")).collect()
}

#[test]
fn the_release_workflow_script_releases_the_fixture() {
    let setup = Setup::new(Faults::none());
    let script = release_script();
    assert!(script.ends_with("cargo xtask release \"$LEVEL\" --execute\n"), "{script}");
    // `cargo xtask` is the alias init writes; here it runs the xtask under test, and
    // every other cargo command the real cargo.
    let bin = setup.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let shim = format!(
        "#!/bin/sh\nif [ \"$1\" = xtask ]; then shift; exec '{}' \"$@\"; fi\nexec '{cargo}' \"$@\"\n",
        env!("CARGO_BIN_EXE_xtask")
    );
    std::fs::write(bin.join("cargo"), shim).unwrap();
    crate::support::run("chmod", &["+x", "cargo"], &bin);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let start = setup.git(&["rev-parse", "HEAD"]);

    let mut command = setup.command_of("bash", &["-e", "-c", &script]);
    command
        .env("PATH", path)
        .env("LEVEL", "minor")
        .env("CARGO_REGISTRY_TOKEN", "")
        // The workflow's environment is production; the fixture's staging points at the
        // test registry. The workflow runs any day; this test must pass on Fridays too.
        .env("LAUNCHKIT_ENV", "staging")
        .env("LAUNCHKIT_ALLOW_FRIDAY", "true");
    Run::checked(command.output().unwrap(), &[TOKEN, GITHUB_TOKEN]).success();

    let expected: Vec<String> = CRATES.iter().map(|name| format!("{name}@0.2.0")).collect();
    assert_eq!(setup.uploads(), expected);
    let head = setup.git(&["rev-parse", "HEAD"]);
    assert_eq!(setup.git(&["rev-parse", "HEAD~1"]), start);
    assert_eq!(setup.remote_git(&["rev-parse", "main"]), head);
    assert_eq!(setup.remote_git(&["rev-parse", "v0.2.0^{commit}"]), head);
    // The script's git identity made the release commit.
    assert_eq!(
        setup.git(&["show", "-s", "--format=%an <%ae>", "HEAD"]),
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    );
    assert_eq!(setup.forge.releases().len(), 1);
}
