//! Shell completions for bash, zsh and fish, made from the flag tables.
//!
//! PIKT's `+X`/`-X` selectors are not getopt options: `+H all -H down`
//! takes every word up to the next option, and `-H` is a selector where
//! `-iev` is a cluster of switches. No shell's option machinery reads
//! that, so each script carries the same small walker (one per shell, in
//! that shell's language) that reads the words before the cursor as
//! `pikt_cli::tokenize` does, and a table made here from the program's
//! [`Spec`]: which words open a value or a selector's words, and what
//! those name ([`Model`]).
//!
//! At the cursor the walker offers: the value of an option that waits for
//! one; a selector's words; the spellings of every listed flag for a word
//! starting with `-` or `+`; for `pikt` the script file and then its
//! arguments as paths. Paths are the shell's own; names (hosts, alerts,
//! scripts, ...) come from `piktc --complete KIND` run with the
//! `--piktdir` and `--host` of the command line being completed, next to
//! the program being completed when it was named by a path.

pub mod bash;
pub mod fish;
pub mod zsh;

use pikt_cli::{Arity, Complete, Flag, Operands, Spec};

/// The long options passed on to `piktc --complete`, so names come from
/// the installation the command line names.
pub const SITE_OPTIONS: [&str; 2] = ["--piktdir", "--host"];

/// What the words after an opener name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Free text or a number: nothing to offer.
    Nothing,
    /// Paths.
    Paths,
    /// Directories.
    Dirs,
    /// The names `piktc --complete KIND` prints.
    Names(&'static str),
}

impl Action {
    /// The action for a flag's completion hint.
    pub fn of(complete: Complete) -> Action {
        match complete {
            Complete::File => Action::Paths,
            Complete::Dir => Action::Dirs,
            named => named.name().map_or(Action::Nothing, Action::Names),
        }
    }

    /// How the scripts write it: `@none`, `@path`, `@dir` or the KIND.
    pub fn word(self) -> &'static str {
        match self {
            Action::Nothing => "@none",
            Action::Paths => "@path",
            Action::Dirs => "@dir",
            Action::Names(kind) => kind,
        }
    }
}

/// A word that opens a value (`--piktdir DIR`, `+M MAILCMD`) or a
/// selector's words (`+A`, `-Af`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opener {
    /// The spellings that open it.
    pub spellings: Vec<String>,
    /// A selector: every word up to the next option; else exactly one.
    pub words: bool,
    /// What those words name.
    pub action: Action,
}

/// What a program's completion script needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    /// The program.
    pub program: &'static str,
    /// Every spelling offered for a word starting with `-` or `+`, with
    /// its help line, in table order.
    pub offered: Vec<(String, String)>,
    /// The words that open a value or words.
    pub openers: Vec<Opener>,
    /// The first operand is a script and every later word is its own.
    pub script_operand: bool,
    /// The site options of [`SITE_OPTIONS`] this program takes.
    pub site_options: Vec<&'static str>,
}

/// The model of `spec`'s command line: its listed flags only (hidden and
/// refused ones are never offered).
pub fn model<Id: Copy + PartialEq>(spec: &Spec<Id>) -> Model {
    let mut offered = Vec::new();
    let mut openers = Vec::new();
    for flag in spec.listed() {
        let help = flag.help.replace('`', "");
        for spelling in offered_spellings(flag) {
            offered.push((spelling, help.clone()));
        }
        if matches!(flag.arity, Arity::Value | Arity::Words) {
            openers.push(Opener {
                spellings: opener_spellings(flag),
                words: flag.arity == Arity::Words,
                action: Action::of(flag.complete),
            });
        }
    }
    let site_options = SITE_OPTIONS
        .into_iter()
        .filter(|o| offered.iter().any(|(s, _)| s == o))
        .collect();
    Model {
        program: spec.program,
        offered,
        openers,
        script_operand: spec.operands == Operands::ScriptThenArgs,
        site_options,
    }
}

/// The words a user types for `flag`: `-c`, `--check`, `+A`, `+Af`,
/// `-A`, `-Af`, `-p` (digits are typed after it).
pub fn offered_spellings<Id: Copy>(flag: &Flag<Id>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(letter) = flag.letter {
        let signs = [(flag.takes_plus(), '+'), (flag.takes_minus(), '-')];
        for (_, sign) in signs.into_iter().filter(|(takes, _)| *takes) {
            out.push(format!("{sign}{letter}"));
            if let Some(suffix) = flag.suffix {
                out.push(format!("{sign}{letter}{suffix}"));
            }
        }
    }
    if let Some(long) = flag.long {
        out.push(format!("--{long}"));
    }
    out
}

/// The words that open `flag`'s value or words: its letter spellings
/// and, for a value, its long name.
fn opener_spellings<Id: Copy>(flag: &Flag<Id>) -> Vec<String> {
    offered_spellings(flag)
        .into_iter()
        .filter(|s| !s.starts_with("--") || flag.arity == Arity::Value)
        .collect()
}

/// `text` in single quotes for sh, bash and zsh.
pub(crate) fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The opening comment of every script.
pub(crate) fn banner(model: &Model, shell: &str) -> String {
    format!(
        "# {shell} completion for {}, generated by pikt-manual from its flag table\n\
         # (pikt_cli::tables): do not edit. Selectors (+A/-A, +H/-H, ...) take the\n\
         # words up to the next option; names come from `piktc --complete KIND`.\n",
        model.program
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_cli::tables::{PIKT, PIKTC, PIKTD};

    fn opener<'m>(model: &'m Model, spelling: &str) -> Option<&'m Opener> {
        model
            .openers
            .iter()
            .find(|o| o.spellings.iter().any(|s| s == spelling))
    }

    #[test]
    fn piktc_selectors_open_words_of_their_kind() {
        let m = model(&PIKTC);
        for spelling in ["+A", "+Af", "-A", "-Af"] {
            let o = opener(&m, spelling).expect(spelling);
            assert!(o.words);
            assert_eq!(o.action, Action::Names("alert"));
        }
        assert_eq!(
            opener(&m, "-H").map(|o| o.action),
            Some(Action::Names("host"))
        );
        assert_eq!(opener(&m, "+C").map(|o| o.action), Some(Action::Nothing));
        // -M and -C are switches of piktc; only +M and +C take words.
        assert!(opener(&m, "-M").is_none());
        assert!(opener(&m, "-C").is_none());
        assert_eq!(
            opener(&m, "--piktdir").map(|o| (o.words, o.action)),
            Some((false, Action::Dirs))
        );
        assert!(!m.script_operand);
        assert_eq!(m.site_options, SITE_OPTIONS);
    }

    #[test]
    fn hidden_and_refused_flags_are_never_offered() {
        let m = model(&PIKTC);
        let offered: Vec<&str> = m.offered.iter().map(|(s, _)| s.as_str()).collect();
        for absent in ["--apply-bundle", "--complete", "-K", "-R", "-Q"] {
            assert!(!offered.contains(&absent), "{absent}");
        }
        for present in [
            "-c", "--check", "-p", "-m", "+H", "-H", "+Of", "+E", "-E", "+M", "-M", "-U", "-z",
        ] {
            assert!(offered.contains(&present), "{present}");
        }
    }

    #[test]
    fn pikt_alerts_are_the_installed_ones_and_its_operand_is_a_script() {
        let m = model(&PIKT);
        assert!(m.script_operand);
        assert_eq!(
            opener(&m, "+A").map(|o| (o.words, o.action)),
            Some((false, Action::Names("installed-alert")))
        );
        assert_eq!(
            opener(&m, "+S").map(|o| o.action),
            Some(Action::Names("installed-script"))
        );
        let d = model(&PIKTD);
        assert_eq!(opener(&d, "--conf").map(|o| o.action), Some(Action::Paths));
        assert_eq!(
            opener(&d, "--timeout").map(|o| o.action),
            Some(Action::Nothing)
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("it's"), r"'it'\''s'");
    }
}
