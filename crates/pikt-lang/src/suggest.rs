//! "Did you mean" suggestions for misspelt keywords and function names.

use crate::ast::VarType;
use crate::builtins::BUILTINS;
use crate::keyword::Keyword;

/// Edit distance with adjacent transpositions counted as one edit (optimal
/// string alignment), so `fopne` is one edit from `fopen`.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut rows = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        rows[at(i, 0)] = i;
    }
    for j in 0..=b.len() {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[at(i - 1, j)] + 1)
                .min(rows[at(i, j - 1)] + 1)
                .min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = best;
        }
    }
    rows[at(a.len(), b.len())]
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// A help line for an unknown statement word.
pub(crate) fn keyword_suggestion(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    if lower != word && Keyword::from_word(&lower).is_some() {
        return Some(format!("keywords are lower case: `{lower}`"));
    }
    let statements =
        Keyword::spellings().filter(|w| Keyword::from_word(w).is_some_and(Keyword::is_statement));
    closest(word, statements).map(|kw| format!("did you mean `{kw}`?"))
}

/// A help line for an unknown function `sigil name`.
pub(crate) fn function_suggestion(ty: VarType, name: &str) -> Option<String> {
    let (sigil, other_sigil, other_ty, other_kind) = match ty {
        VarType::Str => ('$', '#', VarType::Num, "numeric"),
        VarType::Num => ('#', '$', VarType::Str, "string"),
    };
    if crate::builtins::lookup(other_ty, name).is_some() {
        return Some(format!(
            "`{name}` is a {other_kind} function: write `{other_sigil}{name}(`"
        ));
    }
    let same = BUILTINS
        .iter()
        .filter(|info| info.ty == ty)
        .flat_map(|info| info.names.iter().copied());
    if let Some(found) = closest(name, same) {
        return Some(format!("did you mean `{sigil}{found}`?"));
    }
    let other = BUILTINS
        .iter()
        .filter(|info| info.ty == other_ty)
        .flat_map(|info| info.names.iter().copied());
    closest(name, other).map(|found| format!("did you mean `{other_sigil}{found}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpositions_are_one_edit() {
        assert_eq!(distance("fopne", "fopen"), 1);
        assert_eq!(distance("ouput", "output"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            keyword_suggestion("ouput").as_deref(),
            Some("did you mean `output`?")
        );
        assert_eq!(
            keyword_suggestion("If").as_deref(),
            Some("keywords are lower case: `if`")
        );
        assert_eq!(keyword_suggestion("zzzzzz"), None);
        assert_eq!(
            function_suggestion(VarType::Num, "fopne").as_deref(),
            Some("did you mean `#fopen`?")
        );
        assert_eq!(
            function_suggestion(VarType::Str, "split").as_deref(),
            Some("`split` is a numeric function: write `#split(`")
        );
    }
}
