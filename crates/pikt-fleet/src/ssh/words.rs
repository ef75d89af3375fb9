//! The command line a host's shell reads: ssh hands the remote user's
//! login shell one string, so every word piktc sends is quoted here, and
//! nothing else ever builds that string. Data (paths, checksums) travels
//! as separate quoted words, never spliced into script text; `+C`
//! commands and file contents travel inside the bundle, on standard
//! input, not on the command line at all.

/// `word` quoted for a POSIX shell (and csh, fish, zsh): inside single
/// quotes, where only `'` itself is special, written as `'\''`.
pub fn quote(word: &str) -> String {
    let mut quoted = String::with_capacity(word.len() + 2);
    quoted.push('\'');
    for c in word.chars() {
        if c == '\'' {
            quoted.push_str("'\\''");
        } else {
            quoted.push(c);
        }
    }
    quoted.push('\'');
    quoted
}

/// The remote command line for `words`: each quoted, joined by blanks.
pub fn command_line<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// True when `host` may be handed to ssh as a destination: a systems.cfg
/// name (a letter or digit, then letters, digits, `.`, `_`, `-`), so it
/// can never be read as an option or carry a user or port.
pub fn is_host_name(host: &str) -> bool {
    let mut bytes = host.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    const NASTY: &[&str] = &[
        "",
        "plain",
        "two words",
        "it's",
        "'",
        "''",
        "\"double\"",
        "$HOME",
        "${PATH}",
        "$(touch /tmp/pikt-quote-pwned)",
        "`id`",
        "a;b|c&d",
        "back\\slash",
        "new\nline",
        "tab\there",
        "*",
        "~root",
        "=ls",
        "-n",
        "!event",
        "#comment",
        "\u{e9}t\u{e9}",
    ];

    #[test]
    fn quoted_words_reach_a_real_shell_unchanged() {
        let line = format!("printf '%s\\0' {}", command_line(NASTY));
        let out = Command::new("/bin/sh")
            .arg("-c")
            .arg(&line)
            .output()
            .unwrap_or_else(|e| panic!("sh: {e}"));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        let mut expected: Vec<String> = NASTY.iter().map(|w| (*w).to_string()).collect();
        expected.push(String::new());
        assert_eq!(got, expected);
        assert!(!std::path::Path::new("/tmp/pikt-quote-pwned").exists());
    }

    #[test]
    fn host_names_cannot_be_options_or_carry_more() {
        for good in ["moscow", "pikt-h1", "web01.example.org", "a_b", "9lives"] {
            assert!(is_host_name(good), "{good}");
        }
        for bad in [
            "",
            "-oProxyCommand=x",
            "root@moscow",
            "moscow:22",
            "a b",
            "a/b",
            "é",
        ] {
            assert!(!is_host_name(bad), "{bad}");
        }
    }
}
