//! `cargo xtask test`: the project's whole test suite on a fresh machine.
//!
//! The publishing tests run against a real registry server. When none is installed, this
//! installs the pinned `ferro-cargo-registry-server` into the target directory (once; later
//! runs find it there), then runs `cargo test --workspace` with any extra arguments.
//!
//! The default suite reads only what the repository holds or generates. The opt-in suite,
//! tests on real-world documentation trees, changelogs and the whole RustSec database, is
//! `#[ignore]`d; `--corpora DIR` and `--advisory-db DIR` set the variables those tests
//! read (`LAUNCHKIT_CORPORA`, `LAUNCHKIT_ADVISORY_DB`) and run the ignored tests too.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use launchkit_testkit::corpora::{ADVISORY_DB_VAR, CORPORA_VAR};
use launchkit_testkit::registry::{BINARY, VERSION, find_binary};
use launchkit_workspace::Workspace;
use xshell::{Shell, cmd};

use crate::flags;

impl flags::Test {
    /// Makes sure the registry server is there, then runs the tests.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let opt_in = self.opt_in(sh)?;
        let server = registry_server(sh, &ws.target_dir)?;
        let (cargo_args, mut test_args) = split_args(&self.args);
        let runs_ignored = |arg: &String| arg == "--ignored" || arg == "--include-ignored";
        if !opt_in.is_empty() && !test_args.iter().any(runs_ignored) {
            test_args.push("--include-ignored".to_owned());
        }
        let cargo = crate::preflight::cargo_program();
        let mut command = cmd!(sh, "{cargo} test --workspace {cargo_args...} -- {test_args...}")
            .env("FERRO_CARGO_REGISTRY_SERVER", &server)
            .quiet();
        for (var, dir) in &opt_in {
            command = command.env(var, dir);
        }
        Ok(if command.run().is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }

    /// The opt-in suite's variables, each an absolute path checked to be what it names:
    /// the tests run with the package as their current directory.
    fn opt_in(&self, sh: &Shell) -> anyhow::Result<Vec<(&'static str, PathBuf)>> {
        let mut vars = Vec::new();
        if let Some(dir) = &self.corpora {
            let dir = existing(sh, dir, "--corpora", "book")?;
            vars.push((CORPORA_VAR, dir));
        }
        if let Some(dir) = &self.advisory_db {
            let dir = existing(sh, dir, "--advisory-db", "crates")?;
            vars.push((ADVISORY_DB_VAR, dir));
        }
        Ok(vars)
    }
}

/// `dir` made absolute, when it holds `inside`.
fn existing(sh: &Shell, dir: &Path, flag: &str, inside: &str) -> anyhow::Result<PathBuf> {
    let path = sh.current_dir().join(dir);
    if !path.join(inside).exists() {
        bail!("{flag} {}: no {inside}/ in it: pass the folder that holds it", dir.display());
    }
    Ok(path.canonicalize()?)
}

/// The registry server the publishing tests start: on PATH or in
/// `FERRO_CARGO_REGISTRY_SERVER`, else installed into the target directory once.
fn registry_server(sh: &Shell, target_dir: &Path) -> anyhow::Result<PathBuf> {
    let tools = target_dir.join("launchkit-tools");
    let installed = tools.join("bin").join(BINARY);
    if let Some(server) = find_binary().filter(|path| path.is_file()) {
        return Ok(server);
    }
    if !installed.is_file() {
        eprintln!("installing {BINARY} {VERSION} for the publishing tests (once)");
        cmd!(sh, "cargo install --locked --root {tools} {BINARY}@{VERSION}")
            .run()
            .with_context(|| format!("cannot install {BINARY}: install it by hand with `cargo install --locked {BINARY}@{VERSION}`"))?;
    }
    Ok(installed)
}

/// The arguments for cargo and, after `--`, those for the test binaries.
fn split_args(args: &[String]) -> (Vec<String>, Vec<String>) {
    match args.iter().position(|arg| arg == "--") {
        Some(at) => (args[..at].to_vec(), args[at + 1..].to_vec()),
        None => (args.to_vec(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::split_args;

    #[test]
    fn arguments_after_a_double_dash_go_to_the_test_binaries() {
        let args = |list: &[&str]| list.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
        assert_eq!(split_args(&args(&["-p", "x"])), (args(&["-p", "x"]), args(&[])));
        assert_eq!(
            split_args(&args(&["name", "--", "--nocapture"])),
            (args(&["name"]), args(&["--nocapture"]))
        );
    }
}
