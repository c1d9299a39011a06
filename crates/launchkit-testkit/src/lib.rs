//! Test support for launchkit's own tests: the real parts a release touches, on 127.0.0.1.
//!
//! - [`registry::RegistryServer`]: `ferro-cargo-registry-server` on a free port with a
//!   temporary data directory, stopped by its PID when dropped.
//! - [`proxy::Faults`]: a proxy between cargo and that server that answers 429, 500,
//!   drops a connection or answers slowly on the Nth request, and can make the index lag.
//! - [`sandbox::CargoSandbox`]: an isolated `CARGO_HOME` with the registry configured as an
//!   alternate registry through `CARGO_REGISTRIES_<NAME>_*` variables.
//! - [`fixture::Fixture`]: small workspaces written to disk and committed to a real git
//!   repository.
//! - [`corpora`]: the opt-in suite's real-world data, found through `LAUNCHKIT_*`
//!   variables that `cargo xtask test --corpora` sets.
//! - [`run::Run`]: a finished command, checked for leaked tokens.
//! - [`rustsec`]: a RustSec advisory database and a Cargo.lock, generated.
//! - [`forge::Forge`]: GitHub's, GitLab's and Gitea's release APIs, by their documented
//!   contracts, with failures and rate limits on demand.
//! - [`server::HttpServer`]: a web API's contract served on 127.0.0.1 by a function of
//!   the test, and [`server::Silent`], a port that never answers.
//!
//! Everything here panics with a message saying what went wrong: it runs inside tests,
//! where a panic is the failure report.

pub mod corpora;
pub mod fixture;
pub mod forge;
pub mod http;
pub mod proxy;
pub mod registry;
pub mod run;
pub mod rustsec;
pub mod sandbox;
pub mod server;
pub mod tmp;

pub use fixture::Fixture;
pub use proxy::{Fault, Faults, Route};
pub use registry::RegistryServer;
pub use run::Run;
pub use sandbox::CargoSandbox;
pub use server::{HttpServer, Silent};
pub use tmp::TempDir;
