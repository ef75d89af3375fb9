//! Breaking text into fields: input lines for `dat` variables (per the
//! script's `seps`) and `#split()`.
//!
//! Fields are recorded as byte ranges into the text, in a vector the caller
//! reuses, so splitting a line allocates nothing once the vector has grown.
//!
//! Rules (reference §4.3; decided): with no separators given, fields are
//! separated by runs of blanks (space, tab, and the other ASCII white-space
//! characters) and leading or trailing blanks make no empty field, as in awk.
//! With explicit separators every separator character ends a field, so two
//! adjacent separators make an empty field (`a::b` with `seps ":"` has three
//! fields), as `/etc/passwd`-like input needs. Empty text has no fields.

/// Splits `text` into `fields` (cleared first): by blanks when `seps` is
/// `None`, else at every character of `seps`.
pub fn split_fields(text: &str, seps: Option<&str>, fields: &mut Vec<(usize, usize)>) {
    fields.clear();
    match seps {
        None | Some("") => split_blanks(text, fields),
        Some(seps) => split_at_chars(text, seps, fields),
    }
}

fn split_blanks(text: &str, fields: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if i >= bytes.len() {
            break;
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
            i += 1;
        }
        fields.push((start, i));
    }
}

fn split_at_chars(text: &str, seps: &str, fields: &mut Vec<(usize, usize)>) {
    if text.is_empty() {
        return;
    }
    let mut start = 0;
    if let [sep] = seps.as_bytes() {
        for at in memchr::memchr_iter(*sep, text.as_bytes()) {
            fields.push((start, at));
            start = at + 1;
        }
    } else {
        for (at, c) in text.char_indices() {
            if seps.contains(c) {
                fields.push((start, at));
                start = at + c.len_utf8();
            }
        }
    }
    fields.push((start, text.len()));
}

/// Characters `from..=to` (1-based, inclusive) of `text`, trimmed of blanks
/// (the `dat $x m-n` column form). Columns past the end give what is there.
pub fn columns(text: &str, from: u32, to: u32) -> &str {
    let from = from.max(1) as usize - 1;
    let to = to as usize;
    if to <= from {
        return "";
    }
    let mut indices = text.char_indices().map(|(i, _)| i);
    let start = indices.nth(from).unwrap_or(text.len());
    let end = text
        .char_indices()
        .map(|(i, _)| i)
        .nth(to)
        .unwrap_or(text.len());
    text.get(start..end.max(start)).unwrap_or("").trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'t>(text: &'t str, seps: Option<&str>) -> Vec<&'t str> {
        let mut ranges = Vec::new();
        split_fields(text, seps, &mut ranges);
        ranges.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn blanks_collapse_and_leading_blanks_are_ignored() {
        assert_eq!(
            fields("   34 root /usr/lib/sendmail", None),
            ["34", "root", "/usr/lib/sendmail"]
        );
        assert_eq!(fields("a\t\tb  ", None), ["a", "b"]);
        assert!(fields("   ", None).is_empty());
    }

    #[test]
    fn explicit_separators_make_empty_fields() {
        assert_eq!(
            fields("root:x:0::/root", Some(":")),
            ["root", "x", "0", "", "/root"]
        );
        assert_eq!(fields("a,b;c", Some(",;")), ["a", "b", "c"]);
        assert_eq!(fields(":a:", Some(":")), ["", "a", ""]);
        assert_eq!(fields("é:ü", Some(":")), ["é", "ü"]);
        assert_eq!(fields("aéb", Some("é")), ["a", "b"]);
        assert!(fields("", Some(":")).is_empty());
    }

    #[test]
    fn columns_are_one_based_inclusive_and_trimmed() {
        assert_eq!(columns("Jan 12 10:00 host", 1, 3), "Jan");
        assert_eq!(columns("Jan 12 10:00 host", 4, 7), "12");
        assert_eq!(columns("abc", 2, 10), "bc");
        assert_eq!(columns("abc", 5, 9), "");
        assert_eq!(columns("abc", 3, 2), "");
    }
}
