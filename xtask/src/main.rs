//! launchkit's command line: `cargo xtask <task>`.
//!
//! Parses the flags, makes one [`xshell::Shell`] rooted at the workspace to work on (the
//! one containing the current folder, or `--manifest-path`'s, found as cargo finds it,
//! so every task works from any folder inside it), and hands it to the task. Errors that stop a task before it can report are printed as one
//! line and exit with code 2; a task that ran and found problems exits with code 1.

mod bench;
mod changelog;
mod clock;
mod config;
mod deployments;
mod diff;
mod doctor;
mod flags;
mod links;
mod output;
mod preflight;
mod publish;
mod release;
mod status;
mod target;
mod test;
mod verify;
mod version;
mod yank;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match flags::Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version.
        Err(err) if !err.use_stderr() => err.exit(),
        Err(err) => {
            eprint!("{}", output::clip_words(&err.render().to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", output::clip_words(&format!("{err:#}")));
            ExitCode::from(2)
        }
    }
}

fn run(cli: flags::Cli) -> anyhow::Result<ExitCode> {
    let sh = xshell::Shell::new()?;
    if let Some(dir) = cli.workspace_dir()? {
        sh.change_dir(dir);
    }
    if let Some(root) = workspace_root(&sh) {
        sh.change_dir(root);
    }
    match cli.command {
        flags::Command::Preflight(cmd) => cmd.run(&sh),
        flags::Command::Config(cmd) => cmd.run(&sh),
        flags::Command::Publish(cmd) => cmd.run(&sh),
        flags::Command::Test(cmd) => cmd.run(&sh),
        flags::Command::Bench(cmd) => cmd.run(&sh),
        flags::Command::Changelog(cmd) => cmd.run(&sh),
        flags::Command::Version(cmd) => cmd.run(&sh),
        flags::Command::Links(cmd) => cmd.run(&sh),
        flags::Command::Release(cmd) => cmd.run(&sh),
        flags::Command::Verify(cmd) => cmd.run(&sh),
        flags::Command::Yank(cmd) => cmd.run(&sh),
        flags::Command::Status(cmd) => cmd.run(&sh),
        flags::Command::Doctor(cmd) => cmd.run(&sh),
    }
}

/// The root of the workspace containing the shell's folder, as cargo finds it: the nearest
/// Cargo.toml upwards, then its workspace. `None` outside a workspace or when cargo cannot
/// read it; the task then reports that on its own terms.
fn workspace_root(sh: &xshell::Shell) -> Option<PathBuf> {
    let cargo = preflight::cargo_program();
    let manifest = xshell::cmd!(sh, "{cargo} locate-project --workspace --message-format plain")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()?;
    Some(PathBuf::from(manifest).parent()?.to_owned())
}
