//! Unified diffs of planned file edits, for dry runs.
//!
//! Myers' shortest edit script over lines. The edits launchkit plans change a handful of
//! lines, so the search ends after a few rounds whatever the file's size; past
//! [`MAX_EDITS`] it stops and shows the whole file replaced, which is still correct.

use std::fmt::Write;

/// Lines of context around each change, as `diff -u` shows.
const CONTEXT: usize = 3;
/// Beyond this many inserted plus deleted lines the diff is not worth searching for.
const MAX_EDITS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// `before` and `after` of `path` as a unified diff; empty when they are equal.
pub fn unified(path: &str, before: &str, after: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let script = edit_script(&a, &b);
    if script.iter().all(|(op, _, _)| *op == Op::Keep) {
        return String::new();
    }
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, (op, _, _))| *op != Op::Keep)
        .map(|(at, _)| at)
        .collect();
    let mut index = 0;
    while index < changed.len() {
        // Grow the hunk while the next change is close enough to share context.
        let start = changed[index].saturating_sub(CONTEXT);
        let mut end = changed[index];
        while index + 1 < changed.len() && changed[index + 1] <= end + 2 * CONTEXT + 1 {
            index += 1;
            end = changed[index];
        }
        let end = (end + CONTEXT + 1).min(script.len());
        hunk(&mut out, &script[start..end], &a, &b);
        index += 1;
    }
    out
}

fn hunk(out: &mut String, ops: &[(Op, usize, usize)], a: &[&str], b: &[&str]) {
    let (_, a_start, b_start) = ops[0];
    let a_len = ops.iter().filter(|(op, _, _)| *op != Op::Insert).count();
    let b_len = ops.iter().filter(|(op, _, _)| *op != Op::Delete).count();
    // An empty side is numbered by the line before it, as diff does.
    let number = |start: usize, len: usize| if len == 0 { start } else { start + 1 };
    let _ = writeln!(
        out,
        "@@ -{},{a_len} +{},{b_len} @@",
        number(a_start, a_len),
        number(b_start, b_len)
    );
    for (op, x, y) in ops {
        let _ = match op {
            Op::Keep => writeln!(out, " {}", a[*x]),
            Op::Delete => writeln!(out, "-{}", a[*x]),
            Op::Insert => writeln!(out, "+{}", b[*y]),
        };
    }
}

/// Each step as `(op, line of a, line of b)`: the position in both files before the op.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<(Op, usize, usize)> {
    let Some(trace) = shortest_edit(a, b) else {
        let deletes = (0..a.len()).map(|x| (Op::Delete, x, 0));
        return deletes.chain((0..b.len()).map(|y| (Op::Insert, a.len(), y))).collect();
    };
    let (mut x, mut y) = (a.len() as isize, b.len() as isize);
    let mut script = Vec::new();
    for (d, v) in trace.iter().enumerate().rev() {
        let d = d as isize;
        let k = x - y;
        let at = |k: isize| v[(k + d + 1) as usize];
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) { k + 1 } else { k - 1 };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            script.push((Op::Keep, x as usize, y as usize));
        }
        if d > 0 {
            let op = if x == prev_x { Op::Insert } else { Op::Delete };
            script.push((op, prev_x as usize, prev_y as usize));
        }
        (x, y) = (prev_x, prev_y);
    }
    script.reverse();
    script
}

/// The furthest-reaching x per diagonal before each round d, each as the window of
/// diagonals -(d+1)..=d+1; `None` past [`MAX_EDITS`].
fn shortest_edit(a: &[&str], b: &[&str]) -> Option<Vec<Vec<isize>>> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (a.len() + b.len()).min(MAX_EDITS) as isize;
    let offset = max + 1;
    let mut v = vec![0isize; 2 * offset as usize + 1];
    let mut trace = Vec::new();
    for d in 0..=max {
        trace.push(v[(offset - d - 1) as usize..=(offset + d + 1) as usize].to_vec());
        for k in (-d..=d).step_by(2) {
            let at = |k: isize| (offset + k) as usize;
            let mut x = if k == -d || (k != d && v[at(k - 1)] < v[at(k + 1)]) {
                v[at(k + 1)]
            } else {
                v[at(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[at(k)] = x;
            if x >= n && y >= m {
                return Some(trace);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("f", "a\nb\n", "a\nb\n"), "");
        assert_eq!(unified("f", "", ""), "");
    }

    #[test]
    fn changes_far_apart_make_separate_hunks() {
        let before: String = (1..=20).map(|n| format!("{n}\n")).collect();
        let after = before.replacen("\n2\n", "\ntwo\n", 1).replacen("18\n", "18\n18b\n", 1);
        let expected = "--- a/f\n+++ b/f\n\
            @@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n\
            @@ -16,5 +16,6 @@\n 16\n 17\n 18\n+18b\n 19\n 20\n";
        assert_eq!(unified("f", &before, &after), expected);
    }

    #[test]
    fn whole_files_appear_and_disappear() {
        assert_eq!(unified("f", "", "a\n"), "--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+a\n");
        assert_eq!(unified("f", "a\nb\n", ""), "--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n");
    }

    #[test]
    fn the_script_is_shortest() {
        let script =
            edit_script(&["a", "b", "c", "a", "b", "b", "a"], &["c", "b", "a", "b", "a", "c"]);
        assert_eq!(script.iter().filter(|(op, _, _)| *op != Op::Keep).count(), 5);
    }
}
