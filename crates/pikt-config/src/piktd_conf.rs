//! piktd.conf: piktd's schedule, one line per (alert, timing) (reference §1.14).
//!
//! ```text
//! <min> <hr> <dom> <mon> <dow> [<drift>] [<nice prefix ...>] <.../pikt> [-T] [+M "<mailcmd>"] [+L "<lpcmd>"] +A <Alert>
//! ```
//!
//! `piktc -e` writes these lines from alerts.cfg ([`entries_for_alert`]);
//! `piktc -d` removes an alert's lines; piktd reads them ([`PiktdConf::parse`])
//! and runs [`PiktdEntry::argv`]. The pikt command is the first word whose
//! last path component is `pikt`; the words before it are the nice prefix.
//! Blank lines and lines starting with `#` are kept as they are.

use std::fmt::Write as _;

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::alerts::{Alert, Nice};
use crate::layout::Layout;
use crate::timing::{parse_drift, TimingSpec};
use crate::words::{split_words, Word};

/// One scheduled pikt run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PiktdEntry {
    /// When it runs (with the drift).
    pub timing: TimingSpec,
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

impl PiktdEntry {
    /// The line as written to piktd.conf (no newline).
    pub fn render(&self) -> String {
        let mut line = self.timing.to_string();
        if let Some(nice) = &self.nice {
            let _ = write!(line, " {nice}");
        }
        let _ = write!(line, " {}", self.pikt);
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

    /// The command to run: nice prefix words, the interpreter, its arguments.
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
    /// Reads piktd.conf `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (PiktdConf, Vec<Diagnostic>) {
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
                match parse_entry(raw, Span::new(file, offset, offset + raw.len())) {
                    Ok(entry) => conf.lines.push(PiktdLine::Entry(Box::new(entry))),
                    Err(diag) => diags.push(diag),
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
            .retain(|l| !matches!(l, PiktdLine::Entry(e) if e.alert == alert));
        before - self.lines.len()
    }

    /// Replaces the lines of `entries`' alert(s) with `entries` (appended).
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

/// The piktd.conf lines of `alert`: one per timing line. A timing without
/// its own drift takes the alert's `drift`. `nicecmd` is PIKT.conf's nice
/// command, used for `priority N`.
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
        .map(|t| {
            let mut timing = t.clone();
            timing.drift = t.drift.or(alert.drift);
            PiktdEntry {
                timing,
                nice: nice.clone(),
                pikt: layout.pikt_binary().to_string_lossy().into_owned(),
                test,
                mailcmd: alert.mailcmd.clone(),
                lpcmd: alert.lpcmd.clone(),
                alert: alert.name.clone(),
            }
        })
        .collect()
}

fn parse_entry(raw: &str, span: Span) -> Result<PiktdEntry, Diagnostic> {
    let (words, diags) = split_words(raw, span);
    if let Some(d) = diags.into_iter().next() {
        return Err(d);
    }
    let timing_len = if words
        .get(5)
        .is_some_and(|w| w.text.bytes().all(|b| b.is_ascii_digit()))
    {
        6
    } else {
        5
    };
    let timing_words = words.get(..timing_len.min(words.len())).unwrap_or(&[]);
    if timing_words.len() < 5 {
        return Err(Diagnostic::error("incomplete piktd.conf line", span)
            .with_help("a line is `<min> <hour> <dom> <month> <dow> [<drift>] [<nice>] <pikt> ... +A <Alert>`"));
    }
    if let Some(drift) = words.get(5).filter(|_| timing_len == 6) {
        parse_drift(drift)?;
    }
    let timing = TimingSpec::parse(timing_words, span)?;
    let rest = words.get(timing_len..).unwrap_or(&[]);
    let Some(pikt_at) = rest.iter().position(|w| is_pikt(&w.text)) else {
        return Err(
            Diagnostic::error("no pikt command in piktd.conf line", span)
                .with_help("the command is the path of `pikt` followed by `+A <Alert>`"),
        );
    };
    let nice_words = rest.get(..pikt_at).unwrap_or(&[]);
    let nice = (!nice_words.is_empty()).then(|| join(nice_words));
    let pikt = rest
        .get(pikt_at)
        .map_or_else(String::new, |w| w.text.clone());
    let mut entry = PiktdEntry {
        timing,
        nice,
        pikt,
        test: false,
        mailcmd: None,
        lpcmd: None,
        alert: String::new(),
    };
    pikt_args(rest.get(pikt_at + 1..).unwrap_or(&[]), &mut entry, span)?;
    Ok(entry)
}

fn pikt_args(args: &[Word], entry: &mut PiktdEntry, span: Span) -> Result<(), Diagnostic> {
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let value = args.get(i + 1);
        let slot = match arg.text.as_str() {
            "-T" => {
                entry.test = true;
                i += 1;
                continue;
            }
            "+M" => &mut entry.mailcmd,
            "+L" => &mut entry.lpcmd,
            "+A" => {
                let Some(v) = value else {
                    return Err(Diagnostic::error("`+A` needs an alert name", arg.span));
                };
                entry.alert = v.text.clone();
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
    if entry.alert.is_empty() {
        return Err(Diagnostic::error(
            "piktd.conf line has no `+A <Alert>`",
            span,
        ));
    }
    Ok(())
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

    fn parse(text: &str) -> (SourceMap, PiktdConf, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let id = map.add("piktd.conf", text);
        let (conf, diags) = PiktdConf::parse(&map, id);
        (map, conf, diags)
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
        assert_eq!(first.timing.drift, Some(1));
        assert_eq!(
            first.argv(),
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
        conf.set_alert(
            "A",
            vec![PiktdEntry {
                alert: "A".into(),
                ..b.clone()
            }],
        );
        assert_eq!(
            conf.render(),
            "0 * * * * /p/pikt +A B\n0 * * * * /p/pikt +A A\n"
        );
        assert_eq!(conf.remove_alert("B"), 1);
        assert_eq!(conf.render(), "0 * * * * /p/pikt +A A\n");
    }

    #[test]
    fn errors() {
        let (map, _, diags) = parse("0 * * *\n0 * * * * echo hi\n0 * * * * pikt -x +A A\n0 * * * * pikt\n61 * * * * pikt +A A\n");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "incomplete piktd.conf line",
                "no pikt command in piktd.conf line",
                "unexpected `-x` in pikt command",
                "piktd.conf line has no `+A <Alert>`",
                "minute `61` out of range 0-59"
            ]
        );
        assert_eq!(
            map.location(diags[2].span.unwrap_or_default()),
            "piktd.conf:3:16"
        );
    }
}
