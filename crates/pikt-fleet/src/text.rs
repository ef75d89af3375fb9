//! Text helpers shared by the host side and the master: unified diffs
//! (`piktc -f`, dry runs of `-e`), and plural counts.

use similar::TextDiff;

/// The unified diff from `old` to `new` with three lines of context, under
/// `--- old_name` / `+++ new_name` headers; empty when they are equal.
pub fn unified_diff(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// `1 file`, `2 files`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_and_counts() {
        assert_eq!(unified_diff("a\n", "a\n", "x", "y"), "");
        assert_eq!(
            unified_diff("a\nb\n", "a\nc\n", "old", "new"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"
        );
        assert_eq!(count(1, "error"), "1 error");
        assert_eq!(count(3, "host"), "3 hosts");
    }
}
