//! `cargo xtask bench <target>`: side-by-side measurements, written as ratios into
//! docs/benchmarks.md between the benchmark's own markers, so each benchmark updates
//! only its section.

mod anchors;
mod links;
mod preflight;
mod publish;
mod scan;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use xshell::Shell;

use crate::flags::{self, BenchTarget};

impl flags::Bench {
    /// Runs the chosen benchmark and writes (or prints) its section.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        // Refused before minutes of measuring, not after.
        let write = flags::inside(&sh.current_dir(), &self.write, "--write")?;
        let section = match self.target {
            BenchTarget::Preflight => preflight::run(sh, self.runs)?,
            BenchTarget::Publish => publish::run(sh, self.runs)?,
            BenchTarget::Links => links::run(sh, self.runs)?,
            BenchTarget::Scan => scan::run(sh, self.runs)?,
            BenchTarget::Anchors => anchors::run(sh, self.runs)?,
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
