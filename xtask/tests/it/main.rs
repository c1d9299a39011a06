//! End-to-end tests of the xtask: real cargo and real git on fixture workspaces.

mod changelog;
mod config;
mod folders;
mod init;
mod links;
mod offline_links;
mod preflight;
mod rebuild;
mod release_steps;
mod scan;
mod schema;
mod support;
mod test_task;
mod tidy;
mod version;
