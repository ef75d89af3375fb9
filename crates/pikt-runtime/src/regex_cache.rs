//! Compiled regular expressions, one per distinct pattern text.
//!
//! Patterns are often built at run time (`$proc =~~ "$pr$"` in the seed), so
//! the same few texts come back on every input line; each is translated
//! ([`crate::ere`]) and compiled once per run. The cache is bounded: patterns
//! made from input data could otherwise grow it without limit.

use regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;

use crate::value::Str;

/// The most patterns kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 4096;

/// Compiled patterns keyed by their text, one map per case sensitivity.
#[derive(Debug, Default)]
pub struct RegexCache {
    exact: FxHashMap<Str, Regex>,
    folded: FxHashMap<Str, Regex>,
}

impl RegexCache {
    /// An empty cache.
    pub fn new() -> RegexCache {
        RegexCache::default()
    }

    /// The compiled form of `pattern` (a POSIX ERE), compiling it on first
    /// use. The error is the reason the pattern is not valid.
    pub fn get(&mut self, pattern: &str, case_insensitive: bool) -> Result<&Regex, String> {
        let map = if case_insensitive {
            &mut self.folded
        } else {
            &mut self.exact
        };
        if !map.contains_key(pattern) {
            let translated = crate::ere::translate(pattern)?;
            let regex = RegexBuilder::new(&translated)
                .case_insensitive(case_insensitive)
                .build()
                .map_err(|e| compile_reason(&e))?;
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            map.insert(Str::from(pattern), regex);
        }
        map.get(pattern)
            .ok_or_else(|| "pattern vanished from the cache".to_string())
    }

    /// How many patterns are compiled (both sensitivities).
    pub fn len(&self) -> usize {
        self.exact.len() + self.folded.len()
    }

    /// True when nothing is compiled yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
