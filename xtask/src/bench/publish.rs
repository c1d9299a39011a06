//! `cargo xtask bench publish`: `cargo xtask publish --execute` against
//! `cargo publish --workspace` on a 10-crate chain to a local registry, and planning time
//! for a 300-crate workspace. The last chain has each crate enable a feature of the one
//! before, so launchkit's verification builds 9 crates again alone (their features differ
//! from the combined build's): the price of per-crate feature correctness.
//!
//! Every publish gets a fresh registry, a fresh cargo home and no target directory, so
//! each run compiles and uploads everything; the figure is the median of `--runs`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use launchkit_testkit::fixture::path_dep;
use launchkit_testkit::{CargoSandbox, Fixture, RegistryServer, TempDir};
use launchkit_workspace::Workspace;
use xshell::Shell;

use super::{median, secs};

/// Crates in the chain.
const CHAIN: usize = 10;
/// Crates in the planning workspace.
const PLANNED: usize = 300;
const REGISTRY: &str = "bench";

/// Measures, and returns the markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    let tmp = TempDir::new(std::env::temp_dir(), "launchkit-bench-publish");
    let mut rows = Vec::new();
    let cases = [
        ("crates of about 450 lines", 40, false),
        ("one-function crates", 0, false),
        ("one-function crates, each enabling a feature of the one before", 0, true),
    ];
    for (label, items, features) in cases {
        eprintln!("bench publish: 10-crate chain, {label}");
        let fixture = chain(tmp.path(), items, features);
        let (mut ours, mut cargo) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            ours.push(publish_once(tmp.path(), &fixture, Tool::Launchkit)?);
            cargo.push(publish_once(tmp.path(), &fixture, Tool::Cargo)?);
        }
        rows.push((label, median(ours), median(cargo)));
    }
    eprintln!("bench publish: planning {PLANNED} crates");
    let (load, dry_run) = planning(tmp.path(), runs)?;
    Ok(render(&rows, load, dry_run, &toolchain(sh), runs))
}

#[derive(Clone, Copy)]
enum Tool {
    Launchkit,
    Cargo,
}

/// `c01 <- c02 <- ... <- c10`, each crate with `items` generated types and functions;
/// with `features`, each has a feature `extra` that the next one enables.
fn chain(base: &Path, items: usize, features: bool) -> Fixture {
    let mut builder = Fixture::builder(base);
    for i in 1..=CHAIN {
        let name = format!("c{i:02}");
        let previous = format!("c{:02}", i - 1);
        let mut tail = String::new();
        if i > 1 {
            let mut dep = path_dep(&previous, "0.1.0", Some(REGISTRY));
            if features {
                dep = dep.replace(" }", ", features = [\"extra\"] }");
            }
            tail = format!("[dependencies]\n{dep}\n");
        }
        if features {
            tail.push_str("\n[features]\nextra = []\n");
        }
        let call = if i > 1 { format!(" + {previous}::value()") } else { String::new() };
        let mut lib = format!(
            "//! Benchmark crate.\n\n/// One plus the previous crate's value.\npub fn value() -> u64 {{ 1{call} }}\n"
        );
        for item in 0..items {
            lib.push_str(&format!(
                "\n/// Item {item}.\n#[derive(Debug, Clone, PartialEq)]\npub struct Item{item}<T> {{\n    /// Value.\n    pub value: T,\n    /// Tag.\n    pub tag: u64,\n}}\n\nimpl<T: Clone + std::fmt::Debug> Item{item}<T> {{\n    /// The value.\n    pub fn get(&self) -> T {{\n        self.value.clone()\n    }}\n\n    /// Value and tag.\n    pub fn describe(&self) -> String {{\n        format!(\"{{:?}}-{{}}\", self.value, self.tag)\n    }}\n}}\n\n/// Function {item}.\npub fn f{item}(x: u64) -> u64 {{\n    let mut acc = x;\n    for k in 0..{} {{\n        acc = acc.wrapping_mul(31).wrapping_add(k);\n    }}\n    Item{item} {{ value: acc, tag: {item} }}.get()\n}}\n",
                item + 3
            ));
        }
        builder = builder.member_full(&name, "0.1.0", &tail, &lib);
    }
    builder.write()
}

/// One publish of the whole chain to a new registry; returns its wall time.
fn publish_once(base: &Path, fixture: &Fixture, tool: Tool) -> anyhow::Result<Duration> {
    let registry = RegistryServer::start(base);
    let sandbox =
        CargoSandbox::new(base).registry(REGISTRY, &registry.index_url(), Some("bench-token"));
    let target = fixture.root().join("target");
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    let mut command = match tool {
        Tool::Launchkit => {
            let mut command = sandbox.command(std::env::current_exe()?, fixture.root());
            command.args(["publish", "--registry", REGISTRY, "--execute"]);
            command
        }
        Tool::Cargo => {
            let mut command = sandbox.cargo(fixture.root());
            command.args(["publish", "--workspace", "--registry", REGISTRY]);
            command
        }
    };
    let started = Instant::now();
    let status = command.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
    let elapsed = started.elapsed();
    ensure!(status.success(), "the publish failed: {command:?}");
    ensure!(
        registry.versions(&format!("c{CHAIN:02}")) == ["0.1.0"],
        "the last crate is not on the registry"
    );
    Ok(elapsed)
}

/// Metadata + order for 300 crates in-process, and the whole dry run (which adds 300
/// index reads) as a command; medians.
fn planning(base: &Path, runs: u32) -> anyhow::Result<(Duration, Duration)> {
    let mut builder = Fixture::builder(base);
    for i in 0..PLANNED {
        let mut needs: Vec<usize> =
            [i / 2, i / 3, i.saturating_sub(7)].into_iter().filter(|dep| *dep < i).collect();
        needs.sort_unstable();
        needs.dedup();
        let deps: Vec<String> =
            needs.iter().map(|dep| path_dep(&format!("p{dep:03}"), "0.1.0", None)).collect();
        builder =
            builder.member(&format!("p{i:03}"), &format!("[dependencies]\n{}\n", deps.join("\n")));
    }
    let fixture = builder.write();
    let mut loads = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let ws = Workspace::load(&fixture.manifest())?;
        let order = ws.publish_order(launchkit_registry::CRATES_IO)?;
        loads.push(started.elapsed());
        ensure!(order.crates().count() == PLANNED, "the order lost crates");
    }
    let registry = RegistryServer::start(base);
    let sandbox = CargoSandbox::new(base).registry(REGISTRY, &registry.index_url(), None);
    let mut dry_runs = Vec::new();
    for _ in 0..runs {
        let mut command: Command = sandbox.command(std::env::current_exe()?, fixture.root());
        command
            .args(["publish", "--registry", REGISTRY])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let started = Instant::now();
        ensure!(command.status().context("dry run")?.success(), "the dry run failed");
        dry_runs.push(started.elapsed());
    }
    Ok((median(loads), median(dry_runs)))
}

fn toolchain(sh: &Shell) -> String {
    xshell::cmd!(sh, "rustc -V").quiet().read().unwrap_or_else(|_| "rustc (unknown)".to_owned())
}

fn render(
    rows: &[(&str, Duration, Duration)],
    load: Duration,
    dry_run: Duration,
    toolchain: &str,
    runs: u32,
) -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = format!(
        "## Publishing (`cargo xtask bench publish`)\n\n{toolchain}, {cores} cores; median of {runs} runs, each with a fresh registry, a fresh cargo home and no target directory.\n\n"
    );
    out.push_str("| 10-crate chain to a local registry | `cargo xtask publish --execute` | `cargo publish --workspace` | ratio (target <= 1.0) |\n|---|---|---|---|\n");
    for (label, ours, cargo) in rows {
        let ratio = ours.as_secs_f64() / cargo.as_secs_f64();
        out.push_str(&format!("| {label} | {} | {} | {ratio:.2} |\n", secs(*ours), secs(*cargo)));
    }
    out.push_str(&format!(
        "\n| planning, {PLANNED}-crate workspace | time | target |\n|---|---|---|\n| metadata + order | {} | < 2 s |\n| whole dry run (adds {PLANNED} index reads) | {} | |\n",
        secs(load),
        secs(dry_run)
    ));
    out
}
