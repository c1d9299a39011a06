//! `cargo xtask publish` end to end: real cargo, the real registry server, a fault proxy.

mod errors;
mod faults;
mod flows;
mod support;
mod verify;
