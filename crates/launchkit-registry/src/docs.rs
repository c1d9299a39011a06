//! Documentation builds on docs.rs, or on a host that serves docs.rs's status API.
//!
//! docs.rs answers `GET /crate/NAME/VERSION/status.json` with `{"doc_status": true, ..}`
//! for a version whose docs built, `false` for a failed build, and 404 while the build
//! is queued or when it does not know the version.

use std::time::Duration;

use semver::Version;
use serde::Deserialize;

use crate::error::RegistryError;
use crate::transport::Transport;

/// docs.rs, where crates.io's crates are documented.
pub const DOCS_RS: &str = "https://docs.rs";

/// What the docs host says about one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocsStatus {
    /// The docs built.
    Built,
    /// The build failed.
    Failed,
    /// No build yet: queued, or the host does not know the version.
    Missing,
}

#[derive(Deserialize)]
struct StatusJson {
    doc_status: bool,
}

/// A client for one docs host.
pub struct DocsHost {
    base: String,
    transport: Transport,
}

impl DocsHost {
    /// The host at `base` (`https://docs.rs`), whose requests give up after `timeout`.
    pub fn new(base: &str, timeout: Duration) -> DocsHost {
        DocsHost { base: base.trim_end_matches('/').to_owned(), transport: Transport::new(timeout) }
    }

    /// The page of `name@version`'s docs, for people.
    pub fn page(&self, name: &str, version: &Version) -> String {
        format!("{}/crate/{name}/{version}", self.base)
    }

    /// The build status of `name@version`. No answer at all is an error, which callers
    /// should report as unknown rather than as a pass or a failure.
    pub fn status(&self, name: &str, version: &Version) -> Result<DocsStatus, RegistryError> {
        let url = format!("{}/status.json", self.page(name, version));
        let answer = self.transport.get(&url, None, &[])?;
        match answer.status {
            200 => {
                let status: StatusJson = serde_json::from_str(&answer.body).map_err(|err| {
                    RegistryError::Parse { url: url.clone(), message: err.to_string() }
                })?;
                Ok(if status.doc_status { DocsStatus::Built } else { DocsStatus::Failed })
            }
            404 => Ok(DocsStatus::Missing),
            status => Err(RegistryError::Http { url, status }),
        }
    }
}
