//! shared CLI glue
