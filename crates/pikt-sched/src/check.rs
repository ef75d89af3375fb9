//! `piktd --check` (`-z`): read `piktd.conf`, report every problem, and
//! show the schedule with each line's next run, without starting anything.

use std::fmt::Write as _;

use jiff::civil::DateTime;
use pikt_source::{render, SourceMap};

use crate::conf::Schedule;
use crate::timing::CivilTiming;

/// What a check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// The schedule table, for stdout.
    pub table: String,
    /// Every diagnostic, rendered, for stderr.
    pub diagnostics: String,
    /// How many lines are in error (left out by the daemon).
    pub errors: usize,
}

/// Checks `text` (named `name` in messages) and lists each valid line with
/// its next run after the civil time `now`.
pub fn check(name: &str, text: &str, now: DateTime) -> CheckReport {
    let mut map = SourceMap::new();
    let file = map.add(name, text);
    let (schedule, diagnostics) = Schedule::parse(&map, file);
    let rendered: String = diagnostics.iter().map(|d| render(&map, d)).collect();
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    CheckReport {
        table: table(&schedule, now),
        diagnostics: rendered,
        errors,
    }
}

fn table(schedule: &Schedule, now: DateTime) -> String {
    let mut out = String::from("line  timing            drift  next run          name\n");
    for line in &schedule.lines {
        let next = line.timing().next_after(now).map_or_else(
            || "never".to_owned(),
            |at| at.strftime("%Y-%m-%d %H:%M").to_string(),
        );
        let _ = writeln!(
            out,
            "{:<5} {:<17} {:<6} {:<17} {}",
            line.line,
            line.timing_text(),
            line.drift_minutes(),
            next,
            line.key()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn table_and_diagnostics() {
        let text =
            "*/5 * * * * 2 pikt +A Urgent\n0 0 31 2 * pikt +A Never\n0 25 * * * pikt +A Bad\n";
        let report = check("piktd.conf", text, date(2026, 11, 24).at(10, 2, 0, 0));
        assert_eq!(
            report.table,
            "line  timing            drift  next run          name\n\
             1     */5 * * * *       2      2026-11-24 10:05  Urgent\n\
             2     0 0 31 2 *        0      never             Never\n"
        );
        assert_eq!(report.errors, 1);
        assert!(report.diagnostics.starts_with(
            "warning: this timing never matches: no selected month has the selected day\n"
        ));
        assert!(report
            .diagnostics
            .contains("error: hour `25` is out of range 0-23\n --> piktd.conf:3:3\n"));
    }
}
