//! Telling a credential from text that only has its shape: placeholders, identifiers,
//! hashes, UUIDs and encoded test strings.

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

/// `0123456789abcdef`, `abcdefgh`, or hex `000102030405...`: most neighbours are
/// consecutive characters or bytes.
fn is_sequence(value: &str) -> bool {
    let consecutive = |bytes: &[u8]| {
        let steps = bytes.windows(2).filter(|pair| pair[1] == pair[0].wrapping_add(1)).count();
        steps * 2 >= bytes.len()
    };
    consecutive(value.as_bytes())
        || is_hex(value) && decode_hex(value).is_some_and(|bytes| consecutive(&bytes))
}

/// `1394u32`, `2048`, `0x7f_u8`: a number literal, with Rust's type suffixes.
fn is_number(value: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
        "f32", "f64",
    ];
    let body = SUFFIXES.iter().find_map(|suffix| value.strip_suffix(suffix)).unwrap_or(value);
    match body.strip_prefix("0x") {
        Some(hex) => hex.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_'),
        None => body.bytes().all(|b| b.is_ascii_digit() || b == b'_'),
    }
}

/// `Utf8SuffixKey`, `KERB_CRYPTO_KEY32`, `client.pool.h1_key`, `project-cache-v7`: names
/// made of words. Split where case or letter/digit changes, random text falls into
/// pieces of one or two characters, names into words of three or more on average.
fn is_identifier(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if !chars.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')) {
        return false;
    }
    let mut words = 0;
    let mut letters = 0;
    for (i, &c) in chars.iter().enumerate().filter(|(_, c)| c.is_ascii_alphanumeric()) {
        letters += 1;
        let next = chars.get(i + 1).copied();
        let starts_word = match i.checked_sub(1).map(|i| chars[i]) {
            None => true,
            Some(p) if !p.is_ascii_alphanumeric() => true,
            Some(p) if p.is_ascii_digit() != c.is_ascii_digit() => true,
            Some(p) if p.is_ascii_lowercase() && c.is_ascii_uppercase() => true,
            // The last capital of a run starts the next word: `XMLHttp` is XML, Http.
            Some(p) => {
                p.is_ascii_uppercase()
                    && c.is_ascii_uppercase()
                    && next.is_some_and(|n| n.is_ascii_lowercase())
            }
        };
        words += usize::from(starts_word);
    }
    words > 0 && letters >= 3 * words
}

/// `self.key.0.as_ref`: a field or method path in code.
fn is_code_path(value: &str) -> bool {
    value.contains('.')
        && value.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
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

/// `pass%5B%7F`: URL-encoded text.
fn is_percent_encoded(value: &str) -> bool {
    value.match_indices('%').any(|(at, _)| value.get(at + 1..at + 3).is_some_and(is_hex))
}

fn is_hex(value: &str) -> bool {
    value.len().is_multiple_of(2) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `123e4567-e89b-12d3-a456-426614174000`: an identifier, not a credential.
pub fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|group| group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `config2.toml`, `id_rsa.pub`: a file name, not its content.
fn is_file_name(value: &str) -> bool {
    value.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (2..=4).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_lowercase())
    })
}

/// True for base64 or hex that decodes to readable text: test vectors such as
/// `dGhlIHNhbXBsZSBub25jZQ==` ("the sample nonce"). Random bytes, which is what a key
/// is, almost never decode to text.
pub fn decodes_to_text(value: &str) -> bool {
    let bytes = if is_hex(value) { decode_hex(value) } else { decode_base64(value) };
    bytes.is_some_and(|bytes| {
        let printable = bytes.iter().filter(|b| b.is_ascii_graphic() || **b == b' ').count();
        bytes.len() >= 4 && printable * 10 >= bytes.len() * 9
    })
}

fn decode_hex(value: &str) -> Option<Vec<u8>> {
    (0..value.len()).step_by(2).map(|i| u8::from_str_radix(&value[i..i + 2], 16).ok()).collect()
}

/// Standard or URL-safe base64, padded or not.
fn decode_base64(value: &str) -> Option<Vec<u8>> {
    let digits = value.trim_end_matches('=');
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for byte in digits.bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
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
    fn encoded_text_is_not_random() {
        assert!(decodes_to_text("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(decodes_to_text("48656c6c6f20776f726c64"));
        assert!(!decodes_to_text("q8Vn2LmZ0cXr4TbPw9Ke"));
    }

    #[test]
    fn sequences_and_uuids_are_not_random() {
        assert!(is_sequence("0123456789abcdef"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_random_secret("api_key", "0123456789abcdef"));
    }
}
