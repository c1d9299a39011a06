//! `cargo xtask release` end to end: real git with a bare remote, the real registry server
//! behind its fault proxy, and GitHub's release API served on 127.0.0.1.

mod flows;
mod folders;
mod forge;
mod hotfix;
mod interrupts;
mod lock;
mod notify;
mod refusals;
mod restore;
mod support;
mod tokens;
mod workflow;
