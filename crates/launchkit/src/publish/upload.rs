//! One upload, retried as the failure asks.
//!
//! launchkit uploads the `.crate` it packaged and verified itself, over the registry's Web
//! API (`launchkit_registry::upload`), with the metadata cargo would send
//! (`metadata.rs`): one HTTP request in this process instead of a `cargo publish` that
//! packages the crate again. It does so with a token it holds: one minted by trusted
//! publishing, or the registry's from the environment or `credentials.toml`, where
//! cargo's own token provider would read it. Other credential providers are cargo's to
//! ask, so then the upload is `cargo publish -p NAME --no-verify --registry R`, with
//! `CARGO_NET_RETRY=0` (launchkit's policy is the only one retrying), the token never on
//! a command line and scrubbed from cargo's output.

use std::time::SystemTime;

use launchkit_registry::{Token, UploadError};
use xshell::cmd;

use super::engine::{Engine, Stop};
use super::plan::CratePlan;
use super::retry::{self, Failure, Refusal, Retry};
use super::{metadata, package, verify};

/// Uploads `krate` and waits until the index serves it.
pub fn upload(
    engine: &Engine,
    krate: &mut CratePlan,
    position: usize,
    total: usize,
) -> Result<(), Stop> {
    let mut retry = Retry::default();
    loop {
        krate.attempts += 1;
        let Some((stderr, failure)) = attempt(engine, krate, position, total)? else {
            krate.accepted = true;
            return confirm(engine, krate, position, total);
        };
        let failure = failure.unwrap_or_else(|| retry::classify(&stderr, SystemTime::now()));
        let failure = match (failure, retry::refusal(&stderr)) {
            (Failure::Fatal(reason), Some(Refusal::Token)) => Failure::Fatal(format!(
                "{reason}: the registry refused the token from {}: check that it is valid, not expired, and allowed to publish `{}`",
                engine.registry.token_source, krate.name
            )),
            (Failure::Fatal(reason), Some(Refusal::NotAnOwner)) => Failure::Fatal(format!(
                "{reason}: name taken: `{}` on `{}` belongs to other owners: rename the package, or ask an owner to add you (`cargo owner --add`)",
                krate.name, engine.registry.name
            )),
            (failure, _) => failure,
        };
        // The registry may have stored the upload and lost the answer.
        if failure == Failure::AlreadyExists
            || matches!(failure, Failure::Transient(_)) && landed(engine, krate)
        {
            return confirm(engine, krate, position, total);
        }
        let (wait, message) =
            retry.after(failure).map_err(|reason| Stop { reason, output: Some(stderr) })?;
        engine.progress.crate_line(krate, position, total, &message);
        engine.budget.sleep(wait, message.split(':').next().unwrap_or_default())?;
    }
}

/// One upload: `None` when the registry took it, else what went wrong in cargo's words,
/// with the failure already known when there was no answer at all.
fn attempt(
    engine: &Engine,
    krate: &CratePlan,
    position: usize,
    total: usize,
) -> Result<Option<(String, Option<Failure>)>, Stop> {
    let Some(token) = own_token(engine)? else {
        return Ok(publish(engine, krate)?.map(|stderr| (stderr, None)));
    };
    let error = match send(engine, krate, &token)? {
        Ok(warnings) => {
            for warning in warnings {
                engine.progress.crate_line(krate, position, total, &format!("warning: {warning}"));
            }
            return Ok(None);
        }
        Err(error) => error,
    };
    let text = format!(
        "error: failed to publish {} v{} to `{}`\n\nCaused by:\n  {error}",
        krate.name, krate.version, engine.registry.name
    );
    // The registry's answer, shown in the report, could quote the token.
    let text = match engine.minted {
        Some(minted) => minted.redact(&text),
        None => token.redact(&text),
    };
    Ok(Some(match error {
        UploadError::Transport(message) => {
            (text, Some(Failure::Transient(format!("network error: {message}"))))
        }
        UploadError::Refused { .. } => (text, None),
    }))
}

/// The token to upload with in process: a minted one, or the registry's own when cargo's
/// token provider is the one that would read it. `None` leaves the upload to cargo.
fn own_token(engine: &Engine) -> Result<Option<Token>, Stop> {
    if let Some(minted) = engine.minted {
        return minted.current().map(Some).map_err(|err| Stop::new(format!("{err:#}")));
    }
    let registry = engine.registry;
    Ok(registry.token.clone().filter(|_| registry.credential_provider.is_none()))
}

/// Uploads the verified `.crate` of `krate` with `token`; the registry's warnings, or why
/// it did not take it.
fn send(
    engine: &Engine,
    krate: &CratePlan,
    token: &Token,
) -> Result<Result<Vec<String>, UploadError>, Stop> {
    let stop = |err: anyhow::Error| Stop::new(format!("{err:#}"));
    let target_dir = &engine.ws.target_dir;
    let unpacked = verify::unpacked(target_dir, &krate.name, &krate.version);
    let registry = engine.registry;
    let metadata = metadata::new_crate(&unpacked, &registry.index, registry.is_crates_io())
        .map_err(|err| stop(err.context(format!("cannot read the package of {}", krate.name))))?;
    let file = package::crate_file(target_dir, &krate.name, &krate.version);
    let tarball = std::fs::read(&file)
        .map_err(|err| Stop::new(format!("cannot read {}: {err}", file.display())))?;
    let api = match engine.index.config() {
        Ok(config) => config.api.ok_or_else(|| {
            Stop::new(format!(
                "`{}` has no `api` in its config.json, so it takes no uploads: publish to a registry that does",
                registry.name
            ))
        })?,
        Err(err) if err.is_transient() => return Ok(Err(UploadError::Transport(err.to_string()))),
        Err(err) => return Err(Stop::new(err.to_string())),
    };
    Ok(launchkit_registry::upload(&api, token, &metadata, &tarball, registry.timeout))
}

/// Runs cargo; `None` when it succeeded, else its stderr with the token scrubbed.
fn publish(engine: &Engine, krate: &CratePlan) -> Result<Option<String>, Stop> {
    let (cargo, name, registry) = (&engine.cargo, &krate.name, &engine.registry.name);
    let command = cmd!(engine.sh, "{cargo} publish -p {name} --no-verify --registry {registry}")
        .env("CARGO_NET_RETRY", "0");
    let out = command
        .quiet()
        .ignore_status()
        .output()
        .map_err(|err| Stop::new(format!("cannot run cargo publish: {err}")))?;
    if out.status.success() {
        return Ok(None);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    Ok(Some(match &engine.registry.token {
        Some(token) => token.redact(&stderr),
        None => stderr.into_owned(),
    }))
}

fn landed(engine: &Engine, krate: &CratePlan) -> bool {
    engine.index.is_published(&krate.name, &krate.version).unwrap_or(false)
}

/// Waits until the index serves the version and checks it is our `.crate`. A registry
/// that stops answering right after the upload is polled again, within the run's budget.
fn confirm(
    engine: &Engine,
    krate: &mut CratePlan,
    position: usize,
    total: usize,
) -> Result<(), Stop> {
    let entry = match engine.index.find(&krate.name, &krate.version) {
        Ok(Some(entry)) => entry,
        Ok(None) | Err(_) => {
            engine.progress.crate_line(
                krate,
                position,
                total,
                "uploaded; waiting for the index to serve it",
            );
            engine.budget.wait_until_served(engine.index, &krate.name, &krate.version)?
        }
    };
    match &krate.local_checksum {
        Some(local) if *local != entry.cksum => Err(Stop::new(format!(
            "the registry serves a different checksum ({}) than the local package ({local}): someone else published this version",
            entry.cksum
        ))),
        _ => Ok(()),
    }
}
