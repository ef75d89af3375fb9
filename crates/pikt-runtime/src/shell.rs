//! The shell command texts the interpreter builds itself, and the words
//! they are made of. Data goes into them only as quoted words.

/// Characters of extended regular expressions that `pgrep` would not take
/// literally; [`regex_escape`] escapes them.
pub const REGEX_SPECIAL: &str = "\\^$.[]|()*+?{}";

/// `text` with every extended-regular-expression character escaped, so that
/// `pgrep -x` (and the native recognizer) take it literally.
pub fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for ch in text.chars() {
        if REGEX_SPECIAL.contains(ch) {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// `text` as one single-quoted shell word (a `'` inside is written
/// `'\''`): the shell reads back exactly `text`.
pub fn shell_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    push_single_quoted(text, &mut quoted);
    quoted
}

/// Appends `text` as one single-quoted shell word to `out`.
pub fn push_single_quoted(text: &str, out: &mut String) {
    out.push('\'');
    push_inside_single_quotes(text, out);
    out.push('\'');
}

/// Appends `text` as it must be written inside single quotes: a `'` closes
/// the quotes, is written escaped, and reopens them.
pub fn push_inside_single_quotes(text: &str, out: &mut String) {
    for ch in text.chars() {
        if ch == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(ch);
        }
    }
}

/// `text` between double quotes, `\`, `$`, `` ` `` and `"` escaped: the
/// shell reads back exactly `text`.
pub fn double_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    push_escaped(text, "\\$`\"", &mut quoted);
    quoted.push('"');
    quoted
}

/// Appends `text` to `out` with a backslash before every character of
/// `special`.
pub fn push_escaped(text: &str, special: &str, out: &mut String) {
    for ch in text.chars() {
        if special.contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// Characters a shell word may hold unquoted and mean only themselves.
const PLAIN_WORD_PUNCTUATION: &str = "-_.,:=/+%@";

/// Appends `text` as one shell word: as it is when it holds only letters,
/// digits and `-_.,:=/+%@`, single-quoted otherwise (`''` when empty).
pub fn push_word(text: &str, out: &mut String) {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || PLAIN_WORD_PUNCTUATION.contains(c));
    if plain {
        out.push_str(text);
    } else {
        push_single_quoted(text, out);
    }
}

/// The command `#killprocs` runs: `pkill -c -SIGNAL -x -u USER -- NAME`, or
/// with `listing` (test mode) `pgrep -x -u USER -- NAME`, which only lists.
/// The real shell serves both natively (identity-checked kills, rounds
/// until none is left); with the native commands off, the real `pkill` does
/// the same, minus the identity check and the rounds.
pub fn killprocs_command(user: &str, comm: &str, signal: i32, listing: bool) -> String {
    let user = shell_quote(user);
    let name = shell_quote(&regex_escape(comm));
    if listing {
        format!("pgrep -x -u {user} -- {name}")
    } else {
        format!("pkill -c -{signal} -x -u {user} -- {name}")
    }
}

/// How many processes `pkill -c` reports it signalled (its first line).
pub fn pkill_count(output: &str) -> u32 {
    output
        .lines()
        .next()
        .and_then(|line| line.trim().parse::<u32>().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn killprocs_commands_quote_their_data() {
        assert_eq!(
            killprocs_command("o'brien", "imap.d", 9, false),
            "pkill -c -9 -x -u 'o'\\''brien' -- 'imap\\.d'"
        );
        assert_eq!(
            killprocs_command("chico", "a$(b)", 15, true),
            "pgrep -x -u 'chico' -- 'a\\$\\(b\\)'"
        );
    }

    #[test]
    fn pkill_counts_come_from_the_first_line() {
        assert_eq!(pkill_count("3\n"), 3);
        assert_eq!(pkill_count(" 12 \nextra\n"), 12);
        assert_eq!(pkill_count(""), 0);
        assert_eq!(pkill_count("pkill: bad\n"), 0);
    }
}
