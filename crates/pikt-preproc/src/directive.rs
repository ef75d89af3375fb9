//! Recognising directive lines: `#` in column 1, optional blanks, a keyword.

use crate::scan::{is_blank, Cursor};

/// Every directive, synonyms folded together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Keyword {
    /// `#if`, `#ifsys`.
    If,
    /// `#elif`, `#elsif`, `#elseif`, `#elifsys`.
    Elif,
    /// `#else`, `#elsesys`.
    Else,
    /// `#endif`, `#fi`, `#endifsys`.
    EndIf,
    /// `#ifdef` (false) and `#ifndef` (true: negated).
    IfDef { negated: bool },
    /// `#elifdef`/`#elsifdef`/`#elseifdef` and the `ndef` forms.
    ElifDef { negated: bool },
    /// `#elsedef`.
    ElseDef,
    /// `#endifdef`, `#fidef`.
    EndIfDef,
    /// `#define`, `#def`.
    Define,
    /// `#undefine`, `#undef`.
    Undefine,
    /// `#setdef`.
    SetDef,
    /// `#include`.
    Include,
    /// `#verbatim`.
    Verbatim,
    /// `#indent`.
    Indent,
    /// `#unindent`.
    Unindent,
    /// `#fix`.
    Fix,
    /// `#unfix`.
    Unfix,
    /// `#exec`.
    Exec,
    /// `#piktexec`, `#pexec`.
    PiktExec,
    /// `#set`.
    Set,
    /// `#setenv`.
    SetEnv,
    /// `#unset`, `#unsetenv`.
    Unset,
    /// `#echo`.
    Echo,
}

/// Every spelling, for lookup and for "did you mean" suggestions.
pub(crate) const SPELLINGS: [(&str, Keyword); 41] = [
    ("if", Keyword::If),
    ("ifsys", Keyword::If),
    ("elif", Keyword::Elif),
    ("elsif", Keyword::Elif),
    ("elseif", Keyword::Elif),
    ("elifsys", Keyword::Elif),
    ("else", Keyword::Else),
    ("elsesys", Keyword::Else),
    ("endif", Keyword::EndIf),
    ("fi", Keyword::EndIf),
    ("endifsys", Keyword::EndIf),
    ("ifdef", Keyword::IfDef { negated: false }),
    ("ifndef", Keyword::IfDef { negated: true }),
    ("elifdef", Keyword::ElifDef { negated: false }),
    ("elsifdef", Keyword::ElifDef { negated: false }),
    ("elseifdef", Keyword::ElifDef { negated: false }),
    ("elifndef", Keyword::ElifDef { negated: true }),
    ("elsifndef", Keyword::ElifDef { negated: true }),
    ("elseifndef", Keyword::ElifDef { negated: true }),
    ("elsedef", Keyword::ElseDef),
    ("endifdef", Keyword::EndIfDef),
    ("fidef", Keyword::EndIfDef),
    ("define", Keyword::Define),
    ("def", Keyword::Define),
    ("undefine", Keyword::Undefine),
    ("undef", Keyword::Undefine),
    ("setdef", Keyword::SetDef),
    ("include", Keyword::Include),
    ("verbatim", Keyword::Verbatim),
    ("indent", Keyword::Indent),
    ("unindent", Keyword::Unindent),
    ("fix", Keyword::Fix),
    ("unfix", Keyword::Unfix),
    ("exec", Keyword::Exec),
    ("piktexec", Keyword::PiktExec),
    ("pexec", Keyword::PiktExec),
    ("set", Keyword::Set),
    ("setenv", Keyword::SetEnv),
    ("unset", Keyword::Unset),
    ("unsetenv", Keyword::Unset),
    ("echo", Keyword::Echo),
];

impl Keyword {
    /// True for the directives that open, continue or close a conditional
    /// block (they are looked at even in skipped text).
    pub fn is_conditional(self) -> bool {
        matches!(
            self,
            Keyword::If
                | Keyword::Elif
                | Keyword::Else
                | Keyword::EndIf
                | Keyword::IfDef { .. }
                | Keyword::ElifDef { .. }
                | Keyword::ElseDef
                | Keyword::EndIfDef
        )
    }
}

/// A recognised directive line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DirectiveLine<'t> {
    pub keyword: Keyword,
    /// The keyword as written (for messages).
    pub spelling: &'t str,
    /// Byte range of the keyword in the line.
    pub keyword_range: std::ops::Range<usize>,
    /// Where the arguments start (just after the keyword).
    pub args_start: usize,
}

/// What a line starting with `#` is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineClass<'t> {
    /// A directive.
    Directive(DirectiveLine<'t>),
    /// `#` + a word that is no directive but looks like a misspelt one.
    NearMiss {
        word: std::ops::Range<usize>,
        suggestion: &'static str,
    },
    /// Plain text (`#!/bin/sh`, `# comment`, ...).
    Text,
}

/// Classifies a line that starts with `#` (the `#` at byte 0).
pub(crate) fn classify(line: &str) -> LineClass<'_> {
    let mut c = Cursor::new(line, 1);
    c.skip_blanks();
    let blanks_before = c.pos > 1;
    let start = c.pos;
    while c.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
        c.pos += 1;
    }
    let word_range = start..c.pos;
    let Some(word) = line.get(word_range.clone()) else {
        return LineClass::Text;
    };
    if word.is_empty() {
        return LineClass::Text;
    }
    let ends_word = c
        .peek()
        .is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_');
    if ends_word {
        if let Some((spelling, keyword)) = SPELLINGS.iter().find(|(s, _)| *s == word) {
            return LineClass::Directive(DirectiveLine {
                keyword: *keyword,
                spelling,
                keyword_range: word_range,
                args_start: c.pos,
            });
        }
    }
    if blanks_before {
        return LineClass::Text;
    }
    let full_end = line
        .as_bytes()
        .iter()
        .skip(start)
        .position(|&b| is_blank(b) || !(b.is_ascii_alphanumeric() || b == b'_'))
        .map_or(line.len(), |p| start + p);
    let full = line.get(start..full_end).unwrap_or(word);
    match suggest(full) {
        Some(suggestion) => LineClass::NearMiss {
            word: start..full_end,
            suggestion,
        },
        None => LineClass::Text,
    }
}

/// A directive spelling close to `word`, if any.
fn suggest(word: &str) -> Option<&'static str> {
    if word.len() < 3 || word.len() > 12 {
        return None;
    }
    let allowed = if word.len() > 5 { 2 } else { 1 };
    SPELLINGS
        .iter()
        .map(|(s, _)| (*s, edit_distance(word, s)))
        .filter(|&(_, d)| d <= allowed)
        .min_by_key(|&(_, d)| d)
        .map(|(s, _)| s)
}

/// Optimal-string-alignment distance (insert, delete, substitute, swap).
fn edit_distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        d[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        d[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1)
                .min(d[at(i, j - 1)] + 1)
                .min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(a.len(), b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyword(line: &str) -> Option<Keyword> {
        match classify(line) {
            LineClass::Directive(d) => Some(d.keyword),
            _ => None,
        }
    }

    #[test]
    fn every_spelling_is_recognised() {
        for (spelling, kw) in SPELLINGS {
            assert_eq!(keyword(&format!("#{spelling}")), Some(kw), "{spelling}");
            assert_eq!(
                keyword(&format!("# \t{spelling} x")),
                Some(kw),
                "{spelling}"
            );
        }
    }

    #[test]
    fn blanks_after_hash_are_allowed() {
        let LineClass::Directive(d) = classify("#   endifdef") else {
            panic!("not a directive");
        };
        assert_eq!(d.keyword, Keyword::EndIfDef);
        assert_eq!(d.keyword_range, 4..12);
        assert_eq!(d.args_start, 12);
    }

    #[test]
    fn keyword_must_end_at_a_word_boundary() {
        assert_eq!(keyword("#ifdefx"), None);
        assert_eq!(keyword("#include\"x\""), Some(Keyword::Include));
        assert_eq!(keyword("#if(a)"), Some(Keyword::If));
    }

    #[test]
    fn non_directives_are_text() {
        assert_eq!(classify("#!/bin/sh"), LineClass::Text);
        assert_eq!(classify("# a comment"), LineClass::Text);
        assert_eq!(classify("#count"), LineClass::Text);
    }

    #[test]
    fn near_misses_get_a_suggestion() {
        assert_eq!(
            classify("#endiff"),
            LineClass::NearMiss {
                word: 1..7,
                suggestion: "endif"
            }
        );
        assert_eq!(
            classify("#inculde <x>"),
            LineClass::NearMiss {
                word: 1..8,
                suggestion: "include"
            }
        );
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(edit_distance("inculde", "include"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
