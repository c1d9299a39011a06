//! `cargo xtask version <level|X.Y.Z>`: bump the workspace's version.
//!
//! Computes the new version from the current one (the highest of `[workspace.package]
//! version` and the publishable members' own versions) by a level (`major`, `minor`,
//! `patch`, `alpha`, `beta`, `rc`, `release`) or takes an explicit `X.Y.Z`, which must be
//! higher. Prints the manifest edits as a diff and the cargo command that will update
//! Cargo.lock; `--execute` writes the manifests and runs it. If cargo fails, the manifests
//! are put back as they were.

use std::process::ExitCode;

use anyhow::{Context, bail};
use launchkit_workspace::Workspace;
use launchkit_workspace::version::{Bump, FileChange, VersionPlan};
use xshell::{Shell, cmd};

use crate::{diff, flags, tokens};

impl flags::Version {
    /// Plans the bump and, with `--execute`, applies it.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let bump: Bump = self.bump.parse()?;
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let plan = VersionPlan::new(&ws, &bump)?;
        eprintln!("version {} -> {} for {}", plan.from, plan.to, plan.bumped.join(", "));
        for (name, version) in &plan.kept {
            eprintln!("{name} keeps {version}: it has `publish = false` and its own version");
        }
        for file in &plan.files {
            print!("{}", diff::unified(&ws.relative(&file.path), &file.before, &file.after));
        }
        let has_lock = ws.root.join("Cargo.lock").is_file();
        if !self.execute {
            if has_lock {
                println!("$ cargo update --workspace");
            }
            eprintln!("dry run: pass --execute to write these changes");
            return Ok(ExitCode::SUCCESS);
        }
        apply(sh, &ws, &plan)?;
        eprintln!("version {} written to {} manifests", plan.to, plan.files.len());
        Ok(ExitCode::SUCCESS)
    }
}

/// Writes the plan's manifests and updates Cargo.lock (when the workspace has one); if
/// cargo fails, the manifests are put back as they were.
pub fn apply(sh: &Shell, ws: &Workspace, plan: &VersionPlan) -> anyhow::Result<()> {
    write(&plan.files, |file| &file.after)?;
    if ws.root.join("Cargo.lock").is_file() {
        let cargo = crate::preflight::cargo_program();
        let _dir = sh.push_dir(&ws.root);
        if let Err(err) = tokens::strip(cmd!(sh, "{cargo} update --workspace")).run() {
            write(&plan.files, |file| &file.before)?;
            bail!("{err}: the manifests are restored; fix the problem cargo reports and run again");
        }
    }
    Ok(())
}

/// Writes one side of every change.
fn write(files: &[FileChange], side: impl Fn(&FileChange) -> &String) -> anyhow::Result<()> {
    for file in files {
        std::fs::write(&file.path, side(file))
            .with_context(|| format!("cannot write {}", file.path.display()))?;
    }
    Ok(())
}
