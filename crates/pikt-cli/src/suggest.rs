//! "Did you mean": the closest known word to a mistyped one.

/// The candidate closest to `word` when it is plausibly a typo of it: at
/// most one edit for words of up to four characters, two for longer ones
/// (a swap of two neighbours counts as one edit). Ties go to the first
/// candidate.
pub fn did_you_mean<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = if word.chars().count() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = strsim::osa_distance(word, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_words_only() {
        assert_eq!(did_you_mean("Urgnt", ["Warning", "Urgent"]), Some("Urgent"));
        assert_eq!(did_you_mean("chekc", ["check", "list"]), Some("check"));
        assert_eq!(did_you_mean("Zzzzz", ["Urgent"]), None);
        assert_eq!(did_you_mean("ab", ["xy"]), None);
        assert_eq!(did_you_mean("Urgent", ["Urgent"]), Some("Urgent"));
    }
}
