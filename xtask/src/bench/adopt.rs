//! `cargo xtask bench adopt`: what adopting launchkit costs a workspace, side by side in
//! one run: the time from `init --execute` to the first `cargo xtask preflight` result on
//! a fresh workspace (the adopter's first build of its xtask included), and the adopter's
//! cold xtask build beside this repository's, as a contributor's first build makes it and
//! as CI does (`CARGO_INCREMENTAL=0`).
//!
//! The adopter takes launchkit from this checkout (`init --path`): the same sources a
//! registry would serve, without a registry to start.

use std::time::Duration;

use anyhow::{Context, bail};
use xshell::{Shell, cmd};

use super::{median, secs, time};

/// Runs the benchmark and returns its markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    if !sh.path_exists("crates/launchkit/Cargo.toml") {
        bail!("run `cargo xtask bench adopt` from the launchkit repository root");
    }
    let here = sh.current_dir();
    let launchkit = here.join("crates/launchkit");
    let work = std::env::temp_dir().join(format!("launchkit-bench-adopt-{}", std::process::id()));
    let xtask = std::env::current_exe().context("cannot find the running xtask")?;

    let mut samples = [const { Vec::new() }; 4];
    for round in 1..=runs {
        eprintln!("round {round}/{runs}: init, then the first preflight");
        let fixture = super::preflight::generate_fixture(sh, &work.join("adopter"))?;
        let target = work.join("adopter-target");
        sh.remove_path(&target)?;
        samples[0].push(time(|| {
            let _dir = sh.push_dir(&fixture);
            cmd!(sh, "{xtask} init --path {launchkit} --execute").quiet().ignore_stdout().run()?;
            cmd!(sh, "git add -A").run()?;
            cmd!(sh, "git commit -q -m 'Adopt launchkit'").run()?;
            cmd!(sh, "cargo xtask preflight --skip audit,breaking,outdated")
                .env("CARGO_TARGET_DIR", &target)
                .env_remove("CI")
                .quiet()
                .ignore_stdout()
                .ignore_stderr()
                .run()
                .context("the adopter's first `cargo xtask preflight` failed")?;
            Ok(())
        })?);

        eprintln!("round {round}/{runs}: the two xtasks' cold builds");
        for (sample, dir, incremental) in
            [(1, &fixture, None), (2, &here, None), (3, &here, Some("0"))]
        {
            let target = work.join("cold-target");
            sh.remove_path(&target)?;
            let _dir = sh.push_dir(dir);
            samples[sample].push(time(|| {
                let mut build = cmd!(sh, "cargo build --quiet --package xtask")
                    .env("CARGO_TARGET_DIR", &target)
                    .env_remove("CARGO_INCREMENTAL");
                if let Some(value) = incremental {
                    build = build.env("CARGO_INCREMENTAL", value);
                }
                Ok(build.run()?)
            })?);
        }
    }
    sh.remove_path(&work)?;
    let [first_preflight, adopter_build, own_build, ci_build]: [Duration; 4] = samples.map(median);

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    Ok(format!(
        "## adopt\n\n\
         `cargo xtask bench adopt`: the generated workspace of `bench preflight` adopts \
         launchkit from this checkout (`init --path crates/launchkit --execute`, then a \
         commit), and runs its first `cargo xtask preflight --skip audit,breaking,outdated` \
         with an empty target directory, so the adopter's first build of its xtask is \
         included. Median of {runs} runs on {cores} cores.\n\n\
         | measurement | time |\n\
         |---|---:|\n\
         | `init --execute` to the first preflight result | {} |\n\
         | the adopter's xtask, cold build (a) | {} |\n\
         | this repository's xtask, cold build (b) | {} |\n\
         | the same, as CI builds it (`CARGO_INCREMENTAL=0`) | {} |\n\n\
         a/b = {:.2}. The adopter's xtask is launchkit alone, without this repository's \
         `test` and `bench` commands and their test support crate; its workspace keeps \
         cargo's default dev profile (full debug information), where this repository's \
         sets `debug = 0`.\n",
        secs(first_preflight),
        secs(adopter_build),
        secs(own_build),
        secs(ci_build),
        adopter_build.as_secs_f64() / own_build.as_secs_f64(),
    ))
}
