//! The steps that reach outside the repository: push, publish, forge release, docs hook.
//! Once one of them has acted, a failure is no longer rolled back: the error says what is
//! done, and running the same command again picks up from there.

use anyhow::{anyhow, bail};
use launchkit_registry::{Registry, SparseIndex};
use xshell::cmd;

use launchkit_forge::{Client, Outcome, Project, Retry};

use super::forge;
use super::steps::{Reach, State, Step};
use super::{Ctx, checks};
use crate::publish::pace::Limits;

/// `git push --atomic` of the branch and the tag.
pub const PUSH: Step = Step {
    name: "push",
    reach: Reach::Outside { partly: partly_pushed },
    describe: describe_push,
    state: pushed,
    act: push,
};
/// The crates to the registry, by the publish engine.
pub const PUBLISH: Step = Step {
    name: "publish",
    reach: Reach::Outside { partly: partly_published },
    describe: describe_publish,
    state: published,
    act: publish,
};
/// The forge release of the tag, with the crates and their checksums attached.
pub const FORGE: Step =
    Step { name: "forge", reach: OUTSIDE, describe: describe_forge, state: announced, act: forge };
/// The configured docs command.
pub const DOCS: Step =
    Step { name: "docs", reach: OUTSIDE, describe: describe_docs, state: documented, act: docs };

/// A failed forge request or docs command may have done part of its work: count it done.
const OUTSIDE: Reach = Reach::Outside { partly: |_| true };

fn describe_push(ctx: &Ctx) -> String {
    let release = ctx.release;
    if !release.env.push {
        return format!("not in {}: push = false", release.env.name);
    }
    let branch = &release.branch;
    format!(
        "git push --atomic {} HEAD:refs/heads/{branch} refs/tags/{}",
        release.env.remote, release.tag
    )
}

/// The refspecs the remote still lacks.
fn missing(ctx: &Ctx) -> anyhow::Result<Vec<String>> {
    let release = ctx.release;
    let (git, tag) = (ctx.git, &release.tag);
    let (branch_ref, tag_ref) =
        (format!("refs/heads/{}", release.branch), format!("refs/tags/{tag}"));
    let refs = git
        .remote_refs(&release.env.remote, &[branch_ref.clone(), tag_ref.clone()])
        .map_err(|err| anyhow!("cannot read remote `{}`: {err}", release.env.remote))?;
    let head = git.head()?;
    let mut missing = Vec::new();
    let has_head = |theirs: &str| theirs == head || git.is_ancestor(&head, theirs);
    if !refs.get(&branch_ref).is_some_and(has_head) {
        missing.push(format!("HEAD:{branch_ref}"));
    }
    match refs.tag_commit(tag) {
        Some(commit) if commit == head => {}
        Some(commit) => bail!(
            "tag {tag} appeared on {} at {}: release another version",
            release.env.remote,
            checks::short(commit)
        ),
        None => missing.push(tag_ref),
    }
    Ok(missing)
}

fn pushed(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let env = &ctx.release.env;
    if !env.push {
        return Ok(Some(State::Off(format!("push = false in {}", env.name))));
    }
    Ok(missing(ctx)?.is_empty().then(|| {
        State::Done(format!("{} has {} and {}", env.remote, ctx.release.branch, ctx.release.tag))
    }))
}

/// After a failed push, whether the remote got part of it anyway (the push is atomic, but
/// the connection may drop after the remote updated). A tag of the same name at another
/// commit is not this release's: another clone released first, and this one is undone.
fn partly_pushed(ctx: &Ctx) -> bool {
    let release = ctx.release;
    let names = [format!("refs/heads/{}", release.branch), format!("refs/tags/{}", release.tag)];
    let (Ok(refs), Ok(head)) = (ctx.git.remote_refs(&release.env.remote, &names), ctx.git.head())
    else {
        return true;
    };
    refs.get(&names[0]) == Some(head.as_str()) || refs.tag_commit(&release.tag) == Some(&head)
}

fn push(ctx: &mut Ctx) -> anyhow::Result<String> {
    let refspecs = missing(ctx)?;
    let (sh, remote) = (ctx.sh, &ctx.release.env.remote);
    let specs = &refspecs;
    crate::tokens::strip(cmd!(sh, "git push --atomic -q {remote} {specs...}")).run()?;
    Ok(format!("{} to {remote}", refspecs.join(" ")))
}

fn describe_publish(ctx: &Ctx) -> String {
    let release = ctx.release;
    let Some(registry) = &release.registry else {
        return format!("not in {}: publish = false", release.env.name);
    };
    let batches: Vec<String> = release.batches.iter().map(|batch| batch.join(", ")).collect();
    let mut describe = format!(
        "{} to `{}` in this order (one batch after the other): {}",
        release.target.version,
        registry.name,
        batches.join("; ")
    );
    if let Some(pacing) = pacing(ctx, registry) {
        describe.push_str(&format!("; pacing: {pacing}"));
    }
    describe
}

/// The uploads still to make under the registry's rate limits, and when the last one can
/// start; `None` without limits, or when the index cannot say.
fn pacing(ctx: &Ctx, registry: &Registry) -> Option<String> {
    let release = ctx.release;
    let limits = Limits::of(&release.env, registry);
    if limits == Limits::default() {
        return None;
    }
    let names: Vec<&str> = release.batches.iter().flatten().map(String::as_str).collect();
    let index = SparseIndex::new(registry);
    let known = crate::publish::read_versions(&index, &names).ok()?;
    let version = &release.target.version;
    let uploads: Vec<bool> = known
        .iter()
        .filter(|versions| !versions.iter().any(|entry| entry.version == *version))
        .map(|versions| versions.is_empty())
        .collect();
    limits.summary(&registry.name, &uploads)
}

fn published(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let release = ctx.release;
    let Some(registry) = &release.registry else {
        return Ok(Some(State::Off(format!("publish = false in {}", release.env.name))));
    };
    let index = SparseIndex::new(registry);
    let version = &release.target.version;
    for name in release.batches.iter().flatten() {
        if !index.is_published(name, version)? {
            return Ok(None);
        }
    }
    Ok(Some(State::Done(format!("`{}` has every crate at {version}", registry.name))))
}

/// After a failed publish, whether any crate reached the registry (or the registry cannot
/// say).
fn partly_published(ctx: &Ctx) -> bool {
    let Some(registry) = &ctx.release.registry else { return false };
    let index = SparseIndex::new(registry);
    let version = &ctx.release.target.version;
    ctx.release
        .batches
        .iter()
        .flatten()
        .any(|name| index.is_published(name, version).unwrap_or(true))
}

/// Runs the publish engine, which skips what the registry has and uploads the rest in
/// order; then reads the registry again rather than trusting an exit code.
fn publish(ctx: &mut Ctx) -> anyhow::Result<String> {
    let release = ctx.release;
    let registry = release.registry.as_ref().expect("publish runs only with a registry");
    let (sh, env, resume) = (ctx.sh, &release.env, &release.command);
    let stop = crate::publish::publish(sh, Some(&registry.name), true, None, resume, env)?;
    if let Some(reason) = stop {
        bail!("{reason}");
    }
    if published(ctx)?.is_none() {
        bail!(
            "the publish stopped before every crate was on `{}` (see its report above)",
            registry.name
        );
    }
    Ok(format!("{} crates on `{}`", release.batches.iter().flatten().count(), registry.name))
}

fn describe_forge(ctx: &Ctx) -> String {
    let release = ctx.release;
    match &release.forge {
        None if !release.env.push => format!("not in {}: push = false", release.env.name),
        None => format!("not in {}: forge = none", release.env.name),
        Some(project) => format!(
            "{} release {} on {} with the release notes{}, then {} assets attached: {}",
            project.kind,
            release.tag,
            project.path,
            if release.target.version.pre.is_empty() { "" } else { ", marked as a pre-release" },
            release.crates.len() + 1,
            forge::asset_names(release).join(", "),
        ),
    }
}

/// The project and a client for it; `None` when the environment makes no forge release.
fn client<'a>(ctx: &Ctx<'a>) -> anyhow::Result<Option<(&'a Project, Client<'a>)>> {
    let Some(project) = ctx.release.forge.as_ref() else { return Ok(None) };
    let Some(token) = forge::token(project.kind) else {
        bail!("no {} token: set {}", project.kind, forge::token_names(project.kind));
    };
    Ok(Some((project, Client::new(project, token, Retry::default()))))
}

fn announced(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let Some((project, client)) = client(ctx)? else {
        return Ok(Some(State::Off(describe_forge(ctx))));
    };
    let names = forge::asset_names(ctx.release);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let existing = client.find(&ctx.release.tag)?;
    Ok(existing
        .filter(|existing| existing.matches(project.kind, &forge::notes(ctx.release), &names))
        .map(|existing| State::Done(format!("{} says it already", existing.url))))
}

fn forge(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (_, client) = client(ctx)?.expect("the forge step acts only with a project");
    let assets = forge::assets(ctx.sh, ctx.release)?;
    Ok(match client.publish(&forge::notes(ctx.release), &assets)? {
        Outcome::Created(url) => format!("created {url} with {} assets", assets.len()),
        Outcome::Updated(url) => format!("updated {url}"),
        Outcome::Unchanged(url) => format!("{url} already says it"),
    })
}

fn describe_docs(ctx: &Ctx) -> String {
    match &ctx.release.env.docs_hook {
        None => "no docs-hook configured".into(),
        Some(hook) => format!(
            "sh -c '{hook}' in the workspace root, with LAUNCHKIT_VERSION, LAUNCHKIT_TAG and LAUNCHKIT_ENV set and no registry token"
        ),
    }
}

/// Done when this release's journal or its deployment record says the hook ran: the hook
/// is the project's own command, and launchkit cannot look at what it deployed.
fn documented(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    if ctx.release.env.docs_hook.is_none() {
        return Ok(Some(State::Off("no docs-hook configured".into())));
    }
    if ctx.journal.as_ref().is_some_and(|journal| journal.docs_hook) {
        return Ok(Some(State::Done("the docs hook ran for this release".into())));
    }
    let recorded = super::record::existing(ctx)?.is_some_and(|record| {
        record.steps.iter().any(|step| step.name == "docs" && step.status != "off")
    });
    Ok(recorded.then(|| State::Done("the deployment record says the docs hook ran".into())))
}

fn docs(ctx: &mut Ctx) -> anyhow::Result<String> {
    let release = ctx.release;
    let hook = release.env.docs_hook.as_deref().expect("the docs step acts only with a hook");
    let sh = ctx.sh;
    let command = cmd!(sh, "sh -c {hook}")
        .env("LAUNCHKIT_VERSION", release.target.version.to_string())
        .env("LAUNCHKIT_TAG", &release.tag)
        .env("LAUNCHKIT_ENV", &release.env.name);
    // A docs command has no business with registry tokens (the forge's stay: publishing
    // docs to GitHub Pages needs GITHUB_TOKEN).
    crate::tokens::strip_registry(command).run()?;
    ctx.journal_mut().docs_hook = true;
    ctx.save_journal()?;
    Ok("the docs hook succeeded".into())
}
