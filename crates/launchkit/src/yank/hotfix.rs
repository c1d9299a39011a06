//! `--hotfix`: the patch release that replaces a yanked one starts on branch
//! `hotfix/X.Y.(Z+1)`, cut from the release tag, with the version bumped by the version
//! code (manifests and Cargo.lock) and an empty `### Fixed` under `[Unreleased]`,
//! committed. If any of that fails, the branch is removed and the repository is back on
//! the branch it was on; edits already made are stashed, not thrown away. The next steps
//! it prints end with `cargo xtask release patch`, which releases the branch's X.Y.(Z+1)
//! as it is (see release/target.rs).

use anyhow::{Context, bail};
use launchkit_changelog::Changelog;
use launchkit_workspace::Workspace;
use launchkit_workspace::version::{Bump, VersionPlan};
use xshell::{Shell, cmd};

use crate::flags::SemVer;
use crate::release::git::Git;
use crate::target::Target;
use crate::tokens::strip;

/// The hotfix branch to create, checked before anything changes.
pub struct Hotfix {
    tag: String,
    next: SemVer,
    branch: String,
    /// The branch exists already (an earlier run made it): it is left as it is.
    exists: bool,
    changelog: String,
}

impl Hotfix {
    /// Checks that the release tag exists and, when the branch is to be made, that no
    /// uncommitted change would travel to it.
    pub fn check(
        git: &Git,
        target: &Target,
        version: &SemVer,
        execute: bool,
    ) -> anyhow::Result<Hotfix> {
        let tag = target.tag(version);
        if git.tag_commit(&tag).is_none() {
            bail!(
                "tag `{tag}` does not exist: --hotfix starts from the release tag; fetch it with `git fetch --tags`, or check the version"
            );
        }
        let next = SemVer::new(version.major, version.minor, version.patch + 1);
        let branch = format!("hotfix/{next}");
        let exists = git.rev(&format!("refs/heads/{branch}")).is_some();
        if execute && !exists && !git.changes()?.is_empty() {
            bail!(
                "uncommitted changes: commit or stash them before --hotfix switches to a new branch {branch}"
            );
        }
        Ok(Hotfix { tag, next, branch, exists, changelog: target.env.changelog.clone() })
    }

    /// The plan's lines.
    pub fn print_plan(&self) {
        let Hotfix { tag, next, branch, changelog, .. } = self;
        if self.exists {
            println!("hotfix: branch {branch} exists already: left as it is");
            return;
        }
        println!("hotfix: git switch -c {branch} {tag}");
        println!(
            "        version {next} in the manifests and Cargo.lock, `### Fixed` under [Unreleased] in {changelog}"
        );
        println!("        git commit -m \"chore: start hotfix {next}\"");
    }

    /// Creates the branch (unless it exists) and prints the next steps.
    pub fn create(self, sh: &Shell, git: &Git, target: &Target) -> anyhow::Result<()> {
        let Hotfix { tag, next, branch, changelog, .. } = &self;
        if !self.exists {
            let back = git.branch().map_or_else(|| git.head(), Ok)?;
            strip(cmd!(sh, "git switch -q -c {branch} {tag}")).quiet().run()?;
            if let Err(err) = self.prepare(sh, target) {
                // The tree was clean when the branch was made, so what changed since is
                // the hotfix's own edits: stashed, never thrown away.
                let stashed = !git.changes()?.is_empty();
                if stashed {
                    let note = format!("launchkit: the unfinished hotfix {next}");
                    let stash = cmd!(sh, "git stash push -q --include-untracked -m {note}");
                    strip(stash).quiet().run()?;
                }
                strip(cmd!(sh, "git switch -q {back}")).quiet().run()?;
                strip(cmd!(sh, "git branch -q -D {branch}")).quiet().run()?;
                let saved = if stashed { " (its edits are in `git stash list`)" } else { "" };
                return Err(err.context(format!(
                    "the hotfix stopped; branch {branch} is removed{saved} and you are back on {back}"
                )));
            }
            eprintln!("created {branch} from {tag}, at version {next}");
        }
        println!("next steps on {branch}:");
        println!(
            "  1. fix the bug (with a test) and describe it under `### Fixed` in {changelog}, commit"
        );
        println!("  2. {}", release_command(target, branch));
        let main = target.env.main_branch();
        println!("  3. git switch {main} && git merge {branch}   # bring the fix back");
        Ok(())
    }

    /// The edits on the new branch, committed.
    fn prepare(&self, sh: &Shell, target: &Target) -> anyhow::Result<()> {
        let root = sh.current_dir();
        let ws = Workspace::load(&root.join("Cargo.toml"))?;
        let plan = VersionPlan::new(&ws, &Bump::Exact(self.next.clone()))?;
        crate::version::apply(sh, &ws, &plan)?;
        let path = ws.root.join(&target.env.changelog);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let scaffolded = Changelog::parse(text).with_section("Fixed");
                std::fs::write(&path, scaffolded)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Err(_) => eprintln!(
                "note: no {} at {}: describe the fix where you keep release notes",
                self.changelog, self.tag
            ),
        }
        let message = format!("chore: start hotfix {}", self.next);
        strip(cmd!(sh, "git add -A")).quiet().run()?;
        // Git runs the project's hooks here: no tokens for them.
        strip(cmd!(sh, "git commit -q -m {message}")).quiet().run()?;
        Ok(())
    }
}

/// The command that releases the hotfix from `branch`. The branch carries X.Y.(Z+1)
/// already, and `release patch` takes that version as it is, since it is the patch of the
/// last release. A configuration whose `branches` does not take hotfix branches gets them
/// for that one run.
fn release_command(target: &Target, branch: &str) -> String {
    let env = &target.env;
    let mut command = String::new();
    if !env.allows_branch(branch) {
        command.push_str(&format!("LAUNCHKIT_BRANCHES={branch} "));
    }
    command.push_str(crate::output::program());
    command.push_str(" release patch");
    if env.name != crate::config::default_name(&target.ws.config) {
        command.push_str(&format!(" --env {}", env.name));
    }
    command + " --execute"
}
