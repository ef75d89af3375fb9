//! Stripping `//` and `/* */` meta-comments.
//!
//! PIKT strips both kinds everywhere outside `#fix` regions and `#verbatim`
//! content, even inside quoted strings. A backslash right before `//` or `/*`
//! escapes it: the backslash is dropped and the two characters stay as text
//! (`http:\//host` gives `http://host`). `/* */` does not nest and may span
//! lines, so the caller keeps the "inside a comment" state between lines.

use std::ops::Range;

/// What is left of one line.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Stripped {
    /// The byte ranges of the line that are text, in order.
    pub kept: Vec<Range<usize>>,
    /// True when any comment (or comment continuation) was removed.
    pub had_comment: bool,
    /// True when the line ends inside a comment (so trailing blanks before
    /// it are dropped too).
    pub ends_in_comment: bool,
}

/// Strips the comments of `line` (without its newline). `open` holds the
/// absolute offset of an unclosed `/*` from earlier lines and is updated;
/// `line_start` is the absolute offset of the line.
pub(crate) fn strip_line(line: &str, open: &mut Option<usize>, line_start: usize) -> Stripped {
    let bytes = line.as_bytes();
    let mut out = Stripped::default();
    let mut i = 0;
    let mut seg_start = 0;
    while i <= bytes.len() {
        if open.is_some() {
            out.had_comment = true;
            let rest = bytes.get(i..).unwrap_or(&[]);
            match memchr::memmem::find(rest, b"*/") {
                Some(k) => {
                    *open = None;
                    i += k + 2;
                    seg_start = i;
                }
                None => {
                    out.ends_in_comment = true;
                    return out;
                }
            }
            continue;
        }
        let rest = bytes.get(i..).unwrap_or(&[]);
        let Some(k) = memchr::memchr(b'/', rest) else {
            break;
        };
        let j = i + k;
        let next = bytes.get(j + 1).copied();
        if next != Some(b'/') && next != Some(b'*') {
            i = j + 1;
            continue;
        }
        if j > seg_start && bytes.get(j - 1) == Some(&b'\\') {
            push_range(&mut out.kept, seg_start..j - 1);
            seg_start = j;
            i = j + 2;
            continue;
        }
        push_range(&mut out.kept, seg_start..j);
        out.had_comment = true;
        if next == Some(b'/') {
            out.ends_in_comment = true;
            return out;
        }
        *open = Some(line_start + j);
        i = j + 2;
        seg_start = i;
    }
    push_range(&mut out.kept, seg_start..bytes.len());
    out
}

fn push_range(kept: &mut Vec<Range<usize>>, range: Range<usize>) {
    if range.start < range.end {
        kept.push(range);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(line: &str, open: &mut Option<usize>) -> String {
        let s = strip_line(line, open, 100);
        s.kept.iter().map(|r| &line[r.clone()]).collect()
    }

    #[test]
    fn line_comment_runs_to_end_of_line() {
        let mut open = None;
        assert_eq!(kept("a // b", &mut open), "a ");
        assert_eq!(open, None);
    }

    #[test]
    fn block_comment_inside_a_line() {
        let mut open = None;
        assert_eq!(kept("a/* x */b", &mut open), "ab");
    }

    #[test]
    fn block_comment_spans_lines_and_does_not_nest() {
        let mut open = None;
        assert_eq!(kept("a /* x", &mut open), "a ");
        assert_eq!(open, Some(102));
        assert_eq!(kept("in /* still", &mut open), "");
        assert_eq!(kept("x */ b */ c", &mut open), " b */ c");
        assert_eq!(open, None);
    }

    #[test]
    fn backslash_escapes_comment_openers() {
        let mut open = None;
        assert_eq!(kept("http:\\//host", &mut open), "http://host");
        assert_eq!(kept("a \\/* b", &mut open), "a /* b");
        assert_eq!(kept("s/\\/x/y/", &mut open), "s/\\/x/y/");
    }

    #[test]
    fn comment_marks_are_stripped_inside_quotes_too() {
        let mut open = None;
        assert_eq!(kept("\"http://x\"", &mut open), "\"http:");
    }

    #[test]
    fn lone_slashes_and_stars_are_text() {
        let mut open = None;
        assert_eq!(kept("a / b * c */", &mut open), "a / b * c */");
    }
}
