//! Secrets that git history added, for a repository about to go public: a secret deleted
//! from the files is still readable in every clone.
//!
//! The input is the output of [`LOG_ARGS`] (`git log -p` with no context lines), in which
//! every hunk header says how many lines it adds, so added lines are read by count and a
//! line that happens to start with `+++` is never mistaken for a file header.

use super::files::is_lock_file;
use super::{Scanner, Secret};

/// The arguments of `git log` whose output [`scan_log`] reads: every ref, patches without
/// context, commit lines of a fixed form, no colour, no external diff tool.
pub const LOG_ARGS: &[&str] = &[
    "-c",
    "core.quotePath=false",
    "log",
    "--all",
    "-p",
    "--unified=0",
    "--no-color",
    "--no-ext-diff",
    "--format=commit %H",
];

/// The lines one commit added to one file, borrowed from the log: a whole history's
/// patches can be large, and are not copied line by line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Addition<'log> {
    /// The commit's hash.
    commit: &'log str,
    /// The file, as named after the commit.
    path: &'log str,
    /// Each added line with its 1-based line number in the file after the commit.
    lines: Vec<(u32, &'log str)>,
}

/// Every addition in `log`, in log order.
fn additions(log: &str) -> Vec<Addition<'_>> {
    let mut out: Vec<Addition> = Vec::new();
    let mut commit = "";
    let mut path: Option<&str> = None;
    let mut lines = log.lines();
    while let Some(line) = lines.next() {
        if let Some(hash) = line.strip_prefix("commit ") {
            commit = hash.trim();
        } else if let Some(target) = line.strip_prefix("+++ ") {
            path = target.trim_matches('"').strip_prefix("b/");
        } else if let (Some(header), Some(path)) = (line.strip_prefix("@@ "), path) {
            let Some((mut number, added)) = added_range(header) else {
                continue;
            };
            let removed = removed_count(header);
            let new = out.last().is_none_or(|last| last.commit != commit || last.path != path);
            if new && added > 0 {
                out.push(Addition { commit, path, lines: Vec::new() });
            }
            let mut remaining_added = added;
            let mut remaining_removed = removed;
            while remaining_added + remaining_removed > 0 {
                let Some(body) = lines.next() else { break };
                if let Some(text) = body.strip_prefix('+') {
                    remaining_added = remaining_added.saturating_sub(1);
                    if let Some(last) = out.last_mut() {
                        last.lines.push((number, text));
                    }
                    number += 1;
                } else if body.starts_with('-') {
                    remaining_removed = remaining_removed.saturating_sub(1);
                }
                // `\ No newline at end of file` counts as neither.
            }
        }
    }
    out
}

/// The secrets added anywhere in `log`, each with the commit that added it. Lock files
/// are skipped, as in the working tree.
pub fn scan_log(scanner: &Scanner, log: &str) -> Vec<Secret> {
    let mut found = Vec::new();
    for addition in additions(log).iter().filter(|addition| !is_lock_file(addition.path)) {
        let text: Vec<&str> = addition.lines.iter().map(|(_, text)| *text).collect();
        for mut secret in scanner.scan(addition.path, &text.join("\n")) {
            // Lines of the joined text map back to the file's line numbers.
            secret.line = addition.lines[secret.line as usize - 1].0;
            secret.commit = Some(addition.commit.chars().take(12).collect());
            found.push(secret);
        }
    }
    found
}

/// `+12,3` in `-5,0 +12,3 @@`: the first added line and how many lines are added.
fn added_range(header: &str) -> Option<(u32, u32)> {
    let range = header.split_whitespace().find_map(|part| part.strip_prefix('+'))?;
    parse_range(range)
}

/// `-5,2` in `-5,2 +12,3 @@`: how many lines are removed.
fn removed_count(header: &str) -> u32 {
    let range = header.split_whitespace().find_map(|part| part.strip_prefix('-'));
    range.and_then(parse_range).map_or(0, |(_, count)| count)
}

/// `12,3` is 3 lines from line 12; `12` is one line.
fn parse_range(range: &str) -> Option<(u32, u32)> {
    match range.split_once(',') {
        Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
        None => Some((range.parse().ok()?, 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "commit 1111111111111111111111111111111111111111\n\
diff --git a/a.txt b/a.txt\n\
new file mode 100644\n\
--- /dev/null\n\
+++ b/a.txt\n\
@@ -0,0 +1,2 @@\n\
+first\n\
+++ looks like a header\n\
commit 2222222222222222222222222222222222222222\n\
diff --git a/a.txt b/a.txt\n\
--- a/a.txt\n\
+++ b/a.txt\n\
@@ -1 +1 @@\n\
-first\n\
+changed\n\
@@ -3,0 +4 @@\n\
+fourth\n";

    #[test]
    fn additions_are_read_by_count() {
        let found = additions(LOG);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "a.txt");
        assert_eq!(found[0].lines, vec![(1, "first"), (2, "++ looks like a header")]);
        assert_eq!(found[1].commit, "2222222222222222222222222222222222222222");
        assert_eq!(found[1].lines, vec![(1, "changed"), (4, "fourth")]);
    }
}
