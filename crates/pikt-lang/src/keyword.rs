//! The keywords of the language, with their synonyms.
//!
//! Keywords are bare lower-case words. Variables always carry a sigil, so a
//! keyword never collides with a variable; only words that structure a script
//! are listed here (section, init, statement and block-closing words). Words
//! that mean something in one place only (`proc`, `mail`, `wait`, `in`, the
//! status and level values, `eq`...) are matched by their text where they may
//! appear.

/// A structural keyword. Synonyms map to one variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Keyword {
    // ---- sections ----
    /// `init`
    Init,
    /// `begin`
    Begin,
    /// `rule`
    Rule,
    /// `end`
    End,
    // ---- init statements ----
    /// `status`
    Status,
    /// `level`
    Level,
    /// `task`
    Task,
    /// `input`
    Input,
    /// `filter`
    Filter,
    /// `seps`, `separators`
    Seps,
    /// `dat`, `data`
    Dat,
    /// `keys`
    Keys,
    // ---- statements ----
    /// `if`
    If,
    /// `while`
    While,
    /// `repeat`
    Repeat,
    /// `for`
    For,
    /// `foreach`
    Foreach,
    /// `switch`
    Switch,
    /// `break`
    Break,
    /// `continue`, `cont`
    Continue,
    /// `breakswitch`, `breaksw`
    BreakSwitch,
    /// `again`
    Again,
    /// `leave`
    Leave,
    /// `redo`
    Redo,
    /// `next`
    Next,
    /// `skip`
    Skip,
    /// `last`
    Last,
    /// `pause`
    Pause,
    /// `quit`
    Quit,
    /// `die`
    Die,
    /// `do`
    Do,
    /// `set`
    Set,
    /// `unset`, `delete`
    Unset,
    /// `exec`
    Exec,
    /// `doexec`
    Doexec,
    /// `output`
    Output,
    // ---- block parts and closers ----
    /// `elif`, `elsif`, `elseif`
    Elif,
    /// `else`
    Else,
    /// `fi`, `endif`
    Fi,
    /// `endwhile`
    EndWhile,
    /// `until`
    Until,
    /// `endfor`
    EndFor,
    /// `endforeach`
    EndForeach,
    /// `case`
    Case,
    /// `default`
    Default,
    /// `endswitch`, `endsw`
    EndSwitch,
}

/// Every spelling, canonical spelling first for each keyword.
const SPELLINGS: &[(&str, Keyword)] = &[
    ("init", Keyword::Init),
    ("begin", Keyword::Begin),
    ("rule", Keyword::Rule),
    ("end", Keyword::End),
    ("status", Keyword::Status),
    ("level", Keyword::Level),
    ("task", Keyword::Task),
    ("input", Keyword::Input),
    ("filter", Keyword::Filter),
    ("seps", Keyword::Seps),
    ("separators", Keyword::Seps),
    ("dat", Keyword::Dat),
    ("data", Keyword::Dat),
    ("keys", Keyword::Keys),
    ("if", Keyword::If),
    ("while", Keyword::While),
    ("repeat", Keyword::Repeat),
    ("for", Keyword::For),
    ("foreach", Keyword::Foreach),
    ("switch", Keyword::Switch),
    ("break", Keyword::Break),
    ("continue", Keyword::Continue),
    ("cont", Keyword::Continue),
    ("breakswitch", Keyword::BreakSwitch),
    ("breaksw", Keyword::BreakSwitch),
    ("again", Keyword::Again),
    ("leave", Keyword::Leave),
    ("redo", Keyword::Redo),
    ("next", Keyword::Next),
    ("skip", Keyword::Skip),
    ("last", Keyword::Last),
    ("pause", Keyword::Pause),
    ("quit", Keyword::Quit),
    ("die", Keyword::Die),
    ("do", Keyword::Do),
    ("set", Keyword::Set),
    ("unset", Keyword::Unset),
    ("delete", Keyword::Unset),
    ("exec", Keyword::Exec),
    ("doexec", Keyword::Doexec),
    ("output", Keyword::Output),
    ("elif", Keyword::Elif),
    ("elsif", Keyword::Elif),
    ("elseif", Keyword::Elif),
    ("else", Keyword::Else),
    ("fi", Keyword::Fi),
    ("endif", Keyword::Fi),
    ("endwhile", Keyword::EndWhile),
    ("until", Keyword::Until),
    ("endfor", Keyword::EndFor),
    ("endforeach", Keyword::EndForeach),
    ("case", Keyword::Case),
    ("default", Keyword::Default),
    ("endswitch", Keyword::EndSwitch),
    ("endsw", Keyword::EndSwitch),
];

impl Keyword {
    /// The keyword spelled `word` (case-sensitive), if any.
    pub fn from_word(word: &str) -> Option<Keyword> {
        SPELLINGS
            .iter()
            .find(|(spelling, _)| *spelling == word)
            .map(|&(_, kw)| kw)
    }

    /// The canonical spelling (what the printer writes).
    pub fn as_str(self) -> &'static str {
        SPELLINGS
            .iter()
            .find(|(_, kw)| *kw == self)
            .map_or("", |&(spelling, _)| spelling)
    }

    /// Every spelling of every keyword (for "did you mean" suggestions).
    pub fn spellings() -> impl Iterator<Item = &'static str> {
        SPELLINGS.iter().map(|&(spelling, _)| spelling)
    }

    /// `init`, `begin`, `rule`, `end`.
    pub fn is_section(self) -> bool {
        matches!(
            self,
            Keyword::Init | Keyword::Begin | Keyword::Rule | Keyword::End
        )
    }

    /// The words that start an `init` statement.
    pub fn is_init_statement(self) -> bool {
        matches!(
            self,
            Keyword::Status
                | Keyword::Level
                | Keyword::Task
                | Keyword::Input
                | Keyword::Filter
                | Keyword::Seps
                | Keyword::Dat
                | Keyword::Keys
        )
    }

    /// The words that continue or close a block (`else`, `fi`, `case`...).
    pub fn is_block_part(self) -> bool {
        matches!(
            self,
            Keyword::Elif
                | Keyword::Else
                | Keyword::Fi
                | Keyword::EndWhile
                | Keyword::Until
                | Keyword::EndFor
                | Keyword::EndForeach
                | Keyword::Case
                | Keyword::Default
                | Keyword::EndSwitch
        )
    }

    /// The words that start a statement of a `begin`/`rule`/`end` section.
    pub fn is_statement(self) -> bool {
        !self.is_section() && !self.is_init_statement() && !self.is_block_part()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_map_to_one_keyword_with_a_canonical_spelling() {
        assert_eq!(Keyword::from_word("endif"), Some(Keyword::Fi));
        assert_eq!(Keyword::from_word("elseif"), Some(Keyword::Elif));
        assert_eq!(Keyword::from_word("breaksw"), Some(Keyword::BreakSwitch));
        assert_eq!(Keyword::Fi.as_str(), "fi");
        assert_eq!(Keyword::Unset.as_str(), "unset");
        assert_eq!(Keyword::from_word("If"), None);
    }

    #[test]
    fn classes_partition_the_keywords() {
        for word in Keyword::spellings() {
            let kw = Keyword::from_word(word).unwrap();
            let classes = [
                kw.is_section(),
                kw.is_init_statement(),
                kw.is_block_part(),
                kw.is_statement(),
            ];
            assert_eq!(classes.iter().filter(|&&c| c).count(), 1, "{word}");
        }
    }
}
