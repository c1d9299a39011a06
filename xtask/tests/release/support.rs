//! One release's world: the `release` fixture committed to a git repository with a bare
//! remote beside it, the real registry server behind the fault proxy, a cargo sandbox with
//! the registry's token, and the loopback GitHub. Plus the snapshots that prove what
//! changed and what did not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub use launchkit_testkit::Run;
use launchkit_testkit::{CargoSandbox, Faults, RegistryServer, TempDir};

use crate::forge::{Flavor, Forge};

/// The registry's name in the fixture's manifests and configuration.
pub const REGISTRY: &str = "lk";
/// The registry token; it must never be printed.
pub const TOKEN: &str = "lk-release-token-9c1e";
/// The forge token (GitHub's, GitLab's or Gitea's); it must never be printed.
pub const GITHUB_TOKEN: &str = "ghp-release-token-77a0";
/// The fixture's crates, in dependency order.
pub const CRATES: [&str; 3] = ["demo-core", "demo-util", "demo-app"];
/// A Monday: no test depends on the day it runs.
pub const MONDAY: &str = "2025-06-02";

/// Where tests put their directories.
pub fn base() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// A repository, its remote, the registry and the forge.
pub struct Setup {
    pub dir: TempDir,
    pub registry: RegistryServer,
    pub sandbox: CargoSandbox,
    pub forge: Forge,
    /// Which forge `forge` plays.
    pub flavor: Flavor,
}

impl Setup {
    /// Everything ready for a staging release of 0.1.0's successor, on GitHub.
    pub fn new(faults: Faults) -> Setup {
        Setup::on(faults, Flavor::Github)
    }

    /// Everything ready for a staging release of 0.1.0's successor, on `flavor`'s forge.
    pub fn on(faults: Faults, flavor: Flavor) -> Setup {
        let dir = TempDir::new(base(), "release");
        let registry = RegistryServer::start_with_faults(base(), faults);
        let sandbox =
            CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
        let forge = Forge::start(flavor, GITHUB_TOKEN);
        let setup = Setup { dir, registry, sandbox, forge, flavor };
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/release");
        run(
            "cp",
            &["-R", &fixture.display().to_string(), &setup.repo().display().to_string()],
            base(),
        );
        setup.git(&["init", "-q", "-b", "main"]);
        setup.git(&["config", "user.name", "Rel Ease"]);
        setup.git(&["config", "user.email", "releases@example.com"]);
        setup.git(&["config", "commit.gpgsign", "false"]);
        setup.git(&["config", "tag.gpgsign", "false"]);
        setup.git(&["add", "-A"]);
        setup.git(&["commit", "-q", "-m", "Start the demo"]);
        run("git", &["init", "-q", "--bare", "-b", "main", "remote.git"], setup.dir.path());
        setup.git(&["remote", "add", "origin", "../remote.git"]);
        setup.git(&["push", "-q", "-u", "origin", "main"]);
        setup
    }

    /// The repository.
    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    /// The bare remote.
    pub fn remote(&self) -> PathBuf {
        self.dir.path().join("remote.git")
    }

    /// Runs git in the repository; panics when it fails.
    pub fn git(&self, args: &[&str]) -> String {
        run("git", args, &self.repo())
    }

    /// Runs git in the remote.
    pub fn remote_git(&self, args: &[&str]) -> String {
        run("git", args, &self.remote())
    }

    /// `cargo xtask release <args> --env staging --date MONDAY` with the registry, its
    /// token and the forge configured.
    pub fn release(&self, args: &[&str]) -> Run {
        self.xtask(&[&["release"], args, &["--env", "staging", "--date", MONDAY]].concat(), &[])
    }

    /// The xtask with `args` and extra variables, in the repository.
    pub fn xtask(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        command.envs(env.iter().copied());
        Run::checked(command.output().expect("xtask runs"), &[TOKEN, GITHUB_TOKEN])
    }

    /// The xtask command, not started.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_of(env!("CARGO_BIN_EXE_xtask"), args)
    }

    /// `program` with `args` in the repository, in the xtask's environment.
    pub fn command_of(&self, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Command {
        let mut command = self.sandbox.command(program, &self.repo());
        command.args(args);
        for (name, _) in std::env::vars() {
            let forge =
                ["GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "CI_API_V4_URL", "GITEA_TOKEN"];
            if name.starts_with("LAUNCHKIT_")
                || name.starts_with("GITHUB_")
                || forge.contains(&name.as_str())
            {
                command.env_remove(name);
            }
        }
        for name in ["CI", "RUSTFLAGS", "RUSTDOCFLAGS"] {
            command.env_remove(name);
        }
        // GitHub is the fixture's `forge`, found through the variable GitHub Actions sets;
        // GitLab and Gitea are chosen and located by the environment's settings.
        match self.flavor {
            Flavor::Github => command
                .env("GITHUB_API_URL", self.forge.api_url())
                .env("GITHUB_TOKEN", GITHUB_TOKEN),
            Flavor::Gitlab => command
                .env("LAUNCHKIT_FORGE", "gitlab")
                .env("LAUNCHKIT_FORGE_URL", self.forge.api_url())
                .env("GITLAB_TOKEN", GITHUB_TOKEN),
            Flavor::Gitea => command
                .env("LAUNCHKIT_FORGE", "gitea")
                .env("LAUNCHKIT_FORGE_URL", self.forge.api_url())
                .env("LAUNCHKIT_FORGE_PROJECT", "acme/demo")
                .env("GITEA_TOKEN", GITHUB_TOKEN),
        };
        command.env("RUST_BACKTRACE", "0");
        command
    }

    /// Installs an executable git hook in the repository (or with `remote`, the remote).
    pub fn hook(&self, remote: bool, name: &str, script: &str) {
        let dir = if remote { self.remote().join("hooks") } else { self.repo().join(".git/hooks") };
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        run("chmod", &["+x", &path.display().to_string()], base());
    }

    /// Removes a hook.
    pub fn unhook(&self, remote: bool, name: &str) {
        let dir = if remote { self.remote().join("hooks") } else { self.repo().join(".git/hooks") };
        std::fs::remove_file(dir.join(name)).unwrap();
    }

    /// Every file of the repository (its `.git` included, the build's `target` not), of
    /// the remote, and the registry's index of every crate: a dry run must leave all of
    /// it byte for byte.
    pub fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        collect(&self.repo(), "repo", &mut files);
        collect(&self.remote(), "remote", &mut files);
        for name in CRATES {
            files.insert(
                format!("index/{name}"),
                self.registry.index_file(name).unwrap_or_default().into_bytes(),
            );
        }
        files
    }

    /// What a failed release must leave as it was: refs, HEAD, index, status, every
    /// tracked and ignored-but-written file, the remote and the registry.
    pub fn state(&self) -> String {
        let git = |args: &[&str]| self.git(args);
        let files = ["Cargo.toml", "core/Cargo.toml", "CHANGELOG.md", "Cargo.lock"]
            .map(|path| std::fs::read_to_string(self.repo().join(path)).unwrap())
            .join("\n");
        let index: Vec<String> =
            CRATES.iter().map(|name| self.registry.index_file(name).unwrap_or_default()).collect();
        format!(
            "{}\n{}\n{}\n{}\n{}\n{files}\n{}\n{index:?}",
            git(&["for-each-ref"]),
            git(&["rev-parse", "HEAD"]),
            git(&["symbolic-ref", "HEAD"]),
            git(&["ls-files", "-s"]),
            git(&["status", "--porcelain", "--ignored=no"]),
            self.remote_git(&["for-each-ref"]),
        )
    }

    /// The upload attempts the registry proxy saw.
    pub fn uploads(&self) -> Vec<String> {
        self.registry.proxy().expect("a proxy").uploads()
    }
}

fn collect(dir: &Path, prefix: &str, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}/{}", entry.file_name().to_string_lossy());
        if name == "repo/target" {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            collect(&entry.path(), &name, files);
        } else {
            files.insert(name, std::fs::read(entry.path()).unwrap());
        }
    }
}

/// Runs `program` in `dir`; panics with its output when it fails.
pub fn run(program: &str, args: &[&str], dir: &Path) -> String {
    let output = Command::new(program).args(args).current_dir(dir).output().unwrap();
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim_end().to_owned()
}
