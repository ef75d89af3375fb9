//! Reading `piktd.conf`: one scheduled command per line.
//!
//! ```text
//! <min> <hr> <dom> <mon> <dow> [<drift>] <command ...>
//! 0-59/5 * * * * 2 =nice -n 10 /pikt/bin/pikt -T +M "mailx -s x root" +A Urgent
//! ```
//!
//! * The first five words are the [`Timing`].
//! * A sixth word made only of digits is the drift in minutes (0–1440); see
//!   [`crate::drift`].
//! * Everything after that, exactly as written (quotes, spacing), is the
//!   command, run by `/bin/sh -c`. It normally is the nice prefix followed by
//!   `pikt [-T] [+M …] [+L …] +A <Alert>`; piktd does not take it apart
//!   except to find the alert name after the last `+A`, which names the run in the log,
//!   in `etc/alerts` and for the no-overlap rule. A line without `+A` is
//!   scheduled all the same and named by its whole command.
//! * Blank lines and lines whose first non-blank character is `#` are ignored.
//!
//! A bad line is reported (with its line number and the span of what is
//! wrong) and left out; the other lines still run.

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::timing::{Timing, Word};

/// The largest drift accepted, in minutes (one day).
pub const MAX_DRIFT_MINUTES: u32 = 1440;

/// One valid line of `piktd.conf`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The span of the whole line (for messages about it).
    pub span: Span,
    /// When it runs.
    pub timing: Timing,
    /// The five timing words as written, joined by one space (for the log).
    pub timing_text: String,
    /// Maximum start delay in minutes; 0 = none.
    pub drift_minutes: u32,
    /// The shell command, as written.
    pub command: String,
    /// The word after `+A` in the command, when there is one.
    pub alert: Option<String>,
}

impl ConfLine {
    /// The name runs of this line go by: the alert, else the command. Two runs
    /// with the same key never overlap.
    pub fn key(&self) -> &str {
        self.alert.as_deref().unwrap_or(&self.command)
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
        let text = map.get(file).text.as_str();
        let mut lines = Vec::new();
        let mut diagnostics = Vec::new();
        let mut offset = 0;
        for (index, raw) in text.split('\n').enumerate() {
            let start = offset;
            offset += raw.len() + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            match parse_line(line, start, index + 1, file) {
                Ok((conf_line, warnings)) => {
                    lines.push(conf_line);
                    diagnostics.extend(warnings);
                }
                Err(diag) => diagnostics.push(diag),
            }
        }
        (Schedule { lines }, diagnostics)
    }

    /// The distinct alert names, in the order of their first line.
    pub fn alerts(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in self.lines.iter().filter_map(|l| l.alert.as_deref()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// Splits `text` at blanks; `base` is the byte offset of `text` in its file.
pub fn split_words(text: &str, base: usize) -> Vec<Word<'_>> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices() {
        match (ch == ' ' || ch == '\t', start) {
            (true, Some(s)) => {
                words.push(word_at(text, s, i, base));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        words.push(word_at(text, s, text.len(), base));
    }
    words
}

fn word_at(text: &str, start: usize, end: usize, base: usize) -> Word<'_> {
    Word {
        text: text.get(start..end).unwrap_or(""),
        start: base + start,
    }
}

/// Parses one non-blank, non-comment line starting at byte `start`.
fn parse_line(
    line: &str,
    start: usize,
    number: usize,
    file: FileId,
) -> Result<(ConfLine, Vec<Diagnostic>), Diagnostic> {
    let span = Span::new(file, start, start + line.len());
    let words = split_words(line, start);
    let Some(five) = words
        .get(..5)
        .and_then(|w| <[Word<'_>; 5]>::try_from(w).ok())
    else {
        return Err(Diagnostic::error(
            format!(
                "a `piktd.conf` line needs 5 timing fields and a command, found {} word{}",
                words.len(),
                if words.len() == 1 { "" } else { "s" }
            ),
            span,
        )
        .with_help("write `<min> <hour> <day> <month> <weekday> [<drift>] <command>`"));
    };
    let timing = Timing::parse(five, file)?;
    let mut next = 5;
    let mut drift_minutes = 0;
    if let Some(word) = words
        .get(5)
        .filter(|w| w.text.bytes().all(|b| b.is_ascii_digit()))
    {
        drift_minutes = parse_drift(*word, file)?;
        next = 6;
    }
    let Some(first) = words.get(next) else {
        let end = start + line.trim_end().len();
        return Err(Diagnostic::error(
            "missing command after the timing",
            Span::new(file, end, end),
        )
        .with_label("a command such as `pikt +A <Alert>` belongs here"));
    };
    let command_offset = first.start - start;
    let command = line
        .get(command_offset..)
        .unwrap_or("")
        .trim_end()
        .to_owned();
    let mut warnings = Vec::new();
    if timing.never_matches() {
        let from = five[2].start;
        let to = five[3].start + five[3].text.len();
        warnings.push(
            Diagnostic::warning(
                "this timing never matches: no selected month has the selected day",
                Span::new(file, from, to),
            )
            .with_note(format!("line {number} is kept but will never run")),
        );
    }
    let alert = alert_name(words.get(next..).unwrap_or(&[]), file, &mut warnings);
    let timing_text = five.iter().map(|w| w.text).collect::<Vec<_>>().join(" ");
    Ok((
        ConfLine {
            line: number,
            span,
            timing,
            timing_text,
            drift_minutes,
            command,
            alert,
        },
        warnings,
    ))
}

fn parse_drift(word: Word<'_>, file: FileId) -> Result<u32, Diagnostic> {
    match word.text.parse::<u32>() {
        Ok(minutes) if minutes <= MAX_DRIFT_MINUTES => Ok(minutes),
        _ => Err(Diagnostic::error(
            format!(
                "drift `{}` is more than {MAX_DRIFT_MINUTES} minutes",
                word.text
            ),
            word.span(file),
        )
        .with_help("the drift is the largest random start delay, in minutes")),
    }
}

/// The word after the last `+A`, without shell quotes.
fn alert_name(
    command: &[Word<'_>],
    file: FileId,
    warnings: &mut Vec<Diagnostic>,
) -> Option<String> {
    // The last `+A`: piktc writes it last, after `+M "…"`, whose text could
    // hold a `+A` of its own.
    let position = command.iter().rposition(|w| w.text == "+A")?;
    match command.get(position + 1) {
        Some(word) => {
            let name = word.text.trim_matches(|c| c == '"' || c == '\'');
            (!name.is_empty()).then(|| name.to_owned())
        }
        None => {
            if let Some(flag) = command.get(position) {
                warnings.push(
                    Diagnostic::warning("`+A` is not followed by an alert name", flag.span(file))
                        .with_note("the line is named by its whole command"),
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, Schedule, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let file = map.add("piktd.conf", text);
        let (schedule, diags) = Schedule::parse(&map, file);
        (map, schedule, diags)
    }

    #[test]
    fn full_line_with_drift_nice_and_flags() {
        let text =
            "0-59/5 * * * * 2 /bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent\n";
        let (_, schedule, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let line = &schedule.lines[0];
        assert_eq!(line.line, 1);
        assert_eq!(line.drift_minutes, 2);
        assert_eq!(line.timing_text, "0-59/5 * * * *");
        assert_eq!(
            line.command,
            "/bin/nice -n 10 /pikt/bin/pikt -T +M \"mailx -s x\" +A Urgent"
        );
        assert_eq!(line.alert.as_deref(), Some("Urgent"));
        assert_eq!(line.key(), "Urgent");
    }

    #[test]
    fn comments_blanks_crlf_and_no_drift() {
        let text = "# written by piktc -e\n\n   \r\n*/15 * * * 1-5 pikt +A 'Warning'\r\n";
        let (_, schedule, diags) = parse(text);
        assert!(diags.is_empty(), "{diags:?}");
        let line = &schedule.lines[0];
        assert_eq!(line.line, 4);
        assert_eq!(line.drift_minutes, 0);
        assert_eq!(line.command, "pikt +A 'Warning'");
        assert_eq!(line.alert.as_deref(), Some("Warning"));
    }

    #[test]
    fn the_last_plus_a_names_the_alert() {
        let (_, schedule, _) = parse("* * * * * pikt +M \"mail +A x\" +A Real\n");
        assert_eq!(schedule.lines[0].alert.as_deref(), Some("Real"));
    }

    #[test]
    fn line_without_alert_is_keyed_by_command() {
        let (_, schedule, diags) = parse("* * * * * echo hello  \n");
        assert!(diags.is_empty());
        assert_eq!(schedule.lines[0].alert, None);
        assert_eq!(schedule.lines[0].key(), "echo hello");
    }

    #[test]
    fn bad_line_is_reported_with_its_line_number_and_the_rest_kept() {
        let text = "* * * * * pikt +A One\n61 * * * * pikt +A Two\n0 * * * * pikt +A Three\n";
        let (map, schedule, diags) = parse(text);
        let keys: Vec<_> = schedule.lines.iter().map(ConfLine::key).collect();
        assert_eq!(keys, ["One", "Three"]);
        assert_eq!(diags.len(), 1);
        assert_eq!(
            render(&map, &diags[0]),
            "error: minute `61` is out of range 0-59\n \
             --> piktd.conf:2:1\n  \
             |\n\
             2 | 61 * * * * pikt +A Two\n  \
             | ^^\n  \
             = help: use 0-59, `*`, lists, ranges or steps\n"
        );
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
        let (_, schedule, diags) = parse("* * * * * 1441 pikt +A X\n");
        assert!(schedule.lines.is_empty());
        assert_eq!(diags[0].message, "drift `1441` is more than 1440 minutes");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 10, 14)));
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
        assert_eq!(schedule.lines[0].alert, None);
        assert_eq!(diags[0].message, "`+A` is not followed by an alert name");
        assert_eq!(diags[0].span, Some(Span::new(FileId(0), 15, 17)));
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
        assert_eq!(schedule.lines[0].alert.as_deref(), Some("ü"));
    }
}
