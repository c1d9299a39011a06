//! `cargo xtask test`: the project's whole test suite on a fresh machine.
//!
//! The publishing tests run against a real registry server. When none is installed, this
//! installs the pinned `ferro-cargo-registry-server` into the target directory (once; later
//! runs find it there), then runs `cargo test --workspace` with any extra arguments.

use std::process::ExitCode;

use anyhow::Context;
use launchkit_testkit::registry::{BINARY, VERSION, find_binary};
use launchkit_workspace::Workspace;
use xshell::{Shell, cmd};

use crate::flags;

impl flags::Test {
    /// Makes sure the registry server is there, then runs the tests.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let tools = ws.target_dir.join("launchkit-tools");
        let installed = tools.join("bin").join(BINARY);
        let server = match find_binary().filter(|path| path.is_file()) {
            Some(server) => server,
            None if installed.is_file() => installed,
            None => {
                eprintln!("installing {BINARY} {VERSION} for the publishing tests (once)");
                cmd!(sh, "cargo install --locked --root {tools} {BINARY}@{VERSION}")
                    .run()
                    .with_context(|| format!("cannot install {BINARY}: install it by hand with `cargo install --locked {BINARY}@{VERSION}`"))?;
                installed
            }
        };
        let (cargo, args) = (crate::preflight::cargo_program(), &self.args);
        let status = cmd!(sh, "{cargo} test --workspace {args...}")
            .env("FERRO_CARGO_REGISTRY_SERVER", &server)
            .quiet()
            .run();
        Ok(if status.is_ok() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }
}
