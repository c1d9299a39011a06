//! The `docs` step: did the docs build? docs.rs for crates.io, the environment's
//! `docs-url` (a host with docs.rs's status API) for any registry.
//!
//! Only a host's answer counts: a build that failed is an error, one not done yet is a
//! warning, and a host that does not answer makes the status `unknown`, a warning too,
//! never a pass.

use launchkit_registry::{DOCS_RS, DocsHost, DocsStatus, RegistryError};
use launchkit_report::Finding;

use super::Ctx;
use crate::preflight::Outcome;

/// One finding per library whose docs did not build, are not built yet, or are unknown.
pub fn check(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let base = match (&ctx.env.docs_url, ctx.registry.is_crates_io()) {
        (Some(url), _) => url.as_str(),
        (None, true) => DOCS_RS,
        (None, false) => {
            return Ok(Outcome::skipped(format!(
                "no docs host for `{}`: set `docs-url` for environment `{}` to check one",
                ctx.registry.name, ctx.env.name
            )));
        }
    };
    let host = DocsHost::new(base, ctx.registry.timeout);
    let mut findings = Vec::new();
    let mut unreachable = None;
    for krate in ctx.published().filter(|krate| krate.lib != Some(false)) {
        let (name, version) = (&krate.name, &krate.version);
        let page = host.page(name, version);
        // One host that does not answer would not answer the next crate either.
        let status = match &unreachable {
            Some(_) => None,
            None => match host.status(name, version) {
                Ok(status) => Some(status),
                Err(err) => {
                    unreachable = Some(match err {
                        RegistryError::Transport { message, .. } => message,
                        other => other.to_string(),
                    });
                    None
                }
            },
        };
        let finding = match status {
            Some(DocsStatus::Built) => continue,
            Some(DocsStatus::Failed) => {
                Finding::error(format!("the docs of `{name}` {version} failed to build on {base}"))
                    .fix(format!("read the build log at {page}/builds, fix it and release a patch"))
            }
            Some(DocsStatus::Missing) => Finding::warning(format!(
                "the docs of `{name}` {version} are not built on {base} yet"
            ))
            .fix(format!("builds are queued: look at {page} again in a few minutes")),
            None => Finding::warning(format!(
                "the docs status of `{name}` {version} is unknown: {base} did not answer"
            ))
            .fix(format!("check {page} yourself")),
        };
        findings.push(finding.rule("verify::docs"));
    }
    let mut outcome = Outcome::from_findings(findings);
    outcome.reason = unreachable.map(|err| format!("unknown: {base} did not answer: {err}"));
    Ok(outcome)
}
