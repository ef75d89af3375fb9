//! History: what one run of a script leaves for the next (reference §4.12).
//!
//! `%var` yields the value `var` had at the end of the previous run (in
//! `begin`/`end`), or the value it had when the previous run finished the
//! input line with the same `keys` value (in rules). `input logfile` also
//! keeps its read offset here.
//!
//! Store: one text file per (alert, script), `DIR/ALERT/SCRIPT.hst`
//! (`standalone` stands for the alert of runs that have none). Format, one
//! record per line, fields separated by tabs:
//!
//! ```text
//! pikt-history 1
//! G→#count→34                       value at the end of the run
//! K→moscow→$state→up                value when the line with key `moscow` finished
//! L→/var/log/messages→2049→131→52144  log file: device, inode, offset
//! ```
//!
//! (`→` stands for a tab.)
//!
//! Variables are written with their sigil. In keys, names and values a
//! backslash, tab, newline and carriage return are written `\\`, `\t`, `\n`,
//! `\r`. Numbers are written so that they read back exactly. The file is
//! replaced atomically. A file that cannot be read or parsed is reported
//! as a WARNING and the run starts with no history.

mod keyed;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::value::{Str, Value};

pub use keyed::{Keyed, ValueRef};

/// The first line of every history file.
const HEADER: &str = "pikt-history 1";

/// Where an `input logfile` stopped reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogOffset {
    /// Device and inode of the file that was read.
    pub identity: (u64, u64),
    /// Bytes consumed (up to the end of the last complete line).
    pub offset: u64,
}

/// The stored history of one script.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Values at the end of the run, by variable (with sigil).
    pub globals: FxHashMap<String, Value>,
    /// Values per input-line key, by variable.
    pub keyed: Keyed,
    /// Read offsets of log files, by path.
    pub logfiles: FxHashMap<String, LogOffset>,
}

impl History {
    /// True when there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.globals.is_empty() && self.keyed.is_empty() && self.logfiles.is_empty()
    }

    /// Reads a history file's text; the error names the bad line.
    pub fn parse(text: &str) -> Result<History, String> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, HEADER)) => {}
            _ => return Err(format!("the first line is not `{HEADER}`")),
        }
        let mut history = History::default();
        let records = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        history.keyed.reserve(records, text.len() / 2);
        for (index, line) in lines {
            if line.is_empty() {
                continue;
            }
            history
                .parse_record(line)
                .ok_or_else(|| format!("line {} is not a history record", index + 1))?;
        }
        history.keyed.settle();
        Ok(history)
    }

    fn parse_record(&mut self, line: &str) -> Option<()> {
        let mut fields = line.split('\t');
        let kind = fields.next()?;
        let mut next = || fields.next();
        match kind {
            "G" => {
                let name = unescape(next()?)?;
                let value = parse_value(&name, next()?)?;
                self.globals.insert(name, value);
            }
            "K" => {
                let key = unescape(next()?)?;
                let name = unescape(next()?)?;
                let value = next()?;
                if !self.keyed.is_last(&key) {
                    self.keyed.start(&key);
                }
                if name.starts_with('#') {
                    self.keyed.add(&name, ValueRef::Num(value.parse().ok()?));
                } else {
                    self.keyed.add(&name, ValueRef::Text(&unescape(value)?));
                }
            }
            "L" => {
                let path = unescape(next()?)?;
                let offset = LogOffset {
                    identity: (next()?.parse().ok()?, next()?.parse().ok()?),
                    offset: next()?.parse().ok()?,
                };
                self.logfiles.insert(path, offset);
            }
            _ => return None,
        }
        fields.next().is_none().then_some(())
    }

    /// The text of a history file. Records are sorted so that the same
    /// history always gives the same text.
    pub fn serialize(&self) -> String {
        let mut out = String::with_capacity(self.keyed.text_size() + 64 * (self.globals.len() + 1));
        out.push_str(HEADER);
        out.push('\n');
        for (name, value) in sorted(&self.globals) {
            out.push_str("G\t");
            escape_into(&mut out, name);
            out.push('\t');
            write_value(&mut out, value_ref(value));
            out.push('\n');
        }
        for (key, vars) in self.keyed.records() {
            for (name, value) in vars {
                out.push_str("K\t");
                escape_into(&mut out, key);
                out.push('\t');
                escape_into(&mut out, name);
                out.push('\t');
                write_value(&mut out, value);
                out.push('\n');
            }
        }
        for (path, at) in sorted(&self.logfiles) {
            out.push_str("L\t");
            escape_into(&mut out, path);
            let _ = writeln!(out, "\t{}\t{}\t{}", at.identity.0, at.identity.1, at.offset);
        }
        out
    }
}

/// The entries of `map` in the order of their names: a history's text must not
/// depend on hashing.
fn sorted<V>(map: &FxHashMap<String, V>) -> Vec<(&String, &V)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// The history file of `script` in `alert` (`None`: a run with no alert).
pub fn history_path(dir: &Path, alert: Option<&str>, script: &str) -> PathBuf {
    dir.join(safe_name(alert.unwrap_or("standalone")))
        .join(format!("{}.hst", safe_name(script)))
}

/// A name usable as one path component: characters other than letters,
/// digits, `.`, `_` and `-` become `_`, and a leading dot too.
fn safe_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with('.') || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

fn parse_value(name: &str, text: &str) -> Option<Value> {
    if name.starts_with('#') {
        text.parse::<f64>().ok().map(Value::Num)
    } else {
        unescape(text).map(|s| Value::Str(Str::from(s)))
    }
}

fn value_ref(value: &Value) -> ValueRef<'_> {
    match value {
        Value::Num(n) => ValueRef::Num(*n),
        Value::Str(s) => ValueRef::Text(s),
    }
}

fn write_value(out: &mut String, value: ValueRef<'_>) {
    match value {
        // `{}` of an f64 prints the shortest text that reads back exactly.
        ValueRef::Num(n) => {
            let _ = write!(out, "{n}");
        }
        ValueRef::Text(s) => escape_into(out, s),
    }
}

/// Escapes backslash, tab, newline and carriage return.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped.
fn escape_into(out: &mut String, text: &str) {
    let special = |b: &u8| matches!(b, b'\\' | b'\t' | b'\n' | b'\r');
    if !text.as_bytes().iter().any(special) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

/// Undoes [`escape`]; `None` for a stray backslash.
pub fn unescape(text: &str) -> Option<String> {
    if !text.contains('\\') {
        return Some(text.to_string());
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(match chars.next()? {
                '\\' => '\\',
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => return None,
            });
        } else {
            out.push(c);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_record_kind() {
        let mut history = History::default();
        history.globals.insert("#count".into(), Value::Num(0.1));
        history
            .globals
            .insert("$msg".into(), Value::str("a\tb\nc\\d"));
        history.keyed.start("moscow\tx");
        history.keyed.add("$state", ValueRef::Text("up"));
        history.logfiles.insert(
            "/var/log/messages".into(),
            LogOffset {
                identity: (2049, 131),
                offset: 52144,
            },
        );
        let text = history.serialize();
        assert_eq!(
            text,
            "pikt-history 1\nG\t#count\t0.1\nG\t$msg\ta\\tb\\nc\\\\d\nK\tmoscow\\tx\t$state\tup\nL\t/var/log/messages\t2049\t131\t52144\n"
        );
        assert_eq!(History::parse(&text).unwrap(), history);
    }

    #[test]
    fn corrupt_text_names_the_problem() {
        assert_eq!(
            History::parse("junk").unwrap_err(),
            "the first line is not `pikt-history 1`"
        );
        assert_eq!(
            History::parse("pikt-history 1\nG\t#x\tnot-a-number\n").unwrap_err(),
            "line 2 is not a history record"
        );
        assert!(History::parse("pikt-history 1\nG\t$x\ta\\qb\n").is_err());
    }

    #[test]
    fn path_is_per_alert_and_script() {
        assert_eq!(
            history_path(Path::new("/h"), Some("Urgent"), "ProcCountsChk"),
            PathBuf::from("/h/Urgent/ProcCountsChk.hst")
        );
        assert_eq!(
            history_path(Path::new("/h"), None, "../x y"),
            PathBuf::from("/h/standalone/_.._x_y.hst")
        );
    }
}
