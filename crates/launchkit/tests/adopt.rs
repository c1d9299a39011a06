//! Adoption end to end, with real parts only: launchkit publishes its own crates to the
//! real registry server, a fresh workspace with a bare remote runs `cargo launchkit init
//! --registry local --execute`, builds its new xtask from that registry (with a command and
//! a preflight step of its own), and runs `cargo xtask preflight` and `cargo xtask release
//! minor --execute` to the same registry.
//!
//! Builds share one target directory and one `CARGO_HOME` kept in the test's target folder,
//! so only the first run compiles launchkit twice (from the checkout and from the registry).

use std::path::{Path, PathBuf};
use std::process::Command;

use launchkit_testkit::{CargoSandbox, RegistryServer, Run, TempDir};

/// The registry's name in cargo's configuration, as an adopter would name a mirror.
const REGISTRY: &str = "local";
/// The registry token; it must never be printed.
const TOKEN: &str = "lk-adopt-token-51d2";

/// The adopter's xtask with a command and a preflight step of its own, through launchkit's
/// public extension API.
const MAIN: &str = r#"//! demo's tasks.

use std::process::ExitCode;

use launchkit::{Ctx, Finding, Launchkit, Outcome, clap, xshell};

/// Greet someone from demo's xtask.
#[derive(clap::Args)]
struct Greet {
    /// Who to greet.
    name: String,
}

fn greet(args: Greet, sh: &xshell::Shell) -> launchkit::anyhow::Result<ExitCode> {
    let root = sh.current_dir();
    println!("hello {} from {}", args.name, root.file_name().unwrap().to_string_lossy());
    Ok(ExitCode::SUCCESS)
}

fn readme_todo(ctx: &Ctx) -> launchkit::anyhow::Result<Outcome> {
    let readme = std::fs::read_to_string(ctx.ws.root.join("README.md"))?;
    let findings = (readme.lines().zip(1..))
        .filter(|(line, _)| line.contains("TODO"))
        .map(|(_, number)| Finding::error("a TODO is left").at("README.md", number))
        .collect();
    Ok(Outcome::from_findings(findings))
}

fn main() -> ExitCode {
    Launchkit::new().command("greet", greet).step("readme-todo", readme_todo).main()
}
"#;

#[test]
fn a_fresh_workspace_adopts_launchkit_from_a_registry_and_releases_with_it() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let cache = base.join("adopt-cache");
    let registry = RegistryServer::start(base);
    let sandbox = CargoSandbox::new(base)
        .registry(REGISTRY, &registry.index_url(), Some(TOKEN))
        .env("CARGO_HOME", &cache.join("cargo-home").display().to_string())
        .env("CARGO_TARGET_DIR", &cache.join("target").display().to_string());
    let dir = TempDir::new(base, "adopt");
    let launchkit = env!("CARGO_BIN_EXE_cargo-launchkit");
    let run = |program: &str, args: &[&str], dir: &Path| -> Run {
        let mut command = sandbox.command(program, dir);
        command.args(args).env_remove("CI").env_remove("RUSTFLAGS");
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("LAUNCHKIT_")) {
            command.env_remove(name);
        }
        command.env("LAUNCHKIT_ALLOW_FRIDAY", "true").env("LAUNCHKIT_REGISTRY", REGISTRY);
        Run::checked(command.output().expect("the command starts"), &[TOKEN])
    };

    // launchkit publishes itself, from a commit of this checkout's files.
    let source = dir.path().join("launchkit");
    copy_tracked(&repository_root(), &source);
    on_registry(&source.join("Cargo.toml"));
    commit_all(&source);
    run(launchkit, &["launchkit", "publish", "--registry", REGISTRY, "--execute"], &source)
        .success();
    for name in ["launchkit", "launchkit-registry", "launchkit-workspace"] {
        assert_eq!(registry.versions(name), [env!("CARGO_PKG_VERSION")], "{name}");
    }

    // A workspace with one library, pushed to a bare remote.
    let demo = dir.path().join("demo");
    write(&demo, "Cargo.toml", "[workspace]\nmembers = [\"demo\"]\nresolver = \"3\"\n");
    write(
        &demo,
        "demo/Cargo.toml",
        "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
         description = \"A demo library\"\nlicense = \"MIT\"\nrepository = \"https://example.com/demo\"\n",
    );
    write(&demo, "demo/src/lib.rs", "//! A demo.\n\n/// Two.\npub fn two() -> u32 {\n    2\n}\n");
    write(&demo, "README.md", "# demo\n\nA demo library.\n");
    write(&demo, ".gitignore", "/target\n");
    commit_all(&demo);
    git(dir.path(), &["init", "-q", "--bare", "-b", "main", "demo.git"]);
    git(&demo, &["remote", "add", "origin", "../demo.git"]);
    git(&demo, &["push", "-q", "-u", "origin", "main"]);

    // init writes the xtask on the registry's launchkit; the adopter adds its own parts.
    let init = run(launchkit, &["launchkit", "init", "--registry", REGISTRY, "--execute"], &demo);
    let init = init.success();
    assert!(init.stdout.contains("xtask/Cargo.toml"), "{init}");
    let manifest = std::fs::read_to_string(demo.join("xtask/Cargo.toml")).unwrap();
    assert!(manifest.contains(r#"registry = "local""#), "{manifest}");
    write(&demo, "xtask/src/main.rs", MAIN);
    let changelog = std::fs::read_to_string(demo.join("CHANGELOG.md")).unwrap();
    let entry = "## [Unreleased]\n\n### Added\n\n- `two`.\n";
    write(&demo, "CHANGELOG.md", &changelog.replacen("## [Unreleased]\n", entry, 1));
    commit_all(&demo);
    let xtask = |args: &[&str]| run("cargo", &[&["xtask"], args].concat(), &demo);

    let greet = xtask(&["greet", "adopters"]).success();
    assert_eq!(greet.stdout, "hello adopters from demo\n", "{greet}");
    // The first build wrote Cargo.lock, which the adopter commits.
    commit_all(&demo);
    let preflight = xtask(&["preflight"]).success();
    assert!(preflight.stderr.contains("readme-todo"), "{preflight}");
    std::fs::write(demo.join("README.md"), "# demo\n\nTODO: say what it does.\n").unwrap();
    let todo = xtask(&["preflight", "--only", "readme-todo"]).code(1);
    assert!(
        todo.stderr.contains("README.md:3") && todo.stderr.contains("a TODO is left"),
        "{todo}"
    );
    git(&demo, &["checkout", "--", "README.md"]);

    let release = ["release", "minor", "--env", "staging", "--execute"];
    let release = run("cargo", &[&["xtask"], &release[..]].concat(), &demo).success();
    assert_eq!(registry.versions("demo"), ["0.2.0"], "{release}");
    assert_eq!(git(&dir.path().join("demo.git"), &["tag", "--list"]).trim(), "v0.2.0");
}

/// The workspace this test belongs to.
fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Points the internal dependencies of the workspace `manifest` at the test registry: a
/// path dependency is published as one on crates.io unless it names its registry.
fn on_registry(manifest: &Path) {
    let text = std::fs::read_to_string(manifest).unwrap();
    let internal = |line: &str| line.starts_with("launchkit") && line.contains("version = ");
    let lines = text.lines().map(|line| match internal(line) {
        true => line.replacen(" }", &format!(", registry = \"{REGISTRY}\" }}"), 1),
        false => line.to_owned(),
    });
    std::fs::write(manifest, lines.collect::<Vec<_>>().join("\n") + "\n").unwrap();
}

/// Copies the files git tracks in `from` (as they are on disk) into `to`.
fn copy_tracked(from: &Path, to: &Path) {
    let listed = git(from, &["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
    for path in listed.split('\0').filter(|path| !path.is_empty()) {
        let source = from.join(path);
        if !source.is_file() {
            continue; // deleted, not yet committed
        }
        let target = to.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&source, &target).unwrap();
    }
}

/// Makes `dir` a git repository on `main` whose one commit holds every file.
fn commit_all(dir: &Path) {
    if !dir.join(".git").exists() {
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["config", "user.name", "Ad Opter"]);
        git(dir, &["config", "user.email", "adopter@example.com"]);
        git(dir, &["config", "commit.gpgsign", "false"]);
        git(dir, &["config", "tag.gpgsign", "false"]);
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "Adopt launchkit"]);
}

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs git in `dir`; panics when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}
