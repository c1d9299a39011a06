//! Remembers which steps passed for which inputs, so an unchanged workspace is not
//! checked twice.
//!
//! A step's key holds everything its result depends on. Every step's key has the content
//! of every file git tracks or would track in the workspace (plus Cargo.lock, even when
//! ignored), the release tags and the commits they name, the toolchain (`rustc -vV`,
//! `cargo -V`) and launchkit's own version. [`INPUTS`] adds the flags and environment
//! variables each step reads, and [`TOOLS`] the version of the tool it runs; the steps
//! that run cargo also hold cargo's configuration files outside the workspace, and those
//! that compile the values of the variables compiling read (build scripts' and `env!`'s,
//! as recorded in the target directory when the step passed, the way cargo's own
//! fingerprints keep them).
//! Passes and warnings are stored with what they reported (a note, the warnings found),
//! which a cached run reports again, as cargo replays a cached build's warnings. A failure
//! always runs again, and a result that read a moving source (marked volatile: links, the
//! advisory database, a registry, git history) is never stored. The cache lives in the
//! target directory, so `cargo clean` forgets it.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

use launchkit_report::Finding;
use serde::{Deserialize, Serialize};
use xshell::cmd;

use super::Ctx;
use crate::flags;

/// One flag or environment variable preflight reads, and the steps whose result depends
/// on it. Every other step is declared not to depend on it.
pub struct Input {
    /// `--flag`, `VARIABLE`, or `PREFIX*` for every variable whose name starts so (`*`
    /// alone: every variable).
    pub name: &'static str,
    /// The steps whose key holds its value.
    pub steps: &'static [&'static str],
}

/// The steps that run cargo, and so read cargo's and rustc's variables and configuration.
const CARGO_STEPS: &[&str] = &["fmt", "clippy", "test", "docs", "build", "package", "breaking"];

/// The steps that read the environment's settings (`changelog`, `tag-prefix`, `registry`,
/// and any `LAUNCHKIT_*` that does not parse).
const SETTINGS_STEPS: &[&str] = &["changelog", "version", "breaking", "package"];

/// Every flag and variable preflight reads. A test checks that each of preflight's flags
/// and each variable its code reads is listed here.
pub const INPUTS: &[Input] = &[
    // They choose which steps run and how the report reads; a pass is the same pass.
    Input { name: "--only", steps: &[] },
    Input { name: "--skip", steps: &[] },
    Input { name: "--fail-fast", steps: &[] },
    Input { name: "--strict", steps: &[] },
    Input { name: "--no-cache", steps: &[] },
    Input { name: "--format", steps: &[] },
    // It chooses the workspace, whose root names the cache file.
    Input { name: "--manifest-path", steps: &[] },
    Input { name: "--history", steps: &["secrets"] },
    Input { name: "--advisory-db", steps: &["audit"] },
    Input { name: "--offline", steps: &["links", "audit", "outdated"] },
    Input { name: "--release", steps: &["version", "breaking"] },
    Input { name: "--online", steps: &["links"] },
    Input { name: "LAUNCHKIT_*", steps: SETTINGS_STEPS },
    Input { name: "CARGO", steps: CARGO_STEPS },
    Input { name: "CARGO_*", steps: CARGO_STEPS },
    Input { name: "RUST*", steps: CARGO_STEPS },
    // Tests read whatever they like, a configured test command finds its program on the
    // PATH: the whole environment, the session's own variables aside.
    Input { name: "*", steps: &["test"] },
    // Only online link checks send it, and an online result is never cached.
    Input { name: "GITHUB_TOKEN", steps: &[] },
    // Strict mode and the output format: a pass is a pass in every mode.
    Input { name: "CI", steps: &[] },
    Input { name: "GITHUB_ACTIONS", steps: &[] },
    Input { name: "GITHUB_STEP_SUMMARY", steps: &[] },
];

/// The version of the tool a step runs besides cargo and rustc: `cargo ARGS`.
pub const TOOLS: &[(&str, &[&str])] = &[
    ("fmt", &["fmt", "--version"]),
    ("clippy", &["clippy", "--version"]),
    ("test", &["nextest", "--version"]),
    ("breaking", &["semver-checks", "--version"]),
];

/// Variables of the terminal session and the job server, which change from one shell or
/// run to the next without changing what a check finds.
const SESSION: &[&str] = &[
    "_",
    "PWD",
    "OLDPWD",
    "SHLVL",
    "MAKEFLAGS",
    "MFLAGS",
    "CARGO_MAKEFLAGS",
    "TERM_SESSION_ID",
    "WINDOWID",
    "SSH_AUTH_SOCK",
    "SSH_AGENT_PID",
    "SSH_CLIENT",
    "SSH_CONNECTION",
    "SSH_TTY",
    "GPG_AGENT_INFO",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_SESSION_ID",
    "TMUX",
    "TMUX_PANE",
    "STY",
    "WINDOW",
    "INVOCATION_ID",
    "JOURNAL_STREAM",
];

/// Variables under a listed prefix that are not inputs: the session's own, and secrets,
/// which change no result and whose digest is not to be stored.
fn ignored_variable(name: &str) -> bool {
    SESSION.contains(&name)
        || ["_TOKEN", "_SECRET", "_PASSWORD", "_KEY"].iter().any(|end| name.ends_with(end))
}

/// The value of preflight's flag `name`, or `None` for a flag this function does not know.
pub fn flag(flags: &flags::Preflight, name: &str) -> Option<String> {
    Some(match name {
        "--only" => format!("{:?}", flags.only),
        "--skip" => format!("{:?}", flags.skip),
        "--fail-fast" => flags.fail_fast.to_string(),
        "--strict" => flags.strict.to_string(),
        "--no-cache" => flags.no_cache.to_string(),
        "--format" => format!("{:?}", flags.format),
        "--history" => flags.history.to_string(),
        // Absolute: the same relative path names another database in another folder.
        "--advisory-db" => {
            format!("{:?}", flags.advisory_db.as_ref().map(|path| std::path::absolute(path).ok()))
        }
        "--offline" => flags.offline.to_string(),
        "--release" => format!("{:?}", flags.release),
        "--online" => flags.online.to_string(),
        _ => return None,
    })
}

/// What a step reported when it passed or warned, reported again while its key holds;
/// its findings give its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// A pass's note (nothing to check), or why it warned.
    pub reason: Option<String>,
    /// What it found.
    pub findings: Vec<Finding>,
}

/// A step's recorded result: its key, the variables compiling read then, and what it
/// reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    key: u64,
    /// Names from [`compile_variables`]: their values now are part of the key.
    variables: Vec<String>,
    kept: Kept,
}

/// Kept results, keyed by step name.
pub struct Cache {
    /// Where the cache is stored; `None` when caching is off.
    path: Option<PathBuf>,
    /// Whether earlier results count (`--no-cache` runs everything but still records).
    trusted: bool,
    /// Digest of every input shared by all steps.
    inputs: u64,
    entries: BTreeMap<String, Entry>,
    changed: bool,
}

impl Cache {
    /// A cache that remembers nothing.
    pub fn disabled() -> Cache {
        Cache { path: None, trusted: false, inputs: 0, entries: BTreeMap::new(), changed: false }
    }

    /// The cache for `ctx`'s workspace, or a disabled one when its inputs cannot be listed
    /// (not a git repository, no rustc). Untrusted (`--no-cache`), it reports nothing as
    /// fresh but still records this run's results.
    pub fn open(ctx: &Ctx, trusted: bool) -> Cache {
        let Some(inputs) = input_digest(ctx) else {
            return Cache::disabled();
        };
        let path = ctx
            .ws
            .target_dir
            .join("launchkit")
            .join(format!("preflight-{:016x}", digest(ctx.ws.root.as_os_str().as_encoded_bytes())));
        // A file of another launchkit version, or damaged, only costs a run.
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|text| serde_json::from_slice(&text).ok())
            .unwrap_or_default();
        Cache { path: Some(path), trusted, inputs, entries, changed: false }
    }

    /// What `step` reported when it last passed or warned, if every input it read then is
    /// the same now.
    pub fn fresh(&self, ctx: &Ctx, step: &str) -> Option<Kept> {
        let entry = self.entries.get(step).filter(|_| self.trusted)?;
        (self.key(ctx, step, &entry.variables) == Some(entry.key)).then(|| entry.kept.clone())
    }

    /// Records what `step` reported, with the inputs it read (the variables compiling
    /// read are known once it ran); `None` forgets it.
    pub fn record(&mut self, ctx: &Ctx, step: &str, kept: Option<Kept>) {
        if self.path.is_none() {
            return;
        }
        let entry = kept.and_then(|kept| {
            let compiles = CARGO_STEPS.contains(&step) && step != "fmt";
            let variables: Vec<String> = if compiles {
                compile_variables(&ctx.ws.target_dir).into_iter().collect()
            } else {
                Vec::new()
            };
            let key = self.key(ctx, step, &variables)?;
            Some(Entry { key, variables, kept })
        });
        let before = match entry {
            Some(entry) => self.entries.insert(step.to_owned(), entry),
            None => self.entries.remove(step),
        };
        self.changed |= before.as_ref() != self.entries.get(step);
    }

    /// The key of `step`'s result with the current inputs and the values of `variables`,
    /// or `None` when caching is off.
    fn key(&self, ctx: &Ctx, step: &str, variables: &[String]) -> Option<u64> {
        self.path.as_ref()?;
        let mut hasher = DefaultHasher::new();
        hasher.write_u64(self.inputs);
        hasher.write(step.as_bytes());
        for input in INPUTS.iter().filter(|input| input.steps.contains(&step)) {
            hasher.write(input.name.as_bytes());
            hasher.write(input_value(ctx, input.name).as_bytes());
            hasher.write_u8(0);
        }
        for (_, args) in TOOLS.iter().filter(|(name, _)| *name == step) {
            hasher.write(tool_version(ctx, args).as_bytes());
        }
        // The registry a release gives its checks (the package step packages for it).
        if let Some(registry) = ctx.registry.as_ref().filter(|_| step == "package") {
            hasher.write(registry.as_bytes());
        }
        if CARGO_STEPS.contains(&step) {
            for (path, content) in cargo_config_files(&ctx.ws.root) {
                hasher.write(path.as_os_str().as_encoded_bytes());
                hasher.write(&content);
            }
        }
        for name in variables {
            hasher.write(name.as_bytes());
            hasher.write(format!("{:?}", std::env::var_os(name)).as_bytes());
        }
        Some(hasher.finish())
    }

    /// Writes the cache back. Losing it only costs time, so failures are reported, not fatal.
    pub fn save(&self) {
        let Some(path) = self.path.as_ref().filter(|_| self.changed) else {
            return;
        };
        let text = serde_json::to_vec(&self.entries).expect("the cache serializes");
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, text));
        if let Err(err) = written {
            eprintln!("warning: cannot save the preflight cache at {}: {err}", path.display());
        }
    }
}

/// The value of the flag or variable(s) `name` names, as one string.
fn input_value(ctx: &Ctx, name: &str) -> String {
    if name.starts_with("--") {
        return flag(ctx.flags, name).expect("every flag in INPUTS has a value");
    }
    let Some(prefix) = name.strip_suffix('*') else {
        return format!("{:?}", std::env::var_os(name));
    };
    let mut variables: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(name, value)| {
            let name = name.into_string().ok()?;
            let value = value.to_string_lossy().into_owned();
            (name.starts_with(prefix) && !ignored_variable(&name)).then_some((name, value))
        })
        .collect();
    variables.sort();
    format!("{variables:?}")
}

/// What `cargo ARGS` prints: the version of a tool, or the error saying it is missing.
fn tool_version(ctx: &Ctx, args: &[&str]) -> String {
    match ctx.cargo(args).quiet().ignore_status().output() {
        Ok(out) => format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(err) => err.to_string(),
    }
}

/// The variables compiling the workspace read, as cargo and rustc recorded them in the
/// target directory: those build scripts declared (`cargo:rerun-if-env-changed=NAME`, in
/// `build/PKG-HASH/output`) and those `env!` and `option_env!` read (`# env-dep:NAME`, in
/// `deps/*.d`). cargo rebuilds when one changes, so a cached pass must not outlive it.
fn compile_variables(target: &Path) -> BTreeSet<String> {
    let entries = |dir: &Path| -> Vec<PathBuf> {
        let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
        entries.map(|entry| entry.path()).collect()
    };
    let folders =
        |dir: &Path| -> Vec<PathBuf> { entries(dir).into_iter().filter(|p| p.is_dir()).collect() };
    // `target/PROFILE/..`, or `target/TRIPLE/PROFILE/..`.
    let profiles: Vec<PathBuf> = folders(target)
        .into_iter()
        .flat_map(|dir| if dir.join("deps").is_dir() { vec![dir] } else { folders(&dir) })
        .collect();
    let outputs = profiles.iter().flat_map(|profile| folders(&profile.join("build")));
    let dep_info = profiles.iter().flat_map(|profile| entries(&profile.join("deps")));
    let files = outputs
        .map(|script| script.join("output"))
        .chain(dep_info.filter(|path| path.extension().is_some_and(|ext| ext == "d")));
    let mut names = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        for line in text.lines() {
            let declared = line
                .strip_prefix("cargo::rerun-if-env-changed=")
                .or_else(|| line.strip_prefix("cargo:rerun-if-env-changed="));
            let read = line.strip_prefix("# env-dep:").map(|dep| dep.split('=').next());
            names.extend(declared.or(read.flatten()).map(str::to_owned));
        }
    }
    names
}

/// cargo's configuration files outside the workspace's tracked files: those of every
/// folder above it and of `CARGO_HOME`, with their content.
fn cargo_config_files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".cargo")));
    let folders = root.ancestors().map(|dir| dir.join(".cargo")).chain(home);
    folders
        .flat_map(|dir| [dir.join("config.toml"), dir.join("config")])
        .filter_map(|path| Some((path.clone(), std::fs::read(&path).ok()?)))
        .collect()
}

/// Digest of the inputs every step shares: the workspace's files, the tags, the toolchain.
fn input_digest(ctx: &Ctx) -> Option<u64> {
    let sh = ctx.sh;
    let listing = cmd!(sh, "git ls-files -z --cached --others --exclude-standard")
        .quiet()
        .ignore_stderr()
        .read()
        .ok()?;
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let toolchain = cmd!(sh, "{rustc} -vV").quiet().read().ok()?;
    let cargo = ctx.cargo(&["-V"]).quiet().read().ok()?;
    // The release steps read the tags, and `breaking` the commits they name.
    let tags = cmd!(sh, "git for-each-ref --format=%(objectname)%(refname) refs/tags")
        .quiet()
        .ignore_stderr()
        .read()
        .unwrap_or_default();

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
    hasher.write(cargo.as_bytes());
    hasher.write(tags.as_bytes());
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::CommandFactory;

    use super::{INPUTS, TOOLS, flag};
    use crate::flags::{Cli, Preflight};
    use crate::preflight::STEPS;

    /// The entry of [`INPUTS`] that covers the flag or variable `name`.
    fn listed(name: &str) -> bool {
        // `*` (every variable, for `test`) would list anything: it does not count here.
        INPUTS.iter().filter(|input| input.name != "*").any(|input| {
            match input.name.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => input.name == name,
            }
        })
    }

    /// Every variable named in a `var("..")` or `var_os("..")` call in `path`'s Rust files.
    fn variables_read(path: &Path, found: &mut Vec<String>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                variables_read(&entry.unwrap().path(), found);
            }
            return;
        }
        let text = std::fs::read_to_string(path).unwrap();
        let call = regex::Regex::new(r#"\bvar(?:_os)?\("([A-Z_]+)"\)"#).unwrap();
        found.extend(call.captures_iter(&text).map(|found| found[1].to_owned()));
    }

    #[test]
    fn every_flag_and_variable_is_in_a_key_or_declared_irrelevant() {
        let cli = Cli::command();
        let preflight = cli.find_subcommand("preflight").unwrap();
        let flags: Vec<String> = preflight
            .get_arguments()
            .chain(cli.get_arguments())
            .filter_map(|arg| arg.get_long())
            .filter(|long| !["help", "version"].contains(long))
            .map(|long| format!("--{long}"))
            .collect();
        assert!(flags.len() > 10, "{flags:?}");
        for name in &flags {
            assert!(listed(name), "{name} is in no step's key and not declared irrelevant");
        }
        for input in INPUTS.iter().filter(|input| input.name.starts_with("--")) {
            assert!(flags.contains(&input.name.to_owned()), "{} is not a flag", input.name);
            let keyed = !input.steps.is_empty();
            assert!(
                !keyed || flag(&Preflight::default(), input.name).is_some(),
                "{} has no value for the key",
                input.name
            );
        }

        // The variables the steps' code reads, and those the configuration layers read.
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut variables = Vec::new();
        for path in ["preflight.rs", "preflight", "links.rs", "changelog.rs", "config.rs"] {
            variables_read(&src.join(path), &mut variables);
        }
        assert!(variables.contains(&"RUSTDOCFLAGS".to_owned()), "{variables:?}");
        let seen = std::cell::RefCell::new(Vec::new());
        crate::config::environment(&serde_json::Value::Null, None, |name| {
            seen.borrow_mut().push(name.to_owned());
            None
        })
        .unwrap();
        variables.extend(seen.take());
        assert!(variables.contains(&"LAUNCHKIT_CHANGELOG".to_owned()), "{variables:?}");
        for name in &variables {
            assert!(listed(name), "{name} is in no step's key and not declared irrelevant");
        }

        let steps: Vec<&str> = STEPS.iter().map(|step| step.name).collect();
        let named = INPUTS.iter().flat_map(|input| input.steps).chain(TOOLS.iter().map(|t| &t.0));
        for step in named {
            assert!(steps.contains(step), "`{step}` is not a step");
        }
    }
}
