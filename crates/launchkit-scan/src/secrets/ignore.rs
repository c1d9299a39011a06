//! The ignore file: fingerprints of findings that are known not to be secrets.
//!
//! One fingerprint per line, as printed in the finding's fix, optionally followed by a
//! comment saying why; `#` starts a comment line:
//!
//! ```text
//! # test vectors of the HMAC module
//! 3f2a9c0d1e4b5a69  tests/hmac.rs: RFC 4231 key
//! ```

use std::collections::HashSet;

use super::Secret;

/// Where the ignore file is unless the configuration names another.
pub const DEFAULT_PATH: &str = ".launchkit/secrets-ignore";

/// Fingerprints to leave out of the findings.
#[derive(Debug, Default, Clone)]
pub struct IgnoreList {
    fingerprints: HashSet<String>,
}

impl IgnoreList {
    /// Parses the file's text; a line that is not a fingerprint is an error naming it.
    pub fn parse(text: &str) -> Result<IgnoreList, String> {
        let mut fingerprints = HashSet::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fingerprint = line.split_whitespace().next().unwrap_or_default();
            if fingerprint.len() != 16 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!(
                    "line {}: `{fingerprint}` is not a fingerprint (16 hex digits, as shown in the finding)",
                    index + 1
                ));
            }
            fingerprints.insert(fingerprint.to_ascii_lowercase());
        }
        Ok(IgnoreList { fingerprints })
    }

    /// True when `secret` is listed.
    pub fn contains(&self, secret: &Secret) -> bool {
        self.fingerprints.contains(&secret.fingerprint())
    }

    /// How many fingerprints are listed.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// True when nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_reasons_are_allowed() {
        let list = IgnoreList::parse("# why\n\n0123456789ABCDEF  tests/x.rs: vector\n").unwrap();
        assert_eq!(list.len(), 1);
        assert!(list.fingerprints.contains("0123456789abcdef"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = IgnoreList::parse("0123456789abcdef\nnot-a-fingerprint\n").unwrap_err();
        assert!(err.starts_with("line 2: `not-a-fingerprint`"), "{err}");
    }
}
