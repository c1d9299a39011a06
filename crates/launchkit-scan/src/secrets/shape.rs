//! What a value looks like: identifiers, numbers, UUIDs, sequences, file names, and
//! encodings of readable text. Each shape is something a random credential is not.

/// `0123456789abcdef`, `abcdefgh`, or hex `000102030405...`: most neighbours are
/// consecutive characters or bytes.
pub(super) fn is_sequence(value: &str) -> bool {
    let consecutive = |bytes: &[u8]| {
        let steps = bytes.windows(2).filter(|pair| pair[1] == pair[0].wrapping_add(1)).count();
        steps * 2 >= bytes.len()
    };
    consecutive(value.as_bytes())
        || is_hex(value) && decode_hex(value).is_some_and(|bytes| consecutive(&bytes))
}

/// `1394u32`, `2048`, `0x7f_u8`: a number literal, with Rust's type suffixes.
pub(super) fn is_number(value: &str) -> bool {
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
pub(super) fn is_identifier(value: &str) -> bool {
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
pub(super) fn is_code_path(value: &str) -> bool {
    value.contains('.')
        && value.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// `pass%5B%7F`: URL-encoded text.
pub(super) fn is_percent_encoded(value: &str) -> bool {
    value.match_indices('%').any(|(at, _)| value.get(at + 1..at + 3).is_some_and(is_hex))
}

pub(super) fn is_hex(value: &str) -> bool {
    value.len().is_multiple_of(2) && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `123e4567-e89b-12d3-a456-426614174000`: an identifier, not a credential.
pub(super) fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups.iter().map(|group| group.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|group| group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `config2.toml`, `id_rsa.pub`: a file name, not its content.
pub(super) fn is_file_name(value: &str) -> bool {
    value.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && (2..=4).contains(&ext.len())
            && ext.bytes().all(|b| b.is_ascii_lowercase())
    })
}

/// True for base64 or hex that decodes to readable text: test vectors such as
/// `dGhlIHNhbXBsZSBub25jZQ==` ("the sample nonce"). Random bytes, which is what a key
/// is, almost never decode to text.
pub(super) fn decodes_to_text(value: &str) -> bool {
    let bytes = if is_hex(value) { decode_hex(value) } else { decode_base64(value) };
    bytes.is_some_and(|bytes| {
        let printable = bytes.iter().filter(|b| b.is_ascii_graphic() || **b == b' ').count();
        bytes.len() >= 4 && printable * 10 >= bytes.len() * 9
    })
}

pub(super) fn decode_hex(value: &str) -> Option<Vec<u8>> {
    (0..value.len()).step_by(2).map(|i| u8::from_str_radix(&value[i..i + 2], 16).ok()).collect()
}

/// Standard or URL-safe base64, padded or not.
pub(super) fn decode_base64(value: &str) -> Option<Vec<u8>> {
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
    fn encoded_text_is_not_random() {
        assert!(decodes_to_text("dGhlIHNhbXBsZSBub25jZQ=="));
        assert!(decodes_to_text("48656c6c6f20776f726c64"));
        assert!(!decodes_to_text("q8Vn2LmZ0cXr4TbPw9Ke"));
    }

    #[test]
    fn names_numbers_and_sequences_have_shapes() {
        assert!(is_sequence("0123456789abcdef") && is_sequence("000102030405060708090a0b0c0d0e0f"));
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        for name in ["Utf8SuffixKey", "KERB_CRYPTO_KEY32", "XMLHttpRequest2", "project-cache-v7"] {
            assert!(is_identifier(name), "{name}");
        }
        assert!(!is_identifier("q8Vn2LmZ0cXr4TbP"));
        assert!(is_number("1394u32") && is_number("0x7f_u8") && !is_number("3f2a9c0d"));
        assert!(is_code_path("self.key.0.as_ref") && !is_code_path("aB3.x9Q"));
        assert!(is_percent_encoded("pass%5B%7F"));
    }
}
