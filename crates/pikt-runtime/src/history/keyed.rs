//! The per-line part of a history: for each input-line key, the values its
//! `%` variables had when that line finished.
//!
//! A script keyed by file name or user keeps one record per input line,
//! hundreds of thousands of them; a map of maps would cost an allocation or
//! three per record. Here every key and text value lives in one string,
//! every record and value in one vector each, and records are found by
//! binary search once sorted. Lines usually come in the order of the last
//! run's keys (a file listing, a process table sorted the same way), so a
//! lookup first tries the record after the one found last.

use std::cell::Cell;

use crate::value::{Str, Value};

/// A value as stored in 8 bytes: a number's bits, or (for a `$`
/// variable, whose name says so) a range of the text arena.
type Stored = u64;

fn text_range(stored: Stored) -> (u32, u32) {
    ((stored >> 32) as u32, stored as u32)
}

/// One key's record: its key (a range of the text arena) and its values
/// (a range of `values`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Record {
    key: (u32, u32),
    first: u32,
    count: u32,
}

/// A value being recorded, borrowed from wherever it lies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// A number.
    Num(f64),
    /// A text.
    Text(&'a str),
}

/// The keyed values of a history.
#[derive(Clone, Debug, Default)]
pub struct Keyed {
    /// Variable names (with sigil), each once.
    names: Vec<String>,
    /// Every key and text value, one after the other.
    text: String,
    records: Vec<Record>,
    /// Each value's name (an index into `names`); a record's values are
    /// consecutive.
    value_names: Vec<u16>,
    /// Each value.
    values: Vec<Stored>,
    /// Records are in key order, one per key.
    sorted: bool,
    /// The record found last (lookups try the one after it first).
    cursor: Cell<usize>,
}

/// A text position as stored (the arena of one history stays far below
/// 4 GiB; longer text saturates and reads back shorter, never panics).
fn pos(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Keyed {
    /// True when no key has a record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// How many keys have records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    fn slice(&self, (start, end): (u32, u32)) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    fn store_text(&mut self, text: &str) -> (u32, u32) {
        let start = pos(self.text.len());
        self.text.push_str(text);
        (start, pos(self.text.len()))
    }

    /// The index of `name`; `None` past 65536 names (a script has far
    /// fewer variables).
    fn name_index(&mut self, name: &str) -> Option<u16> {
        let at = match self.names.iter().position(|n| n == name) {
            Some(at) => at,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        };
        u16::try_from(at).ok()
    }

    fn is_text_name(&self, name: u16) -> bool {
        self.names
            .get(usize::from(name))
            .is_some_and(|n| n.starts_with('$'))
    }

    fn value_ref(&self, name: u16, stored: Stored) -> ValueRef<'_> {
        if self.is_text_name(name) {
            ValueRef::Text(self.slice(text_range(stored)))
        } else {
            ValueRef::Num(f64::from_bits(stored))
        }
    }

    /// Makes room for about as many records as `other` holds, so that a
    /// run that records as many keys as the last one does not grow its
    /// vectors step by step (each step leaves the old block behind, and a
    /// big history would cost twice its size).
    pub fn reserve_like(&mut self, other: &Keyed) {
        let extra = |n: usize| n + n / 8;
        self.text.reserve(extra(other.text.len()));
        self.records.reserve(extra(other.records.len()));
        self.value_names.reserve(extra(other.values.len()));
        self.values.reserve(extra(other.values.len()));
    }

    /// Makes room for `records` records with one value each, whose keys and
    /// texts take about `text` bytes.
    pub fn reserve(&mut self, records: usize, text: usize) {
        self.text.reserve(text);
        self.records.reserve(records);
        self.value_names.reserve(records);
        self.values.reserve(records);
    }

    /// About how many bytes the records take as history text.
    pub fn text_size(&self) -> usize {
        self.text.len() + self.values.len() * 16
    }

    /// The bytes the records hold in memory (the script's memory limit
    /// counts them).
    pub fn held(&self) -> usize {
        self.text.len()
            + self.records.len() * std::mem::size_of::<Record>()
            + self.values.len() * (std::mem::size_of::<Stored>() + std::mem::size_of::<u16>())
    }

    /// Starts the record of `key` (a later record of the same key replaces
    /// it, as the line seen last wins).
    pub fn start(&mut self, key: &str) {
        let key = self.store_text(key);
        self.records.push(Record {
            key,
            first: pos(self.values.len()),
            count: 0,
        });
        self.sorted = self.records.len() <= 1;
    }

    /// True when the record started last is `key`'s.
    pub fn is_last(&self, key: &str) -> bool {
        self.records
            .last()
            .is_some_and(|r| self.slice(r.key) == key)
    }

    /// Adds variable `name`'s value to the record started last (`name`'s
    /// sigil says whether it is text; a value of the other kind is
    /// converted, as the variable would convert it).
    pub fn add(&mut self, name: &str, value: ValueRef<'_>) {
        let Some(index) = self.name_index(name) else {
            return;
        };
        if self.records.is_empty() {
            return;
        }
        let stored = match (self.is_text_name(index), value) {
            (false, ValueRef::Num(n)) => n.to_bits(),
            (false, ValueRef::Text(text)) => crate::value::parse_leading_number(text).to_bits(),
            (true, value) => {
                let (start, end) = match value {
                    ValueRef::Text(text) => self.store_text(text),
                    ValueRef::Num(n) => self.store_text(&crate::value::format_number(n)),
                };
                u64::from(start) << 32 | u64::from(end)
            }
        };
        self.value_names.push(index);
        self.values.push(stored);
        if let Some(record) = self.records.last_mut() {
            record.count += 1;
        }
    }

    /// The records in key order, the last record of each key only.
    fn ordered(&self) -> std::borrow::Cow<'_, [Record]> {
        if self.sorted {
            return std::borrow::Cow::Borrowed(&self.records);
        }
        let mut order: Vec<Record> = self.records.clone();
        // Stable: equal keys keep their order, and the last one wins.
        order.sort_by(|a, b| self.slice(a.key).cmp(self.slice(b.key)));
        let mut records: Vec<Record> = Vec::with_capacity(order.len());
        for record in order {
            match records.last_mut() {
                Some(last) if self.slice(last.key) == self.slice(record.key) => *last = record,
                _ => records.push(record),
            }
        }
        std::borrow::Cow::Owned(records)
    }

    /// Puts the records in key order, keeping the last record of each key.
    pub fn settle(&mut self) {
        if !self.sorted {
            self.records = self.ordered().into_owned();
            self.sorted = true;
            self.cursor.set(0);
        }
    }

    /// The record of `key`.
    fn find(&self, key: &str) -> Option<&Record> {
        if !self.sorted {
            return self.records.iter().rev().find(|r| self.slice(r.key) == key);
        }
        let next = self.cursor.get().wrapping_add(1);
        for at in [next, self.cursor.get()] {
            if let Some(record) = self.records.get(at) {
                if self.slice(record.key) == key {
                    self.cursor.set(at);
                    return Some(record);
                }
            }
        }
        let at = self
            .records
            .binary_search_by(|r| self.slice(r.key).cmp(key))
            .ok()?;
        self.cursor.set(at);
        self.records.get(at)
    }

    /// The values of `record`: their name indexes and values.
    fn values_of(&self, record: &Record) -> impl DoubleEndedIterator<Item = (u16, Stored)> + '_ {
        let range = record.first as usize..record.first as usize + record.count as usize;
        let names = self.value_names.get(range.clone()).unwrap_or_default();
        let values = self.values.get(range).unwrap_or_default();
        names.iter().copied().zip(values.iter().copied())
    }

    /// The value variable `name` had on the line with `key`.
    pub fn get(&self, key: &str, name: &str) -> Option<Value> {
        let record = self.find(key)?;
        self.values_of(record)
            .rev()
            .find(|(n, _)| self.names.get(usize::from(*n)).is_some_and(|n| n == name))
            .map(|(n, stored)| match self.value_ref(n, stored) {
                ValueRef::Num(n) => Value::Num(n),
                ValueRef::Text(text) => Value::Str(Str::from(text)),
            })
    }

    /// Every record in key order, one per key: the key and its values
    /// sorted by name, one per name.
    pub fn records(&self) -> impl Iterator<Item = (&str, Vec<(&str, ValueRef<'_>)>)> {
        let ordered = self.ordered();
        (0..ordered.len()).filter_map(move |i| {
            let record = *ordered.get(i)?;
            let mut named: Vec<(&str, ValueRef<'_>)> = Vec::with_capacity(record.count as usize);
            for (name, stored) in self.values_of(&record) {
                let value = self.value_ref(name, stored);
                let name = self.names.get(usize::from(name)).map_or("", String::as_str);
                match named.iter_mut().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = value,
                    None => named.push((name, value)),
                }
            }
            named.sort_by(|a, b| a.0.cmp(b.0));
            Some((self.slice(record.key), named))
        })
    }
}

impl PartialEq for Keyed {
    /// Equal when they hold the same values for the same keys (however
    /// they are laid out).
    fn eq(&self, other: &Keyed) -> bool {
        let settled = |k: &Keyed| {
            k.records()
                .map(|(key, values)| {
                    let values: Vec<(String, String)> = values
                        .into_iter()
                        .map(|(n, v)| (n.to_string(), format!("{v:?}")))
                        .collect();
                    (key.to_string(), values)
                })
                .collect::<Vec<_>>()
        };
        settled(self) == settled(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_found_in_any_order_and_the_last_of_a_key_wins() {
        let mut keyed = Keyed::default();
        for (key, n) in [("b", 1.0), ("a", 2.0), ("c", 3.0), ("a", 4.0)] {
            keyed.start(key);
            keyed.add("#n", ValueRef::Num(n));
            keyed.add("$s", ValueRef::Text(key));
        }
        assert_eq!(keyed.get("a", "#n"), Some(Value::Num(4.0)));
        keyed.settle();
        assert_eq!(keyed.len(), 3);
        for (key, n) in [("a", 4.0), ("b", 1.0), ("c", 3.0), ("b", 1.0), ("a", 4.0)] {
            assert_eq!(keyed.get(key, "#n"), Some(Value::Num(n)));
            assert_eq!(keyed.get(key, "$s"), Some(Value::str(key)));
        }
        assert_eq!(keyed.get("d", "#n"), None);
        assert_eq!(keyed.get("a", "#m"), None);
        let keys: Vec<&str> = keyed.records().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
    }
}
