//! The checklist: one function per step. Adding a step is writing its function and
//! listing it in [`ALL`].

use std::path::Path;

use launchkit_report::Finding;

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
    crate::links::preflight(ctx.ws, ctx.flags.online, ctx.flags.offline)
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

fn build(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let args = ["--workspace", "--release", "--all-features", "--message-format=json"];
    compile_step(ctx.capture(ctx.cargo_locked(&["build"], &args))?)
}

/// What crates.io would receive: required metadata, the file list of each package, and
/// `cargo publish --dry-run`, which packages every crate in dependency order and builds
/// each from its package.
fn package(ctx: &Ctx) -> anyhow::Result<Outcome> {
    if ctx.ws.publishable().next().is_none() {
        return Ok(Outcome::not_applicable("does not apply: every member has `publish = false`"));
    }
    let findings = match package_contents(ctx)? {
        Ok(findings) => findings,
        Err(failed) => return Ok(failed),
    };
    let args = ["--workspace", "--dry-run", "--allow-dirty"];
    let run = ctx.capture(ctx.cargo_locked(&["publish"], &args))?;
    let outcome = Outcome::from_run(run, findings);
    // cargo resolves each package's dependencies against the registry's index, which
    // moves (a release yanked, a new one published): such a pass is not cached.
    let lock = std::fs::read_to_string(ctx.ws.root.join("Cargo.lock")).unwrap_or_default();
    let from_registry =
        lock.contains("source = \"registry+") || lock.contains("source = \"sparse+");
    Ok(if from_registry { outcome.volatile() } else { outcome })
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
    const WHERE: &str = "Cargo.toml [workspace.metadata.launchkit.preflight]";
    let Some(table) = config.get("preflight") else { return Ok(None) };
    let table = table.as_object().ok_or_else(|| anyhow::anyhow!("{WHERE} must be a table"))?;
    if let Some(key) = table.keys().find(|key| *key != "test-command") {
        anyhow::bail!("{WHERE} has an unknown key `{key}`: use test-command");
    }
    let Some(command) = table.get("test-command") else { return Ok(None) };
    let words: Vec<String> = command
        .as_str()
        .ok_or_else(|| {
            anyhow::anyhow!("{WHERE} test-command must be a string such as \"cargo xtask test\"")
        })?
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        anyhow::bail!("{WHERE} test-command is empty: remove it to use cargo's own test runner");
    }
    Ok(Some(words))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::test_command;

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
}
