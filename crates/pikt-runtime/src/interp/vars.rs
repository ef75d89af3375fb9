//! Variable storage: one slot per variable the parser resolved.

use indexmap::IndexMap;
use pikt_lang::ast::{Symbols, VarId};
use rustc_hash::FxBuildHasher;

use crate::value::{Str, Value};

/// An array: keys in the order they were first set (reference §4.5: the
/// seed's wild card must be visited last).
pub(crate) type Array = IndexMap<Str, Value, FxBuildHasher>;

/// What one variable holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum Slot {
    /// Never given a value (or `unset`).
    #[default]
    Unset,
    /// A number or a string.
    Scalar(Value),
    /// An array.
    Array(Array),
}

/// Every variable of one script, and the `@` values of the previous line.
pub(crate) struct Vars {
    slots: Vec<Slot>,
    previous: Vec<Option<Value>>,
}

static UNSET: Slot = Slot::Unset;

impl Vars {
    /// All variables of `symbols`, unset.
    pub(crate) fn new(symbols: &Symbols) -> Vars {
        let count = symbols.vars.len();
        Vars {
            slots: vec![Slot::Unset; count],
            previous: vec![None; count],
        }
    }

    /// The slot of `id` (unset for an id the parser never made).
    pub(crate) fn get(&self, id: VarId) -> &Slot {
        self.slots.get(id.0 as usize).unwrap_or(&UNSET)
    }

    /// The slot of `id`, for writing.
    pub(crate) fn get_mut(&mut self, id: VarId) -> Option<&mut Slot> {
        self.slots.get_mut(id.0 as usize)
    }

    /// The array of `id`, created when the variable is unset; `None` when
    /// it holds a scalar.
    pub(crate) fn array_mut(&mut self, id: VarId) -> Option<&mut Array> {
        let slot = self.slots.get_mut(id.0 as usize)?;
        if *slot == Slot::Unset {
            *slot = Slot::Array(Array::default());
        }
        match slot {
            Slot::Array(array) => Some(array),
            _ => None,
        }
    }

    /// The value `id` had at the end of the previous input line.
    pub(crate) fn previous(&self, id: VarId) -> Option<&Value> {
        self.previous.get(id.0 as usize).and_then(Option::as_ref)
    }

    /// Records `value` as the `@` value of `id`.
    pub(crate) fn remember_previous(&mut self, id: VarId, value: Option<Value>) {
        if let Some(cell) = self.previous.get_mut(id.0 as usize) {
            *cell = value;
        }
    }
}
