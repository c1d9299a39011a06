//! The plan, printed on stdout by every run: the edits as diffs, then each step with
//! what it will do and where it stands.

use std::fmt::Write;

use launchkit_workspace::Workspace;

use super::Ctx;
use super::steps::{STEPS, State};
use super::target::Why;
use crate::diff;

/// Prints the plan of `ctx`'s release.
pub fn plan(ctx: &Ctx, ws: &Workspace) {
    let release = ctx.release;
    let target = &release.target;
    let (version, env, date) = (&target.version, &release.env.name, target.date);
    let mut out = match &target.why {
        Why::Resuming => {
            format!("resume the release of {version} to {env}: HEAD is its release commit\n")
        }
        Why::Manifests => format!(
            "release {version} (the manifests' version, never released) to {env}, dated {date}\n"
        ),
        Why::AfterTag { level, tag } => format!(
            "release {version} ({level} of the last release {tag}, already in the manifests) to {env}, dated {date}\n"
        ),
        Why::Bumped => format!("release {} -> {version} to {env}, dated {date}\n", target.from),
    };
    for edit in &target.edits {
        out.push_str(&diff::unified(&ws.relative(&edit.path), &edit.before, &edit.after));
    }
    if target.lockfile.is_some() && !target.edits.is_empty() {
        out.push_str("$ cargo update --workspace\n");
    }
    out.push_str("steps:\n");
    for (number, step) in STEPS.iter().enumerate() {
        let status = match (step.state)(ctx) {
            Ok(None) => "to do".to_owned(),
            Ok(Some(State::Done(_))) => "done".to_owned(),
            Ok(Some(State::Off(_))) => "off".to_owned(),
            Err(err) => format!("unknown ({err:#})"),
        };
        let describe = (step.describe)(ctx);
        let _ = writeln!(out, "{}. {:<8} {status:<6} {describe}", number + 1, step.name);
    }
    let (line, warnings) =
        super::notify::plan(&release.env.notify, |name| std::env::var(name).ok());
    let _ = writeln!(out, "{line}");
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
    print!("{out}");
}
