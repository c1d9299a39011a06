//! `cargo xtask bench preflight`: the usual release checklist typed by hand against
//! `cargo xtask preflight`, side by side in one run: on a generated workspace (cold, warm,
//! after an edit) and on a clone of this repository (cold, unchanged, after a one-line
//! edit in a library crate); plus `cargo xtask --help`. The xtask's cold build is
//! `bench adopt`'s, as a median and both ways it is built.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use super::{median, secs, time};

/// Crates in the generated workspace, each depending on the one before.
const CRATES: usize = 4;
/// Public functions per crate, each with a doc test, as a small documented library has.
const FUNCTIONS: usize = 8;

/// The checklist as people type it (README checklists, cargo-release guides). In a
/// virtual workspace `--features` needs the package prefix.
const BY_HAND: &[&[&str]] = &[
    &["test", "--all"],
    &["test", "--workspace", "--features", "bench-crate-0/integration"],
    &["test", "--doc"],
    &["clippy", "--", "-D", "warnings"],
    &["fmt", "--", "--check"],
    &["doc", "--no-deps"],
    &["build", "--release", "--all-features"],
    &["package", "--list"],
    &["publish", "--dry-run"],
];

/// The checklist this repository's README gave before preflight existed.
const BY_HAND_HERE: &[&[&str]] = &[
    &["test", "--all"],
    &["test", "--doc"],
    &["clippy", "--", "-D", "warnings"],
    &["fmt", "--", "--check"],
    &["doc", "--no-deps"],
    &["build", "--release", "--all-features"],
    &["package", "--list"],
    &["publish", "--dry-run"],
];

/// Preflight on this repository as the hand checklist covers it: no network steps.
const PREFLIGHT_HERE: &[&str] = &["--skip", "audit,breaking,outdated"];

/// Runs the benchmark and returns its markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    if !sh.path_exists("xtask/Cargo.toml") {
        bail!("run `cargo xtask bench preflight` from the launchkit repository root");
    }
    let work =
        std::env::temp_dir().join(format!("launchkit-bench-preflight-{}", std::process::id()));
    let by_hand = generate_fixture(sh, &work.join("by-hand"))?;
    let preflight = generate_fixture(sh, &work.join("preflight"))?;
    let xtask = std::env::current_exe().context("cannot find the running xtask")?;

    let mut samples = [const { Vec::new() }; 7];
    for round in 1..=runs {
        eprintln!("generated workspace, round {round}/{runs}");
        for dir in [&by_hand, &preflight] {
            sh.remove_path(dir.join("target"))?;
        }
        samples[0].push(time(|| run_by_hand(sh, &by_hand, BY_HAND))?);
        samples[1].push(time(|| run_preflight(sh, &xtask, &preflight, &[]))?);
        samples[2].push(time(|| run_by_hand(sh, &by_hand, BY_HAND))?);
        samples[3].push(time(|| run_preflight(sh, &xtask, &preflight, &[]))?);
        samples[4].push(time(|| run_preflight(sh, &xtask, &preflight, &["--no-cache"]))?);
        for dir in [&by_hand, &preflight] {
            edit(sh, dir, "crate-0/src/lib.rs", round)?;
        }
        samples[5].push(time(|| run_by_hand(sh, &by_hand, BY_HAND))?);
        samples[6].push(time(|| run_preflight(sh, &xtask, &preflight, &[]))?);
    }
    let [hand_cold, ours_cold, hand_warm, ours_warm, ours_uncached, hand_edit, ours_edit] =
        samples.map(median);
    let here = this_repository(sh, &work, &xtask)?;

    cmd!(sh, "cargo build --quiet --package xtask").run()?;
    let help = median(
        (0..5)
            .map(|_| {
                time(|| {
                    Ok(cmd!(sh, "cargo xtask --help")
                        .quiet()
                        .ignore_stdout()
                        .ignore_stderr()
                        .run()?)
                })
            })
            .collect::<anyhow::Result<_>>()?,
    );
    sh.remove_path(&work)?;

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let row = |label: &str, hand: Duration, ours: Duration, target: &str| {
        format!(
            "| {label} | {} | {} | {:.2} | {target} |\n",
            secs(hand),
            secs(ours),
            ours.as_secs_f64() / hand.as_secs_f64()
        )
    };
    Ok(format!(
        "## preflight\n\n\
         `cargo xtask bench preflight`: a generated workspace of {CRATES} crates in a chain, \
         {FUNCTIONS} documented functions each (a doc test apiece), unit tests, and an \
         `integration` feature with its own test; no external dependencies. Median of \
         {runs} runs on {cores} cores. (a) is the checklist typed by hand: \
         `cargo test --all`, `cargo test --features integration`, `cargo test --doc`, \
         `cargo clippy -- -D warnings`, `cargo fmt -- --check`, `cargo doc --no-deps`, \
         `cargo build --release --all-features`, `cargo package --list`, \
         `cargo publish --dry-run`; (b) is `cargo xtask preflight`, which covers the same \
         and more (all targets and features in clippy, warnings denied in rustdoc). \
         preflight builds in the dev profile, reusing the test step's build, where the \
         checklist compiles a release build of its own.\n\n\
         | generated workspace | by hand (a) | preflight (b) | b/a | goal |\n\
         |---|---:|---:|---:|---:|\n\
         {}{}{}{}\n\
         On a clone of this repository (one round; its tests start registry servers), \
         the checklist its README gave (`cargo test --all`, `cargo test --doc`, \
         `cargo clippy -- -D warnings`, `cargo fmt -- --check`, `cargo doc --no-deps`, \
         `cargo build --release --all-features`, `cargo package --list`, \
         `cargo publish --dry-run`) against `cargo xtask preflight --skip \
         audit,breaking,outdated`, each clone with its own target directory:\n\n\
         | this repository | by hand (a) | preflight (b) | b/a | goal |\n\
         |---|---:|---:|---:|---:|\n\
         {}{}{}\n\
         - `cargo xtask --help` on a warm build: {}\n\
         - the xtask's cold build: `cargo xtask bench adopt` (below), median of several \
         runs, as a contributor's first build and as CI's\n",
        row("cold", hand_cold, ours_cold, "≤ 0.8"),
        row("warm, unchanged", hand_warm, ours_warm, "≤ 0.1"),
        row("warm, `--no-cache`", hand_warm, ours_uncached, ""),
        row("after a one-line edit", hand_edit, ours_edit, "≤ 0.8"),
        row("cold", here[0], here[1], ""),
        row("unchanged", here[2], here[3], "≤ 0.1"),
        row("after a one-line edit in a library crate", here[4], here[5], "≤ 0.8"),
        secs(help),
    ))
}

/// This repository, cloned twice: the checklist it once gave in one clone, preflight
/// (audit, breaking and outdated left out, as the checklist has no such steps) in the
/// other, each with its own target directory. One round: cold, unchanged, then after a
/// one-line edit in a library crate, committed as a contributor would.
fn this_repository(sh: &Shell, work: &Path, xtask: &Path) -> anyhow::Result<[Duration; 6]> {
    let server = launchkit_testkit::registry::find_binary()
        .filter(|path| path.is_file())
        .context("the tests need the registry server: run `cargo xtask test` once first")?;
    let _server = sh.push_env("FERRO_CARGO_REGISTRY_SERVER", server);
    let root = sh.current_dir();
    let (by_hand, preflight) = (work.join("here-by-hand"), work.join("here-preflight"));
    for dir in [&by_hand, &preflight] {
        cmd!(sh, "git clone --quiet {root} {dir}").run()?;
    }
    let mut times = Vec::new();
    for step in ["cold", "unchanged", "after an edit"] {
        eprintln!("this repository, {step}");
        if step == "after an edit" {
            for dir in [&by_hand, &preflight] {
                edit(sh, dir, "crates/launchkit-report/src/lib.rs", 1)?;
            }
        }
        times.push(time(|| run_by_hand(sh, &by_hand, BY_HAND_HERE))?);
        times.push(time(|| run_preflight(sh, xtask, &preflight, PREFLIGHT_HERE))?);
    }
    Ok(times.try_into().expect("two times per step"))
}

/// Appends a comment line to `file` in the repository `dir` and commits it.
fn edit(sh: &Shell, dir: &Path, file: &str, round: u32) -> anyhow::Result<()> {
    let path = dir.join(file);
    let text = sh.read_file(&path)?;
    sh.write_file(&path, format!("{text}// benchmark edit {round}\n"))?;
    let _dir = sh.push_dir(dir);
    cmd!(sh, "git -c user.name=bench -c user.email=bench@example.com commit -q -am edit").run()?;
    Ok(())
}

/// Writes the benchmark workspace into `root` and commits it.
pub(super) fn generate_fixture(sh: &Shell, root: &Path) -> anyhow::Result<PathBuf> {
    sh.remove_path(root)?;
    let members: Vec<String> = (0..CRATES).map(|n| format!("\"crate-{n}\"")).collect();
    sh.write_file(
        root.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[workspace.package]\n\
             version = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n",
            members.join(", ")
        ),
    )?;
    sh.write_file(root.join(".gitignore"), "/target\n")?;
    sh.write_file(
        root.join("CHANGELOG.md"),
        "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- The benchmark crates.\n",
    )?;
    for n in 0..CRATES {
        let dir = root.join(format!("crate-{n}"));
        let dependency = match n {
            0 => String::new(),
            _ => format!(
                "bench-crate-{0} = {{ path = \"../crate-{0}\", version = \"0.1.0\" }}\n",
                n - 1
            ),
        };
        sh.write_file(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"bench-crate-{n}\"\ndescription = \"Benchmark crate {n}\"\n\
                 version.workspace = true\nedition.workspace = true\nlicense.workspace = true\n\n\
                 [features]\nintegration = []\n\n[dependencies]\n{dependency}"
            ),
        )?;
        sh.write_file(dir.join("src/lib.rs"), library_source(n))?;
        sh.write_file(
            dir.join("tests/integration.rs"),
            format!(
                "//! Integration tests.\n#![cfg(feature = \"integration\")]\n\n#[test]\n\
                 fn first() {{\n    assert_eq!(bench_crate_{n}::function_0(1), 1);\n}}\n"
            ),
        )?;
    }
    let _dir = sh.push_dir(root);
    cmd!(sh, "git init -q").run()?;
    cmd!(sh, "cargo generate-lockfile --quiet --offline").run()?;
    cmd!(sh, "git add -A").run()?;
    cmd!(sh, "git -c user.name=bench -c user.email=bench@example.com commit -q -m fixture")
        .run()?;
    Ok(root.to_owned())
}

fn library_source(n: usize) -> String {
    let mut source = format!("//! Benchmark crate {n}.\n");
    for f in 0..FUNCTIONS {
        let body = match n {
            0 => format!("x.rotate_left({f}).rotate_right({f})"),
            _ => format!("bench_crate_{}::function_{f}(x)", n - 1),
        };
        source += &format!(
            "\n/// Returns `x`, the long way.\n///\n/// ```\n\
             /// assert_eq!(bench_crate_{n}::function_{f}(7), 7);\n/// ```\n\
             pub fn function_{f}(x: u64) -> u64 {{\n    {body}\n}}\n"
        );
    }
    source += "\n#[cfg(test)]\nmod tests {\n";
    for f in 0..FUNCTIONS {
        source += &format!(
            "    #[test]\n    fn function_{f}_is_identity() {{\n        assert_eq!(super::function_{f}(3), 3);\n    }}\n"
        );
    }
    source + "}\n"
}

fn run_by_hand(sh: &Shell, dir: &Path, checklist: &[&[&str]]) -> anyhow::Result<()> {
    let _dir = sh.push_dir(dir);
    for &args in checklist {
        cmd!(sh, "cargo {args...}")
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .quiet()
            .ignore_stdout()
            .ignore_stderr()
            .run()
            .with_context(|| {
                format!("`cargo {}` failed in the benchmark fixture", args.join(" "))
            })?;
    }
    Ok(())
}

fn run_preflight(sh: &Shell, xtask: &Path, dir: &Path, flags: &[&str]) -> anyhow::Result<()> {
    let _dir = sh.push_dir(dir);
    cmd!(sh, "{xtask} preflight --format json {flags...}")
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("CI")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .context("`cargo xtask preflight` failed in the benchmark fixture")?;
    Ok(())
}
