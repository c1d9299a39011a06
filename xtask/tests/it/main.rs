//! End-to-end tests of the xtask: real cargo and real git on fixture workspaces.

mod preflight;
mod scan;
mod schema;
mod support;
mod tidy;
