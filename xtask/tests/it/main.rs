//! End-to-end tests of the xtask: real cargo and real git on fixture workspaces.

mod links;
mod preflight;
mod schema;
mod support;
mod tidy;
