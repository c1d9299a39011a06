//! `cargo xtask links [PATH..] [--offline] [--exclude REGEX] [--no-cache] [--verbose]
//! [--format ..]`:
//! the link checker on its own, and the `links` step of preflight.
//!
//! Checks every markdown file git tracks, plus README.md, CHANGELOG.md and docs/**/*.md
//! before they are added (and the `include` globs of `[workspace.metadata.launchkit.links]`),
//! minus the `exclude` globs; or the PATHs given. `--verbose` lists the files read. It checks
//! relative and root-relative files and folders, fragments against GitHub's heading
//! anchors, mdBook's `.html` pages inside a book, reference definitions, `mailto:`
//! syntax and, unless `--offline`, every distinct http(s) URL. A broken link fails
//! (exit code 1); a link leaving the repository or a URL that could not be verified is a
//! warning. Successes are remembered for a day in `target/launchkit/links-cache`.
//! Outside a cargo workspace the defaults apply, rooted at the current folder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use launchkit_links::{Config, Options, Summary};
use launchkit_report::{Report, Severity, StepReport};
use launchkit_workspace::Workspace;
use regex::Regex;
use xshell::{Shell, cmd};

use crate::flags::{self, Format};
use crate::output::Output;
use crate::preflight::{self, Outcome};

impl flags::Links {
    /// Checks the links of the shell's workspace (or folder).
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let root = sh.current_dir();
        let manifest = root.join("Cargo.toml");
        // The workspace model gives the default inputs (members' READMEs) and the http
        // cache (in the target directory): offline with paths, neither is used, so
        // `cargo metadata`, which takes longer than the check, is not run.
        let needs_ws = self.paths.is_empty() || !self.offline;
        let ws =
            if needs_ws && manifest.is_file() { Some(Workspace::load(&manifest)?) } else { None };
        let (mut options, _) = options(sh, &root, ws.as_ref())?;
        options.offline = self.offline;
        // Paths on the command line are relative to where the command was typed.
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        options.paths = (self.paths.iter())
            .map(|path| flags::inside(&root, &cwd.join(path), "PATH"))
            .collect::<anyhow::Result<_>>()?;
        for pattern in &self.exclude {
            let regex = Regex::new(pattern).map_err(|err| {
                let why = err.to_string().lines().last().unwrap_or_default().replace("error: ", "");
                anyhow::anyhow!(
                    "--exclude `{pattern}` is not a valid regex ({why}): fix the pattern"
                )
            })?;
            options.exclude_links.push(regex);
        }
        if self.no_cache && self.offline {
            bail!("--no-cache asks every URL again and --offline asks none: pass one of them");
        }
        if self.no_cache {
            options.http.cache = None;
        }

        let started = Instant::now();
        let summary = launchkit_links::check(&options)?;
        if self.verbose {
            for file in &summary.files {
                eprintln!("read {file}");
            }
        }
        if self.format != Some(Format::Json) {
            eprintln!("{}", describe(&summary, options.offline));
        }
        let mut step = StepReport::new("links", preflight::status_of(&summary.findings));
        step.duration = started.elapsed();
        step.reason = reason(&summary, options.offline);
        step.findings = summary.findings;
        crate::output::cap(&mut step);
        let out = Output::new(self.format);
        out.step_done(&step);
        let mut report = Report::new("links");
        report.steps.push(step);
        out.finish(&report)?;
        Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }
}

/// The `links` step of preflight; http(s) links only with `online` or `online = true`,
/// and never with `offline`.
pub fn preflight(
    sh: &Shell,
    ws: &Workspace,
    online: bool,
    offline: bool,
) -> anyhow::Result<Outcome> {
    let (mut options, config) = options(sh, &ws.root, Some(ws))?;
    options.offline = offline || !(online || config.online);
    let summary = launchkit_links::check(&options)?;
    let reason = reason(&summary, options.offline);
    let mut outcome = Outcome::from_findings(summary.findings);
    outcome.reason = reason;
    // Never cached: link rot happens while the files stay the same, and a local link may
    // point at a file git ignores, which the cache's key does not hold. Offline, the
    // check takes milliseconds anyway.
    Ok(outcome.volatile())
}

/// The checker's options for `root`: the tracked files, the defaults, each member's
/// README, the settings in Cargo.toml, `GITHUB_TOKEN`, and the cache in the target
/// directory.
fn options(sh: &Shell, root: &Path, ws: Option<&Workspace>) -> anyhow::Result<(Options, Config)> {
    let mut options = Options::new(root);
    options.tracked = tracked(sh, root);
    let manifest = root.join("Cargo.toml");
    let config = match std::fs::read_to_string(&manifest) {
        Ok(text) => Config::from_manifest(&text)?,
        Err(_) => Config::default(),
    };
    let mut target = root.join("target");
    if let Some(ws) = ws {
        for member in &ws.members {
            let readme = member.dir().join("README.md");
            if readme.is_file() {
                options.include_file(&ws.relative(&readme));
            }
        }
        target = ws.target_dir.clone();
    }
    options.http.cache = Some(target.join("launchkit").join("links-cache"));
    options.http.github_token =
        std::env::var("GITHUB_TOKEN").ok().filter(|token| !token.is_empty());
    config.apply(&mut options);
    Ok((options, config))
}

/// The files git tracks under `root`, relative to it; `None` outside a git repository.
/// Names that are not UTF-8 are read lossily and then fail to open, so they are skipped.
fn tracked(sh: &Shell, root: &Path) -> Option<Vec<PathBuf>> {
    let _dir = sh.push_dir(root);
    let out = cmd!(sh, "git ls-files -z").quiet().ignore_stderr().output().ok()?;
    let listing = String::from_utf8_lossy(&out.stdout);
    Some(listing.split('\0').filter(|path| !path.is_empty()).map(PathBuf::from).collect())
}

/// The step's reason: no file found, how many links are broken, and whether http(s)
/// links went unchecked.
fn reason(summary: &Summary, offline: bool) -> Option<String> {
    let broken =
        summary.findings.iter().filter(|finding| finding.severity == Severity::Error).count();
    let mut parts = Vec::new();
    if summary.files.is_empty() {
        parts.push("no markdown file to check".to_owned());
    }
    if broken > 0 {
        parts.push(format!("{broken} broken link{}", if broken == 1 { "" } else { "s" }));
    }
    if offline && summary.external > 0 {
        parts.push(format!("{} http(s) links not checked offline", summary.external));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `checked 459 links in 112 files (105 http(s), 76 URLs, 12 from the cache)`.
fn describe(summary: &Summary, offline: bool) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let (links, files) = (summary.links, summary.files.len());
    let mut line =
        format!("checked {links} link{} in {files} file{}", plural(links), plural(files));
    if summary.external > 0 && offline {
        line.push_str(&format!(" offline ({} http(s) links not checked)", summary.external));
    } else if summary.external > 0 {
        line.push_str(&format!(
            " ({} to http(s): {} distinct URLs, {} answered from the cache)",
            summary.external, summary.urls, summary.cached
        ));
    }
    line
}
