//! This repository's xtask: launchkit's command line, as every adopter has it, plus two
//! commands of this project's own added through launchkit's extension API: `test` (the
//! whole suite on a fresh machine) and `bench` (the measurements in docs/benchmarks.md).

use std::process::ExitCode;

use xtask::{bench, test};

fn main() -> ExitCode {
    launchkit::Launchkit::new().command("test", test::run).command("bench", bench::run).main()
}
