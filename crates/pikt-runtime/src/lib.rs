//! The Pikt interpreter.

pub mod value;

pub use value::{Str, Value};
