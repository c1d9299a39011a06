//! Verification: every packaged crate must build from its packaged sources, before the
//! first upload.
//!
//! `cargo package` verifies one crate at a time, each as its own build that compiles its
//! workspace dependencies again from a temporary registry: a chain of 10 crates compiles
//! 19 crates in 10 sessions. Here the packaged sources are unpacked side by side into one
//! throwaway workspace whose `[patch.<registry>]` points every crate being published at
//! its packaged copy, and built once, in the workspace's target directory. Each crate
//! compiles once, and the build fails exactly when a packaged crate does not build from
//! what the registry would receive. Like cargo, it also fails when a build changes the
//! packaged sources.
//!
//! Two things keep it as strict as cargo's per-crate verification:
//!
//! - The workspace's `Cargo.lock` is copied in, so dependencies resolve to the locked
//!   versions, yanked ones included, as `cargo package` resolves them. (`--locked` does
//!   not apply: members that are not published drop out of the lock.)
//! - One build unifies features across crates, so a crate that uses a dependency's
//!   feature without enabling it would pass while its own build on the registry fails.
//!   `features.rs` finds every crate whose graph gets a feature from a crate outside it,
//!   and each of those is built again with only its own features: as a renamed copy
//!   when only the crate itself is lent one, else itself (`cargo build -p`); crates that
//!   lend each other nothing share a build. Crates no other crate can change are not
//!   built twice, and when no crate declares a feature the graph is not even read.
//!   The graph is read before the build, so the copies join the combined build (one
//!   cargo session, every core busy: a copy compiles while the chain it sits on goes
//!   on). Only when that build fails are the crates and the copies built apart, which
//!   names the build that fails and has the last word.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use launchkit_workspace::Workspace;
use launchkit_workspace::order::DepKind;
use xshell::{Shell, cmd};

use anyhow::Context;

use super::features;
use super::package::CargoFailure;

/// The verification workspace, below the target directory.
fn root(target_dir: &Path) -> PathBuf {
    target_dir.join("package").join("launchkit-verify")
}

/// Where the packaged sources of `name@version` sit once verified: what was uploaded.
pub fn unpacked(target_dir: &Path, name: &str, version: &impl std::fmt::Display) -> PathBuf {
    root(target_dir).join(format!("{name}-{version}"))
}

/// Builds the packaged `crates` (name, version) together.
pub fn verify(
    sh: &Shell,
    cargo: &str,
    ws: &Workspace,
    registry: &str,
    crates: &[(String, String)],
) -> anyhow::Result<Result<(), CargoFailure>> {
    let root = root(&ws.target_dir);
    let unpacked = ws.target_dir.join("package").join("launchkit-verify.new");
    if unpacked.exists() {
        std::fs::remove_dir_all(&unpacked)?;
    }
    std::fs::create_dir_all(&unpacked)?;
    // One `tar` for all: the `.crate` files one after the other are one gzip stream of
    // concatenated archives, which `--ignore-zeros` reads on past each archive's end.
    let mut archives = Vec::new();
    let mut members = Vec::new();
    for (name, version) in crates {
        let file = super::package::crate_file(&ws.target_dir, name, version);
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        archives.extend(bytes);
        members.push(format!("{name}-{version}"));
    }
    cmd!(sh, "tar -xz --ignore-zeros -f - -C {unpacked}").stdin(archives).quiet().run()?;
    // Every file of a package carries one fixed time, so cargo, which compares times,
    // would take a changed source for the one it built before: only files whose content
    // changed are written, and they get the current time.
    // A folder unpacked before files were synced holds sources with the packaging time,
    // which cargo may have built as other sources: start it over once.
    let synced = root.join(".synced");
    if root.exists() && !synced.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    sync(&unpacked, &root, &members)?;
    std::fs::write(synced, "")?;
    std::fs::remove_dir_all(&unpacked)?;
    std::fs::write(root.join("Cargo.toml"), manifest(registry, crates, &[]))?;
    let lock = ws.root.join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, root.join("Cargo.lock"))?;
    }
    let before = fingerprint(&root, &members)?;
    let (manifest_path, target_dir) = (root.join("Cargo.toml"), &ws.target_dir);
    let build = Build { sh, cargo, manifest: &manifest_path, target_dir };
    let rebuilds = if featureless(ws, crates) {
        features::Rebuilds::default()
    } else {
        match features::rebuilds(sh, cargo, &manifest_path, self_contained(ws, crates)) {
            Ok(rebuilds) => rebuilds,
            // A graph cargo cannot resolve fails the build too, which says it better.
            Err(err) => {
                if let Err(failure) = build.workspace()? {
                    return Ok(Err(failure));
                }
                return Err(err);
            }
        }
    };

    let copies = rebuilds.copies.iter().flatten();
    let dirs =
        copies.map(|name| write_copy(&root, crates, name)).collect::<anyhow::Result<Vec<_>>>()?;
    // The copies join the combined build: nothing depends on them and they ask their
    // dependencies for nothing the originals do not, so they change no other crate's
    // features, and they compile alongside the rest on every core.
    std::fs::write(&manifest_path, manifest(registry, crates, &dirs))?;
    if let Err(failure) = build.workspace()? {
        if dirs.is_empty() {
            return Ok(Err(failure));
        }
        // Built apart, as before the copies joined: this names the build that fails, and
        // decides when cargo refuses the shared build itself (a copy keeps its original's
        // library name, which cargo warns may one day be an error).
        std::fs::write(&manifest_path, manifest(registry, crates, &[]))?;
        if let Err(failure) = build.workspace()? {
            return Ok(Err(failure));
        }
        std::fs::write(&manifest_path, manifest(registry, crates, &dirs))?;
        for batch in &rebuilds.copies {
            let names: Vec<String> =
                batch.iter().map(|name| format!("{}{name}", features::COPY_PREFIX)).collect();
            if let Err(failure) = build.packages(&names)? {
                return Ok(Err(failure));
            }
        }
    }
    for batch in &rebuilds.batches {
        if let Err(failure) = build.packages(batch)? {
            return Ok(Err(failure));
        }
    }
    let after = fingerprint(&root, &members)?;
    let changed: Vec<&String> =
        members.iter().filter(|member| before.get(*member) != after.get(*member)).collect();
    if !changed.is_empty() {
        let output = format!(
            "building changed the packaged sources of {changed:?}: a build script writes outside OUT_DIR"
        );
        return Ok(Err(CargoFailure { command: build.command(&["--workspace"]), output }));
    }
    Ok(Ok(()))
}

/// `cargo build` in the verification workspace, into the workspace's target directory.
struct Build<'a> {
    sh: &'a Shell,
    cargo: &'a str,
    manifest: &'a Path,
    target_dir: &'a Path,
}

impl Build<'_> {
    fn workspace(&self) -> anyhow::Result<Result<(), CargoFailure>> {
        self.run(&["--workspace"])
    }

    fn packages(&self, names: &[String]) -> anyhow::Result<Result<(), CargoFailure>> {
        let selection: Vec<&str> = names.iter().flat_map(|name| ["-p", name.as_str()]).collect();
        self.run(&selection)
    }

    fn cmd(&self, selection: &[&str]) -> xshell::Cmd<'_> {
        let (cargo, manifest, target_dir) = (self.cargo, self.manifest, self.target_dir);
        cmd!(
            self.sh,
            "{cargo} build {selection...} --manifest-path {manifest} --target-dir {target_dir}"
        )
    }

    /// The command as the report shows it.
    fn command(&self, selection: &[&str]) -> String {
        self.cmd(selection).to_string().replace(self.cargo, "cargo")
    }

    fn run(&self, selection: &[&str]) -> anyhow::Result<Result<(), CargoFailure>> {
        // Build scripts and proc macros of every dependency run here: no token for them.
        let out = crate::tokens::strip(self.cmd(selection)).quiet().ignore_status().output()?;
        if out.status.success() {
            return Ok(Ok(()));
        }
        Ok(Err(CargoFailure::new(self.command(selection), &out)))
    }
}

/// The throwaway workspace: every packaged crate a member, and patched in for its
/// registry; the copies in `copies` members too.
fn manifest(registry: &str, crates: &[(String, String)], copies: &[String]) -> String {
    let members: Vec<String> = crates
        .iter()
        .map(|(name, version)| format!("{name}-{version}"))
        .chain(copies.iter().cloned())
        .map(|dir| format!("\"{dir}\""))
        .collect();
    let mut text = format!(
        "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n[patch.\"{registry}\"]\n",
        members.join(", ")
    );
    for (name, version) in crates {
        text.push_str(&format!("\"{name}\" = {{ path = \"{name}-{version}\" }}\n"));
    }
    text
}

/// True when no crate declares a feature and each depends only on the others (dev-
/// dependencies aside): no build can lend a feature, so there is no graph to read.
fn featureless(ws: &Workspace, crates: &[(String, String)]) -> bool {
    let packaged = |name: &str| crates.iter().any(|(known, _)| known == name);
    crates.iter().all(|(name, _)| {
        ws.member(name).is_some_and(|member| {
            member.features.is_empty()
                && member
                    .dependencies
                    .iter()
                    .filter(|dep| dep.kind != DepKind::Dev)
                    .all(|dep| packaged(&dep.name))
        })
    })
}

/// True when every dependency of every crate, of any kind, is another of the crates, by
/// path and on every platform: the verification workspace's graph holds them alone.
fn self_contained(ws: &Workspace, crates: &[(String, String)]) -> bool {
    let packaged = |name: &str| crates.iter().any(|(known, _)| known == name);
    crates.iter().all(|(name, _)| {
        ws.member(name).is_some_and(|member| {
            member
                .dependencies
                .iter()
                .all(|dep| dep.path.is_some() && dep.target.is_none() && packaged(&dep.name))
        })
    })
}

/// Copies the packaged `name` to `lone-NAME-VERSION` as package `launchkit-lone-NAME`
/// with the same library name, and returns that folder.
fn write_copy(root: &Path, crates: &[(String, String)], name: &str) -> anyhow::Result<String> {
    let version = crates.iter().find(|(known, _)| known == name).map(|(_, v)| v.as_str());
    let from = format!("{name}-{}", version.context("a packaged crate")?);
    let dir = format!("lone-{from}");
    // Rebuilt whole each time: a file the original lost must not stay in its copy.
    if root.join(&dir).exists() {
        std::fs::remove_dir_all(root.join(&dir))?;
    }
    let mut files = Vec::new();
    collect_files(&root.join(&from), &mut files)?;
    for file in files {
        let to = root.join(&dir).join(file.strip_prefix(root.join(&from))?);
        std::fs::create_dir_all(to.parent().context("a file in a folder")?)?;
        std::fs::copy(&file, &to)?;
    }
    let path = root.join(&dir).join("Cargo.toml");
    let mut doc: toml_edit::DocumentMut = std::fs::read_to_string(&path)?.parse()?;
    doc["package"]["name"] = toml_edit::value(format!("{}{name}", features::COPY_PREFIX));
    if doc.get("lib").and_then(|lib| lib.get("name")).is_none() {
        doc["lib"]["name"] = toml_edit::value(name.replace('-', "_"));
    }
    std::fs::write(&path, doc.to_string())?;
    Ok(dir)
}

/// A digest of every file under each member, to notice a build that edits its sources.
fn fingerprint(root: &Path, members: &[String]) -> std::io::Result<BTreeMap<String, u64>> {
    let mut digests = BTreeMap::new();
    for member in members {
        let mut files = Vec::new();
        collect_files(&root.join(member), &mut files)?;
        files.sort();
        let mut hasher = DefaultHasher::new();
        for file in files {
            hasher.write(file.to_string_lossy().as_bytes());
            hasher.write(&std::fs::read(&file)?);
        }
        digests.insert(member.clone(), hasher.finish());
    }
    Ok(digests)
}

pub(super) fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Makes each of `members` under `root` hold what it holds under `unpacked`: a file whose
/// content is new or changed is written (with the current time), a file that is gone is
/// removed, an unchanged file is left as it is, so cargo rebuilds exactly what changed.
fn sync(unpacked: &Path, root: &Path, members: &[String]) -> anyhow::Result<()> {
    for member in members {
        let (from, to) = (unpacked.join(member), root.join(member));
        for entry in walkdir::WalkDir::new(&from) {
            let entry = entry?;
            let target = to.join(entry.path().strip_prefix(&from)?);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target)?;
                continue;
            }
            let bytes = std::fs::read(entry.path())?;
            if std::fs::read(&target).ok().as_ref() != Some(&bytes) {
                std::fs::write(&target, bytes)?;
            }
        }
        if !to.is_dir() {
            continue;
        }
        let stale: Vec<PathBuf> = walkdir::WalkDir::new(&to)
            .contents_first(true)
            .into_iter()
            .filter_map(Result::ok)
            .map(|entry| entry.into_path())
            .filter(|path| !from.join(path.strip_prefix(&to).expect("below to")).exists())
            .collect();
        for path in stale {
            match path.is_dir() {
                true => std::fs::remove_dir_all(&path)?,
                false => std::fs::remove_file(&path)?,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_workspace_patches_every_crate_for_its_registry() {
        let crates = [("a".to_owned(), "0.1.0".to_owned()), ("b-c".to_owned(), "1.2.3".to_owned())];
        assert_eq!(
            super::manifest("lk", &crates, &[]),
            "[workspace]\nresolver = \"2\"\nmembers = [\"a-0.1.0\", \"b-c-1.2.3\"]\n\n[patch.\"lk\"]\n\"a\" = { path = \"a-0.1.0\" }\n\"b-c\" = { path = \"b-c-1.2.3\" }\n"
        );
    }
}
