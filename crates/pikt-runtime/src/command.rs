//! Shell commands built from a script's code and its values.
//!
//! The text a script author wrote is shell code; values are data
//! (`pikt_lang::shell_syntax` has the rule and the contexts). A
//! [`CommandLine`] is built piece by piece: [`CommandLine::code`] appends
//! code as it is, [`CommandLine::data`] keeps the value aside (it reaches
//! the command as the environment variable `PIKT_DATA_N`) and writes a
//! reference to it that fits where it stands. No value is ever part of the
//! command text, so none can change the command's syntax.
//!
//! Beside the text it runs, a command keeps the text a reader expects to
//! see ([`CommandLine::shown`]): the code with every value written in place,
//! quoted for where it stands. For values with nothing special in them it
//! is exactly the command as PIKT would have built it (`kill -9 1234`,
//! `echo 'host: 404 chico imapd' | mailx ...`), so logs, test mode's
//! `exec:` lines and the native process commands see what they always saw.

use std::fmt;

use pikt_lang::shell_syntax::{write_reference, Fixup, ShellContext, ShellScanner};

use crate::host::{data_var, CommandUse, ShellCommand};
use crate::shell::{push_escaped, push_inside_single_quotes, push_word};

/// A command being built, and then run.
#[derive(Clone, Debug)]
pub struct CommandLine {
    text: String,
    data: Vec<String>,
    shown: String,
    /// `shown` is the command exactly (no value stands in a comment, a
    /// here-document or backquotes, where written in place it could be read
    /// otherwise).
    exact: bool,
    scanner: ShellScanner,
}

impl Default for CommandLine {
    fn default() -> Self {
        CommandLine::new()
    }
}

/// Why a value could not be passed to a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataRefused {
    /// It holds a NUL byte, which no command argument or variable can.
    Nul,
    /// It stands in `$((...))` and is not a whole number.
    NotANumber(String),
    /// It stands where the shell expands nothing (`context`).
    NoPlace(ShellContext),
}

impl fmt::Display for DataRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataRefused::Nul => write!(f, "the value holds a NUL byte"),
            DataRefused::NotANumber(value) => write!(
                f,
                "the value `{value}` stands in an arithmetic expansion and is not a whole number"
            ),
            DataRefused::NoPlace(context) => write!(
                f,
                "a value cannot be passed {}: the shell expands nothing there",
                context.describe()
            ),
        }
    }
}

/// Blanks at which a value outside quotes is split into words.
const BLANKS: [char; 3] = [' ', '\t', '\n'];

impl CommandLine {
    /// An empty command.
    pub fn new() -> CommandLine {
        CommandLine {
            text: String::new(),
            data: Vec::new(),
            shown: String::new(),
            exact: true,
            scanner: ShellScanner::new(),
        }
    }

    /// A command that is all code (built by pikt itself or from a literal).
    pub fn of_code(code: &str) -> CommandLine {
        let mut line = CommandLine::new();
        line.code(code);
        line
    }

    /// Appends shell code.
    pub fn code(&mut self, code: &str) {
        self.text.push_str(code);
        self.shown.push_str(code);
        self.scanner.feed(code);
    }

    /// Appends a value as data (see the module documentation).
    pub fn data(&mut self, value: &str) -> Result<(), DataRefused> {
        if value.contains('\0') {
            return Err(DataRefused::Nul);
        }
        let fixup = self.scanner.before_data(value.chars().next());
        let context = self.scanner.context();
        match context {
            ShellContext::QuotedHereDoc | ShellContext::HereDocDelimiter => {
                return Err(DataRefused::NoPlace(context));
            }
            ShellContext::Arithmetic if !value.is_empty() && !is_whole_number(value) => {
                return Err(DataRefused::NotANumber(value.to_string()));
            }
            _ => {}
        }
        self.apply(fixup);
        if value.is_empty() {
            // Nothing stands for nothing: `'a''b'` is `'ab'`, and an empty
            // value outside quotes makes no word.
            return Ok(());
        }
        // Written in place, a value in a comment could end it, one in a
        // here-document could make its delimiter line, and backquotes take
        // a level of backslashes away: there the shown command is not the
        // command.
        let inexact = matches!(context, ShellContext::Comment | ShellContext::HereDoc);
        if inexact || self.scanner.in_backquotes() {
            self.exact = false;
        }
        match context {
            ShellContext::Words => self.words(value),
            _ => {
                self.reference(context, value);
                self.show(context, value);
            }
        }
        self.scanner.data_written();
        Ok(())
    }

    /// The command, run for `used_for`.
    pub fn as_shell<'a>(&'a self, used_for: CommandUse<'a>) -> ShellCommand<'a> {
        ShellCommand {
            text: &self.text,
            data: &self.data,
            shown: &self.shown,
            shown_exact: self.exact,
            used_for,
        }
    }

    /// The text `/bin/sh -c` runs.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The values, in the order of their variables (`PIKT_DATA_1` first).
    pub fn values(&self) -> &[String] {
        &self.data
    }

    /// The command with each value written in place, quoted.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// A value outside quotes: one reference per word, blanks between.
    fn words(&mut self, value: &str) {
        if value.trim_matches(BLANKS).is_empty() {
            self.code(" ");
            return;
        }
        if value.starts_with(BLANKS) {
            self.code(" ");
        }
        for (index, word) in value.split(BLANKS).filter(|w| !w.is_empty()).enumerate() {
            if index > 0 {
                self.code(" ");
            }
            self.reference(ShellContext::Words, word);
            push_word(word, &mut self.shown);
        }
        if value.ends_with(BLANKS) {
            self.code(" ");
        }
    }

    /// Keeps `value` as the next variable and writes its reference.
    fn reference(&mut self, context: ShellContext, value: &str) {
        self.data.push(value.to_string());
        let name = data_var(self.data.len());
        let start = self.text.len();
        if write_reference(context, &name, &mut self.text) {
            let written = self.text.get(start..).unwrap_or("").to_string();
            self.scanner.feed(&written);
        }
    }

    /// Writes `value` into the shown command as it would read in `context`.
    fn show(&mut self, context: ShellContext, value: &str) {
        let shown = &mut self.shown;
        match context {
            ShellContext::Words | ShellContext::Word => push_word(value, shown),
            ShellContext::SingleQuoted => push_inside_single_quotes(value, shown),
            ShellContext::DoubleQuoted => push_escaped(value, "\\$`\"", shown),
            ShellContext::HereDoc => push_escaped(value, "\\$`", shown),
            _ => shown.push_str(value),
        }
    }

    /// Changes the end of both texts as the scanner asked.
    fn apply(&mut self, fixup: Fixup) {
        for text in [&mut self.text, &mut self.shown] {
            match fixup {
                Fixup::None => {}
                Fixup::DropLast => {
                    text.pop();
                }
                Fixup::AppendBackslash => text.push('\\'),
                Fixup::EscapeLast => {
                    if let Some(last) = text.pop() {
                        text.push('\\');
                        text.push(last);
                    }
                }
            }
        }
    }
}

/// True for an optionally signed run of digits, blanks around allowed: what
/// `$((...))` can take as a value without reading it as an expression.
fn is_whole_number(value: &str) -> bool {
    let digits = value.trim_matches(BLANKS);
    let digits = digits.strip_prefix(['-', '+']).unwrap_or(digits);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests;
