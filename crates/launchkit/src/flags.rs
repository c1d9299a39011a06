//! The whole command line, as clap derive types. `cargo xtask --help` is the manual.

use std::path::{Component, Path, PathBuf};

use anyhow::bail;
use clap::{Parser, Subcommand, ValueEnum};

/// Release engineering for this Rust workspace: check, ship, verify, take back.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version)]
pub struct Cli {
    /// Work on the workspace of this Cargo.toml instead of the current directory's.
    #[arg(long, global = true, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The tasks.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every pre-release check and report each step (read-only).
    ///
    /// Steps: fmt, changelog, version, links, secrets, audit, clippy, test, docs, build,
    /// package, breaking, outdated.
    /// All run and all are reported; the exit code is 0 only when none failed. A step whose
    /// inputs have not changed since it last passed or warned is reported again without
    /// running: `passed (cached)`, or `warning (cached)` with its findings.
    Preflight(Preflight),
    /// Ship a release: check, plan, and with --execute write, commit, tag, push, publish,
    /// announce on the forge, run the docs hook and record the deployment.
    ///
    /// Every precondition is checked before anything changes, and the plan is printed on
    /// every run. Each step reads the real state first and skips what is done, so running
    /// the same command again resumes a release that stopped. See docs/releasing.md.
    Release(Release),
    /// Prove a release arrived: each crate in the index, not yanked, with the checksum of
    /// the local package; a fresh project builds on it; its docs built (read-only).
    ///
    /// Steps: registry, install, readme, docs. Exits 0 when none failed; a docs status that
    /// cannot be read is `unknown`, a warning. See docs/verify.md.
    Verify(Verify),
    /// Yank a release's crates, dependents first (dry run unless --execute); --undo brings
    /// them back, --hotfix starts the patch release that replaces it.
    Yank(Yank),
    /// What is deployed where: each publishable crate's local version, its tag locally and
    /// on the remote, the newest version on each environment's registry, and the last
    /// deployment record (read-only).
    Status(Status),
    /// Diagnose why a publish would fail: one finding per problem, each with its fix
    /// (read-only).
    ///
    /// Checks: token, uncommitted changes, versions already published, package contents
    /// and metadata, docs, duplicate dependencies, a build from the packaged sources.
    Doctor(Doctor),
    /// Publish the workspace's crates to a registry in dependency order (dry run unless
    /// --execute).
    ///
    /// Packages and verifies everything first, skips versions the registry has (a
    /// different checksum stops before any upload), uploads each crate once the index
    /// serves its dependencies, waits out HTTP 429 and retries 5xx. After a stop, the same
    /// command finishes the job.
    Publish(Publish),
    /// Bump the workspace's version: print the planned edits; --execute writes them.
    Version(Version),
    /// Check CHANGELOG.md, print a version's notes, or promote `[Unreleased]` to a release.
    Changelog(Changelog),
    /// Check the documentation's links: files, anchors, mdBook pages, http(s) (read-only).
    ///
    /// Reads README.md, CHANGELOG.md, docs/**/*.md and each crate's README (plus the
    /// `include` globs of [workspace.metadata.launchkit.links]), or the PATHs given.
    /// Exit code 1 when a link is broken; warnings (links leaving the repository, URLs
    /// that could not be verified) do not fail.
    Links(Links),
    /// Show the settings an environment resolves to, every layer applied.
    ///
    /// Layers: built-in environments (development, staging, production), then
    /// `[workspace.metadata.launchkit]`, then `[workspace.metadata.launchkit.env.NAME]`,
    /// then `LAUNCHKIT_*` variables. See docs/configuration.md.
    Config(Config),
    /// Set this workspace up for launchkit: an `xtask` crate on launchkit, the `cargo
    /// xtask` alias and a changelog (dry run unless --execute).
    ///
    /// Also: GitHub Actions workflows when `origin` is on GitHub, and cargo-release's or
    /// release-plz's settings as launchkit keys (the rest listed as not translated).
    /// Prints each file's diff. Refuses uncommitted changes; when everything is in place,
    /// changes nothing and says so. See docs/adopting.md.
    Init(Init),
}

/// Flags of `cargo xtask init`.
#[derive(Debug, clap::Args)]
pub struct Init {
    /// The launchkit version the xtask depends on (default: this launchkit's own).
    #[arg(long = "version", value_name = "X.Y.Z")]
    pub launchkit_version: Option<String>,
    /// Take launchkit from a local checkout: the folder of its `launchkit` crate.
    #[arg(long, value_name = "DIR", conflicts_with = "registry")]
    pub path: Option<PathBuf>,
    /// Take launchkit from this registry (a name from cargo's config: an alternate
    /// registry or a mirror) instead of crates.io.
    #[arg(long, value_name = "NAME")]
    pub registry: Option<String>,
    /// Write the files; without it, print their diffs and change nothing.
    #[arg(long)]
    pub execute: bool,
}

/// Flags of `cargo xtask verify`.
#[derive(Debug, clap::Args)]
pub struct Verify {
    /// The release to verify (default: each crate's version in the workspace).
    #[arg(value_name = "X.Y.Z", conflicts_with = "krate")]
    pub release: Option<String>,
    /// Verify this published crate instead of the workspace's (with --version).
    #[arg(long = "crate", value_name = "NAME", requires = "crate_version")]
    pub krate: Option<String>,
    /// The version of --crate.
    #[arg(long = "version", value_name = "X.Y.Z", requires = "krate")]
    pub crate_version: Option<String>,
    /// The environment whose registry to read (default: LAUNCHKIT_ENV, else `default-env`,
    /// else production).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Read this registry instead of the environment's (`crates-io` or a name from cargo's
    /// config).
    #[arg(long, value_name = "NAME")]
    pub registry: Option<String>,
    /// Poll until the index serves every crate, for at most this long (`90s`, `10m`, `1h`).
    #[arg(long, value_name = "DURATION")]
    pub wait: Option<String>,
    /// Count warnings (docs status unknown or not built yet) as failures.
    #[arg(long)]
    pub strict: bool,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Flags of `cargo xtask yank`.
#[derive(Debug, clap::Args)]
pub struct Yank {
    /// The release to yank.
    #[arg(value_name = "X.Y.Z")]
    pub release: String,
    /// Only these crates (comma-separated, or repeat the flag).
    #[arg(short, long = "package", value_delimiter = ',', value_name = "NAME")]
    pub packages: Vec<String>,
    /// Unyank instead: make the versions resolvable again.
    #[arg(long, conflicts_with = "hotfix")]
    pub undo: bool,
    /// Also create branch hotfix/X.Y.(Z+1) from the release tag, bumped, with a `### Fixed`
    /// section under `[Unreleased]`.
    #[arg(long)]
    pub hotfix: bool,
    /// Why, for the deployment record.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The environment whose registry to yank from (default: LAUNCHKIT_ENV, else
    /// `default-env`, else production).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Yank; without it, print the plan and change nothing.
    #[arg(long)]
    pub execute: bool,
}

/// Flags of `cargo xtask status`.
#[derive(Debug, clap::Args)]
pub struct Status {
    /// Only this environment (default: every environment that publishes).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format: a table (human) or one JSON document.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Flags of `cargo xtask doctor`.
#[derive(Debug, clap::Args)]
pub struct Doctor {
    /// The environment whose registry a publish would go to (default: LAUNCHKIT_ENV, else
    /// `default-env`, else production).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Flags of `cargo xtask config`.
#[derive(Debug, clap::Args)]
pub struct Config {
    /// The environment (default: LAUNCHKIT_ENV, else `default-env`, else production).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Flags of `cargo xtask preflight`.
#[derive(Debug, Default, clap::Args)]
pub struct Preflight {
    /// Run only these steps (comma-separated, or repeat the flag).
    #[arg(long, value_delimiter = ',', value_name = "STEP")]
    pub only: Vec<String>,
    /// Leave out these steps (comma-separated, or repeat the flag).
    #[arg(long, value_delimiter = ',', value_name = "STEP")]
    pub skip: Vec<String>,
    /// Stop at the first failed step.
    #[arg(long)]
    pub fail_fast: bool,
    /// Count warnings, and steps skipped for a missing tool or an unreachable resource, as
    /// failures (the default when CI=true).
    #[arg(long)]
    pub strict: bool,
    /// Run every step even when an earlier pass with the same inputs is cached.
    #[arg(long)]
    pub no_cache: bool,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// `secrets` also scans every line git history added, for a repository about to go public.
    #[arg(long)]
    pub history: bool,
    /// `audit` uses this RustSec advisory database directory as it is, never fetching it
    /// (default: ~/.cargo/advisory-db, cloned or updated when older than a day).
    #[arg(long, value_name = "PATH", value_parser = advisory_db_dir)]
    pub advisory_db: Option<PathBuf>,
    /// No network: `audit` uses the advisory database already on disk, `outdated` is skipped.
    #[arg(long)]
    pub offline: bool,
    /// Check the release of exactly this version (the `version` and `breaking` steps).
    #[arg(long, value_name = "X.Y.Z")]
    pub release: Option<String>,
    /// Let the `links` step check http(s) links too (otherwise it checks them only when
    /// `online = true` is configured).
    #[arg(long)]
    pub online: bool,
}

/// Flags of `cargo xtask links`.
#[derive(Debug, clap::Args)]
pub struct Links {
    /// Markdown files, or folders to search for them, instead of every tracked markdown
    /// file.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Check local targets only: no network.
    #[arg(long)]
    pub offline: bool,
    /// Skip links whose destination matches this regex (repeat the flag for more).
    #[arg(long, value_name = "REGEX")]
    pub exclude: Vec<String>,
    /// Ask every URL again instead of trusting successes remembered for a day.
    #[arg(long)]
    pub no_cache: bool,
    /// List every file read (on stderr), before the summary.
    #[arg(long, short)]
    pub verbose: bool,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Flags of `cargo xtask publish`.
#[derive(Debug, clap::Args)]
pub struct Publish {
    /// The registry: `crates-io` or a name from cargo's config (default: `registry.default`,
    /// else crates-io).
    #[arg(long, value_name = "NAME")]
    pub registry: Option<String>,
    /// Upload; without it, print the plan and change nothing.
    #[arg(long)]
    pub execute: bool,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human); the JSON
    /// document is described in docs/publishing.md.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The most a run waits in all (429s, retries, the index), then it stops with the
    /// command that resumes: `90s`, `15m`, `1h` (default: LAUNCHKIT_PUBLISH_MAX_WAIT, else
    /// 15m).
    #[arg(long, value_name = "DURATION", value_parser = crate::publish::budget::parse_duration)]
    pub max_wait: Option<std::time::Duration>,
}

/// `--advisory-db` must name a database, so a typo stops before any step runs.
fn advisory_db_dir(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if path.join("crates").is_dir() {
        Ok(path)
    } else {
        Err("not a RustSec advisory database (it has no crates/ folder): pass a clone of \
             https://github.com/rustsec/advisory-db"
            .to_owned())
    }
}

/// A SemVer version given on the command line.
pub type SemVer = cargo_metadata::semver::Version;

/// Flags of `cargo xtask changelog`.
#[derive(Debug, clap::Args)]
pub struct Changelog {
    /// The changelog, relative to the workspace root (default: `changelog` in the
    /// configuration, CHANGELOG.md unless set).
    #[arg(long, global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: ChangelogCommand,
}

/// What `cargo xtask changelog` does.
#[derive(Debug, Subcommand)]
pub enum ChangelogCommand {
    /// Lint against Keep a Changelog 1.1.0; exit 1 when an error is found.
    Check,
    /// Print the release notes of one version (the body of its entry).
    Notes {
        /// The version, as in its heading (a `v` prefix is accepted), or a calendar version
        /// (`24.03`).
        #[arg(value_name = "X.Y.Z")]
        version: String,
    },
    /// Turn `[Unreleased]` into `[X.Y.Z] - date` and update the compare links; prints the
    /// diff unless --execute.
    Promote {
        /// The version being released.
        #[arg(value_name = "X.Y.Z")]
        version: String,
        /// Release date (default: today, UTC).
        #[arg(long, value_name = "YYYY-MM-DD")]
        date: Option<String>,
        /// Write the file instead of printing the diff.
        #[arg(long)]
        execute: bool,
    },
}

/// Flags of `cargo xtask version`.
#[derive(Debug, clap::Args)]
pub struct Version {
    /// major, minor, patch, alpha, beta, rc, release, or an explicit X.Y.Z.
    #[arg(value_name = "LEVEL|X.Y.Z")]
    pub bump: String,
    /// Write the manifests and update Cargo.lock instead of printing the diff.
    #[arg(long)]
    pub execute: bool,
}

/// Flags of `cargo xtask release`.
#[derive(Debug, clap::Args)]
pub struct Release {
    /// major, minor, patch, alpha, beta, rc, release, or an explicit X.Y.Z.
    #[arg(value_name = "LEVEL|X.Y.Z")]
    pub bump: String,
    /// The environment (default: LAUNCHKIT_ENV, else `default-env`, else production).
    #[arg(long, value_name = "NAME")]
    pub env: Option<String>,
    /// Release; without it, check and print the plan, and change nothing.
    #[arg(long)]
    pub execute: bool,
    /// Release even though the release date is a Friday.
    #[arg(long)]
    pub allow_friday: bool,
    /// The release date, for the changelog and the Friday check (default: today, local time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// A version argument, `v` prefix allowed. Values are parsed by the tasks rather than by
/// clap, so a bad one is a single line of error like any other bad input.
pub fn semver(text: &str) -> anyhow::Result<SemVer> {
    SemVer::parse(text.strip_prefix('v').unwrap_or(text))
        .map_err(|err| anyhow::anyhow!("`{text}` is not a SemVer version X.Y.Z: {err}"))
}

/// A duration given on the command line: `90s`, `10m`, `1h`, or seconds alone.
pub fn duration(text: &str) -> anyhow::Result<std::time::Duration> {
    crate::publish::budget::parse_duration(text)
        .map_err(|_| anyhow::anyhow!("`{text}` is not a duration: write it as 90s, 10m or 1h"))
}

/// `path` (relative to `root`, or absolute) when it stays inside `root` once `..` and
/// symbolic links are resolved; `flag` names it in the error. A task reads only its
/// workspace's files.
pub fn inside(root: &Path, path: &Path, flag: &str) -> anyhow::Result<PathBuf> {
    let full = root.join(path);
    let inside = match (full.canonicalize(), root.canonicalize()) {
        (Ok(full), Ok(root)) => full.starts_with(root),
        // A path that does not exist yet: its `..` alone can lead out.
        _ => lexical(&full).starts_with(lexical(root)),
    };
    if !inside {
        bail!(
            "{flag} {} is outside the workspace: pass a path inside {}",
            path.display(),
            root.display()
        );
    }
    Ok(full)
}

/// `path` with `.` and `..` resolved by their names alone.
fn lexical(path: &Path) -> PathBuf {
    let mut resolved = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => drop(resolved.pop()),
            other => resolved.push(other),
        }
    }
    resolved
}

/// How a task prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Progress and a summary table for a terminal.
    Human,
    /// One JSON document on stdout (schema: docs/report.schema.json).
    Json,
    /// Human output plus GitHub Actions annotations and a step summary.
    Github,
}

/// The workspace directory chosen by `--manifest-path`, if any.
pub fn workspace_dir(manifest_path: Option<&PathBuf>) -> anyhow::Result<Option<PathBuf>> {
    let Some(path) = manifest_path else {
        return Ok(None);
    };
    if path.file_name().is_none_or(|name| name != "Cargo.toml") || !path.is_file() {
        bail!(
            "--manifest-path {} is not a Cargo.toml file: pass the path of a workspace's Cargo.toml",
            path.display()
        );
    }
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    Ok(Some(dir.map_or_else(|| PathBuf::from("."), PathBuf::from)))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn paths_leading_out_of_the_workspace_are_refused() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let inside = |path: &str| super::inside(root, std::path::Path::new(path), "--file");
        assert!(inside("Cargo.toml").is_ok() && inside("src/../Cargo.toml").is_ok());
        assert!(inside("not/yet/there.md").is_ok());
        for outside in ["../Cargo.toml", "src/../../x.md", "/etc/hostname", "no/../../../x"] {
            let error = inside(outside).unwrap_err().to_string();
            assert!(error.starts_with(&format!("--file {outside} is outside the workspace")));
        }
    }

    #[test]
    fn durations_take_a_unit_or_seconds() {
        let seconds = |text: &str| super::duration(text).map(|d| d.as_secs()).ok();
        assert_eq!(seconds("90"), Some(90));
        assert_eq!(seconds("90s"), Some(90));
        assert_eq!(seconds("10m"), Some(600));
        assert_eq!(seconds("1h"), Some(3600));
        for bad in ["", "m", "10ms", "1.5m", "-3s", "10 m"] {
            assert_eq!(seconds(bad), None, "{bad}");
        }
    }
}
