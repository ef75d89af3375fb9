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

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::value::{Str, Value};

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
    pub keyed: FxHashMap<String, FxHashMap<String, Value>>,
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
        for (index, line) in lines {
            if line.is_empty() {
                continue;
            }
            history
                .parse_record(line)
                .ok_or_else(|| format!("line {} is not a history record", index + 1))?;
        }
        Ok(history)
    }

    fn parse_record(&mut self, line: &str) -> Option<()> {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["G", name, value] => {
                let name = unescape(name)?;
                let value = parse_value(&name, value)?;
                self.globals.insert(name, value);
            }
            ["K", key, name, value] => {
                let name = unescape(name)?;
                let value = parse_value(&name, value)?;
                self.keyed
                    .entry(unescape(key)?)
                    .or_default()
                    .insert(name, value);
            }
            ["L", path, dev, inode, offset] => {
                let offset = LogOffset {
                    identity: (dev.parse().ok()?, inode.parse().ok()?),
                    offset: offset.parse().ok()?,
                };
                self.logfiles.insert(unescape(path)?, offset);
            }
            _ => return None,
        }
        Some(())
    }

    /// The text of a history file. Records are sorted so that the same
    /// history always gives the same text.
    pub fn serialize(&self) -> String {
        let mut out = String::from(HEADER);
        out.push('\n');
        for (name, value) in sorted(&self.globals) {
            let _ = writeln!(out, "G\t{}\t{}", escape(name), write_value(value));
        }
        for (key, vars) in sorted(&self.keyed) {
            for (name, value) in sorted(vars) {
                let _ = writeln!(
                    out,
                    "K\t{}\t{}\t{}",
                    escape(key),
                    escape(name),
                    write_value(value)
                );
            }
        }
        for (path, at) in sorted(&self.logfiles) {
            let _ = writeln!(
                out,
                "L\t{}\t{}\t{}\t{}",
                escape(path),
                at.identity.0,
                at.identity.1,
                at.offset
            );
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

fn write_value(value: &Value) -> String {
    match value {
        // `{}` of an f64 prints the shortest text that reads back exactly.
        Value::Num(n) => format!("{n}"),
        Value::Str(s) => escape(s),
    }
}

/// Escapes backslash, tab, newline and carriage return.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
    out
}

/// Undoes [`escape`]; `None` for a stray backslash.
pub fn unescape(text: &str) -> Option<String> {
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
        history
            .keyed
            .entry("moscow\tx".into())
            .or_default()
            .insert("$state".into(), Value::str("up"));
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
