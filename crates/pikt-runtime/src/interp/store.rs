//! Variable storage, typed by the plan ([`crate::plan::Place`]): numbers,
//! texts (each with its own buffer, reused from one value to the next),
//! number arrays and text arrays, and the `@` values of the previous line.

use indexmap::IndexMap;
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
/// It remembers the key it found or inserted last and where: the guard
/// and update of the counting idiom (`if ! #defined(#n[$k])` … `set #n[$k]
/// += 1`), or a read followed by a write of one element, hash the key
/// once. Only removals move elements, so only they forget it.
#[derive(Debug)]
pub(crate) struct Table<V> {
    map: IndexMap<Str, V, FxBuildHasher>,
    last_key: String,
    last_at: Option<usize>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            map: IndexMap::default(),
            last_key: String::new(),
            last_at: None,
        }
    }
}

impl<V> Table<V> {
    /// How many elements.
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// True when the array has no element.
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The position of `key`, if it is set.
    pub(crate) fn find(&mut self, key: &str) -> Option<usize> {
        if let Some(at) = self.last_at {
            if self.last_key == key {
                return Some(at);
            }
        }
        let at = self.map.get_index_of(key)?;
        self.remember(key, at);
        Some(at)
    }

    /// Adds `key` (not set yet) with `value`, last; its position.
    pub(crate) fn insert(&mut self, key: &str, value: V) -> usize {
        let (at, _) = self.map.insert_full(Str::from(key), value);
        self.remember(key, at);
        at
    }

    fn remember(&mut self, key: &str, at: usize) {
        self.last_key.clear();
        self.last_key.push_str(key);
        self.last_at = Some(at);
    }

    /// The value at `at`.
    pub(crate) fn value(&self, at: usize) -> Option<&V> {
        self.map.get_index(at).map(|(_, v)| v)
    }

    /// The value at `at`, for writing.
    pub(crate) fn value_mut(&mut self, at: usize) -> Option<&mut V> {
        self.map.get_index_mut(at).map(|(_, v)| v)
    }

    /// The key at `at`.
    pub(crate) fn key(&self, at: usize) -> Option<&str> {
        self.map.get_index(at).map(|(k, _)| k.as_str())
    }

    /// Every key, in order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &Str> {
        self.map.keys()
    }

    /// Removes `key` (the later elements move up); its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let removed = self.map.shift_remove(key);
        if removed.is_some() {
            self.last_at = None;
        }
        removed
    }

    /// The bytes the array holds (the memory limit): each key, each value
    /// (`value` says how many bytes a value holds) and a fixed cost per
    /// element.
    pub(crate) fn held(&self, value: impl Fn(&V) -> usize) -> usize {
        self.map
            .iter()
            .map(|(key, v)| key.len() + value(v) + ELEMENT_COST)
            .sum()
    }

    /// Removes every element.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
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
        assert_eq!(table.find("a"), None);
        assert_eq!(table.insert("a", 1.0), 0);
        assert_eq!(table.insert("b", 2.0), 1);
        assert_eq!(table.find("b"), Some(1));
        assert_eq!(table.find("a"), Some(0));
        assert_eq!(table.last_at, Some(0));
        table.remove("a");
        assert_eq!(table.last_at, None);
        assert_eq!(table.find("b"), Some(0));
        assert_eq!(table.key(0), Some("b"));
        assert_eq!(table.value(0), Some(&2.0));
        table.clear();
        assert_eq!(table.find("b"), None);
        assert!(table.is_empty());
    }
}
