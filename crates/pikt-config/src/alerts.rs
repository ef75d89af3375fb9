//! alerts.cfg: which alarm scripts run when, and where their output goes
//! (reference §1.7).
//!
//! ```text
//! <Alert>
//!     timing    <min> <hour> <dom> <month> <dow> [<drift>]   (one or more)
//!     drift     <minutes>
//!     priority  <nice level>          (synonym: nice)
//!     nicecmd   "<command prefix>"    (instead of priority)
//!     mailcmd   "<mail command>"
//!     lpcmd     "<print command>"
//!     execcmd   "<command>"
//!     status    active|inactive|suspended|testing|debugging
//!     level     emergency|urgent|critical|error|warning|notice|info|debug
//!     alarms    <Script> <Script> ...
//!               <Script> ...          (lines after `alarms` that do not
//!                                      start with a key continue the list)
//! ```
//!
//! Every key but `timing` is given at most once. Lines after a `timing` line
//! that start with a minute (a digit or `*`) are further timings (PIKT's
//! old-style sample writes them so). A double-quoted value may go on to the
//! next line after a backslash. The alert macros (`=piktalert`...) in the
//! commands are filled in for the alert ([`crate::alert_macros`]). The alarm
//! names are checked against alarms.cfg by [`AlertsFile::check_alarm_names`]
//! once both files are read.

use std::collections::{BTreeSet, HashMap};

use pikt_lang::ast::{Level, Status};
use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::alert_macros::{self, AlertContext};
use crate::stanza::{dedup_stanzas, is_identifier, read_stanzas, Stanza, StanzaRules};
use crate::timing::{parse_drift, TimingSpec};
use crate::words::{did_you_mean, join_quoted_continuations, Word};

/// Every key of an alert stanza.
pub const KEYS: [&str; 11] = [
    "timing", "drift", "priority", "nice", "nicecmd", "mailcmd", "lpcmd", "execcmd", "status",
    "level", "alarms",
];

/// How the alert's pikt runs are niced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Nice {
    /// `priority N`: run under `nice -n N`.
    Level(i32),
    /// `nicecmd "..."`: this command prefix.
    Command(String),
}

/// One alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The alert's name.
    pub name: String,
    /// Where the name is written.
    pub name_span: Span,
    /// The `timing` lines, in order.
    pub timings: Vec<TimingSpec>,
    /// `drift`, the alert-wide default drift.
    pub drift: Option<u32>,
    /// `priority`/`nice` or `nicecmd`.
    pub nice: Option<Nice>,
    /// `mailcmd`.
    pub mailcmd: Option<String>,
    /// `lpcmd`.
    pub lpcmd: Option<String>,
    /// `execcmd`.
    pub execcmd: Option<String>,
    /// `status` (default active).
    pub status: Option<Status>,
    /// `level`.
    pub level: Option<Level>,
    /// The alarm scripts, in order.
    pub alarms: Vec<Word>,
}

impl Alert {
    /// The alarm names, in order.
    pub fn alarm_names(&self) -> impl Iterator<Item = &str> {
        self.alarms.iter().map(|w| w.text.as_str())
    }
}

/// The model of alerts.cfg for one host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlertsFile {
    /// The alerts in file order.
    pub alerts: Vec<Alert>,
}

impl AlertsFile {
    /// Reads the preprocessed alerts.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (AlertsFile, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::PLAIN);
        let stanzas = dedup_stanzas(map, stanzas, "alert", &mut diags);
        let alerts = stanzas
            .iter()
            .map(|s| AlertParser::new(map, s).parse(&mut diags))
            .collect();
        (AlertsFile { alerts }, diags)
    }

    /// The alert called `name`.
    pub fn get(&self, name: &str) -> Option<&Alert> {
        self.alerts.iter().find(|a| a.name == name)
    }

    /// Reports every alarm name that is not in `known` (the scripts of
    /// alarms.cfg), suggesting the closest one when there is one.
    pub fn check_alarm_names(&self, known: &[&str]) -> Vec<Diagnostic> {
        let set: BTreeSet<&str> = known.iter().copied().collect();
        let mut diags = Vec::new();
        for alert in &self.alerts {
            for alarm in &alert.alarms {
                if set.contains(alarm.text.as_str()) {
                    continue;
                }
                let mut diag = Diagnostic::error(
                    format!("unknown alarm `{}` in alert `{}`", alarm.text, alert.name),
                    alarm.span,
                )
                .with_label("not defined in alarms.cfg");
                if let Some(s) = did_you_mean(&alarm.text, known.iter().copied()) {
                    diag = diag.with_help(format!("did you mean `{s}`?"));
                }
                diags.push(diag);
            }
        }
        diags
    }
}

struct AlertParser<'a> {
    map: &'a SourceMap,
    stanza: &'a Stanza,
    alert: Alert,
    /// key -> span where it was first given (single-valued keys).
    seen: HashMap<&'static str, Span>,
    /// The key whose key-less lines continue it (`alarms`, `timing`).
    continued: Option<&'static str>,
}

impl<'a> AlertParser<'a> {
    fn new(map: &'a SourceMap, stanza: &'a Stanza) -> AlertParser<'a> {
        AlertParser {
            map,
            stanza,
            alert: Alert {
                name: stanza.name.clone(),
                name_span: stanza.name_span,
                timings: Vec::new(),
                drift: None,
                nice: None,
                mailcmd: None,
                lpcmd: None,
                execcmd: None,
                status: None,
                level: None,
                alarms: Vec::new(),
            },
            seen: HashMap::new(),
            continued: None,
        }
    }

    fn parse(mut self, diags: &mut Vec<Diagnostic>) -> Alert {
        let written = self
            .stanza
            .lines()
            .map(|line| (line.content(), line.content_span()));
        for line in join_quoted_continuations(written) {
            let (words, d) = line.words();
            diags.extend(d);
            if let Err(diag) = self.line(&words, line.span()) {
                diags.push(diag);
            }
        }
        self.fill_alert_macros();
        if self.alert.alarms.is_empty() {
            diags.push(
                Diagnostic::warning(
                    format!("alert `{}` lists no alarms", self.alert.name),
                    self.alert.name_span,
                )
                .with_help("add an `alarms` line naming scripts of alarms.cfg"),
            );
        }
        self.alert
    }

    fn line(&mut self, words: &[Word], line_span: Span) -> Result<(), Diagnostic> {
        let Some((key, args)) = words.split_first() else {
            return Ok(());
        };
        let Some(known) = KEYS.iter().copied().find(|k| *k == key.text) else {
            return match self.continued {
                Some("alarms") => self.alarm_names(words),
                Some(_) if starts_like_a_minute(&key.text) => {
                    let spec = TimingSpec::parse(words, line_span)?;
                    self.alert.timings.push(spec);
                    Ok(())
                }
                _ => Err(self.unknown_key(key)),
            };
        };
        self.continued = matches!(known, "alarms" | "timing").then_some(known);
        let args_span = args.first().map_or(line_span, |a| {
            a.span.to(args.last().map_or(a.span, |l| l.span))
        });
        match known {
            "timing" => {
                let spec = TimingSpec::parse(args, args_span)?;
                self.alert.timings.push(spec);
            }
            "alarms" => self.alarm_names(args)?,
            _ => {
                self.once(known, key.span)?;
                self.single_valued(known, key, args, args_span)?;
            }
        }
        Ok(())
    }

    fn single_valued(
        &mut self,
        key: &'static str,
        key_word: &Word,
        args: &[Word],
        args_span: Span,
    ) -> Result<(), Diagnostic> {
        let value = one_value(key, key_word, args, args_span)?;
        match key {
            "drift" => self.alert.drift = Some(parse_drift(value)?),
            "priority" | "nice" => {
                self.no_nice_clash(key, key_word.span)?;
                self.alert.nice = Some(Nice::Level(parse_nice(value)?));
            }
            "nicecmd" => {
                self.no_nice_clash(key, key_word.span)?;
                self.alert.nice = Some(Nice::Command(value.unquoted().to_string()));
            }
            "mailcmd" => self.alert.mailcmd = Some(value.unquoted().to_string()),
            "lpcmd" => self.alert.lpcmd = Some(value.unquoted().to_string()),
            "execcmd" => self.alert.execcmd = Some(value.unquoted().to_string()),
            "status" => self.alert.status = Some(parse_status(value)?),
            "level" => self.alert.level = Some(parse_level(value)?),
            _ => {}
        }
        Ok(())
    }

    /// Reports a second occurrence of a single-valued key.
    fn once(&mut self, key: &'static str, span: Span) -> Result<(), Diagnostic> {
        // `priority` and `nice` are one key under two names.
        let slot = if key == "nice" { "priority" } else { key };
        if let Some(first) = self.seen.get(slot) {
            return Err(Diagnostic::error(
                format!("duplicate key `{key}` in alert `{}`", self.alert.name),
                span,
            )
            .with_label("given again here")
            .with_note(format!("first given at {}", self.map.location(*first))));
        }
        self.seen.insert(slot, span);
        Ok(())
    }

    fn no_nice_clash(&self, key: &str, span: Span) -> Result<(), Diagnostic> {
        let other = if key == "nicecmd" {
            "priority"
        } else {
            "nicecmd"
        };
        match self.seen.get(other) {
            Some(first) => Err(Diagnostic::error(
                format!("`{key}` and `{other}` cannot both be given"),
                span,
            )
            .with_note(format!(
                "`{other}` is given at {}",
                self.map.location(*first)
            ))
            .with_help("use either a nice level (`priority`) or a command prefix (`nicecmd`)")),
            None => Ok(()),
        }
    }

    fn alarm_names(&mut self, words: &[Word]) -> Result<(), Diagnostic> {
        for word in words {
            if !is_identifier(&word.text) {
                return Err(Diagnostic::error(
                    format!("invalid alarm name `{}`", word.text),
                    word.span,
                )
                .with_help(
                    "alarm names start with a letter and contain letters, digits, `-`, `_` and `.`",
                ));
            }
            if let Some(first) = self.alert.alarms.iter().find(|w| w.text == word.text) {
                return Err(Diagnostic::error(
                    format!(
                        "alarm `{}` listed twice in alert `{}`",
                        word.text, self.alert.name
                    ),
                    word.span,
                )
                .with_note(format!("first listed at {}", self.map.location(first.span))));
            }
            self.alert.alarms.push(word.clone());
        }
        Ok(())
    }

    /// Fills the alert macros into the commands, now that the alert's
    /// name, status and level are known.
    fn fill_alert_macros(&mut self) {
        let alert = &self.alert;
        let ctx = AlertContext::of(alert);
        let fill = |value: &Option<String>| {
            value
                .as_deref()
                .map(|text| alert_macros::fill(text, &ctx).into_owned())
        };
        let (mailcmd, lpcmd, execcmd) = (
            fill(&alert.mailcmd),
            fill(&alert.lpcmd),
            fill(&alert.execcmd),
        );
        let nice = match &alert.nice {
            Some(Nice::Command(text)) => {
                Some(Nice::Command(alert_macros::fill(text, &ctx).into_owned()))
            }
            other => other.clone(),
        };
        self.alert.mailcmd = mailcmd;
        self.alert.lpcmd = lpcmd;
        self.alert.execcmd = execcmd;
        self.alert.nice = nice;
    }

    fn unknown_key(&self, key: &Word) -> Diagnostic {
        let mut diag =
            Diagnostic::error(format!("unknown alerts.cfg key `{}`", key.text), key.span)
                .with_note(format!("known keys: {}", KEYS.join(", ")));
        if let Some(s) = did_you_mean(&key.text, KEYS) {
            diag = diag.with_help(format!("did you mean `{s}`?"));
        }
        diag
    }
}

/// True for a word that can start a timing line: its minute field.
fn starts_like_a_minute(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_digit() || c == '*')
}

/// Exactly one value word after `key`.
fn one_value<'w>(
    key: &str,
    key_word: &Word,
    args: &'w [Word],
    args_span: Span,
) -> Result<&'w Word, Diagnostic> {
    match args {
        [value] => Ok(value),
        [] => Err(
            Diagnostic::error(format!("`{key}` needs a value"), key_word.span)
                .with_help(value_help(key)),
        ),
        _ => Err(
            Diagnostic::error(format!("`{key}` takes one value"), args_span)
                .with_help(value_help(key)),
        ),
    }
}

fn value_help(key: &str) -> String {
    match key {
        "drift" => "write `drift <minutes>`".to_string(),
        "priority" | "nice" => format!("write `{key} <level>` with a level from -20 to 19"),
        "status" => "write `status active|inactive|suspended|testing|debugging`".to_string(),
        "level" => {
            "write `level emergency|urgent|critical|error|warning|notice|info|debug`".to_string()
        }
        _ => format!("write `{key} \"<command>\"` with the command in double quotes"),
    }
}

fn parse_nice(word: &Word) -> Result<i32, Diagnostic> {
    match word.text.parse::<i32>() {
        Ok(n) if (-20..=19).contains(&n) => Ok(n),
        _ => Err(
            Diagnostic::error(format!("invalid nice level `{}`", word.text), word.span)
                .with_help("nice levels run from -20 (most favoured) to 19 (least)"),
        ),
    }
}

/// The `status` keywords (reference §3.6).
pub fn parse_status(word: &Word) -> Result<Status, Diagnostic> {
    Status::from_word(&word.text).ok_or_else(|| {
        Diagnostic::error(format!("invalid status `{}`", word.text), word.span)
            .with_help(value_help("status"))
    })
}

/// The `level` keywords (`alert` is a synonym of `urgent`).
pub fn parse_level(word: &Word) -> Result<Level, Diagnostic> {
    Level::from_word(&word.text).ok_or_else(|| {
        Diagnostic::error(format!("invalid level `{}`", word.text), word.span)
            .with_help(value_help("level"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, AlertsFile, Vec<Diagnostic>) {
        crate::testing::parse_named("alerts.cfg", text, AlertsFile::parse)
    }

    const URGENT: &str = "Urgent\n\ttiming 5,20,35,50 * * * * 1\n\ttiming 0 0 * * 0\n\tnicecmd \"nice -n 19\"\n\tmailcmd \"mailx -s 'PIKT Alert on moscow: Urgent' root\"\n\tlpcmd \"lpr\"\n\tstatus active\n\tlevel urgent\n\talarms ProcCountsChk\n\t\tOtherChk Third\n";

    #[test]
    fn a_full_alert() {
        let (_, model, diags) = parse(URGENT);
        assert!(diags.is_empty(), "{diags:?}");
        let a = &model.alerts[0];
        assert_eq!(a.timings.len(), 2);
        assert_eq!(a.timings[0].drift, Some(1));
        assert_eq!(a.nice, Some(Nice::Command("nice -n 19".into())));
        assert_eq!(
            a.mailcmd.as_deref(),
            Some("mailx -s 'PIKT Alert on moscow: Urgent' root")
        );
        assert_eq!(a.status, Some(Status::Active));
        assert_eq!(a.level, Some(Level::Urgent));
        assert_eq!(
            a.alarm_names().collect::<Vec<_>>(),
            ["ProcCountsChk", "OtherChk", "Third"]
        );
    }

    #[test]
    fn timing_lines_continue_without_the_key() {
        let (_, model, diags) = parse(
            "A\n\ttiming 10,25,40,55 6-18 * * 1-5 5\n\t\t10 6-18 * * 0,6 5\n\t\t*/30 0-5 * * * 5\n\talarms X\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(model.alerts[0].timings.len(), 3);
        assert_eq!(model.alerts[0].timings[2].drift, Some(5));
        // after `alarms`, a key-less line is a script name again
        let (_, _, diags) = parse("A\n\ttiming 0 * * * *\n\tmialcmd \"x\"\n\talarms X\n");
        assert_eq!(diags[0].message, "unknown alerts.cfg key `mialcmd`");
    }

    #[test]
    fn quoted_commands_continue_after_a_backslash_and_fill_alert_macros() {
        let (_, model, diags) = parse(
            "Critical\n\tmailcmd \"mailx -s 'PIKT Alert: =piktalert' \\\n\t\t\troot\"\n\tlevel critical\n\tlpcmd \"lp -t =piktalert=_-=piktlevel\"\n\talarms X\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let a = &model.alerts[0];
        assert_eq!(
            a.mailcmd.as_deref(),
            Some("mailx -s 'PIKT Alert: Critical' root")
        );
        assert_eq!(a.lpcmd.as_deref(), Some("lp -t Critical-critical"));
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let (map, _, diags) = parse("A\n\tmialcmd \"x\"\n\talarms X\n");
        assert_eq!(
            render(&map, &diags[0]),
            "error: unknown alerts.cfg key `mialcmd`\n --> alerts.cfg:2:2\n  |\n2 | \tmialcmd \"x\"\n  | \t^^^^^^^\n  = note: known keys: timing, drift, priority, nice, nicecmd, mailcmd, lpcmd, execcmd, status, level, alarms\n  = help: did you mean `mailcmd`?\n"
        );
    }

    #[test]
    fn duplicate_key_and_nice_clash() {
        let (map, _, diags) = parse(
            "A\n\tmailcmd \"a\"\n\tmailcmd \"b\"\n\tpriority 5\n\tnicecmd \"nice\"\n\talarms X\n",
        );
        assert_eq!(diags.len(), 2);
        assert_eq!(diags[0].message, "duplicate key `mailcmd` in alert `A`");
        assert_eq!(diags[0].notes, ["first given at alerts.cfg:2:2"]);
        assert_eq!(
            diags[1].message,
            "`nicecmd` and `priority` cannot both be given"
        );
        assert_eq!(
            map.location(diags[1].span.unwrap_or_default()),
            "alerts.cfg:5:2"
        );
    }

    #[test]
    fn bad_values() {
        let (_, _, diags) = parse("A\n\tstatus sleeping\n\tlevel loud\n\tpriority 40\n\tdrift x\n\ttiming 60 * * * *\n\talarms X\n");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "invalid status `sleeping`",
                "invalid level `loud`",
                "invalid nice level `40`",
                "invalid drift `x`",
                "minute `60` is out of range 0-59"
            ]
        );
    }

    #[test]
    fn unknown_alarm_names_are_found_against_alarms_cfg() {
        let (map, model, _) = parse("A\n\talarms Known Unknwn\n");
        let diags = model.check_alarm_names(&["Known", "Unknown"]);
        assert_eq!(
            render(&map, &diags[0]),
            "error: unknown alarm `Unknwn` in alert `A`\n --> alerts.cfg:2:15\n  |\n2 | \talarms Known Unknwn\n  | \t             ^^^^^^ not defined in alarms.cfg\n  = help: did you mean `Unknown`?\n"
        );
    }

    #[test]
    fn alert_without_alarms_is_a_warning_and_repeats_are_errors() {
        let (_, _, diags) = parse("A\n\ttiming 0 * * * *\nB\n\talarms X X\n");
        assert!(!diags[0].is_error());
        assert_eq!(diags[0].message, "alert `A` lists no alarms");
        assert_eq!(diags[1].message, "alarm `X` listed twice in alert `B`");
    }
}
