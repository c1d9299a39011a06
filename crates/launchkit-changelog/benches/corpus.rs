//! Times parsing, linting, promotion and release notes on the real changelogs in
//! `$LAUNCHKIT_CORPORA/changelogs`: `LAUNCHKIT_CORPORA=DIR cargo bench -p launchkit-changelog`. Prints a markdown
//! table of the median of many runs, for docs/benchmarks.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use launchkit_changelog::{Changelog, Date, Version, lint};

const RUNS: usize = 501;

/// The median wall time of `RUNS` calls of `work`.
fn median(mut work: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

fn main() {
    let dir = launchkit_testkit::corpora::corpus("changelogs");
    println!("| changelog | size | parse | parse + lint | promote | notes of the latest |");
    println!("|---|---|---|---|---|---|");
    for name in ["cargo-deny", "cargo-release", "release-plz"] {
        let path = dir.join(format!("{name}.md"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        // A change under [Unreleased], so there is something to promote.
        let unreleased = text.find("## [Unreleased]").expect("an [Unreleased] heading");
        let line_end = unreleased + text[unreleased..].find('\n').unwrap() + 1;
        let text = format!("{}\n### Fixed\n\n- A fix.\n\n{}", &text[..line_end], &text[line_end..]);
        let changelog = Changelog::parse(text.as_str());
        let latest = changelog.releases().find_map(|entry| entry.version.clone()).unwrap();
        let next = Version::new(latest.major, latest.minor, latest.patch + 1);
        let date: Date = "2024-07-01".parse().unwrap();

        let parse = median(|| drop(black_box(Changelog::parse(black_box(text.as_str())))));
        let checked = median(|| {
            drop(black_box(lint(&Changelog::parse(black_box(text.as_str())), "CHANGELOG.md")))
        });
        let promote = median(|| drop(black_box(changelog.promote(&next, date).unwrap())));
        let notes = median(|| drop(black_box(changelog.notes(&latest))));
        let lines = text.lines().count();
        println!(
            "| {name} | {lines} lines, {} entries | {} | {} | {} | {} |",
            changelog.entries.len(),
            micros(parse),
            micros(checked),
            micros(promote),
            micros(notes)
        );
    }
}
