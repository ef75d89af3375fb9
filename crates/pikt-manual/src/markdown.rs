//! The repository's Markdown as man-page roff, so a page made from a
//! document (`pikt-config(5)` from `docs/config-format.md`) is that
//! document and cannot drift from it.
//!
//! What the documents use, and how it is written: `##` headings are
//! sections (`.SH`), `###` subsections (`.SS`), deeper ones bold lines;
//! the `#` title is left to the page; paragraphs; bullet and numbered
//! lists (nested ones indented); fenced code as no-fill blocks; tables
//! as tagged paragraphs (the first cell is the tag; with more than two
//! columns each other cell is a line `heading: cell`); code spans bold
//! and literal, emphasis italic, strong bold; links as their text.
//!
//! Text between `<!-- man:skip -->` and `<!-- man:end -->` (each on a
//! line of its own) is for readers of the repository only and is left
//! out.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::roff::{Font, Roff, Span};

/// The marker opening a part the man page leaves out.
pub const SKIP: &str = "<!-- man:skip -->";
/// The marker closing it.
pub const END_SKIP: &str = "<!-- man:end -->";

/// Writes `markdown` into `roff`, after a section heading. The title
/// (`#`) is left out: the page has its own NAME.
pub fn write(markdown: &str, roff: &mut Roff) {
    let mut writer = Writer::new(roff);
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        writer.event(event);
    }
}

/// The text a reader must find in the page made from `markdown`: each
/// paragraph, list item, heading, table cell and code line outside the
/// title and the skipped parts, its blanks collapsed.
pub fn text_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut skipping = false;
    let mut in_title = false;
    let mut in_code = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Html(html) if html.contains(SKIP) => skipping = true,
            Event::Html(html) if html.contains(END_SKIP) => skipping = false,
            Event::Start(Tag::Heading {
                level: HeadingLevel::H1,
                ..
            }) => in_title = true,
            Event::End(TagEnd::Heading(HeadingLevel::H1)) => {
                in_title = false;
                current.clear();
            }
            _ if skipping || in_title => {}
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(text) if in_code => {
                blocks.extend(text.lines().map(collapse).filter(|l| !l.is_empty()));
            }
            Event::Text(text) | Event::Code(text) => current.push_str(&text),
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::Start(Tag::Item | Tag::Paragraph | Tag::TableCell)
            | Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::Heading(_),
            ) => {
                let block = collapse(&current);
                if !block.is_empty() {
                    blocks.push(block);
                }
                current.clear();
            }
            _ => {}
        }
    }
    blocks
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A list being written.
struct List {
    /// The next number of a numbered list.
    number: Option<u64>,
    /// The current item's tag is written and no block followed it yet.
    fresh: bool,
}

/// A table being collected (it is written when it ends).
#[derive(Default)]
struct Table {
    head: Vec<Vec<Span>>,
    rows: Vec<Vec<Vec<Span>>>,
    in_head: bool,
}

struct Writer<'r> {
    roff: &'r mut Roff,
    /// The text of the block being read.
    spans: Vec<Span>,
    bold: usize,
    italic: usize,
    lists: Vec<List>,
    table: Option<Table>,
    /// A heading was just written: the next paragraph needs no `.PP`.
    after_heading: bool,
    skipping: bool,
    heading: Option<HeadingLevel>,
    code: Option<String>,
}

impl<'r> Writer<'r> {
    fn new(roff: &'r mut Roff) -> Writer<'r> {
        Writer {
            roff,
            spans: Vec::new(),
            bold: 0,
            italic: 0,
            lists: Vec::new(),
            table: None,
            after_heading: true,
            skipping: false,
            heading: None,
            code: None,
        }
    }

    fn event(&mut self, event: Event<'_>) {
        if let Event::Html(html) = &event {
            if html.contains(SKIP) {
                self.skipping = true;
            } else if html.contains(END_SKIP) {
                self.skipping = false;
            }
            return;
        }
        if self.skipping {
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some(code) => code.push_str(&text),
                None => self.push(&text, false),
            },
            Event::Code(text) => {
                self.bold += 1;
                self.push(&text, true);
                self.bold -= 1;
            }
            Event::SoftBreak => self.push(" ", false),
            Event::HardBreak => {
                self.flush_line();
                self.roff.control("br", &[]);
            }
            Event::Rule => {
                self.roff.control("PP", &[]);
            }
            _ => {}
        }
    }

    fn font(&self) -> Font {
        let mut font = Font::Roman;
        if self.bold > 0 {
            font = font.with_bold();
        }
        if self.italic > 0 {
            font = font.with_italic();
        }
        font
    }

    fn push(&mut self, text: &str, literal: bool) {
        let font = self.font();
        self.spans.push(Span {
            text: text.to_string(),
            font,
            literal,
        });
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Heading { level, .. } => {
                self.heading = Some(level);
                self.spans.clear();
            }
            Tag::Paragraph => self.block_start(),
            Tag::List(first) => {
                self.flush_line();
                if !self.lists.is_empty() {
                    self.roff.control("RS", &[]);
                }
                self.lists.push(List {
                    number: first,
                    fresh: false,
                });
            }
            Tag::Item => self.item_start(),
            Tag::CodeBlock(_) => {
                self.flush_line();
                self.block_start();
                self.code = Some(String::new());
            }
            Tag::Table(_) => self.table = Some(Table::default()),
            Tag::TableHead => {
                if let Some(table) = &mut self.table {
                    table.in_head = true;
                }
            }
            Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.spans.clear(),
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(level) => self.heading_end(level),
            TagEnd::Paragraph => self.flush_line(),
            TagEnd::Item => {
                self.flush_line();
            }
            TagEnd::List(_) => {
                self.lists.pop();
                if !self.lists.is_empty() {
                    self.roff.control("RE", &[]);
                }
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                self.roff.control("nf", &[]);
                for line in code.lines() {
                    self.roff.verbatim(line);
                }
                self.roff.control("fi", &[]);
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.spans);
                if let Some(table) = &mut self.table {
                    if table.in_head {
                        table.head.push(cell);
                    } else if let Some(row) = table.rows.last_mut() {
                        row.push(cell);
                    }
                }
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.in_head = false;
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.write_table(&table);
                }
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            _ => {}
        }
    }

    fn heading_end(&mut self, level: HeadingLevel) {
        let spans = std::mem::take(&mut self.spans);
        self.heading = None;
        match level {
            HeadingLevel::H1 => {
                self.after_heading = true;
                return;
            }
            HeadingLevel::H2 => {
                self.roff.control("SH", &[]);
            }
            HeadingLevel::H3 => {
                self.roff.control("SS", &[]);
            }
            _ => {
                self.roff.control("PP", &[]);
                let bold: Vec<Span> = spans
                    .into_iter()
                    .map(|s| Span {
                        font: s.font.with_bold(),
                        ..s
                    })
                    .collect();
                self.roff.line(&bold);
                self.after_heading = true;
                return;
            }
        }
        // Headings are set in bold by the macros already.
        let plain: Vec<Span> = spans
            .into_iter()
            .map(|s| Span {
                font: Font::Roman,
                ..s
            })
            .collect();
        self.roff.line(&plain);
        self.after_heading = true;
    }

    /// Starts a paragraph, a list item's first block or a later block of
    /// an item.
    fn block_start(&mut self) {
        if self.heading.is_some() || self.table.is_some() {
            return;
        }
        self.flush_line();
        let after_heading = std::mem::replace(&mut self.after_heading, false);
        let Some(list) = self.lists.last_mut() else {
            if !after_heading {
                self.roff.control("PP", &[]);
            }
            return;
        };
        // The first block of an item follows its tag.
        if !std::mem::replace(&mut list.fresh, false) {
            self.roff.control("IP", &["", "4"]);
        }
    }

    /// Writes an item's tag (a bullet or its number); a tight item's text
    /// follows without a paragraph.
    fn item_start(&mut self) {
        self.flush_line();
        self.after_heading = false;
        let Some(list) = self.lists.last_mut() else {
            return;
        };
        list.fresh = true;
        let tag = match &mut list.number {
            Some(n) => {
                *n += 1;
                format!("{}.", *n - 1)
            }
            None => "\u{2022}".to_string(),
        };
        self.roff.control("IP", &[&tag, "4"]);
    }

    /// Writes the text read so far as one line.
    fn flush_line(&mut self) {
        if self.heading.is_some() || self.table.is_some() {
            return;
        }
        let spans = std::mem::take(&mut self.spans);
        self.roff.line(&spans);
    }

    fn write_table(&mut self, table: &Table) {
        let after_heading = std::mem::replace(&mut self.after_heading, false);
        if !after_heading {
            self.roff.control("PP", &[]);
        }
        for row in &table.rows {
            let Some((tag, rest)) = row.split_first() else {
                continue;
            };
            self.roff.control("TP", &[]);
            self.roff.line(tag);
            if rest.len() == 1 {
                self.roff.line(&rest[0]);
                continue;
            }
            for (i, cell) in rest.iter().enumerate() {
                if i > 0 {
                    self.roff.control("br", &[]);
                }
                let mut line = table.head.get(i + 1).cloned().unwrap_or_default();
                line.push(Span::prose(": "));
                line.extend(cell.iter().cloned());
                self.roff.line(&line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roff(markdown: &str) -> String {
        let mut roff = Roff::new();
        write(markdown, &mut roff);
        roff.finish()
    }

    #[test]
    fn headings_paragraphs_and_inline_fonts() {
        assert_eq!(
            roff("# Title\n\nIntro with `-T` and *this* and **that**.\n\n## Part `a-b`\n\nText.\n\nMore per-host text.\n\n### Sub\n\nLast.\n"),
            "Intro with \\fB\\-T\\fR and \\fIthis\\fR and \\fBthat\\fR.\n\
             .SH\nPart a\\-b\n\
             Text.\n\
             .PP\nMore per-host text.\n\
             .SS\nSub\n\
             Last.\n"
        );
    }

    #[test]
    fn lists_nest_and_continue() {
        assert_eq!(
            roff("* one\n* two\n  * inner\n\n1. first\n2. second\n"),
            ".IP \\[u2022] 4\none\n.IP \\[u2022] 4\ntwo\n.RS\n.IP \\[u2022] 4\ninner\n.RE\n\
             .IP 1. 4\nfirst\n.IP 2. 4\nsecond\n"
        );
        assert_eq!(roff("* a\n\n  b\n"), ".IP \\[u2022] 4\na\n.IP \"\" 4\nb\n");
    }

    #[test]
    fn code_blocks_are_literal_and_safe() {
        assert_eq!(
            roff("Look:\n\n```\n.SH x\n<min>\t-T \\n\n```\n"),
            "Look:\n.PP\n.nf\n\\&.SH x\n<min>   \\-T \\en\n.fi\n"
        );
    }

    #[test]
    fn tables_become_tagged_paragraphs() {
        assert_eq!(
            roff("| key | value |\n| --- | --- |\n| `uid` | number |\n"),
            ".TP\n\\fBuid\\fR\nnumber\n"
        );
        assert_eq!(
            roff("| dir | default | holds |\n| --- | --- | --- |\n| `bindir` | `=piktdir/bin` | the programs |\n"),
            ".TP\n\\fBbindir\\fR\ndefault: \\fB=piktdir/bin\\fR\n.br\nholds: the programs\n"
        );
    }

    #[test]
    fn skipped_parts_are_left_out() {
        let md = "Kept.\n\n<!-- man:skip -->\nThe code is in `crates/x`.\n<!-- man:end -->\n\nAlso kept.\n";
        assert_eq!(roff(md), "Kept.\n.PP\nAlso kept.\n");
        assert_eq!(text_blocks(md), ["Kept.", "Also kept."]);
    }

    #[test]
    fn text_blocks_are_what_a_reader_sees() {
        assert_eq!(
            text_blocks("# Title\n\n## A `b`\n\n* one\n  two\n\n| k | v |\n| - | - |\n| x | y z |\n\n```\nl1\n\n  l2\n```\n"),
            ["A b", "one two", "k", "v", "x", "y z", "l1", "l2"]
        );
    }
}
