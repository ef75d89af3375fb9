//! Variable storage, typed by the plan ([`crate::plan::Place`]): numbers,
//! texts (each with its own buffer, reused from one value to the next),
//! number arrays and text arrays, and the `@` values of the previous line.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use pikt_lang::ast::VarId;
use rustc_hash::FxBuildHasher;

use super::budget::ELEMENT_COST;
use crate::plan::Sizes;
use crate::value::Str;

/// A `$` scalar: its text and whether it has a value.
#[derive(Debug, Default)]
pub(crate) struct TextCell {
    /// The value (kept allocated while unset).
    pub text: String,
    /// False until assigned, and after `unset`.
    pub set: bool,
    /// Changes whenever the cell is written ([`Store::text_mut`]): a regex
    /// site built from variables knows by it that they are unchanged.
    version: u64,
}

impl TextCell {
    /// The bytes of text the cell holds as a value (the memory limit).
    pub(crate) fn held(&self) -> usize {
        if self.set {
            self.text.len()
        } else {
            0
        }
    }

    /// The cell's version.
    pub(crate) fn version(&self) -> u64 {
        self.version
    }
}

/// An array: keys in the order they were first set (reference §4.5: the
/// seed's wild card must be visited last).
///
/// The elements lie in one vector, in order, as `(key, value)`; a hash
/// table of 32-bit positions finds a key's. That is what an `IndexMap`
/// does, in less memory: no hash kept per element (it is recomputed only
/// when the table grows) and half-width positions. The profile of
/// ProcCounts over 38,000 keys put a fifth of its time in the lookup,
/// nearly all of it waiting for memory (the position, then the element);
/// a smaller table keeps more of both in the cache. The hash is Fx: an
/// array lives for one run and its keys come from the host's own data, so
/// HashDoS resistance buys little there, and the memory limit bounds what
/// a flood of colliding keys could cost.
///
/// It remembers where the key it found or inserted last is: the guard and
/// update of the counting idiom (`if ! #defined(#n[$k])` … `set #n[$k] +=
/// 1`), or a read followed by a write of one element, hash the key once.
/// The key is compared with the element's own (no copy of it is kept);
/// only removals move elements, so only they forget the position.
#[derive(Debug)]
pub(crate) struct Table<V> {
    /// Each element's position in `entries`, by its key's hash.
    index: HashTable<u32>,
    entries: Vec<(Str, V)>,
    last_at: Option<usize>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            index: HashTable::new(),
            entries: Vec::new(),
            last_at: None,
        }
    }
}

/// `a == b`, for the short keys arrays mostly have, without a call to
/// `memcmp`: up to 16 bytes are compared as two (overlapping) words.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let len = a.len();
    if (8..=16).contains(&len) {
        word::<8>(a, 0) == word::<8>(b, 0) && word::<8>(a, len - 8) == word::<8>(b, len - 8)
    } else if (4..8).contains(&len) {
        word::<4>(a, 0) == word::<4>(b, 0) && word::<4>(a, len - 4) == word::<4>(b, len - 4)
    } else {
        a == b
    }
}

/// The `N` bytes of `bytes` at `at` (zeros past the end, which the callers
/// never reach).
#[inline(always)]
fn word<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    bytes
        .get(at..at + N)
        .and_then(|w| <[u8; N]>::try_from(w).ok())
        .unwrap_or([0; N])
}

/// The hash of a key.
fn hash_key(key: &str) -> u64 {
    FxBuildHasher.hash_one(key)
}

/// The hash of the key at `at` (the table moving its positions as it
/// grows).
fn hash_at<V>(entries: &[(Str, V)], at: u32) -> u64 {
    entries.get(at as usize).map_or(0, |(key, _)| hash_key(key))
}

impl<V> Table<V> {
    /// How many elements.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the array has no element.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The position of `key`, if it is set. `hint` is where it may be
    /// ([`Arrays::hint`]): tried, after the position found last, before the
    /// key is hashed, when the array it came from had as many elements as
    /// this one (arrays filled together do).
    #[inline]
    pub(crate) fn find(&mut self, key: &str, hint: Option<Hint>) -> Option<usize> {
        if let Some(at) = self.last_at {
            if self.key(at).is_some_and(|last| same_text(last, key)) {
                return Some(at);
            }
        }
        self.find_elsewhere(key, hint)
    }

    /// [`Table::find`] past the position found last.
    #[inline(never)]
    fn find_elsewhere(&mut self, key: &str, hint: Option<Hint>) -> Option<usize> {
        let hint = hint.filter(|h| h.len == self.len() && Some(h.at) != self.last_at);
        if let Some(at) = hint.map(|h| h.at) {
            if self.key(at).is_some_and(|there| same_text(there, key)) {
                self.last_at = Some(at);
                return Some(at);
            }
        }
        let at = self.position(key)?;
        self.last_at = Some(at);
        Some(at)
    }

    /// The position of `key`, hashing it.
    fn position(&self, key: &str) -> Option<usize> {
        let entries = &self.entries;
        let found = self.index.find(hash_key(key), |&at| {
            entries
                .get(at as usize)
                .is_some_and(|(k, _)| same_text(k, key))
        })?;
        Some(*found as usize)
    }

    /// Adds `key` (not set yet) with `value`, last; its position. `None`
    /// (nothing added) when the array already has 2^32 − 1 elements,
    /// which the memory limit stops long before.
    pub(crate) fn insert(&mut self, key: &str, value: V) -> Option<usize> {
        let at = self.entries.len();
        let position = u32::try_from(at).ok().filter(|&p| p < u32::MAX)?;
        self.entries.push((Str::from(key), value));
        let entries = &self.entries;
        self.index
            .insert_unique(hash_key(key), position, |&p| hash_at(entries, p));
        self.last_at = Some(at);
        Some(at)
    }

    /// The value at `at`.
    pub(crate) fn value(&self, at: usize) -> Option<&V> {
        self.entries.get(at).map(|(_, v)| v)
    }

    /// The value at `at`, for writing.
    pub(crate) fn value_mut(&mut self, at: usize) -> Option<&mut V> {
        self.entries.get_mut(at).map(|(_, v)| v)
    }

    /// The key at `at`.
    pub(crate) fn key(&self, at: usize) -> Option<&str> {
        self.entries.get(at).map(|(k, _)| k.as_str())
    }

    /// Every key, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &Str> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Removes `key` (the later elements move up); its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let entries = &self.entries;
        let slot = self
            .index
            .find_entry(hash_key(key), |&p| {
                entries
                    .get(p as usize)
                    .is_some_and(|(k, _)| same_text(k, key))
            })
            .ok()?;
        let (at, _) = slot.remove();
        let at = at as usize;
        let (_, value) = self.entries.remove(at);
        // The elements after it moved up one place.
        for position in self.index.iter_mut() {
            if *position as usize > at {
                *position -= 1;
            }
        }
        self.last_at = None;
        Some(value)
    }

    /// The bytes the array holds (the memory limit): each key, each value
    /// (`value` says how many bytes a value holds) and a fixed cost per
    /// element.
    pub(crate) fn held(&self, value: impl Fn(&V) -> usize) -> usize {
        self.entries
            .iter()
            .map(|(key, v)| key.len() + value(v) + ELEMENT_COST)
            .sum()
    }

    /// Removes every element.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
        self.last_at = None;
    }
}

/// Cell `slot` of `cells`, for writing: its version changes. Every write
/// of a `$` scalar goes through here.
pub(crate) fn text_mut(cells: &mut [TextCell], slot: u32) -> Option<&mut TextCell> {
    let cell = cells.get_mut(slot as usize)?;
    cell.version = cell.version.wrapping_add(1);
    Some(cell)
}

/// The arrays of a script, by kind.
#[derive(Debug, Default)]
pub(crate) struct Arrays {
    /// `#` arrays.
    pub num: Vec<Table<f64>>,
    /// `$` arrays.
    pub text: Vec<Table<Str>>,
    /// The position of the element found last in any array, or of the key
    /// a `foreach` loop turn took: arrays filled together under one key
    /// (`#procs[$u]`, `#mem[$u]`, `#big[$u]`) hold it at the same position,
    /// and a loop over one array often reads the same key in another, so
    /// the next lookup tries it (one comparison) before hashing.
    pub hint: Option<Hint>,
}

/// A position where a key may be, in an array of `len` elements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hint {
    pub at: usize,
    pub len: usize,
}

impl Hint {
    /// Position `at` in `table`.
    pub(crate) fn at<V>(table: &Table<V>, at: usize) -> Hint {
        Hint {
            at,
            len: table.len(),
        }
    }
}

/// Every variable of one script.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// `#` scalars (`None`: no value).
    pub nums: Vec<Option<f64>>,
    /// `$` scalars.
    pub texts: Vec<TextCell>,
    /// Arrays.
    pub arrays: Arrays,
    /// The `@` values, by variable.
    pub previous: Vec<Earlier>,
}

impl Store {
    /// Storage for a plan of `sizes` with `vars` variables, all unset.
    pub(crate) fn new(sizes: Sizes, vars: usize) -> Store {
        let count = |n: u32| n as usize;
        Store {
            nums: vec![None; count(sizes.nums)],
            texts: (0..sizes.texts).map(|_| TextCell::default()).collect(),
            arrays: Arrays {
                num: (0..sizes.num_arrays).map(|_| Table::default()).collect(),
                text: (0..sizes.text_arrays).map(|_| Table::default()).collect(),
                hint: None,
            },
            previous: (0..vars).map(|_| Earlier::default()).collect(),
        }
    }

    /// The `$` scalar `slot`, for writing (its version changes).
    pub(crate) fn text_mut(&mut self, slot: u32) -> Option<&mut TextCell> {
        text_mut(&mut self.texts, slot)
    }

    /// The value `id` had at the end of the previous input line.
    pub(crate) fn previous(&self, id: VarId) -> Option<&Earlier> {
        self.previous.get(id.0 as usize).filter(|e| e.set)
    }
}

/// The value a variable had when the previous input line finished (`@x`),
/// kept in a buffer reused line after line.
#[derive(Debug, Default)]
pub(crate) struct Earlier {
    /// There is a value.
    pub set: bool,
    /// The value is `text` (a `$` variable), else `num`.
    pub is_text: bool,
    /// A `#` variable's value.
    pub num: f64,
    /// A `$` variable's value.
    pub text: String,
}

impl Earlier {
    /// The value as a number.
    pub(crate) fn to_num(&self) -> f64 {
        if self.is_text {
            crate::value::parse_leading_number(&self.text)
        } else {
            self.num
        }
    }

    /// Appends the value as text.
    pub(crate) fn write_to(&self, out: &mut String) {
        if self.is_text {
            out.push_str(&self.text);
        } else {
            crate::value::push_number(out, self.num);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_key_is_found_without_hashing_and_forgotten_on_removal() {
        let mut table: Table<f64> = Table::default();
        assert_eq!(table.find("a", None), None);
        assert_eq!(table.insert("a", 1.0), Some(0));
        assert_eq!(table.insert("b", 2.0), Some(1));
        assert_eq!(table.find("b", None), Some(1));
        assert_eq!(table.find("a", None), Some(0));
        assert_eq!(table.last_at, Some(0));
        table.remove("a");
        assert_eq!(table.last_at, None);
        assert_eq!(table.find("b", None), Some(0));
        assert_eq!(table.key(0), Some("b"));
        assert_eq!(table.value(0), Some(&2.0));
        table.clear();
        assert_eq!(table.find("b", None), None);
        assert!(table.is_empty());
    }

    #[test]
    fn a_hint_is_taken_only_where_the_key_is() {
        let mut table: Table<f64> = Table::default();
        for key in ["a", "b", "c"] {
            table.insert(key, 0.0);
        }
        // Right: found without hashing; wrong or out of range: hashed.
        let hint = |at| Some(Hint { at, len: 3 });
        assert_eq!(table.find("b", hint(1)), Some(1));
        assert_eq!(table.find("c", hint(0)), Some(2));
        assert_eq!(table.find("a", hint(99)), Some(0));
        assert_eq!(table.find("zz", hint(1)), None);
        assert_eq!(table.last_at, Some(0));
        // From an array of another size: not even looked at.
        assert_eq!(table.find("b", Some(Hint { at: 1, len: 7 })), Some(1));
    }

    #[test]
    fn short_texts_compare_as_words_at_every_length() {
        for len in 0..40 {
            let a: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_text(&a, &a.clone()), "{a}");
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] = b'Z';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_text(&a, &b), "{a} {b}");
            }
            assert!(!same_text(&a, &format!("{a}x")));
        }
    }

    #[test]
    fn many_keys_stay_findable_through_growth_and_removal() {
        let mut table: Table<usize> = Table::default();
        for i in 0..5000 {
            assert_eq!(table.insert(&format!("key{i}"), i), Some(i));
        }
        assert_eq!(table.remove("key10"), Some(10));
        assert_eq!(table.len(), 4999);
        for i in (0..5000).filter(|&i| i != 10) {
            let hint = Some(Hint { at: i, len: 4999 });
            let at = table.find(&format!("key{i}"), hint).unwrap();
            assert_eq!(table.value(at), Some(&i));
            assert_eq!(table.key(at), Some(format!("key{i}").as_str()));
        }
        assert_eq!(table.find("key10", Some(Hint { at: 10, len: 4999 })), None);
        assert_eq!(table.keys().nth(10).map(|k| k.as_str()), Some("key11"));
    }
}
