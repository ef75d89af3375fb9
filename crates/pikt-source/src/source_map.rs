use crate::{FileId, Span};

/// Where a piece of a derived text came from.
///
/// `out_start..out_end` is a byte range of the derived text; `src` is the
/// span it was made from. When `exact` is true the piece is a verbatim copy, so
/// offsets inside it map one to one; otherwise (macro expansion) the whole
/// piece maps to `src`. `note` explains the step (for example
/// "in expansion of macro `=kill_user_proc`") and is shown with the diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// First byte of the piece in the derived text.
    pub out_start: u32,
    /// One past its last byte.
    pub out_end: u32,
    /// What it was made from.
    pub src: Span,
    /// Whether offsets map one to one.
    pub exact: bool,
    /// How it was made, when that is worth telling the user.
    pub note: Option<String>,
}

/// One text known to the pipeline.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path (or a pseudo name such as `<command line>`) shown in messages.
    pub name: String,
    /// The text.
    pub text: String,
    line_starts: Vec<u32>,
    /// For derived texts: where each piece came from, sorted by `out_start`.
    segments: Option<Vec<Segment>>,
}

impl SourceFile {
    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_index(offset);
        let start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// 0-based index of the line holding byte `offset`.
    pub fn line_index(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// The text of 0-based line `index`, without its newline.
    pub fn line_text(&self, index: usize) -> &str {
        let start = self.line_starts.get(index).copied().unwrap_or(0) as usize;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&e| e as usize);
        self.text
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Byte offset where 0-based line `index` starts.
    pub fn line_start(&self, index: usize) -> u32 {
        self.line_starts.get(index).copied().unwrap_or(0)
    }

    /// True when this text was made by the pipeline from other texts.
    pub fn is_derived(&self) -> bool {
        self.segments.is_some()
    }
}

/// A span traced back to text the user wrote, with the steps it went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The span in an original (non-derived) file.
    pub span: Span,
    /// Notes gathered on the way, innermost first.
    pub notes: Vec<String>,
}

/// Every text of one run of the pipeline.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds an original text and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.push(name.into(), text.into(), None)
    }

    /// Adds a derived text with the segments that say where it came from.
    pub fn add_derived(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        mut segments: Vec<Segment>,
    ) -> FileId {
        segments.sort_by_key(|s| s.out_start);
        self.push(name.into(), text.into(), Some(segments))
    }

    fn push(&mut self, name: String, text: String, segments: Option<Vec<Segment>>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let line_starts = line_starts(&text);
        self.files.push(SourceFile {
            name,
            text,
            line_starts,
            segments,
        });
        id
    }

    /// The file with id `id`.
    ///
    /// Ids come only from this map, so an unknown id is a bug in the caller;
    /// it yields an empty placeholder rather than a panic.
    pub fn get(&self, id: FileId) -> &SourceFile {
        static EMPTY: std::sync::OnceLock<SourceFile> = std::sync::OnceLock::new();
        self.files.get(id.0 as usize).unwrap_or_else(|| {
            EMPTY.get_or_init(|| SourceFile {
                name: "<unknown>".into(),
                text: String::new(),
                line_starts: vec![0],
                segments: None,
            })
        })
    }

    /// The text of `span`.
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file)
            .text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// Traces `span` back through derived texts to an original file.
    pub fn resolve(&self, span: Span) -> Resolved {
        let mut notes = Vec::new();
        let mut current = span;
        // Derived texts form a chain with no cycles (a text can only be derived
        // from texts added before it); the bound is a guard, not a limit.
        for _ in 0..64 {
            let Some(segments) = &self.get(current.file).segments else {
                break;
            };
            let Some(seg) = find_segment(segments, current.start) else {
                break;
            };
            if let Some(note) = &seg.note {
                notes.push(note.clone());
            }
            current = if seg.exact {
                let start = seg.src.start + (current.start - seg.out_start);
                let end =
                    (seg.src.start + (current.end.min(seg.out_end) - seg.out_start)).max(start);
                Span {
                    file: seg.src.file,
                    start,
                    end,
                }
            } else {
                seg.src
            };
        }
        Resolved {
            span: current,
            notes,
        }
    }

    /// `file:line:col` of the start of `span`, traced to the original text.
    pub fn location(&self, span: Span) -> String {
        let resolved = self.resolve(span).span;
        let file = self.get(resolved.file);
        let (line, col) = file.line_col(resolved.start);
        format!("{}:{line}:{col}", file.name)
    }
}

fn find_segment(segments: &[Segment], offset: u32) -> Option<&Segment> {
    let i = segments.partition_point(|s| s.out_start <= offset);
    let seg = segments.get(i.checked_sub(1)?)?;
    // An offset just past a piece (its end of line) still belongs to it.
    (offset <= seg.out_end).then_some(seg)
}

fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = vec![0];
    starts.extend(
        text.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
    );
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let mut map = SourceMap::new();
        let id = map.add("a", "ab\ncd\n");
        let f = map.get(id);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 2));
        assert_eq!(f.line_text(1), "cd");
    }

    #[test]
    fn derived_exact_segment_maps_offsets() {
        let mut map = SourceMap::new();
        let orig = map.add("orig", "xx hello\n");
        let derived = map.add_derived(
            "out",
            "hello\n",
            vec![Segment {
                out_start: 0,
                out_end: 6,
                src: Span::new(orig, 3, 9),
                exact: true,
                note: None,
            }],
        );
        let r = map.resolve(Span::new(derived, 1, 3));
        assert_eq!(r.span, Span::new(orig, 4, 6));
        assert_eq!(map.location(Span::new(derived, 1, 3)), "orig:1:5");
    }

    #[test]
    fn derived_expansion_maps_to_call_site_with_note() {
        let mut map = SourceMap::new();
        let orig = map.add("orig", "set =m\n");
        let derived = map.add_derived(
            "out",
            "set #x = 1\n",
            vec![Segment {
                out_start: 4,
                out_end: 10,
                src: Span::new(orig, 4, 6),
                exact: false,
                note: Some("in expansion of macro `=m`".into()),
            }],
        );
        let r = map.resolve(Span::new(derived, 7, 8));
        assert_eq!(r.span, Span::new(orig, 4, 6));
        assert_eq!(r.notes, vec!["in expansion of macro `=m`".to_string()]);
    }
}
