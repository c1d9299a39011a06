//! launchkit's command line: `cargo xtask <task>`.
//!
//! Parses the flags, makes one [`xshell::Shell`] rooted at the workspace to work on, and
//! hands it to the task. Errors that stop a task before it can report are printed as one
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
mod tokens;
mod verify;
mod version;
mod yank;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = flags::Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: flags::Cli) -> anyhow::Result<ExitCode> {
    let sh = xshell::Shell::new()?;
    if let Some(dir) = cli.workspace_dir()? {
        sh.change_dir(dir);
    }
    // Tasks on the workspace run from its root, wherever inside it they were started:
    // `links` and `changelog` take paths relative to where they were typed.
    use flags::Command::{Bench, Changelog, Links};
    if !matches!(cli.command, Links(_) | Changelog(_) | Bench(_)) {
        root_at_workspace(&sh);
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

/// Moves the shell to the root of the workspace its directory is in (cargo decides, as
/// for `cargo build` there); outside any workspace it stays, and the task says what to do.
fn root_at_workspace(sh: &xshell::Shell) {
    let cargo = preflight::cargo_program();
    let located = xshell::cmd!(sh, "{cargo} locate-project --workspace --message-format plain")
        .quiet()
        .ignore_stderr()
        .read();
    let root = located.ok().and_then(|manifest| {
        std::path::Path::new(manifest.trim()).parent().map(std::path::Path::to_path_buf)
    });
    if let Some(root) = root {
        sh.change_dir(root);
    }
}
