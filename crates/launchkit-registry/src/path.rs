//! Where a crate's file lives in an index: cargo's layout by name length.

/// The index path of `name`: `1/a`, `2/ab`, `3/a/abc`, `ab/cd/abcd...`, all lowercase.
///
/// ```
/// use launchkit_registry::index_path;
///
/// assert_eq!(index_path("a"), "1/a");
/// assert_eq!(index_path("cc"), "2/cc");
/// assert_eq!(index_path("Syn"), "3/s/syn");
/// assert_eq!(index_path("launchkit-registry"), "la/un/launchkit-registry");
/// ```
pub fn index_path(name: &str) -> String {
    let name = name.to_lowercase();
    match name.len() {
        0 => String::new(),
        _ => format!("{}/{name}", prefix(&name)),
    }
}

/// The index folders of `name`, in its own case: `1`, `2`, `3/a`, `ab/cd`.
pub(crate) fn prefix(name: &str) -> String {
    match name.len() {
        0 => String::new(),
        1 => "1".to_owned(),
        2 => "2".to_owned(),
        3 => format!("3/{}", &name[..1]),
        _ => format!("{}/{}", &name[..2], &name[2..4]),
    }
}

/// `text` as one URL path segment or query value: every byte but the unreserved
/// characters of RFC 3986 (`A-Z a-z 0-9 - . _ ~`) percent-encoded.
///
/// ```
/// assert_eq!(launchkit_registry::percent_encode("group/app v1"), "group%2Fapp%20v1");
/// ```
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::index_path;

    #[test]
    fn paths_follow_the_length_rules_in_lowercase() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("cc"), "2/cc");
        assert_eq!(index_path("syn"), "3/s/syn");
        assert_eq!(index_path("serde"), "se/rd/serde");
        assert_eq!(index_path("Inflector"), "in/fl/inflector");
        assert_eq!(index_path("my-crate_x"), "my/-c/my-crate_x");
    }
}
