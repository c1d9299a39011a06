//! A fault-injecting HTTP proxy between a client (cargo, launchkit) and the registry.
//!
//! Every request is forwarded unless a rule says otherwise: answer with a status (429 with
//! `Retry-After`, 500, ...), drop the connection unanswered, or answer slowly, on the Nth
//! request of a kind. It can also make the index lag (a version appears only some time
//! after its upload), serve `Last-Modified` instead of `ETag`, and demand a token. Every
//! exchange is logged, so tests assert on what really went over the wire.

mod serve;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serve::{Shared, lock};

use crate::server::Acceptor;

/// Which requests a rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `PUT /api/v1/crates/new`: uploads.
    Publish,
    /// `GET` of an index file (not `config.json`, not the API).
    Index,
    /// `DELETE .../yank` and `PUT .../unyank`.
    Yank,
    /// Every request.
    Any,
}

/// What the proxy does instead of (or before) forwarding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a plain-text body; `retry_after` in seconds.
    Status {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header, in seconds.
        retry_after: Option<u32>,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait this long, then forward.
    Slow(Duration),
}

/// The proxy's behaviour: fault rules and index quirks. Empty means a plain proxy.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Vec<(Route, usize, Fault)>,
    index_lag: Option<Duration>,
    lag_readers: Option<String>,
    token: Option<String>,
    last_modified: bool,
    outage: Option<Outage>,
    trusted: Option<String>,
    trustpub_only: Vec<String>,
}

/// A registry that goes away for a while: see [`Faults::outage_after_upload`].
#[derive(Debug, Clone)]
pub(crate) struct Outage {
    pub(crate) uploads: usize,
    pub(crate) reader: String,
    pub(crate) duration: Duration,
}

impl Faults {
    /// No faults: forward everything (and log it).
    pub fn none() -> Faults {
        Faults::default()
    }

    /// On the `nth` (1-based) request of `route`, do `fault`.
    pub fn on(mut self, route: Route, nth: usize, fault: Fault) -> Faults {
        self.rules.push((route, nth, fault));
        self
    }

    /// Serve each newly uploaded version in the index only `lag` after its upload.
    pub fn index_lag(mut self, lag: Duration) -> Faults {
        self.index_lag = Some(lag);
        self
    }

    /// Make the index lag only for clients whose `User-Agent` contains `agent`, as a CDN
    /// edge that is behind for some readers: the rest see new versions at once.
    pub fn index_lag_for(mut self, agent: &str, lag: Duration) -> Faults {
        self.index_lag = Some(lag);
        self.lag_readers = Some(agent.to_owned());
        self
    }

    /// Require `Authorization: {token}` on every request and advertise `auth-required`.
    pub fn require_token(mut self, token: &str) -> Faults {
        self.token = Some(token.to_owned());
        self
    }

    /// After the `uploads`th accepted upload, the first index read by a client whose
    /// `User-Agent` contains `reader` starts an outage: that connection is dropped and
    /// the proxy stops listening for `duration`, so connections are refused, then it
    /// listens again on the same port.
    pub fn outage_after_upload(
        mut self,
        uploads: usize,
        reader: &str,
        duration: Duration,
    ) -> Faults {
        self.outage = Some(Outage { uploads, reader: reader.to_owned(), duration });
        self
    }

    /// Act as a registry with trusted publishing (crates.io's contract): serve
    /// `POST /api/v1/trusted_publishing/tokens` (`{"jwt": JWT}` answers `{"token": T}`;
    /// each JWT that starts with `jwt_prefix` is taken once, others get a 400 with
    /// crates.io's error body) and `DELETE` of the same path (revokes the token given as
    /// `Authorization`), and accept an upload only with a minted token that is still live.
    pub fn trusted_publishing(mut self, jwt_prefix: &str) -> Faults {
        self.trusted = Some(jwt_prefix.to_owned());
        self
    }

    /// Answer crates.io's crate API (`GET /api/v1/crates/NAME`) for each of `names` with
    /// `{"crate": {"name": NAME, "trustpub_only": true}}`: their owners allow only trusted
    /// publishing. Other crates' requests go to the registry.
    pub fn trustpub_only(mut self, names: &[&str]) -> Faults {
        self.trustpub_only.extend(names.iter().map(|name| (*name).to_owned()));
        self
    }

    /// Serve index files with `Last-Modified` (and honour `If-Modified-Since`) instead of `ETag`.
    pub fn last_modified_only(mut self) -> Faults {
        self.last_modified = true;
        self
    }
}

/// One request the proxy saw and what it answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// `GET`, `PUT`, ...
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The status answered; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// True when a fault rule produced the answer.
    pub injected: bool,
    /// The request carried `If-None-Match` or `If-Modified-Since`.
    pub conditional: bool,
    /// The client's `User-Agent`.
    pub agent: String,
}

/// A running proxy; stops when dropped.
pub struct FaultProxy {
    shared: Arc<Shared>,
    acceptor: Acceptor,
}

impl FaultProxy {
    /// Starts serving on `listener`, forwarding to `upstream`.
    pub fn start(listener: TcpListener, upstream: SocketAddr, faults: Faults) -> FaultProxy {
        let shared = Arc::new(Shared::new(faults, upstream));
        let serving = Arc::clone(&shared);
        let closed = Arc::clone(&shared.closed_until);
        let acceptor =
            Acceptor::start_closable(listener, closed, move |stream| serving.serve(stream));
        FaultProxy { shared, acceptor }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.acceptor.addr
    }

    /// Every exchange so far, in the order they finished.
    pub fn exchanges(&self) -> Vec<Exchange> {
        lock(&self.shared.log).clone()
    }

    /// Requests a [`Fault::Slow`] is holding now: a client is waiting for its answer.
    pub fn held(&self) -> usize {
        self.shared.held.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Upload attempts (`PUT /api/v1/crates/new`) so far, answered or not.
    pub fn upload_attempts(&self) -> usize {
        self.exchanges().iter().filter(|exchange| exchange.method == "PUT").count()
    }

    /// Trusted publishing (see [`Faults::trusted_publishing`]): the tokens minted, in order.
    pub fn minted_tokens(&self) -> Vec<String> {
        lock(&self.shared.trusted).minted.clone()
    }

    /// Trusted publishing: the tokens revoked, in order.
    pub fn revoked_tokens(&self) -> Vec<String> {
        lock(&self.shared.trusted).revoked.clone()
    }

    /// Trusted publishing: the `Authorization` of each upload, in order.
    pub fn upload_tokens(&self) -> Vec<String> {
        lock(&self.shared.trusted).uploads.clone()
    }

    /// When the registry accepted each upload, in order.
    pub fn upload_times(&self) -> Vec<Instant> {
        lock(&self.shared.uploads).iter().map(|(_, _, at)| *at).collect()
    }

    /// The JSON metadata of each upload the registry accepted, in order.
    pub fn upload_metadata(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.metadata).clone()
    }

    /// Uploads the registry accepted, as `name@version`, in order.
    pub fn uploads(&self) -> Vec<String> {
        lock(&self.shared.uploads)
            .iter()
            .map(|(name, version, _)| format!("{name}@{version}"))
            .collect()
    }
}
