//! What trusted publishing can and cannot do for this release's crates, known before
//! release day: a registry creates a crate only from a token publish (trusted publishing
//! is configured in an existing crate's settings), and refuses a token publish of a crate
//! whose owners require trusted publishing (crates.io's `trustpub_only`). Preflight's
//! package step, doctor and the release checks report these [`Problem`]s.

use launchkit_registry::{Registry, SparseIndex, trusted as protocol};
use launchkit_report::{Finding, Severity};

use super::trusted::{self, Settings, token_variable};
use crate::config::TrustedPublishing;

/// What a publish from here would authenticate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A token minted from the CI's identity (or `always`, which requires one).
    Trusted,
    /// cargo's token (or credential provider), and no identity to use instead.
    Token,
    /// Neither: a machine without a token, such as a pull request's CI.
    Nothing,
}

/// The credential a publish to `registry` would use with `settings`, in this process's
/// environment.
pub fn credential(registry: &Registry, settings: &Settings) -> Credential {
    let has_token = registry.token.is_some() || registry.credential_provider.is_some();
    match trusted::identity(registry, settings) {
        Ok(Some(_)) | Err(_) => Credential::Trusted,
        Ok(None) if has_token => Credential::Token,
        Ok(None) => Credential::Nothing,
    }
}

/// Something trusted publishing cannot do for a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not on the registry, and the publish would use trusted publishing: refused.
    NewWithIdentity(String),
    /// Not on the registry: its first version needs the token (worth knowing).
    New(String),
    /// The crate takes only trusted publishing, and only a token is available: refused.
    TrustedOnly(String),
}

/// What trusted publishing cannot do for `crates` on `registry` with `settings`: each
/// crate not on the registry (unless trusted publishing is off), and, when only a token
/// is available, each that takes only trusted publishing.
pub fn problems(
    registry: &Registry,
    settings: &Settings,
    index: &SparseIndex,
    crates: &[String],
) -> anyhow::Result<Vec<Problem>> {
    let credential = credential(registry, settings);
    let mut problems = Vec::new();
    for name in crates {
        let new = index.versions(name)?.is_empty();
        let problem = match (new, credential) {
            (true, _) if settings.mode == TrustedPublishing::Never => None,
            (true, Credential::Trusted) => Some(Problem::NewWithIdentity(name.clone())),
            (true, _) => Some(Problem::New(name.clone())),
            (false, Credential::Token) => {
                // `config()` is read once per index; a registry without `api` takes no
                // uploads at all.
                let locked = match index.config()?.api {
                    Some(api) => protocol::trustpub_only(&api, name, registry.timeout)?,
                    None => false,
                };
                locked.then(|| Problem::TrustedOnly(name.clone()))
            }
            (false, _) => None,
        };
        problems.extend(problem);
    }
    Ok(problems)
}

impl Problem {
    /// The crate's name.
    pub fn name(&self) -> &str {
        match self {
            Problem::NewWithIdentity(name) | Problem::New(name) | Problem::TrustedOnly(name) => {
                name
            }
        }
    }

    /// The publish would be refused.
    pub fn is_error(&self) -> bool {
        !matches!(self, Problem::New(_))
    }

    /// The problem as a finding about publishing to `registry` with `settings`.
    pub fn finding(&self, registry: &str, settings: &Settings) -> Finding {
        let variable = token_variable(registry);
        let name = self.name();
        let (severity, message, fix) = match self {
            Problem::NewWithIdentity(_) => (
                Severity::Error,
                format!("`{name}` is not on `{registry}` yet, and trusted publishing cannot create a crate"),
                format!("publish its first version with a token (set {variable} for that run), then add this repository as its trusted publisher in the crate's settings on `{registry}`"),
            ),
            Problem::New(_) => (
                Severity::Note,
                format!("`{name}` is not on `{registry}` yet: its first version needs a token, as trusted publishing cannot create a crate"),
                format!("publish the first version with a token ({variable}), then add the trusted publisher in the crate's settings on `{registry}`"),
            ),
            Problem::TrustedOnly(_) => (
                Severity::Error,
                format!("`{name}` takes only trusted publishing on `{registry}`, and only a token is available here"),
                match settings.mode {
                    TrustedPublishing::Never => "set `trusted-publishing = \"auto\"` and release from CI with `permissions: id-token: write` (the release workflow `init` writes), or allow token publishing in the crate's settings",
                    _ => "release from CI with `permissions: id-token: write` (the release workflow `init` writes), or allow token publishing in the crate's settings",
                }
                .to_owned(),
            ),
        };
        Finding::new(severity, message).rule("publish::trusted").fix(fix)
    }
}
