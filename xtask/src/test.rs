//! `cargo xtask test`: the project's whole test suite on a fresh machine.
//!
//! The publishing tests run against a real registry server. When none is installed, this
//! installs the pinned `ferro-cargo-registry-server` into the target directory (once; later
//! runs find it there), then runs `cargo test --workspace --no-fail-fast` with any extra
//! arguments (the whole suite under cargo-nextest when it is installed, doc tests under
//! cargo test): every test binary runs, and the task ends with one summary of every failure
//! (the binaries, their failed tests, the command that runs each again) on stdout, after
//! the whole log on stderr.
//!
//! The default suite reads only what the repository holds or generates. The opt-in suite,
//! tests on real-world documentation trees, changelogs and the whole RustSec database, is
//! `#[ignore]`d; `--corpora DIR` and `--advisory-db DIR` set the variables those tests
//! read (`LAUNCHKIT_CORPORA`, `LAUNCHKIT_ADVISORY_DB`) and run the ignored tests too.

mod summary;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use launchkit_testkit::corpora::{ADVISORY_DB_VAR, CORPORA_VAR};
use launchkit_testkit::registry::{BINARY, VERSION, find_binary};
use launchkit_workspace::Workspace;
use xshell::{Cmd, Shell, cmd};

/// Run this project's tests (`cargo test --workspace --no-fail-fast`), installing the
/// registry server the publishing tests need when it is missing.
///
/// Every test binary runs; the log goes to stderr, and one summary of all failures to
/// stdout. The default suite needs only the repository. `--corpora` and `--advisory-db` add
/// the opt-in tests on real-world data (ignored otherwise).
#[derive(Debug, clap::Args)]
pub struct Test {
    /// Also run the opt-in tests on real-world documentation trees and changelogs, found in
    /// this folder (`book/`, `rust-by-example/`, `changelogs/`); sets `LAUNCHKIT_CORPORA`.
    #[arg(long, value_name = "DIR")]
    pub corpora: Option<PathBuf>,
    /// Also run the opt-in tests on a whole RustSec advisory database in this folder; sets
    /// `LAUNCHKIT_ADVISORY_DB`.
    #[arg(long, value_name = "DIR")]
    pub advisory_db: Option<PathBuf>,
    /// Passed to `cargo test` (for example `-p launchkit-links --test corpora`, or a test
    /// name filter).
    #[arg(allow_hyphen_values = true, value_name = "ARGS")]
    pub args: Vec<String>,
    /// After `--`: passed to the test binaries (for example `--nocapture`, or `--ignored`
    /// to run only the opt-in tests).
    #[arg(last = true, value_name = "TEST_ARGS")]
    pub test_args: Vec<String>,
}

/// Makes sure the registry server is there, then runs the tests.
pub fn run(test: Test, sh: &Shell) -> anyhow::Result<ExitCode> {
    test.run(sh)
}

impl Test {
    fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let opt_in = self.opt_in(sh)?;
        // Written once a run got as far as running tests: the build is no longer cold.
        let built = ws.target_dir.join("launchkit-tools/tests-built");
        first_run_notice(&built, find_binary().is_some_and(|path| path.is_file()), &ws.target_dir);
        let server = registry_server(sh, &ws.target_dir)?;
        let (cargo_args, mut test_args) = self.split_args();
        let runs_ignored = |arg: &String| arg == "--ignored" || arg == "--include-ignored";
        if !opt_in.is_empty() && !test_args.iter().any(runs_ignored) {
            test_args.push("--include-ignored".to_owned());
        }
        let cargo = launchkit::cargo_program();
        let commands = match nextest_ignored(&cargo_args, &test_args) {
            Some(ignored) if has_nextest(sh, &cargo) => vec![
                cmd!(sh, "{cargo} nextest run --workspace --no-fail-fast {ignored...}")
                    .arg(format!("--test-threads={}", test_threads())),
                cmd!(sh, "{cargo} test --workspace --doc --no-fail-fast -- {test_args...}"),
            ],
            _ => vec![cmd!(
                sh,
                "{cargo} test --workspace --no-fail-fast {cargo_args...} -- {test_args...}"
            )],
        };
        let started = Instant::now();
        let mut failures = summary::Failures::default();
        let mut success = true;
        for command in commands {
            let command = command
                .env("FERRO_CARGO_REGISTRY_SERVER", &server)
                .envs(opt_in.iter().map(|(var, dir)| (var, dir)));
            success &= run_and_read(command, &mut failures)?;
        }
        if failures.ran && !built.is_file() {
            std::fs::create_dir_all(built.parent().expect("in launchkit-tools"))?;
            std::fs::write(&built, "")?;
        }
        print!("{}", failures.render(success, started.elapsed()));
        Ok(if success { ExitCode::SUCCESS } else { ExitCode::FAILURE })
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

    /// The arguments for cargo and, after `--`, those for the test binaries. clap keeps a
    /// `--` that follows cargo arguments in `args`, and takes a leading one itself.
    fn split_args(&self) -> (Vec<String>, Vec<String>) {
        let (mut cargo_args, mut test_args) = (self.args.clone(), self.test_args.clone());
        if let Some(at) = cargo_args.iter().position(|arg| arg == "--") {
            test_args.splice(0..0, cargo_args.split_off(at).into_iter().skip(1));
        }
        (cargo_args, test_args)
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

/// Says how long a first run takes, and why, before it starts.
fn first_run_notice(built: &Path, server_found: bool, target_dir: &Path) {
    let install = !server_found && !target_dir.join("launchkit-tools/bin").join(BINARY).is_file();
    let why = format!(
        "building every crate's tests (about {BUILD_MIN} min), then running them (about \
         {RUN_MIN} min, as on every run); later runs build only what changed"
    );
    match (install, built.is_file()) {
        (true, _) => eprintln!(
            "first run: about {} min on 2 cores: installing {BINARY} for the publishing tests \
             (about {INSTALL_MIN} min, once), {why}",
            INSTALL_MIN + BUILD_MIN + RUN_MIN
        ),
        (false, false) => {
            eprintln!("first build: about {} min on 2 cores: {why}", BUILD_MIN + RUN_MIN)
        }
        (false, true) => {}
    }
}

// Measured on a fresh clone with an empty `CARGO_HOME`, on 2 cores shared with other jobs
// (README.md, "How long a first run takes").
const INSTALL_MIN: u32 = 7;
const BUILD_MIN: u32 = 2;
const RUN_MIN: u32 = 5;

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

/// The whole suite runs under cargo-nextest when it is installed: every test binary at
/// once instead of one after the other (doc tests, which nextest does not run, follow
/// under cargo test). For the whole suite only: the nextest flag that stands for the
/// test arguments, `None` when arguments choose what runs.
fn nextest_ignored<'a>(cargo_args: &[String], test_args: &'a [String]) -> Option<Vec<&'a str>> {
    if !cargo_args.is_empty() {
        return None;
    }
    test_args
        .iter()
        .map(|arg| match arg.as_str() {
            "--ignored" => Some("--run-ignored=only"),
            "--include-ignored" => Some("--run-ignored=all"),
            _ => None,
        })
        .collect()
}

/// Twice the cores: most tests spend their time waiting for the git, cargo and registry
/// server processes they start, so two per core keep the cores busy (the suite ran in 112 s
/// instead of 132 s on 2 cores).
fn test_threads() -> usize {
    2 * std::thread::available_parallelism().map_or(1, usize::from)
}

fn has_nextest(sh: &Shell, cargo: &str) -> bool {
    cmd!(sh, "{cargo} nextest --version").quiet().ignore_stdout().ignore_stderr().run().is_ok()
}

/// Runs `command` with its stdout and stderr merged into one pipe, so that each failure
/// is read in the order it happened, and passes every line on to stderr as it comes.
/// True when it succeeded.
fn run_and_read(command: Cmd<'_>, failures: &mut summary::Failures) -> anyhow::Result<bool> {
    let (reader, writer) = std::io::pipe()?;
    let mut command = std::process::Command::from(command);
    command.stdout(writer.try_clone()?).stderr(writer);
    let mut child = command.spawn().context("cannot run cargo test")?;
    // The pipe ends only when every writer is closed, ours included.
    drop(command);
    for line in std::io::BufReader::new(reader).split(b'\n') {
        let line = String::from_utf8_lossy(&line?).into_owned();
        eprintln!("{line}");
        failures.line(line.trim_end_matches('\r'));
    }
    Ok(child.wait()?.success())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(clap::Subcommand)]
    enum Command {
        Test(super::Test),
    }

    fn split(line: &str) -> (Vec<String>, Vec<String>) {
        let Command::Test(test) = Cli::try_parse_from(line.split(' ')).unwrap().command;
        test.split_args()
    }

    #[test]
    fn nextest_runs_the_whole_suite_only() {
        let args = |list: &[&str]| list.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
        let nextest = |cargo: &[&str], test: &[&str]| {
            super::nextest_ignored(&args(cargo), &args(test)).map(|flags| flags.join(" "))
        };
        assert_eq!(nextest(&[], &[]).as_deref(), Some(""));
        assert_eq!(nextest(&[], &["--include-ignored"]).as_deref(), Some("--run-ignored=all"));
        assert_eq!(nextest(&[], &["--ignored"]).as_deref(), Some("--run-ignored=only"));
        assert_eq!(nextest(&["-p", "xtask"], &[]), None);
        assert_eq!(nextest(&[], &["--nocapture"]), None);
    }

    #[test]
    fn arguments_after_a_double_dash_go_to_the_test_binaries() {
        let args = |list: &[&str]| list.iter().map(|arg| arg.to_string()).collect::<Vec<_>>();
        assert_eq!(split("xtask test -p x"), (args(&["-p", "x"]), args(&[])));
        assert_eq!(
            split("xtask test name -- --nocapture"),
            (args(&["name"]), args(&["--nocapture"]))
        );
        assert_eq!(
            split("xtask test --corpora dir -- --ignored"),
            (args(&[]), args(&["--ignored"]))
        );
    }
}
