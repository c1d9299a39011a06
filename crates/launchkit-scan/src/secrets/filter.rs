//! Telling a credential from text that only has its shape: placeholders, stop words,
//! entropy, and the shapes of [`super::shape`].

use super::shape::{
    decodes_to_text, is_code_path, is_file_name, is_identifier, is_number, is_percent_encoded,
    is_sequence, is_uuid,
};

/// Words that mark a value as a placeholder in any rule's match (compared lowercase).
const PLACEHOLDER_WORDS: &[&str] = &[
    "xxxx",
    "example",
    "your_",
    "your-",
    "yourkey",
    "_here",
    "-here",
    "placeholder",
    "changeme",
    "change_me",
    "replace_me",
    "replaceme",
    "redacted",
    "dummy",
    "<",
    ">",
    "${",
    "{{",
    "$(",
    "%(",
];

/// Words that mark an assigned value as not a secret (compared lowercase).
const VALUE_STOP_WORDS: &[&str] = &[
    "test",
    "fake",
    "sample",
    "secret",
    "password",
    "passwd",
    "token",
    "insert",
    "todo",
    "default",
    "null",
    "none",
    "undefined",
    "localhost",
    "string",
    "option",
];

/// Parts of a name that say its value is not the secret: it names, hashes, locates or
/// describes one, or the word "key" means something else.
const NAME_STOP_WORDS: &[&str] = &[
    "public",
    "publishable",
    "pubkey",
    "pub_key",
    "cache",
    "sort",
    "primary",
    "foreign",
    "hotkey",
    "keyboard",
    "monkey",
    "keystroke",
    "hash",
    "sha",
    "digest",
    "checksum",
    "fingerprint",
    "lookup",
    "map",
    "dict",
    "partition",
    "idempotency",
    "storage",
    "row",
    "column",
    "index",
    "bucket",
    "next",
    "page",
    "csrf",
];

/// True when `value` is a placeholder, not a credential: `your_key_here`, `${VAR}`,
/// `xxxx`, `EXAMPLE`, `<token>`, or a long run of one character.
pub fn is_placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    lower.starts_with('$')
        || PLACEHOLDER_WORDS.iter().any(|word| lower.contains(word))
        || longest_run(value) >= 5
}

/// The base64 body of a private key block with its line breaks removed, whether they are
/// real or escaped (`\n`, `\\n`, `\u000a`, ...), and its escaped slashes (`\/`)
/// unescaped: the same key gives the same value, and so the same fingerprint, however it
/// is quoted.
pub fn key_body(block: &str) -> String {
    let mut body = String::with_capacity(block.len());
    let mut rest = block;
    while let Some(c) = rest.chars().next() {
        if c == '\\' {
            rest = rest.trim_start_matches('\\');
            let escape = ["r", "n", "u000a", "u000A", "u000d", "u000D"]
                .iter()
                .find(|escape| rest.starts_with(**escape));
            rest = &rest[escape.map_or(0, |escape| escape.len())..];
        } else {
            if !c.is_whitespace() {
                body.push(c);
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    body
}

/// True when a private key's body is filler, not key material: one character repeated
/// (`AAAA...`, `xxxx...`) or a run of the alphabet. Real keys use most of the 64 digits.
pub fn is_filler(body: &str) -> bool {
    let mut seen = [false; 256];
    body.bytes().for_each(|b| seen[usize::from(b)] = true);
    seen.iter().filter(|&&seen| seen).count() < 16 || is_sequence(body)
}

/// True when `value`, assigned to `name`, looks like a random secret worth reporting.
pub fn is_random_secret(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let lower = value.to_ascii_lowercase();
    let has_digit = value.bytes().any(|b| b.is_ascii_digit());
    let has_letter = value.bytes().any(|b| b.is_ascii_alphabetic());
    // Identifiers and numbers are not random; a random value of 10+ characters almost
    // always mixes both.
    if value.len() < 10 || !has_digit || !has_letter {
        return false;
    }
    if NAME_STOP_WORDS.iter().any(|word| name.contains(word))
        || VALUE_STOP_WORDS.iter().any(|word| lower.contains(word))
    {
        return false;
    }
    if is_placeholder(value)
        || is_uuid(value)
        || is_file_name(value)
        || is_sequence(value)
        || is_number(value)
    {
        return false;
    }
    if is_identifier(value) || is_code_path(value) || is_percent_encoded(value) {
        return false;
    }
    if decodes_to_text(value) {
        return false;
    }
    entropy(value) >= entropy_threshold(value)
}

/// Shannon entropy in bits per character.
pub fn entropy(value: &str) -> f64 {
    let mut counts = [0u32; 256];
    for byte in value.bytes() {
        counts[usize::from(byte)] += 1;
    }
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&count| count > 0)
        .map(|&count| {
            let p = f64::from(count) / len;
            -p * p.log2()
        })
        .sum()
}

/// Three quarters of the most entropy `value` could have: a random string reaches about
/// 90% of it, text and identifiers stay well below. The most is bounded by the length
/// (a short string cannot use many symbols) and by the alphabet (hex has 4 bits).
fn entropy_threshold(value: &str) -> f64 {
    let alphabet: f64 = if value.bytes().all(|b| b.is_ascii_hexdigit()) { 16.0 } else { 64.0 };
    0.75 * (value.len() as f64).log2().min(alphabet.log2())
}

fn longest_run(value: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    let mut previous = None;
    for byte in value.bytes() {
        run = if previous == Some(byte) { run + 1 } else { 1 };
        previous = Some(byte);
        longest = longest.max(run);
    }
    longest
}

/// True for files of test vectors (`testdata/`, `vectors/`, `*_test.txt`): their keys are
/// published, random-looking on purpose, and the generic rule would report each one.
/// Vendor tokens are still looked for there.
pub fn is_test_vector_file(path: &str) -> bool {
    const FOLDERS: &[&str] =
        &["testdata", "test-data", "test_data", "test-vectors", "test_vectors", "vectors"];
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or(path).to_ascii_lowercase();
    parts.any(|folder| FOLDERS.contains(&folder))
        || (name.ends_with(".txt") || name.ends_with(".rsp")) && name.contains("test")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "your_key_here",
            "${API_TOKEN}",
            "xxxxxxxx",
            "AKIAIOSFODNN7EXAMPLE",
            "<token>",
            "aaaaaaaaaa",
        ] {
            assert!(is_placeholder(value), "{value}");
        }
        assert!(!is_placeholder("q8Vn2LmZ0cXr4TbP"));
    }

    #[test]
    fn key_bodies_lose_their_line_breaks_whatever_the_escaping() {
        let body = "MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu";
        let (first, second) = body.split_at(30);
        for separator in ["\n", "\r\n", "\\n", "\\\\n", "\\\\\\\\n", "\\u000a", "\\\n    "] {
            assert_eq!(key_body(&format!("{first}{separator}{second}")), body, "{separator:?}");
        }
        assert_eq!(key_body("MIIB\\/Og\\\\/Ig"), "MIIB/Og/Ig");
        assert!(!is_filler(body));
        assert!(
            is_filler(&"A".repeat(64)) && is_filler("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop")
        );
    }

    #[test]
    fn sequences_are_not_random_secrets() {
        assert!(!is_random_secret("api_key", "0123456789abcdef"));
    }
}
