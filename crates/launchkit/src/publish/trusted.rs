//! Trusted publishing for a run: when the environment's `trusted-publishing` allows it,
//! the CI's identity is exchanged for a registry token that lasts 30 minutes. The token
//! goes to the upload only, which launchkit makes itself: no child process sees it; a
//! token older than [`REFRESH`] is replaced by a new one (minted from a fresh JWT) before
//! the next upload; every minted token is revoked when the run ends, whether it finished,
//! stopped or failed (`Drop`), or was interrupted by SIGINT or SIGTERM (`trusted/signals.rs`).

#[cfg(unix)]
mod signals;
/// Elsewhere an interrupt ends the process at once, as it always did, and a minted token
/// expires 30 minutes after it was minted.
#[cfg(not(unix))]
mod signals {
    pub fn revoke_on_signal() {}
    pub fn leave_to_handler() {}
}

pub use signals::leave_to_handler;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use launchkit_registry::trusted::{self, Identity};
use launchkit_registry::{CRATES_IO, Registry, SparseIndex, Token};

use crate::config::TrustedPublishing;

/// Registries expire a minted token after 30 minutes; a new one is minted after 25, so an
/// upload never starts with a token about to expire.
pub const REFRESH: Duration = Duration::from_secs(25 * 60);

/// What the environment says about trusted publishing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `trusted-publishing`.
    pub mode: TrustedPublishing,
    /// `trusted-publishing-audience`.
    pub audience: Option<String>,
}

impl Settings {
    /// The settings of `env`.
    pub fn of(env: &crate::config::Environment) -> Settings {
        Settings { mode: env.trusted_publishing, audience: env.trusted_publishing_audience.clone() }
    }
}

/// Every token this process minted and has not revoked yet, for a signal to revoke
/// (`signals.rs`). Exchanges and revocations hold this lock, so a signal waits for one
/// under way: a token the registry minted is always here, and none is revoked twice.
static LIVE: Mutex<Vec<Live>> = Mutex::new(Vec::new());

/// A minted token and what a signal needs to revoke it and say how to resume.
#[cfg_attr(not(unix), allow(dead_code))]
struct Live {
    api: String,
    token: Token,
    resume: String,
}

fn live() -> MutexGuard<'static, Vec<Live>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Tokens minted for this run.
pub struct Minted {
    identity: Identity,
    api: String,
    audience: String,
    timeout: Duration,
    /// Every token minted, the newest last, with when it was minted.
    tokens: Mutex<Vec<(Token, Instant)>>,
    refresh: Duration,
    /// The command that resumes the run, for the line a signal prints.
    resume: String,
}

/// The variable cargo reads `registry`'s token from.
pub fn token_variable(registry: &str) -> String {
    if registry == CRATES_IO {
        "CARGO_REGISTRY_TOKEN".to_owned()
    } else {
        format!("CARGO_REGISTRIES_{}_TOKEN", registry.to_uppercase().replace('-', "_"))
    }
}

/// True when cargo has a token (or a credential provider) for `registry`.
fn has_token(registry: &Registry) -> bool {
    registry.token.is_some() || registry.credential_provider.is_some()
}

/// Whether this run will use trusted publishing, and from which identity; `Err` when
/// `always` has no identity to use.
pub fn identity(registry: &Registry, settings: &Settings) -> anyhow::Result<Option<Identity>> {
    let identity = Identity::from_env(|name| std::env::var(name).ok());
    match settings.mode {
        TrustedPublishing::Never => Ok(None),
        TrustedPublishing::Auto if has_token(registry) => Ok(None),
        TrustedPublishing::Auto => Ok(identity),
        TrustedPublishing::Always => match identity {
            Some(identity) => Ok(Some(identity)),
            None => bail!(
                "trusted-publishing is `always` but no CI identity is available for `{}`: run in GitHub Actions with `permissions: id-token: write`, or set LAUNCHKIT_ID_TOKEN to an OIDC token for the registry",
                registry.name
            ),
        },
    }
}

/// Exchanges the identity for a token when `settings` call for it; `None` when the run
/// uses cargo's token. `resume` is the command that resumes the run after a signal.
pub fn mint(
    registry: &Registry,
    settings: &Settings,
    resume: &str,
) -> anyhow::Result<Option<Minted>> {
    let Some(identity) = identity(registry, settings)? else {
        return Ok(None);
    };
    let config = SparseIndex::new(registry)
        .config()
        .with_context(|| format!("trusted publishing to `{}`", registry.name))?;
    let Some(api) = config.api else {
        bail!(
            "registry `{}` has no `api` in its config.json, so it takes no uploads: check the registry's index URL",
            registry.name
        );
    };
    let audience =
        settings.audience.clone().unwrap_or_else(|| trusted::audience(&registry.name, &api));
    let minted = Minted {
        identity,
        api,
        audience,
        timeout: registry.timeout,
        tokens: Mutex::new(Vec::new()),
        refresh: refresh_after(),
        resume: resume.to_owned(),
    };
    minted.mint_one()?;
    Ok(Some(minted))
}

/// [`REFRESH`], or `LAUNCHKIT_TRUSTED_PUBLISHING_REFRESH` seconds, which lets tests see
/// a refresh without waiting 25 minutes.
fn refresh_after() -> Duration {
    std::env::var("LAUNCHKIT_TRUSTED_PUBLISHING_REFRESH")
        .ok()
        .and_then(|secs| secs.parse().ok())
        .map_or(REFRESH, Duration::from_secs)
}

impl Minted {
    /// Where the token comes from, for messages.
    pub fn source(&self) -> String {
        format!("trusted publishing ({})", self.identity.source())
    }

    /// The token for the next upload: the newest, or a new one when it is older than
    /// the refresh age and the identity can give a fresh JWT (a JWT from a variable is
    /// single use, so its token is kept to the end).
    pub fn current(&self) -> anyhow::Result<Token> {
        let renewable = matches!(self.identity, Identity::GithubActions { .. });
        let newest = self.lock().last().cloned();
        match newest {
            Some((token, minted)) if minted.elapsed() < self.refresh || !renewable => Ok(token),
            _ => self.mint_one(),
        }
    }

    /// `text` without any minted token.
    pub fn redact(&self, text: &str) -> String {
        self.lock().iter().fold(text.to_owned(), |text, (token, _)| token.redact(&text))
    }

    fn mint_one(&self) -> anyhow::Result<Token> {
        let jwt = self.identity.jwt(&self.audience, self.timeout)?;
        signals::revoke_on_signal();
        let mut live = live();
        let token = trusted::exchange(&self.api, &jwt, self.timeout)?;
        let resume = self.resume.clone();
        live.push(Live { api: self.api.clone(), token: token.clone(), resume });
        self.lock().push((token.clone(), Instant::now()));
        Ok(token)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Token, Instant)>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Minted {
    /// Revokes every minted token, also after a stop or an error: a token left alive
    /// could publish for the rest of its 30 minutes.
    fn drop(&mut self) {
        // After a signal, the handler revokes them.
        leave_to_handler();
        let mut live = live();
        for (token, _) in self.lock().drain(..) {
            live.retain(|live| live.token != token);
            if let Err(err) = trusted::revoke(&self.api, &token, self.timeout) {
                eprintln!(
                    "warning: cannot revoke a trusted-publishing token ({err}); it expires 30 minutes after it was minted"
                );
            }
        }
    }
}
