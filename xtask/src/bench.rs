//! `cargo xtask bench`: measurements written to docs/benchmarks.md.

use std::process::ExitCode;

use xshell::Shell;

use crate::flags;

impl flags::Bench {
    /// Runs the chosen benchmark.
    pub fn run(self, _sh: &Shell) -> anyhow::Result<ExitCode> {
        anyhow::bail!("not yet implemented")
    }
}
