//! `mailto:` links: each address must at least look like `local@domain`.

use launchkit_report::Finding;

use crate::local::percent_decode;

/// Checks the syntax of a `mailto:` link: each address is `local@domain`.
pub fn check(dest: &str) -> Option<Finding> {
    let rest = &dest["mailto:".len()..];
    let (to, query) = rest.split_once('?').unwrap_or((rest, ""));
    let to = percent_decode(to);
    let valid = if to.is_empty() {
        !query.is_empty()
    } else {
        to.split(',').all(|address| is_address(address.trim()))
    };
    (!valid).then(|| {
        Finding::error(format!("`{dest}` is not a valid email address"))
            .rule("links::mailto")
            .fix("write it as `mailto:name@example.com`")
    })
}

fn is_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let label_ok = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    !local.is_empty() && !local.contains(char::is_whitespace) && domain.split('.').all(label_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_mailto_syntax() {
        for good in [
            "mailto:a@b.org",
            "mailto:a.b+c@x-y.example.com?subject=hi",
            "mailto:a@b,c@d",
            "mailto:?to=a@b",
            "mailto:jo%40home@x.org",
        ] {
            assert_eq!(check(good), None, "{good}");
        }
        for bad in [
            "mailto:",
            "mailto:nobody",
            "mailto:@x.org",
            "mailto:a@",
            "mailto:a@-x.org",
            "mailto:a b@x.org",
            "mailto:a@x..org",
        ] {
            assert!(check(bad).is_some(), "{bad}");
        }
    }
}
