//! The preconditions of a release, each read from the real repository, remote and
//! registry. All of them are checked before anything changes, and every failure is
//! reported together, each as one line that says what to do.

use std::path::Path;

use cargo_metadata::semver::Version;
use launchkit_registry::{CargoConfig, Registry, SparseIndex};
use launchkit_workspace::Workspace;

use super::git::Git;
use super::journal::Journal;
use super::target::Target;
use crate::clock;
use crate::config::Environment;
use crate::publish;

/// What the checks found: passes are printed as they come, failures kept for the end.
#[derive(Default)]
pub struct Checks {
    /// `check: what to do`, one per failure.
    pub failures: Vec<String>,
}

impl Checks {
    /// Records one check's result.
    pub fn add(&mut self, name: &str, result: Result<String, String>) {
        match result {
            Ok(passed) => eprintln!("ok      {name:<10} {passed}"),
            Err(failure) => self.failures.push(format!("{name}: {failure}")),
        }
    }

    /// Records a check that also yields a value, which is `None` when it failed.
    pub fn value<T>(&mut self, name: &str, result: Result<(T, String), String>) -> Option<T> {
        match result {
            Ok((value, passed)) => {
                self.add(name, Ok(passed));
                Some(value)
            }
            Err(failure) => {
                self.add(name, Err(failure));
                None
            }
        }
    }
}

/// No other release is running. An executed run holds the lock already; a dry run only
/// looks, and refuses at once when someone holds it.
pub fn lock(path: &Path, held: bool) -> anyhow::Result<()> {
    let passed = match held {
        true => format!("taken by this run (process {})", std::process::id()),
        false => match super::lock::holder_of(path)? {
            Some(busy) => anyhow::bail!("{busy}"),
            None => "no other release is running".into(),
        },
    };
    eprintln!("ok      {:<10} {passed}", "lock");
    Ok(())
}

/// The working tree has no uncommitted change.
pub fn tree(git: &Git, journal: Option<&Journal>) -> Result<String, String> {
    let changes = git.changes().map_err(|err| format!("{err:#}"))?;
    if changes.is_empty() {
        return Ok("the working tree is clean".into());
    }
    let paths: Vec<&str> = changes.iter().map(|line| line.get(3..).unwrap_or(line)).collect();
    let interrupted = journal.filter(|journal| {
        !journal.files.is_empty()
            && git.head().is_ok_and(|head| head == journal.start)
            && paths.iter().all(|path| {
                journal.files.iter().any(|file| file.path.ends_with(path.trim_matches('"')))
            })
    });
    if let Some(journal) = interrupted {
        return Err(format!(
            "the working tree holds the edits of the interrupted release of {}: run the same command with --execute to restore them and start again, or restore them with `git checkout HEAD -- {}`",
            journal.version,
            paths.join(" ")
        ));
    }
    let shown = if paths.len() > 5 {
        format!("{} and {} more", paths[..5].join(", "), paths.len() - 5)
    } else {
        paths.join(", ")
    };
    Err(format!("uncommitted changes in {shown}: commit or stash them (see `git status`)"))
}

/// HEAD is on a branch releases may be cut from: one `branches` names or matches.
pub fn branch(git: &Git, env: &Environment) -> Result<(String, String), String> {
    let allowed = env.branches.join(", ");
    let Some(branch) = git.branch() else {
        return Err(format!(
            "HEAD is detached: switch to a branch matching {allowed} (git switch {})",
            env.main_branch()
        ));
    };
    if env.allows_branch(&branch) {
        return Ok((branch.clone(), format!("on {branch}")));
    }
    Err(format!(
        "on `{branch}`, but {} releases are cut from {allowed}: switch branch, or add it (or a pattern such as `release/*`) to `branches` in [workspace.metadata.launchkit]",
        env.name
    ))
}

/// The remote's branch has nothing HEAD lacks.
pub fn upstream(git: &Git, env: &Environment, branch: &str) -> Result<String, String> {
    let remote = &env.remote;
    let name = format!("refs/heads/{branch}");
    let refs = git
        .remote_refs(remote, std::slice::from_ref(&name))
        .map_err(|err| format!("cannot read remote `{remote}`: {err}"))?;
    let Some(theirs) = refs.get(&name) else {
        return Ok(format!("{remote} has no {branch} yet; the push creates it"));
    };
    let head = git.head().map_err(|err| err.to_string())?;
    if theirs == head || git.is_ancestor(theirs, &head) {
        return Ok(format!("up to date with {remote}/{branch}"));
    }
    Err(format!(
        "{remote}/{branch} has commits this branch lacks: run `git pull --rebase {remote} {branch}` and check again"
    ))
}

/// The tag is free, or (resuming) already marks the release commit, here and on the remote.
pub fn tag(git: &Git, env: &Environment, target: &Target, tag: &str) -> Result<String, String> {
    let head = git.head().map_err(|err| err.to_string())?;
    let ours = |commit: &str| target.resuming() && commit == head;
    if let Some(commit) = git.tag_commit(tag).filter(|commit| !ours(commit)) {
        return Err(format!(
            "tag {tag} already exists at {}, which is not this release's commit: release another version, or delete the tag if it was a mistake (git tag -d {tag})",
            short(&commit)
        ));
    }
    if env.push {
        let name = format!("refs/tags/{tag}");
        let refs = git
            .remote_refs(&env.remote, std::slice::from_ref(&name))
            .map_err(|err| format!("cannot read remote `{}`: {err}", env.remote))?;
        if let Some(commit) = refs.tag_commit(tag).filter(|commit| !ours(commit)) {
            return Err(format!(
                "tag {tag} already exists on {} at {}: release another version",
                env.remote,
                short(commit)
            ));
        }
    }
    Ok(if git.tag_commit(tag).is_some() {
        format!("{tag} marks the release commit")
    } else {
        format!("{tag} is free")
    })
}

/// The registry and the crates' publish batches.
pub type Publishing = (Registry, Vec<Vec<String>>);

/// The registry is known, the crates have an order, and `version` is above what it has.
pub fn registry(
    ws: &Workspace,
    env: &Environment,
    target: Option<&Target>,
) -> Result<(Publishing, String), String> {
    let config = CargoConfig::discover(&ws.root).map_err(|err| err.to_string())?;
    let registry = config.registry(Some(&env.registry)).map_err(|err| err.to_string())?;
    let order = publish::publish_order(ws, &registry.name).map_err(|err| err.to_string())?;
    let Some(target) = target else {
        return Ok(((registry, order.batches), "registry known".into()));
    };
    let index = SparseIndex::new(&registry);
    let version = &target.version;
    for name in order.crates() {
        let versions = index
            .versions(name)
            .map_err(|err| format!("cannot read `{}`: {err}", registry.name))?;
        let newest: Option<&Version> =
            versions.iter().filter(|entry| !entry.yanked).map(|entry| &entry.version).max();
        let taken = versions.iter().any(|entry| entry.version == *version);
        if (taken && !target.resuming()) || newest.is_some_and(|newest| newest > version) {
            let on = newest.map_or_else(|| version.to_string(), Version::to_string);
            return Err(format!(
                "{name} {on} is already on `{}`: release a version above it",
                registry.name
            ));
        }
    }
    let passed = if target.resuming() {
        format!("`{}` has nothing above {version}", registry.name)
    } else {
        format!("{version} is new on `{}`", registry.name)
    };
    Ok(((registry, order.batches), passed))
}

/// cargo will find a token for the registry, or the environment's trusted publishing will
/// mint one from the CI's identity.
pub fn registry_token(registry: &Registry, env: &Environment) -> Result<String, String> {
    let settings = publish::trusted::Settings::of(env);
    match publish::trusted::identity(registry, &settings) {
        Ok(Some(identity)) => {
            return Ok(format!(
                "trusted publishing to `{}` from {}",
                registry.name,
                identity.source()
            ));
        }
        Ok(None) => {}
        Err(err) => return Err(err.to_string()),
    }
    publish::require_token(registry).map_err(|err| err.to_string())?;
    Ok(match (&registry.token, &registry.credential_provider) {
        (None, Some(provider)) => format!("cargo asks `{provider}` for the token"),
        _ => format!("token for `{}` from {}", registry.name, registry.token_source),
    })
}

/// What trusted publishing cannot do for the crates (`publish/first.rs`): a crate not
/// on the registry when the publish would use it, or a crate that takes only trusted
/// publishing when only a token is available, fails; new crates that will go up with the
/// token are named.
pub fn trusted_publishing(
    registry: &Registry,
    env: &Environment,
    crates: &[String],
) -> Result<String, String> {
    use publish::first::{self, Credential, Problem};
    let settings = publish::trusted::Settings::of(env);
    let index = SparseIndex::new(registry);
    let problems = first::problems(registry, &settings, &index, crates)
        .map_err(|err| format!("cannot read `{}`: {err:#}", registry.name))?;
    let refused: Vec<String> = problems
        .iter()
        .filter(|problem| problem.is_error())
        .map(|problem| {
            let finding = problem.finding(&registry.name, &settings);
            format!("{}: {}", finding.message, finding.fix.unwrap_or_default())
        })
        .collect();
    if !refused.is_empty() {
        return Err(refused.join("; "));
    }
    let new: Vec<&str> = problems
        .iter()
        .filter(|problem| matches!(problem, Problem::New(_)))
        .map(Problem::name)
        .collect();
    if !new.is_empty() {
        return Ok(format!(
            "new on `{}`: {}; their first version goes up with the token (trusted publishing cannot create a crate), then add the trusted publisher in each crate's settings",
            registry.name,
            new.join(", ")
        ));
    }
    Ok(match first::credential(registry, &settings) {
        Credential::Trusted => format!("every crate is on `{}` already", registry.name),
        Credential::Token => "no crate takes only trusted publishing".to_owned(),
        Credential::Nothing => "no credential to publish with".to_owned(),
    })
}

/// The release date is not a Friday, unless Fridays are allowed.
pub fn friday(env: &Environment, target: &Target) -> Result<String, String> {
    let (date, weekday) = (target.date, target.date.weekday());
    let source = if target.dated { "release date" } else { "local date" };
    if weekday != 5 {
        return Ok(format!("{date} is a {} ({source})", clock::weekday_name(weekday)));
    }
    if env.allow_friday {
        return Ok(format!("{date} is a Friday ({source}), and Fridays are allowed"));
    }
    Err(format!(
        "{date} is a Friday ({source}): a release that goes wrong would wait over the weekend; release on another day, or pass --allow-friday"
    ))
}

/// The first 12 digits of a commit id.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(12)]
}
