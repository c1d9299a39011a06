//! `cargo xtask bench links`: the release build of `cargo xtask links` offline on the
//! real-world corpora named by `LAUNCHKIT_CORPORA` (wall time of the whole process, and links per second), and on 500
//! distinct URLs spread over ten loopback hosts that each answer after 100 ms, which
//! shows what the concurrency limits buy.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use launchkit_workspace::Workspace;
use xshell::{Shell, cmd};

use super::{median, time};

/// The variable that names the folder of real-world corpora (`book/`, ...), as for the
/// opt-in tests (`cargo xtask test --corpora DIR`).
const CORPORA: &str = launchkit_testkit::corpora::CORPORA_VAR;
const URLS: usize = 500;
const HOSTS: usize = 10;
const DELAY: Duration = Duration::from_millis(100);

/// Runs the benchmark and returns its markdown section.
pub fn run(sh: &Shell, runs: u32) -> anyhow::Result<String> {
    let corpora = sh.current_dir().join(std::env::var_os(CORPORA).unwrap_or_default());
    if !corpora.join("book/src/SUMMARY.md").is_file() {
        bail!("no book/src/SUMMARY.md in {CORPORA}: set it to the folder of real-world corpora");
    }
    eprintln!("building the release xtask");
    cmd!(sh, "cargo build --quiet --release --package xtask").run()?;
    let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
    let xtask = ws.target_dir.join("release").join("xtask");
    // Offline runs take milliseconds: more samples make a steadier median.
    let samples = runs.max(1) as usize * 10;

    let mut rows = String::new();
    for corpus in ["book", "rust-by-example"] {
        let root = corpora.join(corpus);
        let mut options = launchkit_links::Options::new(&root);
        options.paths = vec!["src".into()];
        options.offline = true;
        let summary = launchkit_links::check(&options)?;
        let walls: Vec<Duration> = (0..samples)
            .map(|_| time(|| links(sh, &xtask, &root, &["src", "--offline"])))
            .collect::<anyhow::Result<_>>()?;
        let fastest = walls.iter().min().copied().unwrap_or_default();
        let wall = median(walls);
        let per_second = summary.links as f64 / wall.as_secs_f64();
        let target = if corpus == "book" { "< 50 ms" } else { "" };
        rows.push_str(&format!(
            "| {corpus} | {} | {} | {:.1} ms | {:.1} ms | {per_second:.0} | {target} |\n",
            summary.files.len(),
            summary.links,
            wall.as_secs_f64() * 1000.0,
            fastest.as_secs_f64() * 1000.0,
        ));
    }

    eprintln!("{URLS} URLs over {HOSTS} loopback hosts");
    let hosts = (1..=HOSTS)
        .map(|n| slow_server(&format!("127.0.0.{n}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let work = std::env::temp_dir().join(format!("launchkit-bench-links-{}", std::process::id()));
    let text: String =
        (0..URLS).map(|n| format!("- <http://{}/page/{n}>\n", hosts[n % HOSTS])).collect();
    sh.write_file(work.join("README.md"), format!("# Links\n\n{text}"))?;
    let external = median(
        (0..runs)
            .map(|_| time(|| links(sh, &xtask, &work, &["--no-cache"])))
            .collect::<anyhow::Result<_>>()?,
    );
    sh.remove_path(&work)?;

    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    // Other work on the machine moves the median: say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").ok().and_then(|text| {
        text.split_whitespace().next().map(|one_minute| format!(", load average {one_minute}"))
    });
    let defaults = launchkit_links::HttpOptions::default();
    Ok(format!(
        "## links\n\n\
         `cargo xtask bench links`: the release build of `cargo xtask links`, default \
         settings, wall time of the whole process (start-up included) on {cores} cores{}.\n\n\
         Offline, mdBook resolution, on real-world corpora (the Rust book, Rust by Example) (median of {samples} runs):\n\n\
         | corpus | files | links | wall (median) | fastest | links/s (median) | goal |\n\
         |---|---:|---:|---:|---:|---:|---:|\n\
         {rows}\n\
         Online: {URLS} distinct URLs over {HOSTS} loopback hosts (127.0.0.1 to \
         127.0.0.{HOSTS}), each answer delayed {} ms, no cache, at most {} requests at once \
         and {} per host (median of {runs} runs): {:.2} s (goal: under 2 s; one request \
         after another would take {} s).\n",
        load.unwrap_or_default(),
        DELAY.as_millis(),
        defaults.concurrency,
        defaults.per_host,
        external.as_secs_f64(),
        URLS as u64 * DELAY.as_millis() as u64 / 1000,
    ))
}

/// Runs the release xtask's `links` in `dir`; a broken link fails the benchmark only
/// when the run itself fails (exit code 2), since the corpora hold known findings.
fn links(sh: &Shell, xtask: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<()> {
    let _dir = sh.push_dir(dir);
    let output = cmd!(sh, "{xtask} links --format json {args...}")
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .quiet()
        .ignore_status()
        .output()?;
    if output.status.code() == Some(2) {
        bail!(
            "`xtask links` failed in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// A server on `ip` that answers every request with 200 after [`DELAY`].
fn slow_server(ip: &str) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind((ip, 0)).with_context(|| format!("cannot listen on {ip}"))?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer_slowly(stream));
        }
    });
    Ok(addr)
}

/// Answers each request on one kept-alive connection after the delay.
fn answer_slowly(stream: TcpStream) {
    let Ok(reader) = stream.try_clone() else { return };
    let mut lines = BufReader::new(reader).lines();
    let mut writer = stream;
    loop {
        // A request head ends with an empty line; the connection's end ends the loop.
        let mut head_ended = false;
        for line in lines.by_ref() {
            match line {
                Ok(line) if line.is_empty() => {
                    head_ended = true;
                    break;
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
        if !head_ended {
            return;
        }
        std::thread::sleep(DELAY);
        if writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_err() {
            return;
        }
    }
}
