//! Compiled regular expressions, one per distinct pattern text.
//!
//! Patterns are often built at run time (`$proc =~~ "$pr$"` in the seed), so
//! the same few texts come back on every input line; each is translated
//! ([`crate::ere`]) and compiled once per run. The cache is bounded: patterns
//! made from input data could otherwise grow it without limit.
//!
//! A compiled pattern also keeps the longest literal text every match must
//! contain, when the pattern is a sequence with literal parts
//! (`sshd\[[0-9]+\]: Failed password for` must contain `]: Failed password
//! for`): a line without it cannot match, and looking for a literal is far
//! cheaper than running the regex over the line. Most log lines a monitor
//! reads do not match, so most are settled by that search alone.
//!
//! A pattern that is only literal text, maybe anchored (`^root$`, `imapd$`,
//! the seed's `"$pr$"` rows), is matched by comparing bytes (ASCII letters
//! folded for `=~~`), without the regex engine; where folding is not plain
//! ASCII (a non-ASCII text under `=~~`) the regex answers.

use memchr::memmem::Finder;
use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind, Look};
use rustc_hash::FxHashMap;

use crate::value::Str;

/// The most patterns kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 4096;

/// How many of the latest patterns are compared before hashing.
const RECENT: usize = 8;

/// Compiled patterns keyed by their text, one index per case sensitivity.
///
/// A lookup first compares the pattern with the few used last, without
/// hashing, starting at the one found last: a rule that matches every line
/// against one pattern finds it at the first comparison, and a loop over a
/// handful of patterns (the seed's threshold rows) at the second. Otherwise the
/// pattern is hashed once (the maps give a position in `regexes`, so a
/// miss can compile and insert without a second search).
#[derive(Debug, Default)]
pub struct RegexCache {
    regexes: Vec<Compiled>,
    exact: FxHashMap<Str, usize>,
    folded: FxHashMap<Str, usize>,
    /// The pattern text, case sensitivity and position of the latest
    /// patterns (at most [`RECENT`], replaced oldest first).
    recent: Vec<(String, bool, usize)>,
    /// The entry of `recent` found or added last.
    cursor: usize,
    /// The entry of `recent` to replace next.
    oldest: usize,
}

impl RegexCache {
    /// An empty cache.
    pub fn new() -> RegexCache {
        RegexCache::default()
    }

    /// The compiled form of `pattern` (a POSIX ERE), compiling it on first
    /// use. The error is the reason the pattern is not valid.
    pub fn get(&mut self, pattern: &str, case_insensitive: bool) -> Result<&Compiled, String> {
        let index = match self.find_recent(pattern, case_insensitive) {
            Some(index) => index,
            None => {
                let index = self.find_or_compile(pattern, case_insensitive)?;
                self.remember(pattern, case_insensitive, index);
                index
            }
        };
        self.regexes
            .get(index)
            .ok_or_else(|| "pattern vanished from the cache".to_string())
    }

    /// The position of `pattern`'s compiled form, compiled now if new.
    fn find_or_compile(&mut self, pattern: &str, case_insensitive: bool) -> Result<usize, String> {
        let map = if case_insensitive {
            &self.folded
        } else {
            &self.exact
        };
        if let Some(&index) = map.get(pattern) {
            return Ok(index);
        }
        let regex = Compiled::new(pattern, case_insensitive)?;
        if self.regexes.len() >= MAX_ENTRIES {
            self.regexes.clear();
            self.exact.clear();
            self.folded.clear();
            self.recent.clear();
            self.cursor = 0;
            self.oldest = 0;
        }
        let index = self.regexes.len();
        self.regexes.push(regex);
        let map = if case_insensitive {
            &mut self.folded
        } else {
            &mut self.exact
        };
        map.insert(Str::from(pattern), index);
        Ok(index)
    }

    /// The position in `regexes` of a recent pattern, searching from the
    /// one found last.
    fn find_recent(&mut self, pattern: &str, case_insensitive: bool) -> Option<usize> {
        let count = self.recent.len();
        let mut at = self.cursor;
        for _ in 0..count {
            if at >= count {
                at = 0;
            }
            if let Some((text, folded, index)) = self.recent.get(at) {
                if *folded == case_insensitive && text == pattern {
                    self.cursor = at;
                    return Some(*index);
                }
            }
            at += 1;
        }
        None
    }

    /// Adds a pattern to the recent ones, in place of the oldest (whose
    /// text buffer is reused).
    fn remember(&mut self, pattern: &str, case_insensitive: bool, index: usize) {
        if self.recent.len() < RECENT {
            self.recent.push((String::new(), case_insensitive, index));
            self.oldest = self.recent.len() - 1;
        }
        self.cursor = self.oldest;
        if let Some(entry) = self.recent.get_mut(self.oldest) {
            entry.0.clear();
            entry.0.push_str(pattern);
            entry.1 = case_insensitive;
            entry.2 = index;
        }
        self.oldest = (self.oldest + 1) % RECENT;
    }

    /// How many patterns are compiled (both sensitivities).
    pub fn len(&self) -> usize {
        self.regexes.len()
    }

    /// True when nothing is compiled yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A compiled pattern, and the literal text every match contains.
#[derive(Clone, Debug)]
pub struct Compiled {
    regex: Regex,
    /// Absent from a text, it settles that the text does not match.
    required: Option<Finder<'static>>,
    /// For `=~~`: ASCII text that every match contains, letters in either
    /// case; absent from an ASCII text, it settles that the text does not
    /// match.
    required_folded: Option<Box<[u8]>>,
    /// The pattern is this literal text.
    literal: Option<Literal>,
}

/// A pattern that is literal text, anchored or not.
#[derive(Clone, Debug)]
struct Literal {
    text: Box<[u8]>,
    /// `^`
    start: bool,
    /// `$`
    end: bool,
    /// `=~~`: ASCII letters match either case (`text` is ASCII, in lower
    /// case).
    folded: bool,
}

impl Literal {
    /// Whether `hay` matches; `None` when only the regex can say (folding
    /// over non-ASCII text, an unanchored folded search).
    fn matches(&self, hay: &[u8]) -> Option<bool> {
        let n = self.text.len();
        let region = match (self.start, self.end) {
            (true, true) if self.folded && !hay.is_ascii() => return None,
            (true, true) => hay,
            (true, false) => match hay.get(..n) {
                Some(region) => region,
                None => return Some(false),
            },
            (false, true) => match hay.len().checked_sub(n).and_then(|at| hay.get(at..)) {
                Some(region) => region,
                None => return Some(false),
            },
            (false, false) if self.folded => return None,
            (false, false) => {
                return Some(memchr::memmem::find(hay, &self.text).is_some());
            }
        };
        if !self.folded {
            return Some(region == &*self.text);
        }
        folded_equal(region, &self.text)
    }
}

impl Compiled {
    /// `pattern` (a POSIX ERE) compiled; the error is the reason it is not
    /// valid.
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<Compiled, String> {
        let translated = crate::ere::translate(pattern)?;
        let regex = RegexBuilder::new(&translated)
            .case_insensitive(case_insensitive)
            .build()
            .map_err(|e| compile_reason(&e))?;
        let needle = required_literal(&translated);
        let (required, required_folded) = match needle {
            Some(needle) if !case_insensitive => (Some(Finder::new(&needle).into_owned()), None),
            Some(needle) if needle.is_ascii() => (None, Some(needle.into_boxed_slice())),
            _ => (None, None),
        };
        let literal = literal_pattern(&translated)
            .filter(|(text, _, _)| !case_insensitive || text.is_ascii())
            .map(|(text, start, end)| Literal {
                // Folded: kept in lower case, compared with `folded_equal`.
                text: if case_insensitive {
                    text.to_ascii_lowercase().into_boxed_slice()
                } else {
                    text.into_boxed_slice()
                },
                start,
                end,
                folded: case_insensitive,
            });
        Ok(Compiled {
            regex,
            required,
            required_folded,
            literal,
        })
    }

    /// True when `text` has a match.
    pub fn is_match(&self, text: &str) -> bool {
        if let Some(answer) = self
            .literal
            .as_ref()
            .and_then(|l| l.matches(text.as_bytes()))
        {
            return answer;
        }
        if let Some(required) = &self.required {
            if required.find(text.as_bytes()).is_none() {
                return false;
            }
        }
        // Folding is plain ASCII only over ASCII text (`K`, the Kelvin
        // sign, matches `k` under `=~~`).
        if let Some(needle) = &self.required_folded {
            if text.is_ascii() && !contains_folded(text.as_bytes(), needle) {
                return false;
            }
        }
        self.regex.is_match(text)
    }
}

/// Whether the ASCII `region` equals `lower` (lower case) with letters in
/// either case, in one pass; `None` when `region` is not ASCII (folding
/// is then the regex's to judge).
#[inline]
fn folded_equal(region: &[u8], lower: &[u8]) -> Option<bool> {
    if region.len() != lower.len() {
        return Some(false);
    }
    let mut equal = true;
    let mut ascii = true;
    for (&byte, &want) in region.iter().zip(lower) {
        ascii &= byte.is_ascii();
        equal &= byte.to_ascii_lowercase() == want;
    }
    ascii.then_some(equal)
}

/// The longest literal part (three bytes or more) of a pattern that is a
/// sequence: every match contains it.
fn required_literal(translated: &str) -> Option<Vec<u8>> {
    let hir: Hir = regex_syntax::Parser::new().parse(translated).ok()?;
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        HirKind::Literal(_) => std::slice::from_ref(&hir),
        _ => return None,
    };
    parts
        .iter()
        .filter_map(|part| match part.kind() {
            HirKind::Literal(literal) => Some(&literal.0),
            _ => None,
        })
        .max_by_key(|bytes| bytes.len())
        .filter(|bytes| bytes.len() >= 3)
        .map(|bytes| bytes.to_vec())
}

/// True when `hay` contains `needle` (both ASCII), letters matching in
/// either case: each place that has the needle's first byte is compared.
fn contains_folded(hay: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    let last_start = match hay.len().checked_sub(needle.len()) {
        Some(at) => at,
        None => return false,
    };
    let Some(candidates) = hay.get(..=last_start) else {
        return false;
    };
    memchr::memchr2_iter(lower, upper, candidates).any(|at| {
        hay.get(at + 1..at + needle.len())
            .is_some_and(|tail| tail.eq_ignore_ascii_case(rest))
    })
}

/// The text and anchors (`^`, `$`) of a pattern that is literal text.
fn literal_pattern(translated: &str) -> Option<(Vec<u8>, bool, bool)> {
    let hir: Hir = regex_syntax::Parser::new().parse(translated).ok()?;
    let parts = match hir.kind() {
        HirKind::Concat(parts) => parts.as_slice(),
        HirKind::Literal(_) => std::slice::from_ref(&hir),
        _ => return None,
    };
    let (mut start, mut end, mut text) = (false, false, None);
    let last = parts.len().checked_sub(1)?;
    for (i, part) in parts.iter().enumerate() {
        match part.kind() {
            HirKind::Look(Look::Start) if i == 0 => start = true,
            HirKind::Look(Look::End) if i == last => end = true,
            HirKind::Literal(literal) if text.is_none() => text = Some(literal.0.to_vec()),
            _ => return None,
        }
    }
    text.map(|text| (text, start, end))
}

/// The last line of the crate's message, which names the problem (the
/// earlier lines repeat the translated pattern, which would confuse).
fn compile_reason(err: &regex::Error) -> String {
    let text = err.to_string();
    text.lines()
        .rev()
        .find(|l| l.trim_start().starts_with("error:"))
        .map_or(text.clone(), |l| {
            l.trim_start()
                .trim_start_matches("error:")
                .trim()
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_each_pattern_once() {
        let mut cache = RegexCache::new();
        assert!(cache.get("^a+$", false).unwrap().is_match("aaa"));
        assert!(cache.get("^a+$", false).unwrap().is_match("a"));
        assert_eq!(cache.len(), 1);
        assert!(cache.get("^A+$", true).unwrap().is_match("aa"));
        assert_eq!(cache.len(), 2);
        // back to the first pattern after another: found by its hash
        assert!(!cache.get("^a+$", false).unwrap().is_match("AA"));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn last_pattern_is_kept_apart_by_case_sensitivity() {
        let mut cache = RegexCache::new();
        assert!(!cache.get("x", false).unwrap().is_match("X"));
        assert!(cache.get("x", true).unwrap().is_match("X"));
        assert!(!cache.get("x", false).unwrap().is_match("X"));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn more_patterns_than_the_recent_list_are_all_kept() {
        let mut cache = RegexCache::new();
        for round in 0..3 {
            for n in 0..RECENT * 2 {
                let pattern = format!("^p{n}$");
                let regex = cache.get(&pattern, false).unwrap();
                assert!(regex.is_match(&format!("p{n}")), "round {round}");
                assert!(!regex.is_match("p"));
            }
        }
        assert_eq!(cache.len(), RECENT * 2);
        assert!(cache.recent.len() <= RECENT);
    }

    #[test]
    fn a_full_cache_starts_over() {
        let mut cache = RegexCache::new();
        for n in 0..MAX_ENTRIES {
            assert!(cache.get(&format!("^{n}$"), false).is_ok());
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(cache.get("^new$", false).unwrap().is_match("new"));
        assert_eq!(cache.len(), 1);
        assert!(cache.get("^7$", false).unwrap().is_match("7"));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_required_literal_is_the_longest_part_of_a_sequence() {
        let literal = |p: &str| {
            required_literal(&crate::ere::translate(p).unwrap())
                .map(|b| String::from_utf8(b).unwrap())
        };
        assert_eq!(
            literal("sshd\\[[0-9]+\\]: Failed password for").as_deref(),
            Some("]: Failed password for")
        );
        assert_eq!(literal("^imapd$").as_deref(), Some("imapd"));
        assert_eq!(literal("a|bcdef"), None);
        assert_eq!(literal("ab[0-9]"), None);
        assert_eq!(literal("(abcd)+x"), None);
        // With or without the literal, the answer is the regex's.
        let cache = &mut RegexCache::new();
        for (pattern, text) in [
            (
                "sshd\\[[0-9]+\\]: Failed password for",
                "sshd[12]: Failed password for x",
            ),
            (
                "sshd\\[[0-9]+\\]: Failed password for",
                "sshd[]: Failed password for x",
            ),
            (
                "sshd\\[[0-9]+\\]: Failed password for",
                "cron[1]: Failed password for",
            ),
            ("^imapd$", "imapd"),
            ("^imapd$", "imapd2"),
            ("x[é]yz", "xéyz"),
        ] {
            let compiled = cache.get(pattern, false).unwrap();
            let plain = Regex::new(&crate::ere::translate(pattern).unwrap()).unwrap();
            assert_eq!(
                compiled.is_match(text),
                plain.is_match(text),
                "{pattern} {text}"
            );
        }
    }

    #[test]
    fn literal_patterns_answer_as_the_regex_does() {
        let patterns = [
            "imapd$", "^imapd", "^imapd$", "imapd", "^sk$", "^a.b$", "x\\.y",
        ];
        let texts = [
            "imapd",
            "IMAPD",
            "my-imapd",
            "imapd2",
            "imap",
            "",
            "sk",
            "SK",
            "\u{17f}K",
            "s\u{212a}",
            "\u{e9}imapd",
            "imapd\u{e9}",
            "a.b",
            "axb",
            "x.y",
            "xxy",
        ];
        for pattern in patterns {
            for folded in [false, true] {
                let compiled = Compiled::new(pattern, folded).unwrap();
                let plain = RegexBuilder::new(&crate::ere::translate(pattern).unwrap())
                    .case_insensitive(folded)
                    .build()
                    .unwrap();
                for text in texts {
                    assert_eq!(
                        compiled.is_match(text),
                        plain.is_match(text),
                        "{pattern:?} folded {folded} on {text:?}"
                    );
                }
            }
        }
        assert!(Compiled::new("imapd$", true).unwrap().literal.is_some());
        assert!(Compiled::new("a.b", false).unwrap().literal.is_none());
    }

    #[test]
    fn folded_required_literals_settle_only_ascii_text() {
        let pattern = "sshd\\[[0-9]+\\]: Failed password for root from";
        let compiled = Compiled::new(pattern, true).unwrap();
        assert!(compiled.required_folded.is_some());
        let plain = RegexBuilder::new(&crate::ere::translate(pattern).unwrap())
            .case_insensitive(true)
            .build()
            .unwrap();
        for text in [
            "x sshd[1]: FAILED password for ROOT from 1.2.3.4",
            "x sshd[1]: Failed password for admin from 1.2.3.4",
            "sshd[1]: Failed password for root fro",
            "sshd[]: failed password for root from",
            "x SSHD[9]: failed password for root from \u{e9}",
            "sshd[2]: failed password for root from",
        ] {
            assert_eq!(compiled.is_match(text), plain.is_match(text), "{text}");
        }
        assert!(contains_folded(b"abcDEF", b"cdE"));
        assert!(!contains_folded(b"ab", b"abc"));
        assert!(contains_folded(b"abc", b""));
    }

    #[test]
    fn folded_comparison_answers_only_over_ascii() {
        assert_eq!(folded_equal(b"IMAPD", b"imapd"), Some(true));
        assert_eq!(folded_equal(b"imapx", b"imapd"), Some(false));
        assert_eq!(folded_equal(b"imap", b"imapd"), Some(false));
        // Not ASCII: the regex decides, even when another byte differs.
        assert_eq!(folded_equal("x\u{e9}".as_bytes(), b"abc"), None);
        assert_eq!(folded_equal("\u{212a}".as_bytes(), b"kkk"), None);
        assert_eq!(folded_equal(b"", b""), Some(true));
    }

    #[test]
    fn bad_pattern_reports_the_reason() {
        let mut cache = RegexCache::new();
        assert_eq!(
            cache.get("a(b", false).unwrap_err(),
            "unclosed group".to_string()
        );
        assert!(cache.is_empty());
    }
}
