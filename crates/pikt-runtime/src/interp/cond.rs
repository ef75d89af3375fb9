//! Conditions: comparisons, regex matches, `#defined`, file tests, and the
//! truth of numbers, texts and values.
//!
//! Each match has a site (numbered by the plan) that keeps its compiled
//! patterns: a literal pattern is compiled at the site's first use; an
//! interpolated one is kept by its text, the last [`SITE_ENTRIES`] texts
//! the site saw compared (from the one found last) before the run-wide
//! cache, which hashes, is asked.

use std::cmp::Ordering;

use super::eval::Loc;
use super::store::{same_text, TextCell};
use super::{error, Machine, Res};
use crate::error::RunErrorKind;
use crate::host::{FileKind, Fs};
use crate::plan::{Compare, CompareText, Cond, Defined, Key, Match, Pattern, Place, Text};
use crate::regex_cache::{Compiled, RegexCache};

/// How many pattern texts a site keeps.
const SITE_ENTRIES: usize = 8;

/// The compiled patterns of one regex site.
#[derive(Debug, Default)]
pub(crate) struct Site {
    entries: Vec<Entry>,
    /// The entry found or added last.
    last: usize,
    /// The entry to replace next when the site is full.
    next: usize,
    /// For a pattern of literal text and variables: the versions of its
    /// variables when entry `last` was found for it (empty: none).
    stamp: Vec<u64>,
}

/// A pattern a site keeps.
#[derive(Debug)]
struct Entry {
    /// The pattern's text.
    text: String,
    /// For a pattern of literal text and variables, the variables' values
    /// it was made of: the literal parts are the site's own, so equal
    /// values make the same text, and only they are compared.
    values: Vec<String>,
    compiled: Compiled,
}

impl Site {
    /// The entry made of the values the variables of `parts` have now,
    /// searching from the one after the one found last (a loop over
    /// patterns uses them in turn), without building the text. `None` also
    /// when a variable has no value.
    fn find_parts(&mut self, parts: &[Text], vars: &[TextCell]) -> Option<usize> {
        let count = self.entries.len();
        let mut at = self.last + 1;
        for _ in 0..count {
            if at >= count {
                at = 0;
            }
            if self
                .entries
                .get(at)
                .is_some_and(|entry| made_of(&entry.values, parts, vars))
            {
                self.last = at;
                return Some(at);
            }
            at += 1;
        }
        None
    }

    /// True when the variables of `parts` are as they were when entry
    /// `last` was found for them.
    fn stamped(&self, parts: &[Text], vars: &[TextCell]) -> bool {
        if self.stamp.is_empty() {
            return false;
        }
        let mut stamps = self.stamp.iter();
        for part in parts {
            if let Text::Var(slot, ..) = part {
                let version = vars.get(*slot as usize).map(TextCell::version);
                if version != stamps.next().copied() {
                    return false;
                }
            }
        }
        stamps.next().is_none()
    }

    /// Records, for entry `last`, the versions of the variables of `parts`.
    fn stamp(&mut self, parts: &[Text], vars: &[TextCell]) {
        self.stamp.clear();
        for part in parts {
            if let Text::Var(slot, ..) = part {
                let cell = vars.get(*slot as usize);
                self.stamp.push(cell.map_or(0, TextCell::version));
            }
        }
    }

    /// Records, for entry `last` (just made), the values of the variables
    /// of `parts`.
    fn record_values(&mut self, parts: &[Text], vars: &[TextCell]) {
        let Some(entry) = self.entries.get_mut(self.last) else {
            return;
        };
        entry.values.clear();
        for part in parts {
            if let Text::Var(slot, ..) = part {
                let text = vars.get(*slot as usize).map_or("", |c| c.text.as_str());
                entry.values.push(text.to_string());
            }
        }
    }

    /// The entry whose text is `pattern`, searching from the one found last.
    fn find(&mut self, pattern: &str) -> Option<usize> {
        let count = self.entries.len();
        let mut at = self.last;
        for _ in 0..count {
            if at >= count {
                at = 0;
            }
            if self
                .entries
                .get(at)
                .is_some_and(|e| same_text(&e.text, pattern))
            {
                self.last = at;
                return Some(at);
            }
            at += 1;
        }
        None
    }

    /// Keeps `compiled` for `pattern` (replacing the oldest entry when
    /// full).
    fn add(&mut self, pattern: &str, compiled: Compiled) -> usize {
        let entry = Entry {
            text: pattern.to_string(),
            values: Vec::new(),
            compiled,
        };
        let at = if self.entries.len() < SITE_ENTRIES {
            self.entries.push(entry);
            self.entries.len() - 1
        } else {
            let at = self.next % SITE_ENTRIES;
            self.next = at + 1;
            if let Some(slot) = self.entries.get_mut(at) {
                *slot = entry;
            }
            at
        };
        self.last = at;
        at
    }

    fn regex(&self, at: usize) -> Option<&Compiled> {
        self.entries.get(at).map(|e| &e.compiled)
    }

    /// The entry for `pattern`, compiled through `regexes` if the site does
    /// not have it.
    fn get(
        &mut self,
        regexes: &mut RegexCache,
        pattern: &str,
        folded: bool,
    ) -> Result<usize, String> {
        if let Some(at) = self.find(pattern) {
            return Ok(at);
        }
        let regex = regexes.get(pattern, folded)?.clone();
        Ok(self.add(pattern, regex))
    }
}

impl<'a> Machine<'a> {
    /// The truth of `c`: the common conditions here, the others in
    /// [`Machine::cond_other`].
    pub(super) fn cond(&mut self, c: &'a Cond) -> Res<bool> {
        match c {
            Cond::Compare(op, l, r) => {
                let a = self.operand(l)?;
                let b = self.operand(r)?;
                Ok(compare_nums(*op, a, b))
            }
            Cond::Not(x) => match &**x {
                // `if ! #defined(A[k])`, the guard of the counting idiom.
                Cond::Defined(d) => Ok(!self.defined_here(d)?),
                x => Ok(!self.cond(x)?),
            },
            Cond::And(a, b) => Ok(self.cond(a)? && self.cond(b)?),
            Cond::Or(a, b) => Ok(self.cond(a)? || self.cond(b)?),
            Cond::Num(n) => Ok(self.operand(n)? != 0.0),
            Cond::Match(m) => self.matches(m),
            Cond::Defined(d) => self.defined_here(d),
            Cond::CompareText(compare) => self.compare_text(compare),
            _ => self.cond_other(c),
        }
    }

    #[inline(never)]
    fn cond_other(&mut self, c: &'a Cond) -> Res<bool> {
        match c {
            Cond::Compare(..) | Cond::Not(_) | Cond::And(..) | Cond::Or(..) => self.cond(c),
            Cond::CompareText(compare) => self.compare_text(compare),
            Cond::Match(m) => self.matches(m),
            Cond::Num(_) => self.cond(c),
            Cond::Text(t) => self.with_text(t, |s| !(s.is_empty() || s == "0")),
            Cond::Dyn(d) => Ok(self.dyn_value(d)?.truthy()),
            Cond::Defined(d) => self.defined(d),
            Cond::FileTest(test, path) => {
                let mut buf = String::new();
                let loc = self.locate(path, &mut buf)?;
                let path = texts!(self).get(loc, &buf).to_string();
                self.give_text(buf);
                Ok(self.file_test(*test, &path))
            }
        }
    }

    /// `a eq b` and its siblings; the left side is copied first when the
    /// right side could change it.
    #[inline(never)]
    fn compare_text(&mut self, compare: &'a CompareText) -> Res<bool> {
        let mut left_buf = String::new();
        let left = self.locate(&compare.left, &mut left_buf)?;
        let left = self.kept(left, compare.copy_left, &mut left_buf);
        let mut right_buf = String::new();
        let right = self.locate(&compare.right, &mut right_buf)?;
        let texts = texts!(self);
        let order = texts.get(left, &left_buf).cmp(texts.get(right, &right_buf));
        self.give_text(left_buf);
        self.give_text(right_buf);
        Ok(match compare.op {
            Compare::Eq => order == Ordering::Equal,
            Compare::Ne => order != Ordering::Equal,
            Compare::Lt => order == Ordering::Less,
            Compare::Gt => order == Ordering::Greater,
            Compare::Le => order != Ordering::Greater,
            Compare::Ge => order != Ordering::Less,
        })
    }

    /// `loc`, or (when `copy`) its text copied into `buf`.
    fn kept(&mut self, loc: Loc<'a>, copy: bool, buf: &mut String) -> Loc<'a> {
        if !copy || matches!(loc, Loc::Buf | Loc::Lit(_)) {
            return loc;
        }
        self.pooled(buf);
        buf.push_str(texts!(self).get(loc, ""));
        Loc::Buf
    }

    /// `subject =~ pattern` and its siblings.
    #[inline(always)]
    fn matches(&mut self, m: &'a Match) -> Res<bool> {
        // The commonest form, `$inline =~ "literal"` on an input line: the
        // line is the subject where it lies and the site's pattern, once
        // compiled, is tried on it without the general path's buffers.
        if let (Pattern::Fixed(_), Text::Line(_)) = (&m.pattern, &m.subject) {
            if self.has_line {
                if let Some(regex) = self.sites.get(m.site as usize).and_then(|s| s.regex(0)) {
                    return Ok(regex.is_match(&self.line) != m.negated);
                }
            }
        }
        self.matches_general(m)
    }

    /// [`Machine::matches`] for any subject and pattern.
    #[inline(never)]
    fn matches_general(&mut self, m: &'a Match) -> Res<bool> {
        let mut subject_buf = String::new();
        let subject = self.locate(&m.subject, &mut subject_buf)?;
        let subject = self.kept(subject, m.copy_subject, &mut subject_buf);
        let mut pattern_buf = String::new();
        let at = match &m.pattern {
            // A literal pattern: its site holds it once compiled.
            Pattern::Fixed(text) => match self.sites.get(m.site as usize) {
                Some(site) if !site.entries.is_empty() => Ok(0),
                _ => self.site_regex(m, Loc::Lit(text), ""),
            },
            Pattern::Parts(parts) => self.parts_regex(m, parts, &mut pattern_buf),
            Pattern::Built(text) => {
                let pattern = self.locate(text, &mut pattern_buf)?;
                self.site_regex(m, pattern, &pattern_buf)
            }
        }?;
        let found = self
            .sites
            .get(m.site as usize)
            .and_then(|site| site.regex(at))
            .is_some_and(|regex| regex.is_match(texts!(self).get(subject, &subject_buf)));
        self.give_text(subject_buf);
        self.give_text(pattern_buf);
        Ok(found != m.negated)
    }

    /// The entry of `m`'s site for a pattern of literal text and variables:
    /// the one used last if the variables have not changed since, else one
    /// whose text they spell, else compiled from the text built in `buf`.
    fn parts_regex(&mut self, m: &'a Match, parts: &'a [Text], buf: &mut String) -> Res<usize> {
        let vars = &self.store.texts;
        if let Some(site) = self.sites.get_mut(m.site as usize) {
            if site.stamped(parts, vars) {
                return Ok(site.last);
            }
            if let Some(at) = site.find_parts(parts, vars) {
                site.stamp(parts, vars);
                return Ok(at);
            }
        }
        self.pooled(buf);
        for part in parts {
            self.text_into(part, buf)?;
        }
        let at = self.site_regex(m, Loc::Buf, buf)?;
        let vars = &self.store.texts;
        if let Some(site) = self.sites.get_mut(m.site as usize) {
            site.record_values(parts, vars);
            site.stamp(parts, vars);
        }
        Ok(at)
    }

    /// The entry of `m`'s site for the pattern at `pattern` (compiled now
    /// if the site does not have it).
    fn site_regex(&mut self, m: &Match, pattern: Loc<'_>, buf: &str) -> Res<usize> {
        let pattern = texts!(self).get(pattern, buf);
        let found = match self.sites.get_mut(m.site as usize) {
            Some(site) => site.get(&mut self.shared.regexes, pattern, m.folded),
            None => Err("no such site".to_string()),
        };
        found.map_err(|reason| {
            error(
                RunErrorKind::BadRegex {
                    pattern: pattern.to_string(),
                    reason,
                },
                m.span,
            )
        })
    }

    /// `#defined(...)`: an element (the common question) here, the rest
    /// in [`Machine::defined`].
    #[inline(always)]
    fn defined_here(&mut self, d: &'a Defined) -> Res<bool> {
        match d {
            Defined::Elem(elem) => self.elem_defined(elem),
            _ => self.defined(d),
        }
    }

    /// `#defined(A[k])`.
    #[inline(never)]
    fn elem_defined(&mut self, elem: &'a crate::plan::Elem) -> Res<bool> {
        if let Key::Text(Text::Var(slot, var, span)) = &elem.key {
            return match self.find_by_var(elem.array, *slot) {
                Some(found) => Ok(found.is_some()),
                None => Err(self.unset_error(*var, *span)),
            };
        }
        let mut buf = String::new();
        let (_, found) = self.find_elem(elem, &mut buf)?;
        self.give_text(buf);
        Ok(found.is_some())
    }

    /// `#defined(...)`.
    #[inline(never)]
    fn defined(&mut self, d: &'a Defined) -> Res<bool> {
        Ok(match d {
            Defined::Var(place) => match *place {
                Place::Dat(..) => self.has_line,
                Place::Num(slot) => self.num_slot(slot).is_some(),
                Place::Text(slot) => self.store.texts.get(slot as usize).is_some_and(|c| c.set),
                Place::NumArray(slot) => self
                    .store
                    .arrays
                    .num
                    .get(slot as usize)
                    .is_some_and(|t| !t.is_empty()),
                Place::TextArray(slot) => self
                    .store
                    .arrays
                    .text
                    .get(slot as usize)
                    .is_some_and(|t| !t.is_empty()),
            },
            Defined::Elem(elem) => {
                let mut buf = String::new();
                let (_, found) = self.find_elem(elem, &mut buf)?;
                self.give_text(buf);
                found.is_some()
            }
            Defined::NotAnArray(key) => {
                let mut buf = String::new();
                self.locate_key(key, &mut buf)?;
                self.give_text(buf);
                false
            }
            Defined::History(id, keyed) => self.earlier_value(*id, *keyed).is_some(),
            Defined::Previous(id) => self.store.previous(*id).is_some(),
            Defined::Line => self.has_line,
            Defined::Readline => self.has_readline,
            Defined::Field(n) => self.field_range(u64::from(*n)).is_some(),
            Defined::FieldAt(index) => {
                let n = self.num(index)?;
                n >= 0.0 && self.field_range(n as u64).is_some()
            }
            Defined::Evaluates(value) => {
                self.value(value)?;
                true
            }
        })
    }

    /// `-e -z -f -d -c -b -p -l -S` on `path` (`-l` does not follow a
    /// link; `-z` is true for an existing empty file).
    fn file_test(&mut self, test: char, path: &str) -> bool {
        let Ok(stat) = self.host.stat(path, test != 'l') else {
            return false;
        };
        match test {
            'e' => true,
            'z' => stat.len == 0,
            'f' => stat.kind == FileKind::File,
            'd' => stat.kind == FileKind::Dir,
            'c' => stat.kind == FileKind::CharDevice,
            'b' => stat.kind == FileKind::BlockDevice,
            'p' => stat.kind == FileKind::Fifo,
            'l' => stat.kind == FileKind::Symlink,
            'S' => stat.kind == FileKind::Socket,
            _ => false,
        }
    }
}

/// True when the variables of `parts` have the `values` (compared from
/// the last: the patterns of one site differ more often at their end).
/// False when one has no value.
fn made_of(values: &[String], parts: &[Text], vars: &[TextCell]) -> bool {
    let mut values = values.iter().rev();
    for part in parts.iter().rev() {
        if let Text::Var(slot, ..) = part {
            let Some(cell) = vars.get(*slot as usize).filter(|c| c.set) else {
                return false;
            };
            if values
                .next()
                .is_none_or(|value| !same_text(value, &cell.text))
            {
                return false;
            }
        }
    }
    values.next().is_none()
}

/// A numeric comparison.
pub(super) fn compare_nums(op: Compare, a: f64, b: f64) -> bool {
    match op {
        Compare::Eq => a == b,
        Compare::Ne => a != b,
        Compare::Lt => a < b,
        Compare::Gt => a > b,
        Compare::Le => a <= b,
        Compare::Ge => a >= b,
    }
}
