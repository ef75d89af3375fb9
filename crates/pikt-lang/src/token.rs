//! A located token.

use pikt_source::Span;

use crate::token_kind::TokenKind;

/// One token: its kind and where it is. Its text is the source text of
/// `span`; the tokens of a text concatenate back to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

impl Token {
    /// The token's text in `source` (the whole text of its file).
    pub fn text<'src>(&self, source: &'src str) -> &'src str {
        source
            .get(self.span.start as usize..self.span.end as usize)
            .unwrap_or("")
    }
}
