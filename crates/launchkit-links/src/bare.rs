//! Bare URLs in text, which GitHub turns into links: GFM's autolink literals
//! (`https://...`, `http://...` and `www....`), with its rules for where one starts and
//! which trailing characters are not part of it.

/// Each bare URL in `text` as (byte offset, URL); `www.` ones get `http://` in front,
/// as GitHub does.
pub fn urls(text: &str) -> Vec<(usize, String)> {
    // Substring search is fast; most text holds neither marker.
    let mut starts: Vec<usize> = text
        .match_indices("://")
        .filter_map(|(at, _)| {
            let scheme = &text[..at];
            ["https", "http"]
                .iter()
                .find(|name| scheme.ends_with(**name))
                .map(|name| at - name.len())
        })
        .chain(text.match_indices("www.").map(|(at, _)| at))
        .collect();
    starts.sort_unstable();
    let mut found = Vec::new();
    let mut taken = 0;
    for start in starts {
        if start < taken {
            continue;
        }
        if let Some(url) = url_at(text, start) {
            taken = start + url.len();
            let full =
                if url.starts_with("www.") { format!("http://{url}") } else { url.to_owned() };
            found.push((start, full));
        }
    }
    found
}

/// The autolink literal starting at `start`, if GFM accepts one there.
fn url_at(text: &str, start: usize) -> Option<&str> {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| !c.is_whitespace() && !matches!(c, '*' | '_' | '~' | '(')) {
        return None;
    }
    let candidate = &text[start..];
    let prefix_len = ["https://", "http://", "www."]
        .iter()
        .find(|prefix| candidate.starts_with(**prefix))?
        .len();
    let end = candidate.find(|c: char| c.is_whitespace() || c == '<').unwrap_or(candidate.len());
    let url = trim_trailing(&candidate[..end]);
    let domain =
        url.get(prefix_len..).filter(|rest| !rest.is_empty())?.split(['/', '?', '#']).next()?;
    valid_domain(domain.split(':').next().unwrap_or(domain)).then_some(url)
}

/// Drops what GFM says ends a sentence rather than a URL: trailing punctuation, a `)`
/// without its `(`, and an entity reference such as `&amp;`.
fn trim_trailing(mut url: &str) -> &str {
    loop {
        let before = url.len();
        url = url.trim_end_matches(['?', '!', '.', ',', ':', '*', '_', '~', '\'', '"']);
        if url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
            url = &url[..url.len() - 1];
        }
        let entity = url.strip_suffix(';').and_then(|rest| rest.rfind('&'));
        if let Some(amp) = entity
            .filter(|&amp| url[amp + 1..url.len() - 1].chars().all(|c| c.is_ascii_alphanumeric()))
        {
            url = &url[..amp];
        }
        if url.len() == before {
            return url;
        }
    }
}

/// Segments of letters, digits, `_` and `-` joined by at least one `.`, with no `_` in
/// the last two segments (GFM's "valid domain"). `localhost` and IP addresses qualify
/// when they contain a dot.
fn valid_domain(domain: &str) -> bool {
    let segments: Vec<&str> = domain.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|s| {
            !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
        && segments.iter().rev().take(2).all(|s| !s.contains('_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        urls(text).into_iter().map(|(_, url)| url).collect()
    }

    #[test]
    fn finds_urls_and_www_names() {
        assert_eq!(
            found("see https://a.org/x and www.b.com."),
            ["https://a.org/x", "http://www.b.com"]
        );
        assert_eq!(found("http://127.0.0.1:7878/sleep"), ["http://127.0.0.1:7878/sleep"]);
        assert_eq!(urls("ab (https://c.org)")[0], (4, "https://c.org".to_owned()));
    }

    #[test]
    fn trims_what_ends_the_sentence() {
        assert_eq!(
            found("(see https://a.org/wiki/Foo_(bar)), ok?"),
            ["https://a.org/wiki/Foo_(bar)"]
        );
        assert_eq!(found("https://a.org/?q=1&amp; x"), ["https://a.org/?q=1"]);
        assert_eq!(found("https://a.org/path!?"), ["https://a.org/path"]);
    }

    #[test]
    fn needs_a_boundary_before_and_a_real_domain() {
        assert_eq!(found("xhttps://a.org thehttp://b.org"), Vec::<String>::new());
        assert_eq!(found("https://localhost/ www.x https://a_b.c_d"), Vec::<String>::new());
        assert_eq!(found("swww.a.org"), Vec::<String>::new());
    }
}
