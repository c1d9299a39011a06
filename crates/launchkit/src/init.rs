//! `cargo xtask init`: set a workspace up for launchkit.
//!
//! Plans every file it would write, prints each one's unified diff, and writes them only
//! with `--execute`:
//! - the root Cargo.toml gets an `xtask` member (`init/members.rs`), format preserved;
//! - `xtask/Cargo.toml` (`publish = false`) depends on launchkit (`--version`, `--path` or
//!   `--registry`), and `xtask/src/main.rs` hands the command line to `launchkit::main()`.
//!   A workspace that already has an `xtask/` crate gets the lines to add printed instead;
//! - `.cargo/config.toml` gets the `xtask` alias (`init/alias.rs`); a different alias of
//!   that name is reported and kept;
//! - for an `origin` on GitHub, workflows (`init/workflows.rs`): preflight on pull
//!   requests, release on demand with trusted publishing; for one on GitLab, a
//!   `.gitlab-ci.yml` that does the same; existing files are kept;
//! - cargo-release's and release-plz's settings that mean the same as launchkit's become
//!   `[workspace.metadata.launchkit]` keys (`init/translate.rs`); the rest are listed;
//! - CHANGELOG.md in Keep a Changelog form, when there is none; an existing one is kept
//!   and linted.
//!
//! It refuses a working tree with uncommitted changes, so its edits can be reviewed and
//! undone with git alone; when everything is in place it changes nothing and says so.

mod alias;
mod files;
mod members;
mod profile;
mod translate;
pub(crate) mod workflows;

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use launchkit_changelog::Changelog;
use launchkit_report::human;
use xshell::{Shell, cmd};

use crate::{diff, flags};

/// One file `init` would write.
struct Change {
    /// Relative to the workspace root, with `/`.
    path: String,
    before: Option<String>,
    after: String,
}

/// Everything `init` would do.
#[derive(Default)]
struct Plan {
    changes: Vec<Change>,
    /// What the user should know: choices made, settings kept.
    notes: Vec<String>,
    /// Lines for the user to add by hand (to an existing xtask).
    by_hand: Option<String>,
}

impl flags::Init {
    /// Plans the setup and, with `--execute`, writes it.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let root = sh.current_dir();
        let source = self.source(&root)?;
        let plan = plan(sh, &root, &source)?;
        let changes: Vec<&Change> =
            plan.changes.iter().filter(|c| c.before.as_ref() != Some(&c.after)).collect();
        if !changes.is_empty() {
            clean_tree(sh)?;
        }
        for note in &plan.notes {
            eprintln!("{note}");
        }
        if let Some(lines) = &plan.by_hand {
            print!("{lines}");
        }
        if changes.is_empty() {
            match plan.by_hand {
                Some(_) => eprintln!("nothing to write: add the lines above to xtask/ by hand"),
                None => {
                    eprintln!("nothing to change: this workspace is already set up for launchkit")
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
        for change in &changes {
            let before = change.before.as_deref().unwrap_or_default();
            print!("{}", diff::unified(&change.path, before, &change.after));
        }
        if !self.execute {
            eprintln!("dry run: pass --execute to write these changes");
            return Ok(ExitCode::SUCCESS);
        }
        write(&root, &changes)?;
        eprintln!(
            "wrote {} files: review and commit them, then run `cargo xtask preflight`",
            changes.len()
        );
        Ok(ExitCode::SUCCESS)
    }

    /// Where the new xtask takes launchkit from, checked.
    fn source(&self, root: &Path) -> anyhow::Result<files::Source> {
        let version = match &self.launchkit_version {
            Some(version) => flags::semver(version)?.to_string(),
            None => env!("CARGO_PKG_VERSION").to_owned(),
        };
        let path = match &self.path {
            Some(dir) => Some(files::checkout(root, dir)?),
            None => None,
        };
        if let Some(name) = &self.registry {
            files::known_registry(root, name)?;
        }
        Ok(files::Source { version, path, registry: self.registry.clone() })
    }
}

/// Every file's planned text.
fn plan(sh: &Shell, root: &Path, source: &files::Source) -> anyhow::Result<Plan> {
    let mut plan = Plan::default();
    let read = |path: &str| -> anyhow::Result<Option<String>> {
        let full = root.join(path);
        if !full.exists() {
            return Ok(None);
        }
        std::fs::read_to_string(&full).with_context(|| format!("cannot read {path}")).map(Some)
    };
    let origin = origin(sh);
    let github = origin.as_deref().and_then(workflows::github_repo);
    let manifest = read("Cargo.toml")?.with_context(|| {
        format!("no Cargo.toml in {}: run init in a Cargo workspace or package", root.display())
    })?;
    let mut root_after = manifest.clone();
    let existing = read("xtask/Cargo.toml")?;
    match existing {
        Some(manifest) if !depends_on_launchkit(&manifest) => {
            plan.by_hand = Some(by_hand(source));
            plan.notes
                .push("xtask/ already exists: add launchkit to it by hand, as printed".into());
        }
        Some(_) => {}
        None => {
            // Folders init creates that a `members` glob could take for crates.
            let created = [(".cargo", true), (".github", github.is_some())];
            let new_folders: Vec<&str> = created
                .into_iter()
                .filter(|(folder, made)| *made && !root.join(folder).exists())
                .map(|(folder, _)| folder)
                .collect();
            let (after, notes) = members::add_xtask(&manifest, &new_folders)?;
            plan.notes.extend(notes);
            root_after = after;
            plan.changes.push(change("xtask/Cargo.toml", None, files::manifest(source)));
            let main = read("xtask/src/main.rs")?;
            plan.changes.push(change("xtask/src/main.rs", main, files::MAIN.to_owned()));
        }
    }
    let (mut root_after, notes) = translate_settings(&root_after, read)?;
    if plan.by_hand.is_none() {
        root_after = profile::optimize_links(&root_after)?;
    }
    plan.notes.extend(notes);
    plan.changes.insert(0, change("Cargo.toml", Some(manifest), root_after));
    // cargo still reads the extensionless file when it is the only one.
    let config = [".cargo/config.toml", ".cargo/config"]
        .into_iter()
        .find(|path| root.join(path).is_file())
        .unwrap_or(".cargo/config.toml");
    let before = read(config)?;
    let (after, note) = alias::merge(before.as_deref().unwrap_or_default(), config)?;
    plan.notes.extend(note);
    plan.changes.push(change(config, before, after));
    if let Some(ci) = origin.as_deref().and_then(workflows::Ci::for_remote) {
        let (url, forge) = (&ci.url, ci.forge);
        for (path, text) in ci.files {
            match read(path)? {
                Some(before) if before != *text => {
                    plan.notes.push(format!("{path}: kept as it is ({url} is on {forge})"));
                }
                before => plan.changes.push(change(path, before, (*text).to_owned())),
            }
        }
    }
    match read("CHANGELOG.md")? {
        Some(text) => {
            // Kept as it is, but what the release would stumble on is said now.
            let findings = launchkit_changelog::lint(&Changelog::parse(text), "CHANGELOG.md");
            plan.notes.push(format!("CHANGELOG.md: kept as it is, {} findings", findings.len()));
            plan.notes.extend(findings.iter().map(human::finding_line));
        }
        None => {
            plan.changes.push(change("CHANGELOG.md", None, files::changelog(github.as_deref())))
        }
    }
    Ok(plan)
}

/// The root manifest with cargo-release's and release-plz's settings translated, and the
/// notes on what was and was not.
fn translate_settings(
    manifest: &str,
    read: impl Fn(&str) -> anyhow::Result<Option<String>>,
) -> anyhow::Result<(String, Vec<String>)> {
    let mut doc: toml_edit::DocumentMut =
        manifest.parse().context("Cargo.toml is not valid TOML")?;
    let file = |path: &str| -> anyhow::Result<Option<toml_edit::Table>> {
        let Some(text) = read(path)? else { return Ok(None) };
        let doc: toml_edit::DocumentMut = text.parse().with_context(|| {
            format!("{path} is not valid TOML: fix it, or move it away while init runs")
        })?;
        Ok(Some(doc.as_table().clone()))
    };
    let mut found = Vec::new();
    if let Some(table) = file("release.toml")? {
        found.push(translate::cargo_release(&table, "release.toml"));
    }
    for owner in ["workspace", "package"] {
        let table = doc.get(owner).and_then(|t| t.get("metadata")).and_then(|t| t.get("release"));
        if let Some(table) = table.and_then(toml_edit::Item::as_table) {
            found.push(translate::cargo_release(table, &format!("[{owner}.metadata.release]")));
        }
    }
    for path in ["release-plz.toml", ".release-plz.toml"] {
        if let Some(doc) = file(path)? {
            found.push(translate::release_plz(&doc, path));
        }
    }
    if found.is_empty() {
        return Ok((manifest.to_owned(), Vec::new()));
    }
    let notes = translate::apply(&mut doc, &found)?;
    Ok((doc.to_string(), notes))
}

/// The URL of the `origin` remote, when there is one.
fn origin(sh: &Shell) -> Option<String> {
    let url = cmd!(sh, "git remote get-url origin").quiet().ignore_stderr().read().ok()?;
    Some(url).filter(|url| !url.is_empty())
}

/// Writes each change's new text, creating its folders.
fn write(root: &Path, changes: &[&Change]) -> anyhow::Result<()> {
    for change in changes {
        let path = root.join(&change.path);
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("cannot create {}", folder.display()))?;
        }
        std::fs::write(&path, &change.after)
            .with_context(|| format!("cannot write {}", change.path))?;
    }
    Ok(())
}

fn change(path: &str, before: Option<String>, after: String) -> Change {
    Change { path: path.to_owned(), before, after }
}

/// The manifest has a `launchkit` dependency: the xtask was set up before.
fn depends_on_launchkit(manifest: &str) -> bool {
    let doc = manifest.parse::<toml_edit::DocumentMut>();
    doc.is_ok_and(|doc| doc.get("dependencies").and_then(|deps| deps.get("launchkit")).is_some())
}

/// What to add to an xtask that exists already.
fn by_hand(source: &files::Source) -> String {
    format!(
        "# xtask/Cargo.toml, under [dependencies]:\n{}\n\n\
         // xtask/src/main.rs: hand the command line to launchkit (or call it from your own\n\
         // main for the commands it does not know):\n{}",
        source.dependency(),
        files::MAIN.lines().skip(2).map(|line| format!("{line}\n")).collect::<String>()
    )
}

/// Refuses uncommitted changes: `init`'s edits must be reviewable and undoable with git.
fn clean_tree(sh: &Shell) -> anyhow::Result<()> {
    // Read without refreshing the index, so a dry run leaves `.git` as it was.
    let status = cmd!(sh, "git --no-optional-locks status --porcelain").quiet().ignore_stderr();
    let status = status.read().map_err(|_| {
        anyhow::anyhow!("not a git repository: run `git init` and commit, then run init again")
    })?;
    let changes: Vec<&str> = status.lines().collect();
    if let Some(first) = changes.first() {
        let path = first.get(3..).unwrap_or(first);
        let more = match changes.len() {
            1 => String::new(),
            n => format!(" and {} more", n - 1),
        };
        bail!("uncommitted changes in {path}{more}: commit or stash them before init");
    }
    Ok(())
}
