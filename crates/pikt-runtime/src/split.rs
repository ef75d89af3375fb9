//! Breaking text into fields: input lines for `dat` variables (per the
//! script's `seps`) and `#split()`.
//!
//! Fields are recorded as byte ranges into the text, in a vector the caller
//! reuses, so splitting a line allocates nothing once the vector has grown.
//! An input line's fields are found lazily ([`LineFields`]), only as far as
//! the `dat` variables read need; blanks are searched eight bytes at a time.
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
    let mut at = Some(0);
    while let Some(from) = at {
        let Some((field, next)) = next_field(text, seps, from) else {
            break;
        };
        fields.push(field);
        at = next;
    }
}

/// The field that starts the scan at byte `from`, and where the scan after
/// it starts (`None`: it was the last field). `None` when no field is left.
fn next_field(
    text: &str,
    seps: Option<&str>,
    from: usize,
) -> Option<((usize, usize), Option<usize>)> {
    match seps {
        None | Some("") => next_blank_field(text.as_bytes(), from),
        Some(seps) => next_separated_field(text, seps, from),
    }
}

/// The text from `from` to the next separator character (or the end).
/// Empty text has no field; text ending in a separator has an empty last
/// field.
fn next_separated_field(
    text: &str,
    seps: &str,
    from: usize,
) -> Option<((usize, usize), Option<usize>)> {
    if text.is_empty() || from > text.len() {
        return None;
    }
    let rest = text.get(from..)?;
    let found = if let [sep] = seps.as_bytes() {
        memchr::memchr(*sep, rest.as_bytes()).map(|at| (at, 1))
    } else {
        rest.char_indices()
            .find(|&(_, c)| seps.contains(c))
            .map(|(at, c)| (at, c.len_utf8()))
    };
    Some(match found {
        Some((at, width)) => ((from, from + at), Some(from + at + width)),
        None => ((from, text.len()), None),
    })
}

/// The fields of the current input line, found only as far as they are
/// asked for: a rule that reads `$1` and `$2` of a long line never scans
/// the rest. [`LineFields::reset`] starts a new line.
#[derive(Debug, Default)]
pub struct LineFields {
    found: Vec<(usize, usize)>,
    /// Where the scan goes on; `None` once the line is fully split.
    next: Option<usize>,
}

impl LineFields {
    /// Forgets the fields (a new line was read).
    pub fn reset(&mut self) {
        self.found.clear();
        self.next = Some(0);
    }

    /// The byte range of field `index` (0-based) of `text`, or `None` past
    /// the last field. `text` and `seps` must be the same until the next
    /// [`LineFields::reset`].
    #[inline]
    pub fn get(&mut self, text: &str, seps: Option<&str>, index: usize) -> Option<(usize, usize)> {
        self.get_ahead(text, seps, index, index)
    }

    /// [`LineFields::get`], and when the text must be scanned for it, the
    /// fields up to `ahead` (0-based) too, in the same scan: a script's
    /// `dat` fields are read one after the other, and one scan costs less
    /// than one per field.
    #[inline]
    pub fn get_ahead(
        &mut self,
        text: &str,
        seps: Option<&str>,
        index: usize,
        ahead: usize,
    ) -> Option<(usize, usize)> {
        if let Some(&field) = self.found.get(index) {
            return Some(field);
        }
        self.scan_to(text, seps, index.max(ahead));
        self.found.get(index).copied()
    }

    /// Finds fields until field `index` is found or the text ends.
    #[inline(never)]
    fn scan_to(&mut self, text: &str, seps: Option<&str>, index: usize) {
        match seps {
            None | Some("") => self.scan_blank_fields(text.as_bytes(), index),
            Some(_) => while self.found.len() <= index && self.scan_one(text, seps) {},
        }
    }

    /// The byte range of the last field of `text`.
    pub fn last(&mut self, text: &str, seps: Option<&str>) -> Option<(usize, usize)> {
        self.from_end(text, seps, 0)
    }

    /// The byte range of the field `back` places before the last one of
    /// `text` (`dat $-N`), or `None` when the line has too few fields.
    pub fn from_end(
        &mut self,
        text: &str,
        seps: Option<&str>,
        back: usize,
    ) -> Option<(usize, usize)> {
        match seps {
            None | Some("") => self.scan_blank_fields(text.as_bytes(), usize::MAX),
            Some(_) => while self.scan_one(text, seps) {},
        }
        let index = self.found.len().checked_sub(back.checked_add(1)?)?;
        self.found.get(index).copied()
    }

    /// The number of fields of `text` (all of it is split).
    pub fn count(&mut self, text: &str, seps: Option<&str>) -> usize {
        self.last(text, seps);
        self.found.len()
    }

    /// The byte range of the blank-separated field `back` places before the
    /// last one of `text`, found from the end without splitting the rest
    /// (nothing is recorded); `None` when `text` has `back` fields or fewer.
    pub fn blank_field_from_end(text: &str, back: usize) -> Option<(usize, usize)> {
        let bytes = text.as_bytes();
        let mut at = bytes.len();
        let mut left = back;
        loop {
            while at > 0 && bytes.get(at - 1).is_some_and(is_blank) {
                at -= 1;
            }
            if at == 0 {
                return None;
            }
            let end = at;
            while at > 0 && !bytes.get(at - 1).is_some_and(is_blank) {
                at -= 1;
            }
            if left == 0 {
                return Some((at, end));
            }
            left -= 1;
        }
    }

    /// Finds blank-separated fields until field `index` is found or the
    /// text ends, in one loop (the common case, run for every line).
    #[inline]
    fn scan_blank_fields(&mut self, bytes: &[u8], index: usize) {
        let Some(mut at) = self.next else {
            return;
        };
        while self.found.len() <= index {
            while bytes.get(at).is_some_and(is_blank) {
                at += 1;
            }
            if at >= bytes.len() {
                self.next = None;
                return;
            }
            let end = find_blank(bytes, at);
            self.found.push((at, end));
            at = end;
        }
        self.next = Some(at);
    }

    /// Finds one more field; `false` when there are no more.
    fn scan_one(&mut self, text: &str, seps: Option<&str>) -> bool {
        let Some(from) = self.next else {
            return false;
        };
        match next_field(text, seps, from) {
            Some((field, next)) => {
                self.found.push(field);
                self.next = next;
                true
            }
            None => {
                self.next = None;
                false
            }
        }
    }
}

/// True for the bytes that separate blank-split fields (ASCII white space,
/// as [`u8::is_ascii_whitespace`]), looked up in a table: this runs for
/// every byte of every input line.
static BLANK: [bool; 256] = {
    let mut table = [false; 256];
    table[b' ' as usize] = true;
    table[b'\t' as usize] = true;
    table[b'\n' as usize] = true;
    table[0x0c] = true;
    table[b'\r' as usize] = true;
    table
};

fn is_blank(byte: &u8) -> bool {
    BLANK.get(usize::from(*byte)).copied().unwrap_or(false)
}

/// A run of non-blanks at or after `from`.
fn next_blank_field(bytes: &[u8], from: usize) -> Option<((usize, usize), Option<usize>)> {
    let rest = bytes.get(from..)?;
    let start = from + rest.iter().position(|b| !is_blank(b))?;
    let end = find_blank(bytes, start);
    Some(((start, end), Some(end)))
}

/// Every byte of a word with this value.
const ONES: u64 = 0x0101_0101_0101_0101;

/// The position of the first blank at or after `from` (or the length).
///
/// Looks at eight bytes at a time: `(w - 0x21..) & !w & 0x80..` marks the
/// bytes below 0x21 (all blanks are), exactly for the lowest marked byte
/// (a borrow only reaches the bytes above a marked one); a marked byte that
/// is not a blank (a control character) is stepped over.
fn find_blank(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(chunk) = bytes
        .get(at..at + 8)
        .and_then(|c| <[u8; 8]>::try_from(c).ok())
    {
        let word = u64::from_le_bytes(chunk);
        let low = word.wrapping_sub(ONES * 0x21) & !word & (ONES * 0x80);
        if low == 0 {
            at += 8;
            continue;
        }
        let first = at + (low.trailing_zeros() / 8) as usize;
        if bytes.get(first).is_some_and(is_blank) {
            return first;
        }
        at = first + 1;
    }
    while let Some(byte) = bytes.get(at) {
        if is_blank(byte) {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

/// Characters `from..=to` (1-based, inclusive) of `text`, trimmed of blanks
/// (the `dat $x m-n` column form). Columns past the end give what is there.
pub fn columns(text: &str, from: u32, to: u32) -> &str {
    let (start, end) = column_range(text, from, to);
    text.get(start..end).unwrap_or("")
}

/// The byte range of [`columns`]`(text, from, to)` within `text`.
pub fn column_range(text: &str, from: u32, to: u32) -> (usize, usize) {
    let from = from.max(1) as usize - 1;
    let to = to as usize;
    if to <= from {
        return (0, 0);
    }
    let mut indices = text.char_indices().map(|(i, _)| i);
    let start = indices.nth(from).unwrap_or(text.len());
    let end = text
        .char_indices()
        .map(|(i, _)| i)
        .nth(to)
        .unwrap_or(text.len())
        .max(start);
    let Some(slice) = text.get(start..end) else {
        return (0, 0);
    };
    let leading = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    (start + leading, start + leading + trimmed.len())
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
        assert_eq!(columns("  ab  cd ", 1, 5), "ab");
        assert_eq!(column_range("  ab  cd ", 1, 5), (2, 4));
        assert_eq!(columns("é ü", 3, 3), "ü");
    }

    /// Every field, one at a time through [`LineFields::get`].
    fn lazily<'t>(text: &'t str, seps: Option<&str>) -> Vec<&'t str> {
        let mut fields = LineFields::default();
        fields.reset();
        (0..)
            .map_while(|i| fields.get(text, seps, i))
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn lazy_fields_agree_with_a_full_split() {
        for (text, seps) in [
            ("   34 root /usr/lib/sendmail", None),
            ("a\t\tb  ", None),
            ("   ", None),
            ("", None),
            ("root:x:0::/root", Some(":")),
            (":a:", Some(":")),
            ("a,b;c", Some(",;")),
            ("aéb", Some("é")),
            ("", Some(":")),
        ] {
            assert_eq!(lazily(text, seps), fields(text, seps), "{text:?} {seps:?}");
        }
    }

    #[test]
    fn blanks_are_found_among_long_words_and_control_characters() {
        let line = "alpha\u{1}beta\u{7}gamma-delta-epsilon\tzeta  \u{e9}t\u{e9}-long-word-here x";
        let expected: Vec<&str> = line.split_ascii_whitespace().collect();
        assert_eq!(fields(line, None), expected);
        assert_eq!(lazily(line, None), expected);
        for from in 0..line.len() {
            let at = find_blank(line.as_bytes(), from);
            let slow = line.as_bytes()[from..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(line.len(), |p| from + p);
            assert_eq!(at, slow, "from {from}");
        }
    }

    #[test]
    fn fields_from_the_end_agree_with_a_full_split() {
        for text in ["a b c d", "  a\tbb  ccc ", "x", "", "   ", "p q"] {
            let all = fields(text, None);
            for back in 0..6 {
                let expected = all.len().checked_sub(back + 1).map(|i| all[i]);
                let found = LineFields::blank_field_from_end(text, back).map(|(s, e)| &text[s..e]);
                assert_eq!(found, expected, "{text:?} {back}");
            }
        }
    }

    #[test]
    fn lazy_fields_scan_only_as_far_as_asked() {
        let mut fields = LineFields::default();
        fields.reset();
        let text = "a b c d";
        assert_eq!(fields.get(text, None, 1), Some((2, 3)));
        assert_eq!(fields.found.len(), 2);
        assert_eq!(fields.get(text, None, 0), Some((0, 1)));
        assert_eq!(fields.last(text, None), Some((6, 7)));
        assert_eq!(fields.get(text, None, 4), None);
        fields.reset();
        assert_eq!(fields.last("x:y:", Some(":")), Some((4, 4)));
    }
}
