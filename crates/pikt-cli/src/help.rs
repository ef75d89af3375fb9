//! `--help` text, made from a [`Spec`] alone.

use std::fmt::Write as _;

use crate::spec::{Arity, Flag, Spec};
use crate::EXIT_USAGE;

/// The left column of a flag's help line: `-c, --check`, `-p[#]`,
/// `--piktdir DIR`, `+A[f], -A[f] ALERT...`.
pub fn left_column<Id: Copy>(flag: &Flag<Id>) -> String {
    let mut left = flag.spellings().join(", ");
    if let Some(value) = flag.value {
        if flag.arity != Arity::Digits {
            let _ = write!(left, " {value}");
        }
    }
    left
}

/// True for flags written with `+` (value options and selectors).
fn is_option<Id: Copy>(flag: &Flag<Id>) -> bool {
    flag.takes_plus()
}

/// `text` broken into lines of at most `width` characters (longer words
/// stand alone), each ending with a newline.
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The whole help text.
pub fn help_text<Id: Copy + PartialEq>(spec: &Spec<Id>) -> String {
    let mut out = format!("{}: {}\n\n", spec.program, spec.summary);
    // Continuation lines of a synopsis line up under the program's flags.
    let indent = " ".repeat("usage: ".len() + spec.program.len() + 1);
    for (i, line) in spec.usage.iter().enumerate() {
        let head = match (i, line.starts_with(spec.program)) {
            (0, _) => "usage: ",
            (_, true) => "       ",
            (_, false) => indent.as_str(),
        };
        let _ = writeln!(out, "{head}{line}");
    }
    let listed: Vec<&Flag<Id>> = spec.listed().collect();
    let width = listed
        .iter()
        .map(|f| left_column(f).len())
        .max()
        .unwrap_or(0);
    let switches: Vec<&&Flag<Id>> = listed.iter().filter(|f| !is_option(f)).collect();
    let options: Vec<&&Flag<Id>> = listed.iter().filter(|f| is_option(f)).collect();
    if !switches.is_empty() {
        out.push_str("\nflags (single letters combine):\n");
        for flag in switches {
            let _ = writeln!(out, "  {:width$}  {}", left_column(flag), flag.help);
        }
    }
    if !options.is_empty() {
        if options.iter().any(|f| f.arity == Arity::Words) {
            out.push_str(
                "\nselectors (each takes the words that follow it, up to the next option):\n",
            );
        } else {
            out.push_str("\noptions:\n");
        }
        for flag in options {
            let _ = writeln!(out, "  {:width$}  {}", left_column(flag), flag.help);
        }
    }
    for note in spec.notes {
        let _ = write!(out, "\n{}", wrap(note, 78));
    }
    let refused: Vec<String> = spec
        .refused()
        .map(|(f, why)| format!("  {}: {why}", f.spellings().join(", ")))
        .collect();
    if !refused.is_empty() {
        let _ = write!(
            out,
            "\nPIKT flags not offered here:\n{}\n",
            refused.join("\n")
        );
    }
    if !spec.environment.is_empty() {
        out.push_str("\nenvironment:\n");
        let width = spec
            .environment
            .iter()
            .map(|(n, _)| n.len())
            .max()
            .unwrap_or(0);
        for (name, what) in spec.environment {
            let _ = writeln!(out, "  {name:width$}  {what}");
        }
    }
    out.push_str("\nexit status:\n");
    for (code, what) in spec.exit_codes {
        let _ = writeln!(out, "  {code:>3}  {what}");
    }
    let _ = writeln!(out, "  {EXIT_USAGE:>3}  usage error: a wrong command line");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::{PIKT, PIKTC, PIKTD};

    fn lists_every_listed_flag<Id: Copy + PartialEq>(spec: &Spec<Id>) {
        let text = help_text(spec);
        for flag in spec.listed() {
            assert!(text.contains(flag.help), "{}: {}", spec.program, flag.help);
            assert!(text.contains(&left_column(flag)), "{}", left_column(flag));
        }
        for (flag, why) in spec.refused() {
            assert!(text.contains(why), "{:?}", flag.letter);
        }
        assert!(text.contains("64  usage error"));
    }

    #[test]
    fn every_program_lists_every_flag() {
        lists_every_listed_flag(&PIKT);
        lists_every_listed_flag(&PIKTC);
        lists_every_listed_flag(&PIKTD);
    }

    #[test]
    fn hidden_flags_are_not_listed() {
        let text = help_text(&PIKTC);
        assert!(!text.contains("apply-bundle"), "{text}");
    }
}
