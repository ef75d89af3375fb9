//! POSIX extended regular expressions, translated onto the `regex` crate.
//!
//! Pikt patterns are POSIX EREs (reference §4.9). The `regex` crate's syntax
//! is close but not the same, so each pattern is rewritten once, before it
//! is compiled:
//!
//! | POSIX ERE | becomes | why |
//! | --- | --- | --- |
//! | `[[:alpha:]]`, `[^[:digit:]x]` | kept | the crate knows the ASCII classes |
//! | `[=a=]`, `[.-.]` inside brackets | the character | equivalence/collating elements of the C locale |
//! | `\` inside brackets | `\\` | POSIX: a backslash in brackets is literal |
//! | `[`, `&`, `~`, `-` as bracket members | escaped | the crate reads `[`, `&&`, `--`, `~~` as set operations |
//! | `{` not starting a bound `{m}`, `{m,}`, `{m,n}` | `\{` | POSIX: a literal brace |
//! | `*`, `+`, `?`, `{` with nothing to repeat | escaped | POSIX leaves it undefined; GNU takes it literally |
//! | `\<`, `\>` | kept | word start / word end, as in GNU |
//! | `\` + punctuation (`\.`, `\/`) | kept | a literal character |
//! | `\w \W \s \S \b \B \d \D \n \t` | kept | GNU extensions the crate shares |
//! | `\` + other letter (`\q`) | the letter | an escape that means nothing is the character |
//! | `\1`…`\9` | error | back-references are not supported (linear-time engine) |
//! | `\` at the end | `\\` | a literal backslash |

/// Rewrites a POSIX ERE into `regex` crate syntax, or says why it cannot.
pub fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    // True when the previous item can take a repetition operator.
    let mut can_repeat = false;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                i += 1;
                let escaped = chars.get(i).copied();
                match escaped {
                    None => out.push_str("\\\\"),
                    Some(e) => translate_escape(e, &mut out)?,
                }
                i += 1;
                // Assertions match no text: nothing there to repeat.
                can_repeat = !matches!(escaped, Some('<' | '>' | 'b' | 'B'));
            }
            '[' => {
                i = translate_bracket(&chars, i, &mut out)?;
                can_repeat = true;
            }
            '{' => {
                match bound_end(&chars, i) {
                    Some(end) if can_repeat => {
                        out.extend(chars.get(i..end).unwrap_or_default());
                        i = end;
                        can_repeat = false;
                    }
                    _ => {
                        out.push_str("\\{");
                        i += 1;
                        can_repeat = true;
                    }
                }
                continue;
            }
            '}' => {
                out.push_str("\\}");
                i += 1;
                can_repeat = true;
            }
            '*' | '+' | '?' => {
                if can_repeat {
                    // A repetition operator right after another one is then
                    // taken literally: the crate would read `a*?` as a lazy
                    // `a*`, which is not what POSIX means.
                    out.push(c);
                    can_repeat = false;
                } else {
                    out.push('\\');
                    out.push(c);
                    can_repeat = true;
                }
                i += 1;
            }
            '(' | '|' => {
                out.push(c);
                i += 1;
                can_repeat = false;
            }
            '^' => {
                out.push(c);
                i += 1;
                can_repeat = false;
            }
            '#' | '&' | '~' => {
                // Not special in ERE, nor outside brackets in the crate, but
                // escaping them keeps the translation independent of flags.
                out.push('\\');
                out.push(c);
                i += 1;
                can_repeat = true;
            }
            _ => {
                out.push(c);
                i += 1;
                can_repeat = !matches!(c, '$');
            }
        }
    }
    Ok(out)
}

/// The escape `\e` outside brackets.
fn translate_escape(e: char, out: &mut String) -> Result<(), String> {
    match e {
        '1'..='9' => Err(format!("back-reference `\\{e}` is not supported")),
        'w' | 'W' | 's' | 'S' | 'b' | 'B' | 'd' | 'D' | 'n' | 't' | '<' | '>' => {
            out.push('\\');
            out.push(e);
            Ok(())
        }
        _ if e.is_ascii_alphanumeric() => {
            out.push(e);
            Ok(())
        }
        _ if e.is_ascii() => {
            out.push('\\');
            out.push(e);
            Ok(())
        }
        _ => {
            out.push(e);
            Ok(())
        }
    }
}

/// If `chars[start]` is `{` opening a valid bound (`{m}`, `{m,}`, `{m,n}`),
/// the index just past its `}`.
fn bound_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let digits = |i: &mut usize| {
        let from = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if !digits(&mut i) {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (chars.get(i) == Some(&'}')).then_some(i + 1)
}

/// Translates the bracket expression starting at `chars[start] == '['`;
/// returns the index just past it. An unclosed `[` is an error.
fn translate_bracket(chars: &[char], start: usize, out: &mut String) -> Result<usize, String> {
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("unclosed bracket expression `[`".into());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok(i + 1);
        }
        first = false;
        if c == '[' {
            if let Some((end, item)) = bracket_item(chars, i) {
                match item {
                    BracketItem::Class(name) => {
                        if !is_posix_class(&name) {
                            return Err(format!("unknown character class `[:{name}:]`"));
                        }
                        out.push_str("[:");
                        out.push_str(&name);
                        out.push_str(":]");
                    }
                    BracketItem::Char(ch) => push_bracket_char(ch, out),
                }
                i = end;
                continue;
            }
        }
        if c == '-' {
            // A range operator between two members; literal at the start or end.
            let at_end = chars.get(i + 1) == Some(&']');
            let prev_is_member = !out.ends_with('[') && !out.ends_with("[^");
            if at_end || !prev_is_member {
                out.push_str("\\-");
            } else {
                out.push('-');
            }
            i += 1;
            continue;
        }
        push_bracket_char(c, out);
        i += 1;
    }
}

enum BracketItem {
    Class(String),
    Char(char),
}

/// `[:name:]`, `[=c=]` or `[.c.]` at `chars[i]`.
fn bracket_item(chars: &[char], i: usize) -> Option<(usize, BracketItem)> {
    let kind = *chars.get(i + 1)?;
    if !matches!(kind, ':' | '=' | '.') {
        return None;
    }
    let mut j = i + 2;
    let mut body = String::new();
    while let Some(&c) = chars.get(j) {
        if c == kind && chars.get(j + 1) == Some(&']') {
            let item = match kind {
                ':' => BracketItem::Class(body),
                _ => {
                    let mut it = body.chars();
                    let ch = it.next()?;
                    if it.next().is_some() {
                        return None;
                    }
                    BracketItem::Char(ch)
                }
            };
            return Some((j + 2, item));
        }
        body.push(c);
        j += 1;
    }
    None
}

fn is_posix_class(name: &str) -> bool {
    matches!(
        name,
        "alnum"
            | "alpha"
            | "blank"
            | "cntrl"
            | "digit"
            | "graph"
            | "lower"
            | "print"
            | "punct"
            | "space"
            | "upper"
            | "xdigit"
    )
}

/// A literal member of a bracket expression, escaped when the crate would
/// read it as syntax.
fn push_bracket_char(c: char, out: &mut String) {
    if c.is_ascii_punctuation() {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, subject: &str) -> bool {
        let translated = translate(pattern).unwrap();
        regex::Regex::new(&translated)
            .unwrap_or_else(|e| panic!("{pattern} -> {translated}: {e}"))
            .is_match(subject)
    }

    #[test]
    fn seed_wild_card_matches_every_name() {
        assert_eq!(translate("\\\\*$").unwrap(), "\\\\*$");
        assert!(matches("\\\\*$", "imapd"));
        assert!(matches("\\\\*$", ""));
    }

    #[test]
    fn posix_classes_work_inside_brackets() {
        assert!(matches("^[[:alpha:]]+$", "abc"));
        assert!(!matches("^[[:alpha:]]+$", "ab1"));
        assert!(matches("[^[:digit:]x]", "5y"));
        assert!(!matches("^[^[:digit:]x]$", "x"));
        assert!(matches("^[[:space:][:punct:]]+$", " ,."));
        assert!(translate("[[:nope:]]").is_err());
    }

    #[test]
    fn backslash_in_brackets_is_literal() {
        assert_eq!(translate("[\\.]").unwrap(), "[\\\\\\.]");
        assert!(matches("^[\\.]$", "\\"));
        assert!(matches("^[\\.]$", "."));
    }

    #[test]
    fn brace_without_bound_is_literal() {
        assert!(matches("^a{2}$", "aa"));
        assert!(matches("^a{2,}$", "aaa"));
        assert!(matches("^a{1,2}$", "a"));
        assert!(matches("^{x}$", "{x}"));
        assert!(matches("^a{,2}$", "a{,2}"));
        assert!(matches("^a{$", "a{"));
        assert!(matches("}", "}"));
    }

    #[test]
    fn repetition_with_nothing_to_repeat_is_literal() {
        assert!(matches("^*a", "*a"));
        assert!(matches("(*a)", "*a"));
        assert!(matches("x|+", "+"));
        assert!(matches("^a*?$", "aa?"));
    }

    #[test]
    fn escapes_follow_posix_and_gnu() {
        assert!(matches("a\\/b", "a/b"));
        assert!(matches("\\<foo\\>", "a foo b"));
        assert!(!matches("\\<foo\\>", "afoob"));
        assert!(matches("^\\q$", "q"));
        assert!(matches("a\\.b", "a.b"));
        assert!(!matches("a\\.b", "axb"));
        assert!(matches("x\\", "x\\"));
        assert!(translate("(a)\\1").is_err());
    }

    #[test]
    fn set_operator_characters_are_literal_in_brackets() {
        assert!(matches("^[a&&b]+$", "a&b"));
        assert!(matches("^[a~~]+$", "~a"));
        assert!(matches("^[%--]+$", "-%+"));
        assert!(!matches("^[%--]+$", "a"));
        assert!(matches("^[a[b]+$", "[ab"));
        assert!(matches("^[]a]+$", "]a"));
        assert!(matches("^[^]a]+$", "xy"));
        assert!(matches("^[a-c-]+$", "b-"));
        assert!(matches("^[-a]+$", "-a"));
        assert!(translate("[abc").is_err());
    }

    #[test]
    fn inline_flags_and_verbose_characters_are_literal() {
        assert!(matches("^(?i)$", "?i"));
        assert!(!matches("(?i)A", "a"));
        assert!(matches("a#b", "a#b"));
        assert!(matches("a&b", "a&b"));
    }
}
