//! Release engineering for Rust workspaces, run as your workspace's `cargo xtask`.
//!
//! launchkit is the whole command line of `cargo xtask preflight`, `release`, `verify`,
//! `yank`, `status`, `doctor` and the rest, as a library: an xtask crate's `main` is one
//! call, pinned by the workspace's Cargo.lock and built like any other member.
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     launchkit::main()
//! }
//! ```
//!
//! `cargo launchkit init` (or `cargo xtask init`) writes that crate, the `cargo xtask`
//! alias, a changelog and CI workflows; see docs/adopting.md in the repository.
//!
//! A workspace adds its own commands and preflight steps with [`Launchkit`]:
//!
//! ```no_run
//! use std::process::ExitCode;
//!
//! use launchkit::{Ctx, Finding, Launchkit, Outcome, clap, xshell};
//!
//! /// Regenerate the bindings.
//! #[derive(clap::Args)]
//! struct Codegen {
//!     /// Print what would change without writing it.
//!     #[arg(long)]
//!     check: bool,
//! }
//!
//! fn codegen(args: Codegen, sh: &xshell::Shell) -> launchkit::anyhow::Result<ExitCode> {
//!     let check = args.check.then_some("--check");
//!     xshell::cmd!(sh, "cargo run -p codegen -- {check...}").run()?;
//!     Ok(ExitCode::SUCCESS)
//! }
//!
//! fn no_todo_in_readme(ctx: &Ctx) -> launchkit::anyhow::Result<Outcome> {
//!     let readme = std::fs::read_to_string(ctx.ws.root.join("README.md"))?;
//!     let findings = (readme.lines().zip(1..))
//!         .filter(|(line, _)| line.contains("TODO"))
//!         .map(|(_, number)| Finding::error("a TODO is left").at("README.md", number))
//!         .collect();
//!     Ok(Outcome::from_findings(findings))
//! }
//!
//! fn main() -> ExitCode {
//!     Launchkit::new()
//!         .command("codegen", codegen)
//!         .step("readme-todo", no_todo_in_readme)
//!         .main()
//! }
//! ```
//!
//! A step reports what it found; an error fails it, a warning is a warning (a failure
//! with `--strict` or `CI=true`). A command that writes a file a user names keeps it inside
//! the workspace with [`path_inside`]:
//!
//! ```
//! use std::path::Path;
//!
//! use launchkit::{Finding, Outcome, Severity, path_inside};
//!
//! let todo = Finding::warning("a TODO is left").at("README.md", 3).fix("say what it does");
//! let outcome = Outcome::from_findings(vec![todo]);
//! assert_eq!(outcome.findings[0].severity, Severity::Warning);
//!
//! let root = std::env::temp_dir();
//! let inside = path_inside(&root, Path::new("docs/report.md"), "--write").unwrap();
//! assert_eq!(inside, root.join("docs/report.md"));
//! let outside = path_inside(&root, Path::new("../report.md"), "--write").unwrap_err();
//! assert!(outside.to_string().starts_with("--write ../report.md is outside the workspace"));
//! ```
//!
//! Errors that stop a task before it can report are printed as one line and exit with
//! code 2; a task that ran and found problems exits with code 1.

mod changelog;
mod clock;
mod config;
mod deployments;
mod diff;
mod doctor;
mod flags;
mod init;
mod links;
mod output;
mod preflight;
mod publish;
mod release;
mod status;
mod target;
mod tokens;
mod verify;
mod version;
mod yank;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches};
pub use flags::inside as path_inside;
pub use launchkit_report::{Finding, Severity};
pub use launchkit_workspace::{Member, Workspace};
pub use preflight::{Ctx, Outcome, ToolRun, cargo_program};
use xshell::Shell;
/// The versions launchkit is built with, for commands and steps of your own: derive
/// `clap::Args` after `use launchkit::clap;`, run tools with `xshell::cmd!`.
pub use {anyhow, clap, xshell};

/// Runs launchkit's command line with its own commands only: the whole `main` of an
/// xtask that adds nothing.
pub fn main() -> ExitCode {
    Launchkit::new().main()
}

/// launchkit's command line, with the commands and preflight steps a workspace adds.
pub struct Launchkit {
    /// Run as `cargo launchkit` rather than as `cargo xtask`.
    cargo_subcommand: bool,
    commands: Vec<Extension>,
    steps: Vec<preflight::Step>,
}

/// A command added with [`Launchkit::command`].
struct Extension {
    name: &'static str,
    command: clap::Command,
    run: Box<RunExtension>,
}

/// Parses an added command's flags from its matches and runs it.
type RunExtension = dyn Fn(&ArgMatches, &Shell) -> anyhow::Result<ExitCode>;

impl Default for Launchkit {
    fn default() -> Self {
        Launchkit::new()
    }
}

impl Launchkit {
    /// launchkit's commands, run as `cargo xtask`.
    pub fn new() -> Launchkit {
        Launchkit { cargo_subcommand: false, commands: Vec::new(), steps: Vec::new() }
    }

    /// Run as the cargo subcommand `cargo launchkit` (the `cargo-launchkit` binary) rather
    /// than as an xtask: help shows `cargo launchkit`, and the `launchkit` argument cargo
    /// passes first is dropped.
    pub fn cargo_subcommand(mut self) -> Launchkit {
        self.cargo_subcommand = true;
        self
    }

    /// How the user runs it, as help and messages show it.
    fn bin_name(&self) -> &'static str {
        if self.cargo_subcommand { "cargo launchkit" } else { "cargo xtask" }
    }

    /// Adds the command `name`: its flags are `A`'s (a `clap::Args` type, whose doc comment
    /// is its help), and `run` does the work in a shell whose current directory is the
    /// workspace root, like every launchkit task. `--manifest-path` works for it too.
    ///
    /// # Panics
    ///
    /// When `name` is already a command: the command line would be ambiguous (a name of
    /// launchkit's own is refused when [`Launchkit::main`] builds the command line).
    pub fn command<A: clap::Args + 'static>(
        mut self,
        name: &'static str,
        run: fn(A, &Shell) -> anyhow::Result<ExitCode>,
    ) -> Launchkit {
        let taken = self.commands.iter().any(|command| command.name == name);
        assert!(!taken, "`{name}` is already a command: give yours another name");
        self.commands.push(Extension {
            name,
            command: A::augment_args(clap::Command::new(name)),
            run: Box::new(move |matches, sh| run(A::from_arg_matches(matches)?, sh)),
        });
        self
    }

    /// Adds the preflight step `name`, run after launchkit's own steps by `preflight`
    /// (`--only` and `--skip` name it like the others) and by `release`'s checks.
    ///
    /// Its pass is never cached: launchkit cannot know what it reads.
    ///
    /// # Panics
    ///
    /// When `name` is already a step.
    pub fn step(
        mut self,
        name: &'static str,
        run: fn(&Ctx) -> anyhow::Result<Outcome>,
    ) -> Launchkit {
        let taken = preflight::STEPS.iter().chain(&self.steps).any(|step| step.name == name);
        assert!(!taken, "`{name}` is already a preflight step: give yours another name");
        self.steps.push(preflight::Step { name, run });
        self
    }

    /// Parses the command line and runs the task: call it from `main`, before starting
    /// any thread.
    pub fn main(mut self) -> ExitCode {
        forget_cargo_run_env();
        let mut args: Vec<OsString> = std::env::args_os().collect();
        let mut cli = flags::Cli::command().bin_name(self.bin_name());
        if self.cargo_subcommand {
            cli = cli.name("cargo-launchkit");
            if args.get(1).is_some_and(|arg| arg == "launchkit") {
                args.remove(1);
            }
        }
        for extension in &self.commands {
            let name = extension.name;
            let taken = cli.find_subcommand(name).is_some();
            assert!(!taken, "`{name}` is already a command: give yours another name");
            cli = cli.subcommand(extension.command.clone());
        }
        let matches = match cli.try_get_matches_from(args) {
            Ok(matches) => matches,
            // --help and --version.
            Err(err) if !err.use_stderr() => err.exit(),
            Err(err) => {
                eprint!("{}", output::clip_words(&err.render().to_string()));
                return ExitCode::from(2);
            }
        };
        preflight::add_steps(std::mem::take(&mut self.steps));
        output::set_program(self.bin_name());
        let code = match self.run(&matches) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("error: {}", output::clip_words(&format!("{err:#}")));
                ExitCode::from(2)
            }
        };
        // A signal that came while trusted-publishing tokens were minted ends the process
        // from its handler, with the signal's code.
        publish::trusted::leave_to_handler();
        code
    }

    fn run(&self, matches: &ArgMatches) -> anyhow::Result<ExitCode> {
        let sh = workspace_shell(matches.get_one::<PathBuf>("manifest_path"))?;
        if let Some((name, args)) = matches.subcommand()
            && let Some(extension) = self.commands.iter().find(|command| command.name == name)
        {
            return (extension.run)(args, &sh);
        }
        match flags::Cli::from_arg_matches(matches)?.command {
            flags::Command::Preflight(cmd) => cmd.run(&sh),
            flags::Command::Config(cmd) => cmd.run(&sh),
            flags::Command::Publish(cmd) => cmd.run(&sh),
            flags::Command::Changelog(cmd) => cmd.run(&sh),
            flags::Command::Version(cmd) => cmd.run(&sh),
            flags::Command::Links(cmd) => cmd.run(&sh),
            flags::Command::Release(cmd) => cmd.run(&sh),
            flags::Command::Verify(cmd) => cmd.run(&sh),
            flags::Command::Yank(cmd) => cmd.run(&sh),
            flags::Command::Status(cmd) => cmd.run(&sh),
            flags::Command::Doctor(cmd) => cmd.run(&sh),
            flags::Command::Init(cmd) => cmd.run(&sh),
        }
    }
}

/// A shell in the root of the workspace the task works on: `--manifest-path`'s, else the
/// one containing the current folder, found as cargo finds it, so every task works from
/// any folder inside it (paths typed on the command line are resolved against that folder
/// first).
fn workspace_shell(manifest_path: Option<&PathBuf>) -> anyhow::Result<Shell> {
    let sh = Shell::new()?;
    if let Some(dir) = flags::workspace_dir(manifest_path)? {
        sh.change_dir(dir);
    }
    if let Some(root) = launchkit_workspace::root_of(&sh.current_dir()) {
        sh.change_dir(root);
    }
    Ok(sh)
}

/// Removes what `cargo run` sets for the xtask itself from the environment, so that no
/// command a task runs inherits it.
///
/// A nested cargo would inherit them, and build scripts that watch one of them (ring's
/// watches `CARGO_MANIFEST_DIR`) would then be fingerprinted differently from a cargo
/// started in the terminal: every switch between `cargo xtask ...` and `cargo test` would
/// rebuild them and everything above them. `CARGO` stays: it names the toolchain's cargo.
///
/// This is the one `unsafe` of the project: changing the environment is sound only while
/// no other thread reads it, so it is done only when this thread is provably the process's
/// only one (Linux lists a process's threads in /proc/self/task). Elsewhere the variables
/// stay, which costs those rebuilds and nothing else.
#[allow(unsafe_code)]
fn forget_cargo_run_env() {
    const SET_BY_CARGO_RUN: [&str; 7] = [
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    let only_thread = std::fs::read_dir("/proc/self/task").is_ok_and(|tasks| tasks.count() == 1);
    if !only_thread {
        return;
    }
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_") || SET_BY_CARGO_RUN.contains(&name) {
            // SAFETY: this thread is the process's only one (checked above), so no other
            // thread can read the environment while it changes.
            unsafe { std::env::remove_var(name) };
        }
    }
}
