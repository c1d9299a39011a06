//! Which branches a release may be cut from: `branches` entries are names or patterns
//! where `*` stands for any run of characters (`hotfix/*` takes every hotfix branch).

use super::Environment;

impl Environment {
    /// Whether a release may be cut from `branch`: some entry of `branches` matches it.
    pub fn allows_branch(&self, branch: &str) -> bool {
        self.branches.iter().any(|pattern| matches(pattern, branch))
    }

    /// The first entry of `branches` that names one branch, the one fixes merge back to.
    pub fn main_branch(&self) -> &str {
        let mut names = self.branches.iter().filter(|entry| !entry.contains('*'));
        names.next().map_or("main", String::as_str)
    }
}

/// Whether `name` matches `pattern`, where `*` matches any run of characters, `/`
/// included, and every other character only itself.
fn matches(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let mut middle: Vec<&str> = parts.collect();
    let Some(last) = middle.pop() else {
        return rest.is_empty();
    };
    // With `*` the only wildcard, taking each middle part at its first place leaves the
    // most room for the rest, so no backtracking is needed.
    for part in middle {
        let Some(at) = rest.find(part) else {
            return false;
        };
        rest = &rest[at + part.len()..];
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn names_match_only_themselves() {
        assert!(matches("main", "main"));
        assert!(!matches("main", "mainline"));
        assert!(!matches("main", "ma"));
        assert!(!matches("", "main"));
    }

    #[test]
    fn a_star_matches_any_run_of_characters() {
        assert!(matches("hotfix/*", "hotfix/1.2.4"));
        assert!(matches("hotfix/*", "hotfix/"));
        assert!(matches("hotfix/*", "hotfix/1.x/urgent"));
        assert!(!matches("hotfix/*", "hotfix-1.2.4"));
        assert!(!matches("hotfix/*", "hotfix"));
        assert!(!matches("hotfix/*", "my/hotfix/1.2.4"));
        assert!(matches("*", "anything/at/all"));
        assert!(matches("release-*-lts", "release-2-lts"));
        assert!(!matches("release-*-lts", "release-2-lts-old"));
        assert!(matches("*-lts", "1.x-lts"));
        assert!(matches("a*b*c", "abbc"));
        assert!(matches("a*ab", "aab"));
        assert!(!matches("a*ab", "ab"));
        assert!(matches("**", ""));
    }
}
