//! "Did you mean": the closest of several names to one that was not found.

/// The candidate closest to `wanted` by edit distance, if any is close enough to be a
/// likely typo or a renamed heading: at most about a third of the characters differ, or
/// one name contains the other. Ties go to the earliest candidate.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    let wanted_chars: Vec<char> = wanted.chars().collect();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let lower = candidate.to_lowercase();
        let chars: Vec<char> = lower.chars().collect();
        let distance = levenshtein(&wanted_chars, &chars);
        let longest = wanted_chars.len().max(chars.len());
        let contains = !wanted.is_empty()
            && !lower.is_empty()
            && (lower.contains(&wanted) || wanted.contains(&lower));
        if (distance * 3 <= longest || contains)
            && best.is_none_or(|(shortest, _)| distance < shortest)
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Edit distance with one row of memory.
fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_edits() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        assert_eq!(levenshtein(&chars("kitten"), &chars("sitting")), 3);
        assert_eq!(levenshtein(&chars(""), &chars("abc")), 3);
        assert_eq!(levenshtein(&chars("same"), &chars("same")), 0);
    }

    #[test]
    fn suggests_close_names_only() {
        let anchors = ["installation", "getting-started", "error-handling", "faq"];
        assert_eq!(nearest("instalation", anchors), Some("installation"));
        assert_eq!(nearest("Getting-Started", anchors), Some("getting-started"));
        assert_eq!(nearest("errors", anchors), None);
        assert_eq!(nearest("error", anchors), Some("error-handling"));
        assert_eq!(nearest("xyz", anchors), None);
    }
}
