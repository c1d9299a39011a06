//! `cargo xtask bench scan`: what the `secrets`, `audit` and `outdated` steps cost, in
//! the build `cargo xtask` runs (a debug build unless `--release`).
//!
//! Each check is timed in-process on its own (the library call) and as the whole step
//! (`cargo xtask preflight --only <step>`, which adds process start and `cargo metadata`).

use std::fmt::Write;
use std::hash::{BuildHasher, RandomState};
use std::path::Path;

use anyhow::{Context, bail};
use launchkit_scan::Lockfile;
use launchkit_scan::audit::{self, Database};
use launchkit_scan::outdated::IndexClient;
use launchkit_scan::secrets::{Scanner, files};
use xshell::{Shell, cmd};

use super::{median, time};

/// Files in the generated tree, and the synthetic tokens planted among them.
const FILES: usize = 1000;
const PLANTED: usize = 10;
/// Packages in the generated lockfile, half of them named in advisories.
const PACKAGES: usize = 400;
/// Dependencies whose index files `outdated` reads.
const DEPENDENCIES: usize = 50;

/// Runs the benchmark and returns its markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    if !sh.path_exists("crates/launchkit-scan/Cargo.toml") {
        bail!("run `cargo xtask bench scan` from the launchkit repository root");
    }
    let root = sh.current_dir();
    // A snapshot named as for the opt-in tests, else the one `audit` keeps up to date.
    let named = std::env::var_os(launchkit_testkit::corpora::ADVISORY_DB_VAR);
    let db_dir = (named.map(|dir| root.join(dir)).into_iter())
        .chain([launchkit_scan::audit::db::default_path()])
        .find(|dir| dir.join("crates").is_dir())
        .context("no advisory database: clone https://github.com/rustsec/advisory-db to ~/.cargo/advisory-db")?;
    let work = std::env::temp_dir().join(format!("launchkit-bench-scan-{}", std::process::id()));
    let xtask = std::env::current_exe().context("cannot find the running xtask")?;
    let repeat = |f: &mut dyn FnMut() -> anyhow::Result<()>| -> anyhow::Result<_> {
        Ok(median((0..runs).map(|_| time(&mut *f)).collect::<anyhow::Result<_>>()?))
    };

    eprintln!("secrets");
    let tracked: Vec<String> =
        cmd!(sh, "git ls-files").read()?.lines().map(str::to_owned).collect();
    let mut repo_scan = files::TreeScan::default();
    let secrets_repo = repeat(&mut || {
        repo_scan = files::scan_files(&Scanner::new(), &root, &tracked);
        Ok(())
    })?;
    let (tree, planted) = generate_tree(&work.join("tree"))?;
    let mut tree_scan = files::TreeScan::default();
    let secrets_tree = repeat(&mut || {
        tree_scan = files::scan_files(&Scanner::new(), &work.join("tree"), &tree);
        Ok(())
    })?;
    if tree_scan.secrets.len() != planted {
        bail!(
            "the generated tree holds {planted} tokens, the scan found {}",
            tree_scan.secrets.len()
        );
    }

    eprintln!("audit");
    let lock_text = generate_lockfile(&Database::load(&db_dir).map_err(anyhow::Error::msg)?);
    let mut findings = 0;
    let audit_time = repeat(&mut || {
        let db = Database::load(&db_dir).map_err(anyhow::Error::msg)?;
        let lock = Lockfile::parse(&lock_text).map_err(anyhow::Error::msg)?;
        findings = audit::audit(&lock, "Cargo.lock", &db, &[]).findings.len();
        Ok(())
    })?;

    eprintln!("outdated");
    let lock = Lockfile::parse(&std::fs::read_to_string(root.join("Cargo.lock"))?)
        .map_err(anyhow::Error::msg)?;
    let mut names: Vec<String> =
        lock.packages.iter().filter(|p| p.is_crates_io()).map(|p| p.name.clone()).collect();
    names.dedup();
    names.truncate(DEPENDENCIES);
    let outdated_time = repeat(&mut || {
        let answers = IndexClient::crates_io().releases_of_all(&names, 16);
        match answers.values().find_map(|answer| answer.as_ref().err()) {
            Some(error) => bail!("crates.io's index: {error}"),
            None => Ok(()),
        }
    })?;

    eprintln!("the steps through `cargo xtask preflight`");
    let db = db_dir.display().to_string();
    let step = |only: &str, extra: &[&str]| {
        repeat(&mut || {
            cmd!(sh, "{xtask} preflight --no-cache --format json --only {only} {extra...}")
                .quiet()
                .ignore_stdout()
                .ignore_stderr()
                .ignore_status()
                .run()?;
            Ok(())
        })
    };
    let step_secrets = step("secrets", &[])?;
    let step_audit = step("audit", &["--advisory-db", &db])?;
    let step_outdated = step("outdated", &[])?;
    sh.remove_path(&work)?;

    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let ms = |duration: std::time::Duration| format!("{:.0} ms", duration.as_secs_f64() * 1000.0);
    let mut out = format!(
        "## scan\n\n`cargo xtask bench scan`: {build} build (as `cargo xtask` runs), median of \
         {runs} runs on {cores} cores. \"check\" times the library call in-process; \"step\" \
         times `cargo xtask preflight --no-cache --only <step>`, which adds process start \
         and `cargo metadata`.\n\n| what | input | check | step | goal |\n|---|---|---:|---:|---:|\n"
    );
    let kib = |bytes: u64| bytes / 1024;
    let _ = writeln!(
        out,
        "| secrets, this repository | {} files, {} KiB | {} | {} | < 1 s |",
        repo_scan.files,
        kib(repo_scan.bytes),
        ms(secrets_repo),
        ms(step_secrets)
    );
    let _ = writeln!(
        out,
        "| secrets, generated tree | {} files, {} KiB, {planted} tokens planted and found | {} | | < 1 s |",
        tree_scan.files,
        kib(tree_scan.bytes),
        ms(secrets_tree)
    );
    let _ = writeln!(
        out,
        "| audit, loading the database included | {PACKAGES} packages ({} findings) against {} advisories | {} | {} (this repository) | < 300 ms |",
        findings,
        Database::load(&db_dir).map_err(anyhow::Error::msg)?.len(),
        ms(audit_time),
        ms(step_audit)
    );
    let _ = writeln!(
        out,
        "| outdated, crates.io sparse index | {} dependencies, 16 requests at a time | {} | {} (this repository) | |",
        names.len(),
        ms(outdated_time),
        ms(step_outdated)
    );
    Ok(out)
}

/// A source tree of Rust, TOML, YAML, JSON and markdown files, about 4 KiB each, with
/// [`PLANTED`] synthetic GitHub tokens; returns the file list and the token count.
fn generate_tree(dir: &Path) -> anyhow::Result<(Vec<String>, usize)> {
    let state = RandomState::new();
    let mut paths = Vec::with_capacity(FILES);
    for n in 0..FILES {
        let (path, mut text) = match n % 5 {
            0 => (format!("src/module_{n}.rs"), rust_text(n)),
            1 => (format!("config/service_{n}.toml"), config_text(n, "{key} = \"{value}\"\n")),
            2 => (format!("deploy/values_{n}.yaml"), config_text(n, "  {key}: {value}\n")),
            3 => (format!("data/fixture_{n}.json"), config_text(n, "  \"{key}\": \"{value}\",\n")),
            _ => (format!("docs/page_{n}.md"), prose_text(n)),
        };
        if n % (FILES / PLANTED) == 7 {
            let token: String = (0..36)
                .map(|i| {
                    let digits = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
                    char::from(digits[(state.hash_one((n, i)) % 62) as usize])
                })
                .collect();
            text.push_str(&format!("github_token = \"{}{token}\"\n", concat!("gh", "p_")));
        }
        let file = dir.join(&path);
        std::fs::create_dir_all(file.parent().unwrap_or(dir))?;
        std::fs::write(&file, text)?;
        paths.push(path);
    }
    Ok((paths, PLANTED))
}

fn rust_text(n: usize) -> String {
    (0..40)
        .map(|i| format!("/// Returns the {i}th value of table {n}.\npub fn value_{i}(x: u64) -> u64 {{ x.wrapping_mul({}) }}\n", i * 31 + n))
        .collect()
}

fn config_text(n: usize, line: &str) -> String {
    (0..90)
        .map(|i| {
            let (key, value) = match i % 3 {
                0 => (format!("name_{i}"), format!("service-{n}-{i}")),
                1 => (
                    format!("checksum_{i}"),
                    format!("{:064x}", RandomState::new().hash_one((n, i))),
                ),
                _ => (format!("timeout_ms_{i}"), format!("{}", i * 250)),
            };
            line.replace("{key}", &key).replace("{value}", &value)
        })
        .collect()
}

fn prose_text(n: usize) -> String {
    (0..30)
        .map(|i| format!("Paragraph {i} of page {n} explains how the release token is read from the environment, never from a file.\n"))
        .collect()
}

/// A Cargo.lock of [`PACKAGES`] crates.io packages at 0.1.0: half named in advisories,
/// half not, so both the lookup by name and the range checks do real work.
fn generate_lockfile(db: &Database) -> String {
    let mut names: Vec<&str> = db.crates.iter().map(|advisory| advisory.package.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let advised = names.into_iter().take(PACKAGES / 2).map(str::to_owned);
    let others = (0..PACKAGES / 2).map(|n| format!("bench-package-{n}"));
    let mut text = String::from("version = 4\n");
    for name in advised.chain(others) {
        let _ = write!(
            text,
            "\n[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\n\
             source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        );
    }
    text
}
