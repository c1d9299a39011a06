//! The credential rules: what each kind of secret looks like.
//!
//! Every pattern captures the secret itself in the group `s`, so redaction, fingerprints
//! and filters see only the credential, not the text around it. Patterns use the ASCII
//! word boundary `(?-u:\b)`: it keeps the compiled automaton small and fast on any input,
//! and credentials are ASCII anyway.

/// How a rule's matches are filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A credential with a recognisable shape (a vendor prefix, a fixed length): a match
    /// is a finding unless it is a placeholder.
    Token,
    /// A `key = "value"` assignment: a match is a finding only when the value looks
    /// random (entropy, mixed characters) and is neither a placeholder nor a stop word.
    Assignment,
    /// A private key block: a match is a finding unless its body is filler (one repeated
    /// character, a run of the alphabet). Key bodies are binary structures with long runs
    /// of `A` (zero bytes), so neither the placeholder filter nor entropy applies.
    PrivateKey,
}

/// One kind of credential.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier, shown in findings: `github-token`.
    pub id: &'static str,
    /// What it finds, for messages: `GitHub token`.
    pub description: &'static str,
    /// How matches are filtered.
    pub kind: Kind,
    /// The regular expression; the group `s` is the secret.
    pub pattern: &'static str,
}

/// Every rule, most specific first: when two rules match the same secret, the first one
/// names it.
pub static RULES: &[Rule] = &[
    Rule {
        id: "crates-io-token",
        description: "crates.io API token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>cio[A-Za-z0-9]{32})",
    },
    Rule {
        id: "crates-io-trusted-publishing-token",
        description: "crates.io trusted-publishing token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>cio_tp_[A-Za-z0-9]{32})",
    },
    Rule {
        id: "github-token",
        description: "GitHub token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>gh[pousr]_[A-Za-z0-9]{36,251})",
    },
    Rule {
        id: "github-fine-grained-token",
        description: "GitHub fine-grained personal access token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>github_pat_[A-Za-z0-9_]{50,240})",
    },
    Rule {
        id: "aws-access-key-id",
        description: "AWS access key id",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})",
    },
    Rule {
        id: "aws-secret-access-key",
        description: "AWS secret access key",
        kind: Kind::Token,
        pattern: r#"(?i)aws_?secret_?(?:access_?)?key["']?[ \t]*(?::|=|=>)[ \t]*["']?(?P<s>[A-Za-z0-9/+]{40})"#,
    },
    Rule {
        id: "openssh-private-key",
        description: "OpenSSH private key",
        kind: Kind::PrivateKey,
        // `ssh-keygen`'s default format, for every key type, with or without a passphrase.
        pattern: concat!(
            r"-----BEGIN OPENSSH PRIVATE KEY-----(?:\\+(?:[rn]|u000[aAdD])|\\*\s)+",
            r"(?P<s>(?:[A-Za-z0-9+=]|\\*/){40,}(?:(?:\\+(?:[rn]|u000[aAdD])|\\*\s)+(?:[A-Za-z0-9+=]|\\*/)+)*)"
        ),
    },
    Rule {
        id: "private-key",
        description: "private key",
        kind: Kind::PrivateKey,
        // The header alone is not a key (code and docs name it); a base64 body must follow,
        // possibly after PEM headers (`Proc-Type`, `DEK-Info`). Line breaks may be written
        // as escapes at any depth: `\n` in a string, `\\n` in JSON inside JSON, ...; and
        // JSON may escape the body's slashes (`\/`).
        pattern: concat!(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:\\+(?:[rn]|u000[aAdD])|\\*\s)+",
            r"(?:[A-Za-z-]+: [^\r\n\\]*(?:\\+(?:[rn]|u000[aAdD])|\\*\s)+)*",
            r"(?P<s>(?:[A-Za-z0-9+=]|\\*/){40,}(?:(?:\\+(?:[rn]|u000[aAdD])|\\*\s)+(?:[A-Za-z0-9+=]|\\*/)+)*)"
        ),
    },
    Rule {
        id: "slack-token",
        description: "Slack token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>xox[abposr]-[0-9]{6,}-[A-Za-z0-9-]{8,}|xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-f0-9]{16,})",
    },
    Rule {
        id: "slack-webhook",
        description: "Slack webhook URL",
        kind: Kind::Token,
        pattern: r"(?P<s>https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,})",
    },
    Rule {
        id: "stripe-key",
        description: "Stripe secret key",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,99})",
    },
    Rule {
        id: "google-api-key",
        description: "Google API key",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>AIza[A-Za-z0-9_-]{35})",
    },
    Rule {
        id: "npm-token",
        description: "npm access token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>npm_[A-Za-z0-9]{36})",
    },
    Rule {
        id: "pypi-token",
        description: "PyPI API token",
        kind: Kind::Token,
        // A macaroon whose first bytes encode the issuer, pypi.org or test.pypi.org.
        pattern: r"(?-u:\b)(?P<s>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})",
    },
    Rule {
        id: "gitlab-token",
        description: "GitLab token",
        kind: Kind::Token,
        pattern: r"(?-u:\b)(?P<s>(?:glpat|gldt|glrt|glptt|glft|glsoat|glcbt)-[A-Za-z0-9_-]{20,})",
    },
    Rule {
        id: "jwt",
        description: "JSON Web Token",
        kind: Kind::Token,
        // Header and payload are base64url JSON objects, so both start with `eyJ` (`{"`).
        pattern: r"(?-u:\b)(?P<s>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})",
    },
    Rule {
        id: "generic-secret",
        description: "secret assigned to a key, token, secret or password",
        kind: Kind::Assignment,
        // The name ends in the secret-like word (so `token_url` and `password_file` are not
        // names of secrets); the value may be quoted or bare, as in .env, YAML and shell,
        // and is on the same line. `&` and `#` end it: they start a query parameter, a
        // fragment or a comment far more often than they appear in a secret.
        pattern: r#"(?i)(?-u:\b)(?P<name>[A-Za-z0-9_.-]*(?:key|secret|token|passwd|password|pwd|credentials?|auth))["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:[rb]?["'`])?(?P<s>[A-Za-z0-9+/=_.~!@$%^*-]{8,})"#,
    },
];

/// The rule called `id`.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.id == id)
}
