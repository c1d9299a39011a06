//! `cargo xtask bench`: measurements written to docs/benchmarks.md.

mod publish;

use std::process::ExitCode;

use xshell::Shell;

use crate::flags;

impl flags::Bench {
    /// Runs the chosen benchmark.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        match self.target {
            flags::BenchTarget::Publish => publish::run(sh, &self),
            flags::BenchTarget::Preflight => anyhow::bail!("not yet implemented"),
        }
    }
}
