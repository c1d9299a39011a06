//! Why a registry question got no answer, in one line that says what to do.

use std::fmt;
use std::time::Duration;

/// A registry could not be resolved or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// The cargo configuration does not name a usable registry.
    Config(String),
    /// The server answered with an unexpected status.
    Http {
        /// The URL requested.
        url: String,
        /// The status.
        status: u16,
    },
    /// No answer: connection refused or dropped, timeout, TLS failure.
    Transport {
        /// The URL requested.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The answer could not be read.
    Parse {
        /// The URL requested.
        url: String,
        /// What was wrong with it.
        message: String,
    },
    /// The registry wants a token and none is configured.
    AuthRequired {
        /// The registry name.
        registry: String,
        /// Where a token would be read from.
        hint: String,
    },
    /// A version did not show up in time.
    Timeout {
        /// `name@version`.
        what: String,
        /// How long was waited.
        waited: Duration,
        /// The last error seen while polling, if polling failed.
        last_error: Option<String>,
    },
}

impl RegistryError {
    /// True for errors worth retrying: 5xx, 429, and no answer at all.
    pub fn is_transient(&self) -> bool {
        match self {
            RegistryError::Http { status, .. } => *status == 429 || *status >= 500,
            RegistryError::Transport { .. } => true,
            _ => false,
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryError::Config(message) => f.write_str(message),
            RegistryError::Http { url, status } => write!(f, "{url} answered HTTP {status}"),
            RegistryError::Transport { url, message } => {
                write!(
                    f,
                    "cannot reach {url}: {message}: check the network and the registry's index URL"
                )
            }
            RegistryError::Parse { url, message } => write!(f, "cannot read {url}: {message}"),
            RegistryError::AuthRequired { registry, hint } => {
                write!(f, "registry `{registry}` requires a token: {hint}")
            }
            RegistryError::Timeout { what, waited, last_error } => {
                write!(f, "{what} was not served by the index after {}s", waited.as_secs())?;
                if let Some(error) = last_error {
                    write!(f, " (last error: {error})")?;
                }
                f.write_str(": the registry may be slow; run again later to continue")
            }
        }
    }
}

impl std::error::Error for RegistryError {}

/// The `detail` of each error in a registry API's `{"errors": [{"detail": "..."}]}`
/// (crates.io's shape); empty when the body is something else.
pub(crate) fn api_errors(body: &str) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<Detail>,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        detail: String,
    }
    serde_json::from_str::<Errors>(body)
        .map(|list| list.errors.into_iter().map(|error| error.detail).collect())
        .unwrap_or_default()
}
