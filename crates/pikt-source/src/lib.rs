//! Source text, spans and diagnostics shared by every stage of the pipeline.
//!
//! A [`SourceMap`] owns every text the pipeline reads or makes: config files as
//! the user wrote them, scripts, and *derived* texts such as the per-host output
//! of the preprocessor. A derived text carries [`Segment`]s that say where each
//! piece of it came from, so a [`Span`] in a derived text can always be traced
//! back to the line the user wrote ([`SourceMap::resolve`]).
//!
//! **Invariant:** this crate does no I/O; callers hand it text.

mod diagnostic;
mod render;
mod source_map;
mod span;
pub mod visible;

pub use diagnostic::{Diagnostic, Severity};
pub use render::render;
pub use source_map::{Resolved, Segment, SourceFile, SourceMap};
pub use span::{FileId, Span};
