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

/// `text` as one single-quoted shell word.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
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
