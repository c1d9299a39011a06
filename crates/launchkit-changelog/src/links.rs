//! The link patterns changelogs use to point at a release's changes: compare links
//! (`.../compare/v1.0.0...v1.1.0`) and tag pages (`.../releases/tag/v1.0.0`), and the tag
//! names inside them (`v1.1.0`, `1.1.0`, `my-crate-v1.1.0`).

use crate::Version;

/// `{base}/compare/{from}{dots}{to}`, as GitHub, GitLab and Gitea write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compare<'a> {
    /// Everything before `/compare/`.
    pub base: &'a str,
    /// The older side.
    pub from: &'a str,
    /// `...` or `..`.
    pub dots: &'a str,
    /// The newer side: a tag, or `HEAD` for `[Unreleased]`.
    pub to: &'a str,
}

/// Splits a compare URL into its parts.
pub(crate) fn compare(url: &str) -> Option<Compare<'_>> {
    let (base, range) = url.split_once("/compare/")?;
    let dots = if range.contains("...") { "..." } else { ".." };
    let (from, to) = range.split_once(dots)?;
    (!from.is_empty() && !to.is_empty()).then_some(Compare { base, from, dots, to })
}

/// The tag of a tag-page URL: `{base}/releases/tag/{tag}` or `{base}/tree/{tag}`.
pub(crate) fn tag_page(url: &str) -> Option<&str> {
    ["/releases/tag/", "/-/tags/", "/tree/"]
        .iter()
        .find_map(|marker| url.split_once(marker).map(|(_, tag)| tag))
}

/// The repository URL in front of a compare, commits, tag or tree link.
pub(crate) fn repo_base(url: &str) -> Option<&str> {
    [
        "/compare/",
        "/-/compare/",
        "/commits/",
        "/-/commits/",
        "/releases/",
        "/-/tags/",
        "/tree/",
        "/-/tree/",
    ]
    .iter()
    .find_map(|marker| url.split_once(marker).map(|(base, _)| base))
}

/// Splits a tag into the text before its version and the version: `my-crate-v1.2.0`
/// gives `my-crate-v` and 1.2.0. The version is the longest SemVer (or calendar, `24.03`)
/// suffix that does not start inside a number.
pub(crate) fn split_tag(tag: &str) -> Option<(&str, Version)> {
    tag.char_indices().find_map(|(at, c)| {
        let starts_number = c.is_ascii_digit()
            && !tag[..at].ends_with(|prev: char| prev.is_ascii_digit() || prev == '.');
        if !starts_number {
            return None;
        }
        let version =
            Version::parse(&tag[at..]).ok().or_else(|| crate::calendar_version(&tag[at..]));
        version.map(|version| (&tag[..at], version))
    })
}

/// True when `tag` is the tag of `version`, whatever its prefix.
pub(crate) fn tag_names(tag: &str, version: &Version) -> bool {
    split_tag(tag).is_some_and(|(_, tagged)| &tagged == version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn compare_links_split() {
        let link = compare("https://github.com/o/r/compare/v1.0.0...v1.1.0").unwrap();
        assert_eq!(
            (link.base, link.from, link.dots, link.to),
            ("https://github.com/o/r", "v1.0.0", "...", "v1.1.0")
        );
        assert_eq!(compare("https://gitlab.com/o/r/-/compare/1.0.0..HEAD").unwrap().to, "HEAD");
        assert_eq!(compare("https://github.com/o/r/commits/main"), None);
    }

    #[test]
    fn tags_name_versions_behind_any_prefix() {
        assert_eq!(split_tag("release-plz-v0.3.159"), Some(("release-plz-v", v("0.3.159"))));
        assert_eq!(split_tag("0.3.0-beta"), Some(("", v("0.3.0-beta"))));
        assert_eq!(split_tag("HEAD"), None);
        assert_eq!(split_tag("24.03"), Some(("", v("24.3.0"))));
        assert!(tag_names("v1.2.0", &v("1.2.0")));
        assert!(!tag_names("v11.2.0", &v("1.2.0")));
        assert_eq!(tag_page("https://github.com/o/r/releases/tag/0.2.1"), Some("0.2.1"));
        assert_eq!(
            repo_base("https://github.com/o/r/commits/main"),
            Some("https://github.com/o/r")
        );
    }
}
