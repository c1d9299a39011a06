//! One upload: `cargo publish -p NAME --no-verify --registry R`, retried as the failure
//! asks. The token reaches cargo only through the environment it already reads
//! (`CARGO_REGISTRIES_<NAME>_TOKEN`, `CARGO_REGISTRY_TOKEN`, or `credentials.toml`); it is
//! never on a command line, and cargo's output is scrubbed of it before it is shown. A
//! token minted by trusted publishing goes in the variable cargo reads for the registry,
//! set on this command only.
//!
//! cargo runs with `CARGO_NET_RETRY=0`: launchkit's policy is the only one retrying, so a
//! dead registry costs its backoff once, not cargo's retries inside each attempt.

use std::time::SystemTime;

use xshell::cmd;

use super::engine::{Engine, Stop};
use super::plan::CratePlan;
use super::retry::{self, Failure, Refusal, Retry};

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
        let stderr = match publish(engine, krate)? {
            None => {
                krate.accepted = true;
                return confirm(engine, krate, position, total);
            }
            Some(stderr) => stderr,
        };
        let failure = match (retry::classify(&stderr, SystemTime::now()), retry::refusal(&stderr)) {
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

/// Runs cargo; `None` when it succeeded, else its stderr with the token scrubbed.
fn publish(engine: &Engine, krate: &CratePlan) -> Result<Option<String>, Stop> {
    let (cargo, name, registry) = (&engine.cargo, &krate.name, &engine.registry.name);
    let mut command =
        cmd!(engine.sh, "{cargo} publish -p {name} --no-verify --registry {registry}")
            .env("CARGO_NET_RETRY", "0");
    if let Some(minted) = engine.minted {
        let token = minted.current().map_err(|err| Stop::new(format!("{err:#}")))?;
        command = command.env(minted.variable(), token.expose());
    }
    let out = command
        .quiet()
        .ignore_status()
        .output()
        .map_err(|err| Stop::new(format!("cannot run cargo publish: {err}")))?;
    if out.status.success() {
        return Ok(None);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = match engine.minted {
        Some(minted) => minted.redact(&stderr).into(),
        None => stderr,
    };
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
