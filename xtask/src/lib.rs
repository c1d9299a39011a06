//! This repository's own commands, added to launchkit's command line by `main.rs`: `test`
//! (the whole suite on a fresh machine) and `bench` (the measurements in
//! docs/benchmarks.md).
//!
//! They live in the library so that cargo compiles them as soon as launchkit's metadata is
//! ready, beside the end of launchkit's own build, instead of after it: the binary only
//! links.

pub mod bench;
pub mod test;
