//! Remembers which steps passed for which inputs, so an unchanged workspace is not
//! checked twice.
//!
//! A step's fingerprint covers everything it reads: the content of every file git tracks
//! or would track in the workspace (plus Cargo.lock, even when ignored), the toolchain
//! (`rustc -vV`), the flag variables cargo and rustdoc read, and launchkit's own version.
//! Only passes are stored; a failure or a warning always runs again. The cache lives in
//! the target directory, so `cargo clean` forgets it.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hasher};
use std::path::PathBuf;

use xshell::cmd;

use super::Ctx;

/// Environment variables that change what cargo, rustc or rustdoc do.
const FLAG_VARIABLES: &[&str] = &[
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_PROFILE_RELEASE_DEBUG",
    "CARGO_PROFILE_DEV_DEBUG",
];

/// Cached passes, keyed by step name.
pub struct Cache {
    /// Where the cache is stored; `None` when caching is off.
    path: Option<PathBuf>,
    /// Whether earlier passes count (`--no-cache` runs everything but still records).
    trusted: bool,
    /// Digest of every input shared by all steps.
    inputs: u64,
    passed: BTreeMap<String, u64>,
    changed: bool,
}

impl Cache {
    /// A cache that remembers nothing.
    pub fn disabled() -> Cache {
        Cache { path: None, trusted: false, inputs: 0, passed: BTreeMap::new(), changed: false }
    }

    /// The cache for `ctx`'s workspace, or a disabled one when its inputs cannot be listed
    /// (not a git repository, no rustc). Untrusted (`--no-cache`), it reports nothing as
    /// fresh but still records this run's passes.
    pub fn open(ctx: &Ctx, trusted: bool) -> Cache {
        let Some(inputs) = input_digest(ctx) else {
            return Cache::disabled();
        };
        let path = ctx
            .ws
            .target_dir
            .join("launchkit")
            .join(format!("preflight-{:016x}", digest(ctx.ws.root.as_os_str().as_encoded_bytes())));
        let passed = std::fs::read_to_string(&path).map(|text| parse(&text)).unwrap_or_default();
        Cache { path: Some(path), trusted, inputs, passed, changed: false }
    }

    /// True when `step` passed before with the same inputs.
    pub fn is_fresh(&self, step: &str) -> bool {
        self.trusted
            && self.path.is_some()
            && self.passed.get(step) == Some(&self.fingerprint(step))
    }

    /// Records whether `step` passed with the current inputs.
    pub fn record(&mut self, step: &str, passed: bool) {
        if self.path.is_none() {
            return;
        }
        let before = if passed {
            self.passed.insert(step.to_owned(), self.fingerprint(step))
        } else {
            self.passed.remove(step)
        };
        self.changed |= before != self.passed.get(step).copied();
    }

    /// Writes the cache back. Losing it only costs time, so failures are reported, not fatal.
    pub fn save(&self) {
        let Some(path) = self.path.as_ref().filter(|_| self.changed) else {
            return;
        };
        let text: String = self
            .passed
            .iter()
            .map(|(step, fingerprint)| format!("{step} {fingerprint:016x}\n"))
            .collect();
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(err) = written {
            eprintln!("warning: cannot save the preflight cache at {}: {err}", path.display());
        }
    }

    fn fingerprint(&self, step: &str) -> u64 {
        let mut hasher = DefaultHasher::new();
        hasher.write_u64(self.inputs);
        hasher.write(step.as_bytes());
        hasher.finish()
    }
}

fn parse(text: &str) -> BTreeMap<String, u64> {
    text.lines()
        .filter_map(|line| {
            let (step, fingerprint) = line.split_once(' ')?;
            Some((step.to_owned(), u64::from_str_radix(fingerprint, 16).ok()?))
        })
        .collect()
}

/// Digest of the workspace's files, the toolchain and the flag variables.
fn input_digest(ctx: &Ctx) -> Option<u64> {
    let sh = ctx.sh;
    let listing = cmd!(sh, "git ls-files -z --cached --others --exclude-standard")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let toolchain = cmd!(sh, "{rustc} -vV").quiet().read().ok()?;
    // The release steps also read the tags and the version asked for.
    let tags = cmd!(sh, "git tag --list").quiet().ignore_stderr().read().unwrap_or_default();
    let release = ctx.release.as_ref().map(ToString::to_string).unwrap_or_default();

    let target = ctx.ws.relative(&ctx.ws.target_dir) + "/";
    let mut files: Vec<&str> =
        listing.split('\0').filter(|path| !path.is_empty() && !path.starts_with(&target)).collect();
    if !files.contains(&"Cargo.lock") {
        files.push("Cargo.lock");
    }
    files.sort_unstable();
    files.dedup();

    let mut hasher = DefaultHasher::new();
    hasher.write(env!("CARGO_PKG_VERSION").as_bytes());
    hasher.write(toolchain.as_bytes());
    hasher.write(tags.as_bytes());
    hasher.write(release.as_bytes());
    for name in FLAG_VARIABLES {
        hasher.write(std::env::var(name).unwrap_or_default().as_bytes());
        hasher.write_u8(0);
    }
    // `--history` makes `secrets` read git history: a pass without it says nothing about it.
    hasher.write_u8(ctx.flags.history.into());
    for file in files {
        // A file listed but gone (deleted, not yet staged) hashes as its absence.
        let content = std::fs::read(ctx.ws.root.join(file)).ok();
        hasher.write(file.as_bytes());
        hasher.write_u8(content.is_some().into());
        let content = content.unwrap_or_default();
        hasher.write_u64(content.len() as u64);
        hasher.write(&content);
    }
    Some(hasher.finish())
}

fn digest(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(bytes);
    hasher.finish()
}
