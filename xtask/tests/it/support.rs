//! Test support: fixture workspaces copied to temp dirs as real git repositories, and a
//! runner for the xtask binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use xshell::{Shell, cmd};

/// A fixture workspace in its own temp directory, committed to a fresh git repository.
pub struct Fixture {
    pub root: PathBuf,
    /// Removed on drop: it lives outside the target directory.
    temporary: bool,
}

impl Fixture {
    /// A copy of `tests/fixtures/<name>`, committed.
    pub fn new(name: &str) -> Fixture {
        let root = unique_root(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixtures"), name);
        launchkit_testkit::fixture::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name),
            &root,
        );
        let fixture = Fixture { root, temporary: false };
        fixture.commit("initial");
        fixture
    }

    /// A workspace of `files` (path and text), committed, in the system's temporary
    /// folder: outside this repository, so cargo finds no workspace around it.
    pub fn of_files(name: &str, files: &[(&str, &str)]) -> Fixture {
        let fixture = Fixture {
            root: unique_root(&std::env::temp_dir().join("launchkit-fixtures"), name),
            temporary: true,
        };
        for (path, text) in files {
            fixture.write(path, text);
        }
        fixture.commit("initial");
        fixture
    }

    /// Replaces `from` with `to` in `path`, which must contain it.
    pub fn edit(&self, path: &str, from: &str, to: &str) -> &Fixture {
        let file = self.root.join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{path} does not contain {from:?}");
        std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
        self
    }

    /// Writes `text` to `path`, creating its folder.
    pub fn write(&self, path: &str, text: impl AsRef<[u8]>) -> &Fixture {
        let file = self.root.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
        self
    }

    /// The text of `path`.
    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// Runs git in the fixture, such as `["tag", "v0.3.1"]`.
    pub fn git(&self, args: &[&str]) {
        let sh = self.sh();
        cmd!(sh, "git {args...}").quiet().ignore_stdout().run().unwrap();
    }

    /// Commits everything, as a user would before a release.
    pub fn commit(&self, message: &str) {
        let sh = self.sh();
        cmd!(sh, "git init -q -b main").run().unwrap();
        cmd!(sh, "git add -A").run().unwrap();
        cmd!(sh, "git -c user.name=test -c user.email=test@example.com commit -q --allow-empty -m {message}")
            .quiet()
            .run()
            .unwrap();
    }

    /// `git status --porcelain` and the content of every file, to prove nothing changed.
    pub fn snapshot(&self) -> String {
        let sh = self.sh();
        let status = cmd!(sh, "git status --porcelain --ignored=no").read().unwrap();
        let files = cmd!(sh, "git ls-files -s").read().unwrap();
        format!("{status}\n{files}")
    }

    /// The xtask run in this fixture's root.
    pub fn xtask(&self, args: &[&str]) -> Run {
        xtask(&self.root, args, &[])
    }

    /// The xtask run in this fixture's root with extra environment variables.
    pub fn xtask_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        xtask(&self.root, args, env)
    }

    fn sh(&self) -> Shell {
        let sh = Shell::new().unwrap();
        sh.change_dir(&self.root);
        sh
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if self.temporary {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// A fresh folder in `base` for a fixture named `name`, unique to this test run.
fn unique_root(base: &Path, name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let unique = format!("{name}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let root = base.join(unique);
    let _ = std::fs::remove_dir_all(&root);
    root
}

/// A finished xtask run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts a refusal: exit code 2, nothing on stdout, one line on stderr that
    /// contains `expected`.
    pub fn assert_refused(&self, expected: &str) {
        assert_eq!(self.code, 2, "{}{}", self.stdout, self.stderr);
        assert!(self.stdout.is_empty(), "{}", self.stdout);
        assert_eq!(self.stderr.lines().count(), 1, "{}", self.stderr);
        assert!(self.stderr.starts_with("error: "), "{}", self.stderr);
        assert!(self.stderr.contains(expected), "{}", self.stderr);
    }

    /// The stdout parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("{err}: {}\n{}", self.stdout, self.stderr))
    }
}

/// What the test run's environment may hold that would change the fixture's runs: CI
/// detection, flags and where cargo builds (each fixture builds in its own `target`).
pub const NOT_PASSED_ON: [&str; 6] = [
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_TARGET_DIR",
];

/// Runs the xtask binary in `dir` with a controlled environment: not on CI, no GitHub
/// Actions, and the fixture's own target directory.
///
/// Fixtures do not share a target directory: cargo names a path crate's artifacts by its
/// path relative to the workspace root, so two copies of one fixture would overwrite each
/// other's binaries and each could run the other's tests. They have no dependencies, so a
/// shared directory would save nothing.
pub fn xtask(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(dir).args(args);
    for name in NOT_PASSED_ON {
        command.env_remove(name);
    }
    command.env("RUST_BACKTRACE", "0");
    command.envs(env.iter().copied());
    let Output { status, stdout, stderr } = command.output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}
