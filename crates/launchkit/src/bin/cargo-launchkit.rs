//! `cargo launchkit <task>`: launchkit without an xtask, for `cargo install launchkit`.

fn main() -> std::process::ExitCode {
    launchkit::Launchkit::new().cargo_subcommand().main()
}
