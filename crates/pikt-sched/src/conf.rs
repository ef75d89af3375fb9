//! Reading `piktd.conf` into the [`Schedule`] piktd runs.
//!
//! ```text
//! <min> <hr> <dom> <mon> <dow> [<drift>] <command ...>
//! 0-59/5 * * * * 2 =nice -n 10 /pikt/bin/pikt -T +M "mailx -s x root" +A Urgent
//! ```
//!
//! The line format has one implementation, [`pikt_config::piktd_conf`],
//! shared with `piktc -e`, which writes the file: so a line piktc writes is
//! read here with the same timing, drift, command and alert. piktd reads it
//! as [`Reader::Piktd`]:
//!
//! * the command, exactly as written, is run by `/bin/sh -c` — whatever it
//!   is; it normally is the nice prefix and `pikt … +A <Alert>`;
//! * the alert name ([`PiktdEntry::alert`]) names the run in the log, in
//!   `etc/alerts` and for the no-overlap rule; a line without one goes by its
//!   whole command ([`ConfLine::key`]);
//! * a bad line is reported (with its line number and the span of what is
//!   wrong) and left out; the other lines still run; a line that can never
//!   run and an `+A` without a name are warnings.

use pikt_config::piktd_conf::{PiktdConf, PiktdEntry, Reader};
use pikt_source::{Diagnostic, FileId, SourceMap};

use crate::timing::Timing;

/// One valid line of `piktd.conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// What the line says.
    pub entry: PiktdEntry,
}

impl ConfLine {
    /// The name runs of this line go by: the alert, else the command. Two runs
    /// with the same key never overlap.
    pub fn key(&self) -> &str {
        self.entry.key()
    }

    /// When it runs.
    pub fn timing(&self) -> &Timing {
        self.entry.timing()
    }

    /// The five timing fields as written, one space apart (for the log).
    pub fn timing_text(&self) -> &str {
        self.entry.timing().text()
    }

    /// Maximum start delay in minutes; 0 = none.
    pub fn drift_minutes(&self) -> u32 {
        self.entry.drift_minutes()
    }

    /// The shell command, as written.
    pub fn command(&self) -> &str {
        self.entry.command()
    }

    /// The alert the line runs, when it names one.
    pub fn alert(&self) -> Option<&str> {
        self.entry.alert()
    }
}

/// Every valid line of one `piktd.conf`, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// The lines.
    pub lines: Vec<ConfLine>,
}

impl Schedule {
    /// Parses the text of file `file` in `map`. Returns the valid lines and a
    /// diagnostic for each bad or suspicious one.
    pub fn parse(map: &SourceMap, file: FileId) -> (Schedule, Vec<Diagnostic>) {
        let (conf, diagnostics) = PiktdConf::read(map, file, Reader::Piktd);
        let source = map.get(file);
        let lines = conf
            .entries()
            .map(|entry| ConfLine {
                line: entry
                    .span()
                    .map_or(0, |span| source.line_index(span.start) + 1),
                entry: entry.clone(),
            })
            .collect();
        (Schedule { lines }, diagnostics)
    }

    /// The distinct alert names, in the order of their first line.
    pub fn alerts(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.lines.iter().filter_map(ConfLine::alert) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_config::alerts::AlertsFile;
    use pikt_config::layout::Layout;
    use pikt_config::piktd_conf::entries_for_alert;
    use pikt_config::testing::{parse_named, BAD_MINUTE_REPORT, PIKTD_CONF_WITH_BAD_MINUTE};
    use pikt_source::{render, FileId, Span};

    fn parse(text: &str) -> (SourceMap, Schedule, Vec<Diagnostic>) {
        parse_named("piktd.conf", text, Schedule::parse)
    }

    #[test]
    fn full_line_with_drift_nice_and_flags() {
        let text =
            "0-59/5 * * * * 2 /bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent\n";
        let (_, schedule, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let line = &schedule.lines[0];
        assert_eq!(line.line, 1);
        assert_eq!(line.drift_minutes(), 2);
        assert_eq!(line.timing_text(), "0-59/5 * * * *");
        assert_eq!(
            line.command(),
            "/bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent"
        );
        assert_eq!(line.alert(), Some("Urgent"));
        assert_eq!(line.key(), "Urgent");
    }

    #[test]
    fn comments_blanks_crlf_and_no_drift() {
        let text = "# written by piktc -e\n\n   \r\n*/15 * * * 1-5 pikt +A 'Warning'\r\n";
        let (_, schedule, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let line = &schedule.lines[0];
        assert_eq!(line.line, 4);
        assert_eq!(line.drift_minutes(), 0);
        assert_eq!(line.command(), "pikt +A 'Warning'");
        assert_eq!(line.alert(), Some("Warning"));
    }

    #[test]
    fn the_last_plus_a_names_the_alert() {
        let (_, schedule, _) = parse("* * * * * pikt +M \"mail +A x\" +A Real\n");
        assert_eq!(schedule.lines[0].alert(), Some("Real"));
        let (_, schedule, _) = parse("* * * * * wrapper +A First +A Last\n");
        assert_eq!(schedule.lines[0].alert(), Some("Last"));
    }

    #[test]
    fn line_without_alert_is_keyed_by_command() {
        let (_, schedule, diags) = parse("* * * * * echo hello  \n");
        assert!(diags.is_empty());
        assert_eq!(schedule.lines[0].alert(), None);
        assert_eq!(schedule.lines[0].key(), "echo hello");
    }

    #[test]
    fn bad_line_is_reported_with_its_line_number_and_the_rest_kept() {
        let (map, schedule, diags) = parse(PIKTD_CONF_WITH_BAD_MINUTE);
        let keys: Vec<_> = schedule.lines.iter().map(ConfLine::key).collect();
        assert_eq!(keys, ["One", "Three"]);
        let numbers: Vec<_> = schedule.lines.iter().map(|l| l.line).collect();
        assert_eq!(numbers, [1, 3]);
        assert_eq!(diags.len(), 1);
        assert_eq!(render(&map, &diags[0]), BAD_MINUTE_REPORT);
    }

    #[test]
    fn too_few_words_and_missing_command() {
        let (map, schedule, diags) = parse("* * *\n* * * * * 5\n");
        assert!(schedule.lines.is_empty());
        assert_eq!(
            render(&map, &diags[0]),
            "error: a `piktd.conf` line needs 5 timing fields and a command, found 3 words\n \
             --> piktd.conf:1:1\n  \
             |\n\
             1 | * * *\n  \
             | ^^^^^\n  \
             = help: write `<min> <hour> <day> <month> <weekday> [<drift>] <command>`\n"
        );
        assert_eq!(diags[1].message, "missing command after the timing");
        assert_eq!(diags[1].span, Some(Span::new(FileId(0), 17, 17)));
    }

    #[test]
    fn drift_limit() {
        let (_, schedule, diags) = parse("* * * * * 1441 pikt +A X\n* * * * * 1440 pikt +A Y\n");
        assert!(schedule.lines.is_empty());
        assert_eq!(diags[0].message, "drift `1441` is out of range 0-1439");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 10, 14)));
        assert_eq!(diags[1].message, "drift `1440` is out of range 0-1439");
        let (_, schedule, diags) = parse("* * * * * 1439 pikt +A Z\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(schedule.lines[0].drift_minutes(), 1439);
    }

    #[test]
    fn never_matching_timing_is_a_warning_and_kept() {
        let (_, schedule, diags) = parse("0 0 31 feb * pikt +A Never\n");
        assert_eq!(schedule.lines.len(), 1);
        assert_eq!(
            diags[0].message,
            "this timing never matches: no selected month has the selected day"
        );
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 4, 10)));
        assert!(!diags[0].is_error());
    }

    #[test]
    fn dangling_plus_a_warns() {
        let (_, schedule, diags) = parse("* * * * * pikt +A\n");
        assert_eq!(schedule.lines[0].alert(), None);
        assert_eq!(diags[0].message, "`+A` is not followed by an alert name");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 15, 17)));
        assert!(!diags[0].is_error());
    }

    #[test]
    fn alerts_are_distinct_in_first_line_order() {
        let text = "0 8-17 * * 1-5 pikt +A B\n0 * * * 0,6 pikt +A B\n* * * * * pikt +A A\n* * * * * true\n";
        let (_, schedule, _) = parse(text);
        assert_eq!(schedule.alerts(), ["B", "A"]);
    }

    #[test]
    fn non_ascii_text_does_not_panic() {
        let (_, schedule, diags) = parse("é * * * * x\n* * * * * é +A ü\n");
        assert_eq!(diags.len(), 1);
        assert_eq!(schedule.lines[0].alert(), Some("ü"));
    }

    /// What `piktc -e` writes is what piktd runs: the same timing, drift,
    /// command and alert, for every shape of alert piktc can write.
    #[test]
    fn piktd_reads_what_piktc_writes() {
        let mut map = SourceMap::new();
        let alerts = map.add(
            "alerts.cfg",
            "Urgent\n\ttiming 5,20,35,50 * * * * 1\n\ttiming 0 0 * jan-mar sun\n\tdrift 3\n\tpriority 10\n\tmailcmd \"mailx -s 'PIKT Alert +A x' root\"\n\tlpcmd \"lpr\"\n\talarms X\n\
             Plain\n\ttiming */10 6-18 1,15 * 1-5\n\tnicecmd \"/bin/nice -n 19\"\n\talarms Y\n",
        );
        let (alerts, diags) = AlertsFile::parse(&map, alerts);
        assert!(diags.is_empty(), "{diags:?}");
        let layout = Layout::new("/pikt");
        let written: Vec<_> = alerts
            .alerts
            .iter()
            .flat_map(|a| entries_for_alert(a, &layout, true, "/usr/bin/nice"))
            .collect();
        let text: String = written.iter().map(|e| e.render() + "\n").collect();
        let conf = map.add("piktd.conf", text);
        let (schedule, diags) = Schedule::parse(&map, conf);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(schedule.lines.len(), 3);
        for (line, wrote) in schedule.lines.iter().zip(&written) {
            assert_eq!(line.timing(), wrote.timing());
            assert_eq!(line.drift_minutes(), wrote.drift_minutes());
            assert_eq!(line.command(), wrote.command());
            assert_eq!(line.alert(), wrote.alert());
            assert_eq!(line.entry.pikt_call(), wrote.pikt_call());
        }
        let keys: Vec<_> = schedule.lines.iter().map(ConfLine::key).collect();
        assert_eq!(keys, ["Urgent", "Urgent", "Plain"]);
        let drifts: Vec<_> = schedule.lines.iter().map(ConfLine::drift_minutes).collect();
        assert_eq!(drifts, [1, 3, 0]);
    }
}
