//! piktd.conf: piktd's schedule, one line per (alert, timing line)
//! (reference §1.14). This is the one reader and writer of the format:
//! `piktc -e`/`-d` rewrite the file with it, and piktd (pikt-sched) reads it
//! with it, so a line piktc writes is the line piktd runs.
//!
//! ```text
//! <min> <hr> <dom> <mon> <dow> [<drift>] <command ...>
//! <command> = [<nice prefix ...>] <.../pikt> [-T] [+M "<mailcmd>"] [+L "<lpcmd>"] +A <Alert>
//! ```
//!
//! * Blank lines and lines whose first non-blank character is `#` are kept
//!   as they are.
//! * Words are separated by blanks; a double-quoted string is one word.
//! * The first five words are the [`Timing`]; a sixth word made only of
//!   digits is the drift ([`crate::timing::parse_drift`]).
//! * The rest of the line, exactly as written, is the command; piktd runs it
//!   with `/bin/sh -c`.
//! * The command is read as a [`PiktCall`] when it has that form: the pikt
//!   command is the first word whose last path component is `pikt`, the
//!   words before it are the nice prefix. The alert is its `+A` value; a
//!   command that is not a pikt call is named by the word after its last
//!   `+A` ([`PiktdEntry::alert`]). Quotes around the name are dropped.
//!
//! Reading differs only in what each reader accepts ([`Reader`]): piktc
//! manages pikt calls only, so any other command is an error for it; piktd
//! runs any command and warns about lines that never run.

use std::fmt::Write as _;

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::alerts::{Alert, Nice};
use crate::layout::Layout;
use crate::timing::{Timing, TimingSpec};
use crate::words::{split_words, Word};

/// A pikt run as piktc writes it: `[nice] pikt [-T] [+M "…"] [+L "…"] +A <Alert>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PiktCall {
    /// The nice prefix, e.g. `/usr/bin/nice -n 10`.
    pub nice: Option<String>,
    /// The interpreter's path.
    pub pikt: String,
    /// `-T`: test mode.
    pub test: bool,
    /// `+M`: the mail command.
    pub mailcmd: Option<String>,
    /// `+L`: the print command.
    pub lpcmd: Option<String>,
    /// `+A`: the alert.
    pub alert: String,
}

impl PiktCall {
    /// The command as piktc writes it.
    pub fn render(&self) -> String {
        let mut line = String::new();
        if let Some(nice) = &self.nice {
            let _ = write!(line, "{nice} ");
        }
        line.push_str(&self.pikt);
        if self.test {
            line.push_str(" -T");
        }
        if let Some(m) = &self.mailcmd {
            let _ = write!(line, " +M \"{m}\"");
        }
        if let Some(l) = &self.lpcmd {
            let _ = write!(line, " +L \"{l}\"");
        }
        let _ = write!(line, " +A {}", self.alert);
        line
    }

    /// The command as an argument vector: nice prefix words, the
    /// interpreter, its arguments (quotes removed).
    pub fn argv(&self) -> Vec<String> {
        let mut argv: Vec<String> = self
            .nice
            .iter()
            .flat_map(|n| n.split_whitespace())
            .map(str::to_string)
            .collect();
        argv.push(self.pikt.clone());
        if self.test {
            argv.push("-T".into());
        }
        for (flag, value) in [("+M", &self.mailcmd), ("+L", &self.lpcmd)] {
            if let Some(v) = value {
                argv.push(flag.into());
                argv.push(v.clone());
            }
        }
        argv.push("+A".into());
        argv.push(self.alert.clone());
        argv
    }

    /// Reads `words` (the command of a line, spanning `span`) as a pikt call.
    fn parse(words: &[Word], span: Span) -> Result<PiktCall, Diagnostic> {
        let Some(pikt_at) = words.iter().position(|w| is_pikt(&w.text)) else {
            return Err(
                Diagnostic::error("no pikt command in piktd.conf line", span)
                    .with_help("the command is the path of `pikt` followed by `+A <Alert>`"),
            );
        };
        let nice_words = words.get(..pikt_at).unwrap_or(&[]);
        let mut call = PiktCall {
            nice: (!nice_words.is_empty()).then(|| join(nice_words)),
            pikt: words
                .get(pikt_at)
                .map_or_else(String::new, |w| w.text.clone()),
            test: false,
            mailcmd: None,
            lpcmd: None,
            alert: String::new(),
        };
        call.arguments(words.get(pikt_at + 1..).unwrap_or(&[]))?;
        if call.alert.is_empty() {
            return Err(Diagnostic::error(
                "piktd.conf line has no `+A <Alert>`",
                span,
            ));
        }
        Ok(call)
    }

    /// Reads the arguments after the pikt command.
    fn arguments(&mut self, args: &[Word]) -> Result<(), Diagnostic> {
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let value = args.get(i + 1);
            let slot = match arg.text.as_str() {
                "-T" => {
                    self.test = true;
                    i += 1;
                    continue;
                }
                "+M" => &mut self.mailcmd,
                "+L" => &mut self.lpcmd,
                "+A" => {
                    let Some(v) = value else {
                        return Err(dangling_alert_flag(arg));
                    };
                    alert_name(v).clone_into(&mut self.alert);
                    i += 2;
                    continue;
                }
                other => {
                    return Err(Diagnostic::error(
                        format!("unexpected `{other}` in pikt command"),
                        arg.span,
                    )
                    .with_help("piktd.conf runs `pikt [-T] [+M \"cmd\"] [+L \"cmd\"] +A <Alert>`"))
                }
            };
            let Some(v) = value else {
                return Err(Diagnostic::error(
                    format!("`{}` needs a command", arg.text),
                    arg.span,
                ));
            };
            *slot = Some(v.unquoted().to_string());
            i += 2;
        }
        Ok(())
    }
}

/// One schedule line: when it runs and what.
///
/// The command text and its reading as a [`PiktCall`] are made together
/// (from the line, or from the call), so they cannot disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PiktdEntry {
    spec: TimingSpec,
    command: String,
    call: Result<PiktCall, Diagnostic>,
    alert: Option<String>,
    span: Option<Span>,
}

impl PiktdEntry {
    /// The entry `piktc -e` writes for one timing line of an alert.
    pub fn for_call(spec: TimingSpec, call: PiktCall) -> PiktdEntry {
        PiktdEntry {
            command: call.render(),
            alert: Some(call.alert.clone()),
            call: Ok(call),
            spec,
            span: None,
        }
    }

    /// Reads one schedule line `raw` (not blank, not a comment) that `span`
    /// covers. Returns the entry and its warnings (a timing that never
    /// matches, an `+A` with no name after it), or the error that makes the
    /// line unusable.
    pub fn parse(raw: &str, span: Span) -> Result<(PiktdEntry, Vec<Diagnostic>), Diagnostic> {
        let (words, diags) = split_words(raw, span);
        if let Some(diag) = diags.into_iter().next() {
            return Err(diag);
        }
        if words.len() < 5 {
            return Err(Diagnostic::error(
                format!(
                    "a `piktd.conf` line needs 5 timing fields and a command, found {} word{}",
                    words.len(),
                    if words.len() == 1 { "" } else { "s" }
                ),
                span,
            )
            .with_help("write `<min> <hour> <day> <month> <weekday> [<drift>] <command>`"));
        }
        let has_drift = words
            .get(5)
            .is_some_and(|w| w.text.bytes().all(|b| b.is_ascii_digit()));
        let timing_len = if has_drift { 6 } else { 5 };
        let spec = TimingSpec::parse(words.get(..timing_len).unwrap_or(&[]), span)?;
        let command_words = words.get(timing_len..).unwrap_or(&[]);
        let Some(first) = command_words.first() else {
            let end = span.start as usize + trim_blanks_end(raw).len();
            return Err(Diagnostic::error(
                "missing command after the timing",
                Span::new(span.file, end, end),
            )
            .with_label("a command such as `pikt +A <Alert>` belongs here"));
        };
        let command_start = first.span.start.saturating_sub(span.start) as usize;
        let command = trim_blanks_end(raw.get(command_start..).unwrap_or("")).to_owned();
        let command_span = Span::new(
            span.file,
            first.span.start as usize,
            first.span.start as usize + command.len(),
        );
        let mut warnings = Vec::new();
        if spec.timing.never_matches() {
            warnings.push(never_matches_warning(&words, span));
        }
        let call = PiktCall::parse(command_words, command_span);
        let alert = match &call {
            Ok(call) => Some(call.alert.clone()),
            Err(_) => alert_after_last_flag(command_words, &mut warnings),
        };
        let entry = PiktdEntry {
            spec,
            command,
            call,
            alert,
            span: Some(span),
        };
        Ok((entry, warnings))
    }

    /// When it runs: the five fields and the drift.
    pub fn spec(&self) -> &TimingSpec {
        &self.spec
    }

    /// The five timing fields.
    pub fn timing(&self) -> &Timing {
        &self.spec.timing
    }

    /// The drift in minutes; 0 = none.
    pub fn drift_minutes(&self) -> u32 {
        self.spec.drift_minutes()
    }

    /// The shell command, as written (or as piktc writes it).
    pub fn command(&self) -> &str {
        &self.command
    }

    /// The command read as a pikt call, or why it is not one.
    pub fn pikt_call(&self) -> Result<&PiktCall, &Diagnostic> {
        self.call.as_ref()
    }

    /// The alert this line runs: the call's `+A`, or for another command the
    /// word after its last `+A`; `None` when there is none.
    pub fn alert(&self) -> Option<&str> {
        self.alert.as_deref()
    }

    /// The name runs of this line go by: the alert, else the whole command.
    /// Two runs with the same key never overlap.
    pub fn key(&self) -> &str {
        self.alert().unwrap_or(&self.command)
    }

    /// The line in the file it was read from; `None` for an entry piktc made.
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// The line as written to piktd.conf (no newline).
    pub fn render(&self) -> String {
        format!("{} {}", self.spec, self.command)
    }
}

/// Which program reads piktd.conf. Both read lines the same way; they
/// differ only in which lines they accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// piktc, before rewriting the file: it manages pikt calls only, so a
    /// line with another command is an error; piktd's warnings are not
    /// reported.
    Piktc,
    /// piktd: any command runs; a line that never runs or an `+A` without a
    /// name is a warning.
    Piktd,
}

/// One line of piktd.conf.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PiktdLine {
    /// A blank line or a `#` comment, kept verbatim.
    Other(String),
    /// A schedule line.
    Entry(Box<PiktdEntry>),
}

/// The model of piktd.conf.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PiktdConf {
    /// Every line in order (lines with errors are dropped).
    pub lines: Vec<PiktdLine>,
}

impl PiktdConf {
    /// Reads piktd.conf `file` as piktc does ([`Reader::Piktc`]).
    pub fn parse(map: &SourceMap, file: FileId) -> (PiktdConf, Vec<Diagnostic>) {
        PiktdConf::read(map, file, Reader::Piktc)
    }

    /// Reads piktd.conf `file` as `reader` does. A line with an error is
    /// reported and left out; the other lines are read all the same.
    pub fn read(map: &SourceMap, file: FileId, reader: Reader) -> (PiktdConf, Vec<Diagnostic>) {
        let text = &map.get(file).text;
        let mut conf = PiktdConf::default();
        let mut diags = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let raw = line.trim_end_matches(['\n', '\r']);
            let trimmed = raw.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                conf.lines.push(PiktdLine::Other(raw.to_string()));
            } else {
                let span = Span::new(file, offset, offset + raw.len());
                if let Some(entry) = accept(PiktdEntry::parse(raw, span), reader, &mut diags) {
                    conf.lines.push(PiktdLine::Entry(Box::new(entry)));
                }
            }
            offset += line.len();
        }
        (conf, diags)
    }

    /// The schedule lines.
    pub fn entries(&self) -> impl Iterator<Item = &PiktdEntry> {
        self.lines.iter().filter_map(|l| match l {
            PiktdLine::Entry(e) => Some(e.as_ref()),
            PiktdLine::Other(_) => None,
        })
    }

    /// Removes every line of `alert`; returns how many there were.
    pub fn remove_alert(&mut self, alert: &str) -> usize {
        let before = self.lines.len();
        self.lines
            .retain(|l| !matches!(l, PiktdLine::Entry(e) if e.alert() == Some(alert)));
        before - self.lines.len()
    }

    /// Replaces the lines of `alert` with `entries` (appended).
    pub fn set_alert(&mut self, alert: &str, entries: Vec<PiktdEntry>) {
        self.remove_alert(alert);
        self.lines
            .extend(entries.into_iter().map(|e| PiktdLine::Entry(Box::new(e))));
    }

    /// The file text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.lines {
            match line {
                PiktdLine::Other(text) => out.push_str(text),
                PiktdLine::Entry(e) => out.push_str(&e.render()),
            }
            out.push('\n');
        }
        out
    }
}

/// Applies `reader`'s policy to one parsed line: the entry to keep, if any;
/// what to report goes to `diags`.
fn accept(
    parsed: Result<(PiktdEntry, Vec<Diagnostic>), Diagnostic>,
    reader: Reader,
    diags: &mut Vec<Diagnostic>,
) -> Option<PiktdEntry> {
    let (entry, warnings) = match parsed {
        Ok(parsed) => parsed,
        Err(diag) => {
            diags.push(diag);
            return None;
        }
    };
    match reader {
        Reader::Piktd => {
            diags.extend(warnings);
            Some(entry)
        }
        Reader::Piktc => match entry.pikt_call() {
            Ok(_) => Some(entry),
            Err(diag) => {
                diags.push(diag.clone());
                None
            }
        },
    }
}

/// The piktd.conf lines of `alert`: one per timing line that can fire (a
/// timing that never does, such as `=piktnever`, gets none). A timing
/// without its own drift takes the alert's `drift`. `nicecmd` is
/// PIKT.conf's nice command, used for `priority N`.
pub fn entries_for_alert(
    alert: &Alert,
    layout: &Layout,
    test: bool,
    nicecmd: &str,
) -> Vec<PiktdEntry> {
    let nice = alert.nice.as_ref().map(|n| match n {
        Nice::Level(level) => format!("{nicecmd} -n {level}"),
        Nice::Command(cmd) => cmd.clone(),
    });
    alert
        .timings
        .iter()
        .filter(|t| !t.timing.never_matches())
        .map(|t| {
            let mut spec = t.clone();
            spec.drift = t.drift.or(alert.drift);
            let call = PiktCall {
                nice: nice.clone(),
                pikt: layout.pikt_binary().to_string_lossy().into_owned(),
                test,
                mailcmd: alert.mailcmd.clone(),
                lpcmd: alert.lpcmd.clone(),
                alert: alert.name.clone(),
            };
            PiktdEntry::for_call(spec, call)
        })
        .collect()
}

/// The warning for a line whose timing names no date; it points at the
/// day-of-month and month fields.
fn never_matches_warning(words: &[Word], line: Span) -> Diagnostic {
    let span = match (words.get(2), words.get(3)) {
        (Some(dom), Some(month)) => dom.span.to(month.span),
        _ => line,
    };
    Diagnostic::warning(
        "this timing never matches: no selected month has the selected day",
        span,
    )
    .with_note("the line is kept but will never run")
}

/// The alert of a command that is not a pikt call: the word after its last
/// `+A` (piktc writes `+A` last, after `+M "…"`, which could hold a `+A` of
/// its own). A trailing `+A` adds a warning and names nothing.
fn alert_after_last_flag(command: &[Word], warnings: &mut Vec<Diagnostic>) -> Option<String> {
    let position = command.iter().rposition(|w| w.text == "+A")?;
    match command.get(position + 1) {
        Some(word) => {
            let name = alert_name(word);
            (!name.is_empty()).then(|| name.to_owned())
        }
        None => {
            if let Some(flag) = command.get(position) {
                warnings.push(
                    Diagnostic::warning(NO_ALERT_NAME, flag.span)
                        .with_note("the line is named by its whole command"),
                );
            }
            None
        }
    }
}

/// What is wrong with an `+A` that ends the command.
const NO_ALERT_NAME: &str = "`+A` is not followed by an alert name";

fn dangling_alert_flag(flag: &Word) -> Diagnostic {
    Diagnostic::error(NO_ALERT_NAME, flag.span)
}

/// An alert name without the shell quotes around it.
fn alert_name(word: &Word) -> &str {
    word.text.trim_matches(|c| c == '"' || c == '\'')
}

/// `text` without the blanks that end it: the blanks words are split at
/// ([`crate::words::is_space`]), so the command text and its words agree.
fn trim_blanks_end(text: &str) -> &str {
    text.trim_end_matches([' ', '\t', '\r'])
}

fn is_pikt(word: &str) -> bool {
    word == "pikt" || word.ends_with("/pikt")
}

fn join(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::AlertsFile;
    use crate::testing::{parse_named, BAD_MINUTE_REPORT, PIKTD_CONF_WITH_BAD_MINUTE};
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, PiktdConf, Vec<Diagnostic>) {
        read(text, Reader::Piktc)
    }

    fn read(text: &str, reader: Reader) -> (SourceMap, PiktdConf, Vec<Diagnostic>) {
        parse_named("piktd.conf", text, |map, id| {
            PiktdConf::read(map, id, reader)
        })
    }

    fn entries(conf: &PiktdConf) -> Vec<&PiktdEntry> {
        conf.entries().collect()
    }

    // ---- piktc: writing and rewriting ----

    #[test]
    fn a_timing_that_never_fires_gets_no_line() {
        let mut map = SourceMap::new();
        let id = map.add(
            "alerts.cfg",
            "Holiday\n\ttiming 0 0 31 2 *\n\ttiming 5 * * * *\n\talarms X\n",
        );
        let (alerts, _) = AlertsFile::parse(&map, id);
        let entries = entries_for_alert(&alerts.alerts[0], &Layout::new("/p"), false, "nice");
        let lines: Vec<String> = entries.iter().map(PiktdEntry::render).collect();
        assert_eq!(lines, ["5 * * * * /p/bin/pikt +A Holiday"]);
    }

    #[test]
    fn alert_renders_one_line_per_timing_and_round_trips() {
        let mut map = SourceMap::new();
        let id = map.add(
            "alerts.cfg",
            "Urgent\n\ttiming 5,20 * * * * 1\n\ttiming 0 0 * * 0\n\tdrift 3\n\tpriority 10\n\tmailcmd \"mailx -s 'PIKT Alert' root\"\n\talarms X\n",
        );
        let (alerts, _) = AlertsFile::parse(&map, id);
        let layout = Layout::new("/pikt");
        let entries = entries_for_alert(&alerts.alerts[0], &layout, true, "/usr/bin/nice");
        let lines: Vec<String> = entries.iter().map(PiktdEntry::render).collect();
        assert_eq!(
            lines,
            [
                "5,20 * * * * 1 /usr/bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s 'PIKT Alert' root\" +A Urgent",
                "0 0 * * 0 3 /usr/bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s 'PIKT Alert' root\" +A Urgent",
            ]
        );
        let text = format!("# schedule\n{}\n\n{}\n", lines[0], lines[1]);
        let (_, conf, diags) = parse(&text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(conf.render(), text);
        let first = conf
            .entries()
            .next()
            .cloned()
            .unwrap_or_else(|| panic!("no entry"));
        assert_eq!(first.render(), lines[0]);
        assert_eq!(first.spec().drift, Some(1));
        let call = first.pikt_call().unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(
            call,
            entries[0].pikt_call().unwrap_or_else(|d| panic!("{d:?}"))
        );
        assert_eq!(
            call.argv(),
            [
                "/usr/bin/nice",
                "-n",
                "10",
                "/pikt/bin/pikt",
                "-T",
                "+M",
                "mailx -s 'PIKT Alert' root",
                "+A",
                "Urgent"
            ]
        );
    }

    #[test]
    fn set_and_remove_alert_lines() {
        let (_, mut conf, _) = parse("0 * * * * /p/pikt +A A\n0 * * * * /p/pikt +A B\n");
        let b = conf
            .entries()
            .nth(1)
            .cloned()
            .unwrap_or_else(|| panic!("no B"));
        let call = PiktCall {
            alert: "A".into(),
            ..b.pikt_call().cloned().unwrap_or_else(|d| panic!("{d:?}"))
        };
        conf.set_alert("A", vec![PiktdEntry::for_call(b.spec().clone(), call)]);
        assert_eq!(
            conf.render(),
            "0 * * * * /p/pikt +A B\n0 * * * * /p/pikt +A A\n"
        );
        assert_eq!(conf.remove_alert("B"), 1);
        assert_eq!(conf.render(), "0 * * * * /p/pikt +A A\n");
    }

    #[test]
    fn a_quoted_alert_name_belongs_to_its_alert() {
        let (_, mut conf, diags) =
            parse("0 * * * * pikt +A \"Urgent\"\n0 * * * * pikt +A 'Urgent'\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(conf.remove_alert("Urgent"), 2);
    }

    #[test]
    fn errors() {
        let (map, _, diags) = parse("0 * * *\n0 * * * * echo hi\n0 * * * * pikt -x +A A\n0 * * * * pikt\n61 * * * * pikt +A A\n0 * * * *\n0 * * * * pikt +A\n");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "a `piktd.conf` line needs 5 timing fields and a command, found 4 words",
                "no pikt command in piktd.conf line",
                "unexpected `-x` in pikt command",
                "piktd.conf line has no `+A <Alert>`",
                "minute `61` is out of range 0-59",
                "missing command after the timing",
                "`+A` is not followed by an alert name",
            ]
        );
        assert!(diags.iter().all(Diagnostic::is_error));
        assert_eq!(
            map.location(diags[2].span.unwrap_or_default()),
            "piktd.conf:3:16"
        );
        assert_eq!(
            map.location(diags[6].span.unwrap_or_default()),
            "piktd.conf:7:16"
        );
        // The command, not the whole line, is what is not a pikt call.
        assert_eq!(map.slice(diags[1].span.unwrap_or_default()), "echo hi");
    }

    #[test]
    fn piktc_does_not_report_what_only_matters_to_piktd() {
        let (_, conf, diags) = parse("0 0 31 2 * pikt +A Never\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(entries(&conf).len(), 1);
    }

    // ---- piktd: running ----

    #[test]
    fn piktd_keeps_any_command_and_names_it() {
        let text =
            "0-59/5 * * * * 2 /bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent\n\
                    * * * * * echo hello  \n\
                    * * * * * pikt +M \"mail +A x\" +A Real\n\
                    * * * * * wrapper +A Other\n";
        let (_, conf, diags) = read(text, Reader::Piktd);
        assert!(diags.is_empty(), "{diags:?}");
        let all = entries(&conf);
        assert_eq!(all[0].drift_minutes(), 2);
        assert_eq!(all[0].timing().text(), "0-59/5 * * * *");
        assert_eq!(
            all[0].command(),
            "/bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent"
        );
        assert_eq!(all[0].key(), "Urgent");
        assert_eq!(all[1].alert(), None);
        assert_eq!(all[1].key(), "echo hello");
        assert_eq!(all[2].key(), "Real");
        assert_eq!(all[3].key(), "Other");
        assert!(all[3].pikt_call().is_err());
    }

    #[test]
    fn piktd_warns_about_lines_that_never_run_and_a_nameless_plus_a() {
        let (map, conf, diags) = read(
            "0 0 31 feb * pikt +A Never\n* * * * * pikt +A\n",
            Reader::Piktd,
        );
        assert_eq!(entries(&conf).len(), 2);
        assert!(diags.iter().all(|d| !d.is_error()));
        assert_eq!(
            render(&map, &diags[0]),
            "warning: this timing never matches: no selected month has the selected day\n \
             --> piktd.conf:1:5\n  \
             |\n\
             1 | 0 0 31 feb * pikt +A Never\n  \
             |     ^^^^^^\n  \
             = note: the line is kept but will never run\n"
        );
        assert_eq!(diags[1].message, "`+A` is not followed by an alert name");
        assert_eq!(
            map.location(diags[1].span.unwrap_or_default()),
            "piktd.conf:2:16"
        );
        assert_eq!(entries(&conf)[1].key(), "pikt +A");
    }

    #[test]
    fn both_readers_report_a_bad_line_and_keep_the_rest() {
        for reader in [Reader::Piktc, Reader::Piktd] {
            let (map, conf, diags) = read(PIKTD_CONF_WITH_BAD_MINUTE, reader);
            let keys: Vec<&str> = conf.entries().map(PiktdEntry::key).collect();
            assert_eq!(keys, ["One", "Three"]);
            assert_eq!(diags.len(), 1);
            assert_eq!(render(&map, &diags[0]), BAD_MINUTE_REPORT);
        }
    }

    #[test]
    fn crlf_and_unterminated_strings() {
        let (map, conf, diags) = read(
            "# c\r\n*/15 * * * 1-5 pikt +A 'Warning'\r\n* * * * * pikt +M \"oops +A X\n",
            Reader::Piktd,
        );
        assert_eq!(entries(&conf)[0].command(), "pikt +A 'Warning'");
        assert_eq!(entries(&conf)[0].key(), "Warning");
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].message, "unterminated string");
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "piktd.conf:3:19"
        );
        assert_eq!(conf.render(), "# c\n*/15 * * * 1-5 pikt +A 'Warning'\n");
    }

    /// piktc writes back what it read, and reading that again gives the
    /// same lines: blanks between timing fields become one space, the drift
    /// its number, the command stays as written. The command ends where its
    /// last word ends, so a trailing no-break space stays in both.
    #[test]
    fn rewritten_lines_read_back_the_same() {
        let text = "0\t*  * * *   05 pikt +A A\n* * * * *\t/p/pikt +M\"m x\" +A B \t\r\n* * * * * pikt +A C\u{a0}\n";
        let (_, conf, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let written = conf.render();
        assert_eq!(
            written,
            "0 * * * * 5 pikt +A A\n* * * * * /p/pikt +M\"m x\" +A B\n* * * * * pikt +A C\u{a0}\n"
        );
        let (_, reread, diags) = parse(&written);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(reread.render(), written);
        let keys: Vec<&str> = reread.entries().map(PiktdEntry::key).collect();
        assert_eq!(keys, ["A", "B", "C\u{a0}"]);
        let commands: Vec<&str> = conf.entries().map(PiktdEntry::command).collect();
        let again: Vec<&str> = reread.entries().map(PiktdEntry::command).collect();
        assert_eq!(commands, again);
    }

    #[test]
    fn entry_knows_its_line() {
        let (_, conf, _) = read("# c\n0 * * * * pikt +A A\n", Reader::Piktd);
        assert_eq!(entries(&conf)[0].span(), Some(Span::new(FileId(0), 4, 23)));
    }
}
