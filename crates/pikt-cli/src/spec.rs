//! What a command line is made of: a [`Spec`] per program, holding every
//! [`Flag`] once with its spellings, value, help text and completion hint.
//!
//! The same tables drive the tokenizer ([`crate::tokenize`]), `--help`
//! ([`crate::help`]) and, outside this crate, the man pages and shell
//! completions, so none of them can drift from the others.

/// Which signs a flag's letter takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signs {
    /// `-x` only: a switch (letters combine: `-iv`).
    Minus,
    /// `+X` only: an option taking a value or words (`+M "mailx"`).
    Plus,
    /// `+X` and `-X`: a selector that adds or removes (`+H all -H down`).
    PlusMinus,
}

/// What a flag takes after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arity {
    /// Nothing.
    Switch,
    /// Optional digits glued to the letter: `-p`, `-p15`, `-m5`.
    Digits,
    /// Exactly one value: the next word, or `--name=VALUE` for long ones.
    Value,
    /// Every following word up to the next option (`+A Urgent Critical`).
    Words,
}

/// What a flag's value (or words) names, for shell completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Complete {
    /// Nothing to complete (a switch, free text).
    None,
    /// A file path.
    File,
    /// A directory path.
    Dir,
    /// A host, alias, group or OS name of systems.cfg, or `all`.
    Host,
    /// An alert of alerts.cfg on the master, or `all`.
    Alert,
    /// An alarm script of alarms.cfg on the master, or `all`.
    Script,
    /// A programs.cfg item, or `all`.
    Program,
    /// A files.cfg item, or `all`.
    FileItem,
    /// An objects.cfg set, or `all`.
    Object,
    /// A define of defines.cfg.
    Define,
    /// An alert installed on this host (`=altdir/ALERT.alt`), for `pikt +A`.
    InstalledAlert,
    /// A script of an alert installed on this host, for `pikt +S`.
    InstalledScript,
    /// A shell command or Pikt statements.
    Command,
    /// A number.
    Number,
}

impl Complete {
    /// The kinds whose candidates come from the installation, in the order
    /// `piktc --complete` documents them.
    pub const NAMED: [Complete; 9] = [
        Complete::Host,
        Complete::Alert,
        Complete::Script,
        Complete::Program,
        Complete::FileItem,
        Complete::Object,
        Complete::Define,
        Complete::InstalledAlert,
        Complete::InstalledScript,
    ];

    /// The word naming this kind to `piktc --complete KIND`, for the kinds
    /// whose candidates come from the installation ([`Complete::NAMED`]).
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Complete::Host => "host",
            Complete::Alert => "alert",
            Complete::Script => "script",
            Complete::Program => "program",
            Complete::FileItem => "file",
            Complete::Object => "object",
            Complete::Define => "define",
            Complete::InstalledAlert => "installed-alert",
            Complete::InstalledScript => "installed-script",
            Complete::None
            | Complete::File
            | Complete::Dir
            | Complete::Command
            | Complete::Number => return None,
        })
    }

    /// The kind [`Complete::name`] calls `name`.
    pub fn from_name(name: &str) -> Option<Complete> {
        Complete::NAMED.into_iter().find(|k| k.name() == Some(name))
    }
}

/// Whether a flag is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Works, and is listed in the help.
    Listed,
    /// Works, but is left out of the help, man page and completions (an
    /// entry point for other programs, such as `piktc --apply-bundle`).
    Hidden,
    /// Recognised (it is PIKT's) but refused, with the reason.
    Refused(&'static str),
}

/// One flag of one program.
#[derive(Clone, Copy, Debug)]
pub struct Flag<Id: 'static> {
    /// What the program does with it.
    pub id: Id,
    /// The letter (`c` of `-c`, `A` of `+A`), if any.
    pub letter: Option<char>,
    /// Which signs the letter takes.
    pub signs: Signs,
    /// The long name without `--`, if any.
    pub long: Option<&'static str>,
    /// What it takes.
    pub arity: Arity,
    /// A letter that may follow a selector's letter (`f` of `+Af`).
    pub suffix: Option<char>,
    /// The name of its value in help (`DIR`, `ALERT...`).
    pub value: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
    /// What its value names.
    pub complete: Complete,
    /// Whether it is offered.
    pub support: Support,
}

impl<Id: Copy> Flag<Id> {
    /// A `-x` switch with a long name.
    pub const fn switch(id: Id, letter: char, long: &'static str, help: &'static str) -> Self {
        Flag {
            id,
            letter: Some(letter),
            signs: Signs::Minus,
            long: Some(long),
            arity: Arity::Switch,
            suffix: None,
            value: None,
            help,
            complete: Complete::None,
            support: Support::Listed,
        }
    }

    /// A `-x` switch without a long name.
    pub const fn letter(id: Id, letter: char, help: &'static str) -> Self {
        Flag {
            long: None,
            ..Flag::switch(id, letter, "", help)
        }
    }

    /// A `--name` option (a switch until [`Flag::takes`] gives it a value).
    pub const fn long(id: Id, long: &'static str, help: &'static str) -> Self {
        Flag {
            letter: None,
            ..Flag::switch(id, ' ', long, help)
        }
    }

    /// A `+X` option taking one value.
    pub const fn plus(id: Id, letter: char, value: &'static str, help: &'static str) -> Self {
        Flag {
            id,
            letter: Some(letter),
            signs: Signs::Plus,
            long: None,
            arity: Arity::Value,
            suffix: None,
            value: Some(value),
            help,
            complete: Complete::None,
            support: Support::Listed,
        }
    }

    /// A `+X` (or `+X`/`-X` with `minus`) selector taking words.
    pub const fn selector(
        id: Id,
        letter: char,
        minus: bool,
        value: &'static str,
        help: &'static str,
    ) -> Self {
        Flag {
            signs: if minus { Signs::PlusMinus } else { Signs::Plus },
            arity: Arity::Words,
            ..Flag::plus(id, letter, value, help)
        }
    }

    /// The flag with a value called `value` (long options: `--name VALUE`).
    pub const fn takes(self, value: &'static str, complete: Complete) -> Self {
        Flag {
            arity: Arity::Value,
            value: Some(value),
            complete,
            ..self
        }
    }

    /// The flag with optional digits glued to its letter (`-p15`).
    pub const fn digits(self, value: &'static str) -> Self {
        Flag {
            arity: Arity::Digits,
            value: Some(value),
            complete: Complete::Number,
            ..self
        }
    }

    /// The flag with a completion hint.
    pub const fn completes(self, complete: Complete) -> Self {
        Flag { complete, ..self }
    }

    /// The selector with an optional suffix letter (`+Af`).
    pub const fn with_suffix(self, suffix: char) -> Self {
        Flag {
            suffix: Some(suffix),
            ..self
        }
    }

    /// The flag left out of help, man pages and completions.
    pub const fn hidden(self) -> Self {
        Flag {
            support: Support::Hidden,
            ..self
        }
    }

    /// The flag refused with `reason`.
    pub const fn refused(self, reason: &'static str) -> Self {
        Flag {
            support: Support::Refused(reason),
            ..self
        }
    }

    /// True when `-X` is a spelling of it.
    pub fn takes_minus(&self) -> bool {
        matches!(self.signs, Signs::Minus | Signs::PlusMinus)
    }

    /// True when `+X` is a spelling of it.
    pub fn takes_plus(&self) -> bool {
        matches!(self.signs, Signs::Plus | Signs::PlusMinus)
    }

    /// Every way of writing it, for help and man pages: `-c`, `--check`,
    /// `+A`, `-A`, `-p[#]`.
    pub fn spellings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(letter) = self.letter {
            let digits = if self.arity == Arity::Digits {
                "[#]"
            } else {
                ""
            };
            let suffix = self.suffix.map_or_else(String::new, |s| format!("[{s}]"));
            if self.takes_plus() {
                out.push(format!("+{letter}{suffix}"));
            }
            if self.takes_minus() {
                out.push(format!("-{letter}{suffix}{digits}"));
            }
        }
        if let Some(long) = self.long {
            out.push(format!("--{long}"));
        }
        out
    }
}

/// What the words that are not flags mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operands {
    /// None are allowed.
    None,
    /// Each is an operand of its own (piktc's `ALL`).
    Words,
    /// The first is a script file and every word after it is the script's
    /// (pikt): flags stop there. `--` also ends the flags.
    ScriptThenArgs,
}

/// One program's command line.
#[derive(Clone, Copy, Debug)]
pub struct Spec<Id: 'static> {
    /// The program's name.
    pub program: &'static str,
    /// The manual section (1 for commands, 8 for daemons).
    pub section: u8,
    /// What it is, in one line.
    pub summary: &'static str,
    /// The synopsis lines, each starting with the program's name.
    pub usage: &'static [&'static str],
    /// Every flag, in the order the help lists them.
    pub flags: &'static [Flag<Id>],
    /// What non-flag words mean.
    pub operands: Operands,
    /// Paragraphs after the flags in the help (and the man page's notes).
    pub notes: &'static [&'static str],
    /// The environment variables it reads, with what they do.
    pub environment: &'static [(&'static str, &'static str)],
    /// Its exit statuses, with what they mean.
    pub exit_codes: &'static [(u8, &'static str)],
}

impl<Id: Copy + PartialEq> Spec<Id> {
    /// The flag with id `id`.
    pub fn flag(&self, id: Id) -> Option<&Flag<Id>> {
        self.flags.iter().find(|f| f.id == id)
    }

    /// The flags the help lists.
    pub fn listed(&self) -> impl Iterator<Item = &Flag<Id>> {
        self.flags
            .iter()
            .filter(|f| matches!(f.support, Support::Listed))
    }

    /// The flags PIKT had that this program refuses, with the reasons.
    pub fn refused(&self) -> impl Iterator<Item = (&Flag<Id>, &'static str)> {
        self.flags.iter().filter_map(|f| match f.support {
            Support::Refused(why) => Some((f, why)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Complete;

    #[test]
    fn named_kinds_have_names_that_read_back() {
        for kind in Complete::NAMED {
            let name = kind.name().expect("a named kind has a name");
            assert_eq!(Complete::from_name(name), Some(kind));
        }
        for kind in [
            Complete::None,
            Complete::File,
            Complete::Dir,
            Complete::Command,
            Complete::Number,
        ] {
            assert_eq!(kind.name(), None);
        }
        assert_eq!(Complete::from_name("hosts"), None);
    }
}
