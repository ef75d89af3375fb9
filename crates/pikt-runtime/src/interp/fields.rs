//! Fields: of the input line (`dat` variables, split by `seps`) and of the
//! last `#split` (`$1`, `$[e]`). Both are found lazily, only as far as they
//! are read.

use pikt_lang::ast::DatSpec;

use super::Machine;
use crate::split::{column_range, LineFields};

/// The last `#split`: its text, separators and fields.
#[derive(Debug, Default)]
pub(crate) struct SplitState {
    /// The text split, unless it is the current line.
    pub text: String,
    /// The text split is the current input line (`#split($inline)`): it is
    /// not copied; the machine moves the line here before reading the next.
    pub on_line: bool,
    /// The separators given, if any (`has_seps`).
    pub seps: String,
    /// Separators were given.
    pub has_seps: bool,
    /// The fields found so far.
    pub fields: LineFields,
}

impl Machine<'_> {
    /// The value of `#` slot `slot`, if it has one: a deferred field count
    /// ([`crate::plan::Assign::Count`]) is counted now.
    pub(super) fn num_slot(&mut self, slot: u32) -> Option<f64> {
        match self.store.nums.get(slot as usize) {
            Some(Some(n)) => Some(*n),
            Some(None) if self.deferred_count == Some(slot) => {
                self.deferred_count = None;
                let n = self.split_count() as f64;
                if let Some(cell) = self.store.nums.get_mut(slot as usize) {
                    *cell = Some(n);
                }
                Some(n)
            }
            _ => None,
        }
    }

    /// Counts the fields of the current split for the slot waiting for
    /// them, unless it is `target` (which is about to get a new value) or
    /// has been given another value since.
    pub(super) fn settle_count(&mut self, target: Option<u32>) {
        let Some(slot) = self.deferred_count.take() else {
            return;
        };
        if Some(slot) == target
            || !self
                .store
                .nums
                .get(slot as usize)
                .is_some_and(Option::is_none)
        {
            return;
        }
        let n = self.split_count() as f64;
        if let Some(cell) = self.store.nums.get_mut(slot as usize) {
            *cell = Some(n);
        }
    }

    /// Makes `slot` wait for the field count of the split just made.
    pub(super) fn defer_count(&mut self, slot: u32) {
        if let Some(cell) = self.store.nums.get_mut(slot as usize) {
            *cell = None;
            self.deferred_count = Some(slot);
        }
    }

    /// The text of the last `#split`.
    pub(super) fn split_text(&self) -> &str {
        if self.split.on_line {
            &self.line
        } else {
            &self.split.text
        }
    }

    /// The byte range of field `index` (0-based) of the last `#split`.
    #[inline]
    pub(super) fn split_range(&mut self, index: usize) -> Option<(usize, usize)> {
        let text = if self.split.on_line {
            &self.line
        } else {
            &self.split.text
        };
        let seps = self.split.has_seps.then_some(self.split.seps.as_str());
        self.split.fields.get(text, seps, index)
    }

    /// The number of fields of the last `#split`.
    pub(super) fn split_count(&mut self) -> usize {
        let text = if self.split.on_line {
            &self.line
        } else {
            &self.split.text
        };
        let seps = self.split.has_seps.then_some(self.split.seps.as_str());
        self.split.fields.count(text, seps)
    }

    /// The byte range of `$n` in the split text: `$0` is all of it, a field
    /// past the last is empty (`None`).
    #[inline]
    pub(super) fn field_range(&mut self, n: u64) -> Option<(usize, usize)> {
        if n == 0 {
            return Some((0, self.split_text().len()));
        }
        let index = usize::try_from(n - 1).ok()?;
        self.split_range(index)
    }

    /// The byte range of a `dat` field in the current line (empty when the
    /// line has no such field).
    /// A field already found is read in place; the first read of a line
    /// finds the fields up to the highest one a `dat` variable reads.
    #[inline]
    pub(super) fn dat_range(&mut self, spec: DatSpec) -> (usize, usize) {
        match spec {
            DatSpec::Field(n) => {
                let Some(index) = (n as usize).checked_sub(1) else {
                    return (0, 0);
                };
                let ahead = (self.plan.sizes.dat_fields as usize).saturating_sub(1);
                let seps = self.seps.as_deref();
                self.line_fields
                    .get_ahead(&self.line, seps, index, ahead)
                    .unwrap_or((0, 0))
            }
            _ => self.other_dat_range(spec),
        }
    }

    /// [`Machine::dat_range`] of columns and fields from the end.
    #[inline(never)]
    fn other_dat_range(&mut self, spec: DatSpec) -> (usize, usize) {
        let seps = self.seps.as_deref();
        let range = match spec {
            DatSpec::Columns(from, to) => Some(column_range(&self.line, from, to)),
            DatSpec::Field(n) => (n as usize)
                .checked_sub(1)
                .and_then(|i| self.line_fields.get(&self.line, seps, i)),
            DatSpec::FromEnd(back) => self.line_fields.from_end(&self.line, seps, back as usize),
        };
        range.unwrap_or((0, 0))
    }

    /// The text of a `dat` field of the current line.
    pub(super) fn dat_text(&mut self, spec: DatSpec) -> &str {
        let (start, end) = self.dat_range(spec);
        self.line.get(start..end).unwrap_or("")
    }
}
