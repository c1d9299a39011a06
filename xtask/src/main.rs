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
mod init;
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
    forget_cargo_run_env();
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
    // Every task runs from the workspace's root, wherever inside it it was started (paths
    // typed on the command line are resolved against that folder first).
    if let Some(root) = launchkit_workspace::root_of(&sh.current_dir()) {
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
        flags::Command::Init(cmd) => cmd.run(&sh),
    }
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
/// no other thread reads it, which holds as the first thing `main` does.
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
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_") || SET_BY_CARGO_RUN.contains(&name) {
            // SAFETY: called first thing in `main`, while no other thread exists.
            unsafe { std::env::remove_var(name) };
        }
    }
}
