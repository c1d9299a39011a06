//! The checklist: one function per step. Adding a step is writing its function and
//! listing it in [`ALL`].

use std::path::Path;

use launchkit_report::Finding;
use launchkit_workspace::Member;

use crate::preflight::cargo_program;
use crate::publish::package::crate_file;
use crate::publish::verify;

use super::{Ctx, Outcome, Step, ToolRun, diagnostics};

/// Every step, in the order preflight runs them: cheap and likely failures first.
pub static ALL: &[Step] = &[
    Step { name: "fmt", run: fmt },
    Step { name: "changelog", run: super::changes::changelog },
    Step { name: "version", run: super::changes::version },
    Step { name: "links", run: links },
    Step { name: "secrets", run: super::scan::secrets },
    Step { name: "audit", run: super::scan::audit },
    Step { name: "clippy", run: clippy },
    Step { name: "test", run: test },
    Step { name: "docs", run: docs },
    Step { name: "build", run: build },
    Step { name: "package", run: package },
    Step { name: "breaking", run: super::breaking::breaking },
    Step { name: "outdated", run: super::scan::outdated },
];

/// The parts of steps that read a moving source (a registry): they run on every run,
/// also when the step's own pass comes from the cache, after the step passed, and their
/// findings never make that pass cached or not.
pub static LIVE: &[(&str, Live)] = &[("package", trusted_publishing)];

/// A live part of a step: its findings.
pub type Live = fn(&Ctx) -> Vec<Finding>;

/// The steps that run cargo with `--locked` ([`Ctx::cargo_locked`]), which needs a
/// Cargo.lock that is up to date: preflight never writes outside the target directory.
pub const LOCKED: &[&str] = &["clippy", "test", "docs", "build", "package"];

fn fmt(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let run = ctx.capture(ctx.cargo(&["fmt", "--all", "--check", "--", "--color=never"]))?;
    if run.tool_missing() {
        return Ok(Outcome::skipped(
            "rustfmt is not installed: run `rustup component add rustfmt`",
        ));
    }
    let findings = diagnostics::rustfmt(&run.output, |path| ctx.ws.relative(Path::new(path)));
    Ok(Outcome::from_run(run, findings))
}

/// The documentation's links; http(s) ones only with `--online` or `online = true`, and
/// never with `--offline`.
fn links(ctx: &Ctx) -> anyhow::Result<Outcome> {
    crate::links::preflight(ctx.sh, ctx.ws, ctx.flags.online, ctx.flags.offline)
}

fn clippy(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let args = ["--workspace", "--all-targets", "--all-features", "--message-format=json"];
    let run = ctx.capture(ctx.cargo_locked(&["clippy"], &args).args(["--", "-D", "warnings"]))?;
    if run.tool_missing() {
        return Ok(Outcome::skipped("clippy is not installed: run `rustup component add clippy`"));
    }
    compile_step(run)
}

/// Unit, integration and doc tests with all features, in one build. cargo-nextest runs
/// the unit and integration tests when installed; it does not run doc tests, so cargo
/// test runs those. A workspace whose tests need more (a server, a tool) names its own
/// command in `[workspace.metadata.launchkit.preflight] test-command`.
fn test(ctx: &Ctx) -> anyhow::Result<Outcome> {
    const ALL_FEATURES: [&str; 3] = ["--workspace", "--all-features", "--no-fail-fast"];
    if let Some(command) = test_command(&ctx.ws.config)? {
        let (program, args) = command.split_first().expect("a test command has a program");
        let cmd = match program.as_str() {
            "cargo" => ctx.cargo(&[]).args(args),
            _ => xshell::cmd!(ctx.sh, "{program} {args...}"),
        };
        let run = ctx.capture(cmd)?;
        let findings = diagnostics::tests(&run.output);
        return Ok(Outcome::from_run(run, findings));
    }
    let nextest = ctx
        .capture(ctx.cargo_locked(&["nextest", "run"], &["--no-tests=warn"]).args(ALL_FEATURES))?;
    let run = if nextest.tool_missing() {
        ctx.capture(ctx.cargo_locked(&["test"], &ALL_FEATURES))?
    } else if ctx.ws.members.iter().any(|member| member.has_lib) {
        let doc = ctx.capture(ctx.cargo_locked(&["test", "--doc"], &ALL_FEATURES))?;
        ToolRun::chain(vec![nextest, doc])
    } else {
        nextest
    };
    let findings = diagnostics::tests(&run.output);
    Ok(Outcome::from_run(run, findings))
}

/// rustdoc for the workspace's own crates with warnings denied, which catches broken
/// intra-doc links.
pub fn docs(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let flags = std::env::var("RUSTDOCFLAGS").unwrap_or_default();
    let args = ["--workspace", "--no-deps", "--all-features", "--message-format=json"];
    let cmd = ctx
        .cargo_locked(&["doc"], &args)
        .env("RUSTDOCFLAGS", format!("{flags} -D warnings").trim_start());
    compile_step(ctx.capture(cmd)?)
}

/// Every crate and binary with all features, in the dev profile by default: the test step
/// already compiled the same libraries and binaries there, so this costs almost nothing
/// after it. `build-profile = "release"` builds the optimized profile instead.
fn build(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let profile = setting(&ctx.ws.config, "build-profile")?.unwrap_or("dev");
    let args = ["--workspace", "--all-features", "--message-format=json", "--profile", profile];
    compile_step(ctx.capture(ctx.cargo_locked(&["build"], &args))?)
}

/// What the registry would receive: required metadata, the files of each package, and a
/// build of every packaged crate from its packaged sources. The workspace is packaged in
/// one `cargo package --no-verify`, and the packages build together in the workspace's
/// target directory, as `publish` verifies them ([`crate::publish::verify`]): what the
/// test step compiled is reused, where `cargo publish --dry-run` builds each crate and
/// its workspace dependencies again, one crate at a time.
fn package(ctx: &Ctx) -> anyhow::Result<Outcome> {
    if ctx.ws.publishable().next().is_none() {
        return Ok(Outcome::not_applicable("does not apply: every member has `publish = false`"));
    }
    let registry = package_registry(ctx)?;
    let order = crate::publish::publish_order(ctx.ws, &registry)?;
    let members: Vec<&Member> = order.crates().filter_map(|name| ctx.ws.member(name)).collect();
    let mut findings: Vec<Finding> = members
        .iter()
        .flat_map(|member| super::package::missing_metadata(ctx.ws, member))
        .collect();
    let selection: Vec<&str> = members.iter().flat_map(|m| ["-p", m.name.as_str()]).collect();
    let args = [&["--no-verify", "--allow-dirty", "--registry", &registry], &selection[..]];
    let packaged = ctx.capture(ctx.cargo_locked(&["package"], &args.concat()))?;
    if !packaged.success {
        return Ok(Outcome::from_run(packaged, findings));
    }
    for member in &members {
        let file = crate_file(&ctx.ws.target_dir, &member.name, &member.version);
        let listed = xshell::cmd!(ctx.sh, "tar -tzf {file}").quiet().read()?;
        let root = format!("{}-{}/", member.name, member.version);
        let files: Vec<&str> = listed.lines().filter_map(|line| line.strip_prefix(&root)).collect();
        findings.extend(super::package::unwanted_files(ctx.ws, member, &files.join("\n")));
    }
    let crates: Vec<(String, String)> =
        members.iter().map(|member| (member.name.clone(), member.version.to_string())).collect();
    let verified = verify::verify(ctx.sh, &cargo_program(), ctx.ws, &registry, &crates)?;
    let run = match verified {
        Ok(()) => ToolRun::succeeded(packaged.command + " && (build of the packages)"),
        Err(failure) => ToolRun::failed(failure.command, failure.output),
    };
    Ok(Outcome::from_run(run, findings))
}

/// For a repository that releases with trusted publishing (a release workflow with an
/// identity, or `trusted-publishing = "always"`): the crates not on the registry yet,
/// whose first version needs a token, and those that take only trusted publishing when
/// only a token is available here (`publish/first.rs`). Notes and warnings: the release
/// and doctor decide with the credential of the run. Nothing with `--offline`.
fn trusted_publishing(ctx: &Ctx) -> Vec<Finding> {
    use crate::config::TrustedPublishing;
    use crate::publish::first::{self, Problem};
    let read = || -> anyhow::Result<Vec<Finding>> {
        let var = |name: &str| std::env::var(name).ok();
        let env = crate::config::environment(&ctx.ws.config, None, var)?;
        let settings = crate::publish::trusted::Settings::of(&env);
        let trusted = match settings.mode {
            TrustedPublishing::Never => false,
            TrustedPublishing::Always => true,
            TrustedPublishing::Auto => crate::doctor::workflow::trusted_release(&ctx.ws.root),
        };
        if ctx.flags.offline || !trusted {
            return Ok(Vec::new());
        }
        let name = package_registry(ctx)?;
        let registry =
            launchkit_registry::CargoConfig::discover(&ctx.ws.root)?.registry(Some(&name))?;
        let crates: Vec<String> =
            crate::publish::publish_order(ctx.ws, &name)?.crates().map(str::to_owned).collect();
        let index = launchkit_registry::SparseIndex::new(&registry);
        let problems = first::problems(&registry, &settings, &index, &crates)?;
        let findings = problems.iter().map(|problem| {
            let mut finding = problem.finding(&name, &settings);
            finding.severity = match problem {
                Problem::TrustedOnly(_) => launchkit_report::Severity::Warning,
                _ => launchkit_report::Severity::Note,
            };
            match ctx.ws.member(problem.name()) {
                Some(member) => finding.in_file(ctx.ws.relative(&member.manifest_path)),
                None => finding,
            }
        });
        Ok(findings.collect())
    };
    read().unwrap_or_else(|err| {
        vec![
            Finding::warning(format!(
                "cannot tell what trusted publishing can do for the crates: {err:#}"
            ))
            .rule("publish::trusted")
            .fix("check the connection to the registry, or pass --offline to leave it out"),
        ]
    })
}

/// The registry of the release, or of the environment `LAUNCHKIT_ENV` (or the
/// configuration) selects, unless no crate goes there: then the first one a crate's
/// `publish = [..]` names.
fn package_registry(ctx: &Ctx) -> anyhow::Result<String> {
    let preferred = match &ctx.registry {
        Some(registry) => registry.clone(),
        None => {
            let var = |name: &str| std::env::var(name).ok();
            crate::config::environment(&ctx.ws.config, None, var)?.registry
        }
    };
    if ctx.ws.publishable().any(|member| member.publishes_to(&preferred)) {
        return Ok(preferred);
    }
    let named = ctx.ws.publishable().find_map(|member| member.publish.as_ref()?.first().cloned());
    Ok(named.unwrap_or(preferred))
}

/// The metadata and the file list of every publishable crate: their findings, or the
/// outcome of a `cargo package --list` that failed.
pub fn package_contents(ctx: &Ctx) -> anyhow::Result<Result<Vec<Finding>, Outcome>> {
    let mut findings = Vec::new();
    for member in ctx.ws.publishable() {
        findings.extend(super::package::missing_metadata(ctx.ws, member));
        let args = ["--list", "--allow-dirty", "-p", &member.name];
        let list = ctx.capture(ctx.cargo_locked(&["package"], &args))?;
        if !list.success {
            return Ok(Err(Outcome::from_run(list, findings)));
        }
        findings.extend(super::package::unwanted_files(ctx.ws, member, &list.stdout));
    }
    Ok(Ok(findings))
}

/// A compiling step: findings from cargo's JSON diagnostics, output made readable again.
fn compile_step(mut run: ToolRun) -> anyhow::Result<Outcome> {
    let (findings, readable) = diagnostics::compiler(&run.stdout);
    run.output = readable + &run.stderr;
    Ok(Outcome::from_run(run, findings))
}

/// `test-command` from `[workspace.metadata.launchkit.preflight]`: a command line split on
/// spaces (no shell), such as `"cargo xtask test"`.
fn test_command(config: &serde_json::Value) -> anyhow::Result<Option<Vec<String>>> {
    let Some(command) = setting(config, "test-command")? else { return Ok(None) };
    let words: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
    if words.is_empty() {
        anyhow::bail!("{WHERE} test-command is empty: remove it to use cargo's own test runner");
    }
    Ok(Some(words))
}

const WHERE: &str = "Cargo.toml [workspace.metadata.launchkit.preflight]";

/// A string setting of `[workspace.metadata.launchkit.preflight]`; an unknown key or a
/// value that is not a string is an error.
fn setting<'a>(config: &'a serde_json::Value, key: &str) -> anyhow::Result<Option<&'a str>> {
    const KEYS: [(&str, &str); 2] =
        [("test-command", "\"cargo xtask test\""), ("build-profile", "\"release\"")];
    let Some(table) = config.get("preflight") else { return Ok(None) };
    let table = table.as_object().ok_or_else(|| anyhow::anyhow!("{WHERE} must be a table"))?;
    if let Some(unknown) = table.keys().find(|name| KEYS.iter().all(|(known, _)| known != name)) {
        anyhow::bail!("{WHERE} has an unknown key `{unknown}`: use test-command or build-profile");
    }
    let Some(value) = table.get(key) else { return Ok(None) };
    let example = KEYS.iter().find(|(known, _)| *known == key).map_or("", |(_, example)| example);
    let text = value
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("{WHERE} {key} must be a string such as {example}"))?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{setting, test_command};

    #[test]
    fn a_configured_test_command_is_split_into_words() {
        let config = json!({ "preflight": { "test-command": "cargo xtask  test" } });
        assert_eq!(test_command(&config).unwrap().unwrap(), ["cargo", "xtask", "test"]);
        assert_eq!(test_command(&json!({})).unwrap(), None);
        let error = |config| test_command(&config).unwrap_err().to_string();
        assert!(error(json!({ "preflight": { "tests": "x" } })).contains("unknown key `tests`"));
        assert!(
            error(json!({ "preflight": { "test-command": ["cargo"] } }))
                .contains("must be a string")
        );
        assert!(error(json!({ "preflight": { "test-command": " " } })).contains("is empty"));
    }

    #[test]
    fn the_build_profile_is_a_string_setting() {
        let config = json!({ "preflight": { "build-profile": "release" } });
        assert_eq!(setting(&config, "build-profile").unwrap(), Some("release"));
        assert_eq!(setting(&config, "test-command").unwrap(), None);
        let wrong = json!({ "preflight": { "build-profile": 3 } });
        let error = setting(&wrong, "build-profile").unwrap_err().to_string();
        assert!(error.contains("build-profile must be a string such as \"release\""), "{error}");
    }
}
