//! End-to-end tests of the xtask: real cargo and real git on fixture workspaces.

mod changelog;
mod config;
mod links;
mod offline_links;
mod preflight;
mod release_steps;
mod scan;
mod schema;
mod support;
mod tidy;
mod version;
