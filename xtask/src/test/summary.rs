//! What a `cargo test --no-fail-fast` or `cargo nextest run --no-fail-fast` log says
//! failed, read line by line as it streams, and the one summary `cargo xtask test` ends
//! with.

use std::fmt::Write;
use std::time::Duration;

/// The failures seen so far.
#[derive(Debug, Default)]
pub struct Failures {
    /// Test binaries that failed, in the order they ran.
    pub targets: Vec<Target>,
    /// `error: could not compile ...` lines: a build that failed runs no test.
    pub builds: Vec<String>,
    /// A test binary ran: the build got that far.
    pub ran: bool,
    /// Failed tests of the binary running now, named under its `failures:` line.
    pending: Vec<String>,
    in_list: bool,
}

/// A test binary that failed.
#[derive(Debug, PartialEq)]
pub struct Target {
    /// cargo's arguments that run it again, such as `-p launchkit-links --test corpora`.
    pub rerun: String,
    /// The tests that failed in it.
    pub tests: Vec<String>,
}

impl Failures {
    /// Reads one line of the merged output of cargo and the test binaries.
    pub fn line(&mut self, line: &str) {
        if self.in_list {
            match line.strip_prefix("    ") {
                Some(name) if !name.trim().is_empty() => {
                    if !self.pending.iter().any(|seen| seen == name) {
                        self.pending.push(name.to_owned());
                    }
                    return;
                }
                _ => self.in_list = false,
            }
        }
        if line == "failures:" {
            self.in_list = true;
        } else if let Some(rerun) = rerun_args(line) {
            let tests = std::mem::take(&mut self.pending);
            self.targets.push(Target { rerun: rerun.to_owned(), tests });
        } else if let Some((binary, test)) = nextest_failure(line) {
            let rerun = nextest_rerun(binary);
            match self.targets.iter_mut().find(|target| target.rerun == rerun) {
                Some(target) if target.tests.iter().any(|seen| seen == test) => {}
                Some(target) => target.tests.push(test.to_owned()),
                None => self.targets.push(Target { rerun, tests: vec![test.to_owned()] }),
            }
        } else if ["Running ", "Starting "].iter().any(|word| line.trim_start().starts_with(word)) {
            self.ran = true;
        } else if line.starts_with("error: could not compile") {
            self.builds.push(line.to_owned());
        }
    }

    /// The summary: every failed binary with its tests and how to run it again, or that
    /// everything passed.
    pub fn render(&self, success: bool, elapsed: Duration) -> String {
        let time = format!("{:.0} s", elapsed.as_secs_f64());
        if success {
            return format!("test summary: every test binary passed ({time})\n");
        }
        let tests: usize = self.targets.iter().map(|target| target.tests.len().max(1)).sum();
        let mut out = format!(
            "test summary: {tests} failed in {} test binaries ({time}; every binary ran, --no-fail-fast)\n",
            self.targets.len()
        );
        for target in &self.targets {
            let _ = writeln!(out, "  cargo xtask test {}", target.rerun);
            for test in &target.tests {
                let _ = writeln!(out, "      {test}");
            }
        }
        for build in &self.builds {
            let _ = writeln!(out, "  {build}");
        }
        if self.targets.is_empty() && self.builds.is_empty() {
            out.push_str("  cargo test failed before running any test: see the error above\n");
        }
        out
    }
}

/// nextest's `FAIL [ 0.005s] (3/10) package::binary test::name` (also `SIGSEGV`,
/// `TIMEOUT`, ...): the binary id and the test. Each failure is printed twice, when it
/// happens and again in the final summary.
fn nextest_failure(line: &str) -> Option<(&str, &str)> {
    let (status, rest) = line.trim_start().split_once(" [")?;
    if !matches!(
        status,
        "FAIL" | "SIGSEGV" | "SIGABRT" | "SIGKILL" | "TIMEOUT" | "ABORT" | "LEAK-FAIL"
    ) {
        return None;
    }
    let rest = rest.split_once(']')?.1.trim_start();
    let rest = match rest.strip_prefix('(') {
        Some(counted) => counted.split_once(')')?.1.trim_start(),
        None => rest,
    };
    rest.split_once(' ')
}

/// cargo's arguments that run a nextest binary id again: `package` is its library,
/// `package::bin/name` a binary's unit tests, `package::name` an integration test.
fn nextest_rerun(binary: &str) -> String {
    match binary.split_once("::") {
        None => format!("-p {binary} --lib"),
        Some((package, target)) => match target.split_once('/') {
            Some((kind, name)) => format!("-p {package} --{kind} {name}"),
            None => format!("-p {package} --test {target}"),
        },
    }
}

/// `error: test failed, to rerun pass `ARGS`` (or `doctest failed`): the arguments.
fn rerun_args(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("error: ")?;
    let rest = rest.strip_prefix("test failed").or_else(|| rest.strip_prefix("doctest failed"))?;
    rest.strip_prefix(", to rerun pass `")?.strip_suffix('`')
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Failures, Target};

    /// The output of two failing binaries, a passing one and a failing doc test, as
    /// `cargo test --workspace --no-fail-fast` prints it (stderr and stdout merged).
    const LOG: &str = "\
     Running tests/corpora.rs (target/debug/deps/corpora-0123)

running 2 tests
test the_book ... FAILED
test rust_by_example ... ok

failures:

---- the_book stdout ----
thread 'the_book' (11) panicked at crates/launchkit-links/tests/corpora.rs:9:5:
LAUNCHKIT_CORPORA is not set

failures:
    the_book

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out
error: test failed, to rerun pass `-p launchkit-links --test corpora`
     Running tests/fixtures.rs (target/debug/deps/fixtures-4567)

running 1 test
test fine ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out
     Running tests/audit.rs (target/debug/deps/audit-89ab)

running 2 tests
a --- FAILED
b --- FAILED
failures:
    a
    b

test result: FAILED. 0 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
error: test failed, to rerun pass `-p launchkit-scan --test audit`
   Doc-tests launchkit_scan

failures:
    src/lib.rs - f (line 1)

error: doctest failed, to rerun pass `-p launchkit-scan --doc`
error: 3 targets failed:
    `-p launchkit-links --test corpora`
    `-p launchkit-scan --test audit`
    `-p launchkit-scan --doc`
";

    fn read(log: &str) -> Failures {
        let mut failures = Failures::default();
        log.lines().for_each(|line| failures.line(line));
        failures
    }

    #[test]
    fn every_failed_binary_is_listed_with_its_tests() {
        let failures = read(LOG);
        assert!(failures.ran);
        let target = |rerun: &str, tests: &[&str]| Target {
            rerun: rerun.to_owned(),
            tests: tests.iter().map(|test| test.to_string()).collect(),
        };
        assert_eq!(
            failures.targets,
            [
                target("-p launchkit-links --test corpora", &["the_book"]),
                target("-p launchkit-scan --test audit", &["a", "b"]),
                target("-p launchkit-scan --doc", &["src/lib.rs - f (line 1)"]),
            ]
        );
        let summary = failures.render(false, Duration::from_secs(42));
        assert!(summary.starts_with(
            "test summary: 4 failed in 3 test binaries (42 s; every binary ran, --no-fail-fast)\n  cargo xtask test -p launchkit-links --test corpora\n      the_book\n"
        ), "{summary}");
    }

    #[test]
    fn nextest_failures_are_listed_once_under_their_binary() {
        let log = "\
    Starting 5 tests across 3 binaries
        PASS [   0.010s] (1/5) launchkit-scan audit::fine
        FAIL [   0.020s] (2/5) launchkit-scan::audit audit::broken
        FAIL [   0.030s] (3/5) xtask::bin/xtask test::summary::parses
     SIGSEGV [   0.040s] (4/5) launchkit-scan::audit audit::crashes
        FAIL [   0.050s] (5/5) launchkit-links links::lib_test
     Summary [   0.100s] 5 tests run: 1 passed, 4 failed, 0 skipped
        FAIL [   0.020s] (2/5) launchkit-scan::audit audit::broken
error: test run failed
";
        let failures = read(log);
        assert!(failures.ran);
        let rerun: Vec<(&str, Vec<&str>)> = (failures.targets.iter())
            .map(|target| {
                (target.rerun.as_str(), target.tests.iter().map(String::as_str).collect())
            })
            .collect();
        assert_eq!(
            rerun,
            [
                ("-p launchkit-scan --test audit", vec!["audit::broken", "audit::crashes"]),
                ("-p xtask --bin xtask", vec!["test::summary::parses"]),
                ("-p launchkit-links --lib", vec!["links::lib_test"]),
            ]
        );
    }

    #[test]
    fn a_build_error_is_the_failure_when_no_test_ran() {
        let failures = read("error: could not compile `x` (lib test) due to 1 previous error\n");
        assert!(!failures.ran);
        let summary = failures.render(false, Duration::from_secs(3));
        assert!(
            summary
                .ends_with("  error: could not compile `x` (lib test) due to 1 previous error\n")
        );
        assert_eq!(
            read("").render(false, Duration::ZERO).lines().nth(1),
            Some("  cargo test failed before running any test: see the error above")
        );
        assert_eq!(
            read(LOG).render(true, Duration::from_secs(61)),
            "test summary: every test binary passed (61 s)\n"
        );
    }
}
