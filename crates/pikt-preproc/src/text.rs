//! Text that remembers where each of its bytes came from.
//!
//! Every line goes through comment stripping, macro expansion and indentation
//! as a [`Text`]: a string plus [`Origin`]s, one per piece, each saying which
//! span of which source file the piece was copied from (`exact`) or made from
//! (not exact, e.g. a `#set` value in an `#echo`). The engine finally turns the
//! origins into `pikt_source::Segment`s of the derived output file.

use std::ops::Range;
use std::rc::Rc;

use pikt_source::Span;

/// Where one piece `start..end` of a [`Text`] came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub start: usize,
    pub end: usize,
    pub src: Span,
    pub exact: bool,
    pub note: Option<Rc<str>>,
}

/// A string with origins covering all of it, in order, without overlap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Text {
    pub s: String,
    pub origins: Vec<Origin>,
}

impl Text {
    pub fn new() -> Text {
        Text::default()
    }

    /// `s`, copied verbatim from `src` (which must hold exactly `s`).
    pub fn exact(s: &str, src: Span) -> Text {
        let mut t = Text::new();
        t.push_exact(s, src);
        t
    }

    pub fn len(&self) -> usize {
        self.s.len()
    }

    /// Appends `s`, copied verbatim from `src`.
    pub fn push_exact(&mut self, s: &str, src: Span) {
        self.push_origin(s, src, true, None);
    }

    /// Appends `s`, made from `src` as a whole.
    pub fn push_made(&mut self, s: &str, src: Span, note: Option<Rc<str>>) {
        self.push_origin(s, src, false, note);
    }

    /// Appends `s` with an origin of the given kind and note.
    pub fn push_origin(&mut self, s: &str, src: Span, exact: bool, note: Option<Rc<str>>) {
        if s.is_empty() {
            return;
        }
        let start = self.s.len();
        self.s.push_str(s);
        let end = self.s.len();
        if let Some(last) = self.origins.last_mut() {
            let joins = exact
                && last.exact
                && last.end == start
                && last.src.file == src.file
                && last.src.end == src.start
                && last.note == note;
            if joins {
                last.end = end;
                last.src.end = src.end;
                return;
            }
        }
        self.origins.push(Origin {
            start,
            end,
            src,
            exact,
            note,
        });
    }

    /// Appends all of `other`.
    pub fn push_text(&mut self, other: &Text) {
        self.push_slice(other, 0..other.len());
    }

    /// Appends `other[range]` with its origins.
    pub fn push_slice(&mut self, other: &Text, range: Range<usize>) {
        let end = range.end.min(other.len());
        let start = range.start.min(end);
        if start == end {
            return;
        }
        let first = other.origins.partition_point(|o| o.end <= start);
        for o in other.origins.iter().skip(first) {
            if o.start >= end {
                break;
            }
            let piece_start = o.start.max(start);
            let piece_end = o.end.min(end);
            let Some(piece) = other.s.get(piece_start..piece_end) else {
                continue;
            };
            let src = if o.exact {
                shift(o.src, piece_start - o.start, piece_end - piece_start)
            } else {
                o.src
            };
            self.push_origin(piece, src, o.exact, o.note.clone());
        }
    }

    /// A new text holding `self[range]`.
    pub fn slice(&self, range: Range<usize>) -> Text {
        let mut t = Text::new();
        t.push_slice(self, range);
        t
    }

    /// Cuts the text to its first `len` bytes (a char boundary).
    pub fn truncate(&mut self, len: usize) {
        if len >= self.s.len() || !self.s.is_char_boundary(len) {
            return;
        }
        self.s.truncate(len);
        self.origins.retain(|o| o.start < len);
        if let Some(last) = self.origins.last_mut() {
            if last.end > len {
                if last.exact {
                    last.src = shift(last.src, 0, len - last.start);
                }
                last.end = len;
            }
        }
    }

    /// Removes trailing spaces, tabs and carriage returns.
    pub fn trim_end(&mut self) {
        let kept = self.s.trim_end_matches([' ', '\t', '\r']).len();
        self.truncate(kept);
    }

    /// The origin covering byte `offset` (or the last one, at the end).
    pub fn origin_at(&self, offset: usize) -> Option<&Origin> {
        let i = self.origins.partition_point(|o| o.end <= offset);
        self.origins.get(i).or_else(|| self.origins.last())
    }

    /// The source span of `self[range]`: exact when the start of the range is
    /// an exact copy, otherwise what that piece was made from.
    pub fn span_of(&self, range: Range<usize>, fallback: Span) -> Span {
        let Some(o) = self.origin_at(range.start) else {
            return fallback;
        };
        if !o.exact {
            return o.src;
        }
        let start = range.start.clamp(o.start, o.end);
        let end = range.end.clamp(start, o.end);
        shift(o.src, start - o.start, end - start)
    }

    /// The note of the piece at `offset` (the macro expansion it came from).
    pub fn note_at(&self, offset: usize) -> Option<Rc<str>> {
        self.origin_at(offset).and_then(|o| o.note.clone())
    }
}

/// `src` moved `by` bytes forward and cut to `len` bytes.
fn shift(src: Span, by: usize, len: usize) -> Span {
    let start = src.start as usize + by;
    Span::new(src.file, start, start + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::FileId;

    #[test]
    fn adjacent_exact_pieces_merge() {
        let f = FileId(0);
        let mut t = Text::new();
        t.push_exact("ab", Span::new(f, 0, 2));
        t.push_exact("cd", Span::new(f, 2, 4));
        assert_eq!(t.origins.len(), 1);
        assert_eq!(t.origins[0].src, Span::new(f, 0, 4));
    }

    #[test]
    fn slice_keeps_exact_offsets() {
        let f = FileId(0);
        let mut t = Text::exact("hello", Span::new(f, 10, 15));
        t.push_made(" X", Span::new(f, 0, 3), None);
        let s = t.slice(2..6);
        assert_eq!(s.s, "llo ");
        assert_eq!(s.origins[0].src, Span::new(f, 12, 15));
        assert_eq!(s.origins[1].src, Span::new(f, 0, 3));
        assert_eq!(t.span_of(1..3, Span::default()), Span::new(f, 11, 13));
        assert_eq!(t.span_of(6..7, Span::default()), Span::new(f, 0, 3));
    }
}
