//! A finished command run by a test: exit code and output, checked for leaked secrets.

use std::fmt;
use std::process::Output;

/// A finished process: its exit code and what it printed.
pub struct Run {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The run `output` describes; panics when any of `secrets` appears in what it printed,
    /// since launchkit must never print a token.
    pub fn checked(output: Output, secrets: &[&str]) -> Run {
        let run = Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        for secret in secrets {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "a token leaked:\n{run}"
            );
        }
        run
    }

    /// Asserts exit code 0 and returns the run.
    pub fn success(self) -> Run {
        assert_eq!(self.code, Some(0), "the command failed:\n{self}");
        self
    }

    /// Asserts exit code `code` and returns the run.
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, Some(code), "expected exit {code}:\n{self}");
        self
    }

    /// The JSON document on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}
