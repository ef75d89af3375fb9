//! Data shown as text: control characters made visible (docs/alerts.md,
//! "Control characters").
//!
//! Process names, user names and log lines are chosen by people who may be
//! hostile. Before such text reaches a log line, a syslog datagram or a
//! mail, every character that could change how the record is read is
//! replaced by `\xHH`, one escape per byte of its UTF-8 form:
//!
//! * C0 controls (NUL … US, so also CR, ESC and, in one-line records, LF)
//!   and DEL; TAB is kept (it is white space for every reader and valid in
//!   SMTP);
//! * C1 controls (U+0080 … U+009F), e.g. U+009B, a one-byte CSI on some
//!   terminals;
//! * the Unicode line and paragraph separators (U+2028, U+2029) and the
//!   bidirectional overrides and isolates (U+202A … U+202E, U+2066 …
//!   U+2069), which reorder what a reader sees;
//! * bytes that are not UTF-8 ([`escape_bytes_line`]).
//!
//! Backslashes are not doubled: text is readable as it was written
//! (`grep '\.'` stays `grep '\.'`), and escaping twice changes nothing,
//! so a layer that escapes again for safety never mangles a line. The price:
//! the four characters `\x1b` typed by someone read the same as an escaped
//! ESC. What matters is that no control character reaches a terminal, a
//! record or the mail protocol.
//!
//! This module is the one place that decides the form; every writer of
//! logs, syslog and mail calls it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is shown as `\xHH` escapes. `line_breaks`: LF too.
fn is_hidden(c: char, line_breaks: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => line_breaks,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        _ => false,
    }
}

/// True when [`escape_line`] would change `text`.
pub fn has_hidden(text: &str) -> bool {
    text.chars().any(|c| is_hidden(c, true))
}

/// `text` as one record: every control character (LF included) as `\xHH`.
/// For log lines, syslog messages, mail lines and header values.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

/// `text` as lines: like [`escape_line`], but LF stays a line break. For a
/// whole mail body whose lines were escaped when they were made.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

fn escape(text: &str, line_breaks: bool) -> Cow<'_, str> {
    let Some(first) = text.find(|c| is_hidden(c, line_breaks)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(text.get(..first).unwrap_or(""));
    for c in text.get(first..).unwrap_or("").chars() {
        if is_hidden(c, line_breaks) {
            push_escaped_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn push_escaped_char(out: &mut String, c: char) {
    let mut buf = [0u8; 4];
    for byte in c.encode_utf8(&mut buf).bytes() {
        push_escaped_byte(out, byte);
    }
}

fn push_escaped_byte(out: &mut String, byte: u8) {
    let _ = write!(out, "\\x{byte:02x}");
}

/// Bytes as one record: valid UTF-8 as [`escape_line`], every byte that is
/// not part of valid UTF-8 as `\xHH`.
pub fn escape_bytes_line(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => escape_line(text),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len() + 16);
            for chunk in bytes.utf8_chunks() {
                out.push_str(&escape_line(chunk.valid()));
                for &byte in chunk.invalid() {
                    push_escaped_byte(&mut out, byte);
                }
            }
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let text = "404 chico imapd\tgrep '\\.' é ünïcödé";
        assert!(matches!(escape_line(text), Cow::Borrowed(t) if t == text));
        assert!(!has_hidden(text));
    }

    #[test]
    fn controls_become_hex_escapes() {
        assert_eq!(
            escape_line("a\rb\x1b[31mc\0d\x7f"),
            "a\\x0db\\x1b[31mc\\x00d\\x7f"
        );
        assert_eq!(escape_line("one\ntwo"), "one\\x0atwo");
        assert_eq!(escape_lines("one\ntwo\r\n"), "one\ntwo\\x0d\n");
    }

    #[test]
    fn c1_and_reordering_characters_show_their_utf8_bytes() {
        assert_eq!(escape_line("x\u{9b}y"), "x\\xc2\\x9by");
        assert_eq!(escape_line("\u{202e}gpj.exe"), "\\xe2\\x80\\xaegpj.exe");
        assert_eq!(escape_line("a\u{2028}b"), "a\\xe2\\x80\\xa8b");
    }

    #[test]
    fn invalid_utf8_bytes_are_escaped_one_by_one() {
        assert_eq!(escape_bytes_line(b"ok\xff\xfe\x1b!"), "ok\\xff\\xfe\\x1b!");
        assert_eq!(escape_bytes_line("é".as_bytes()), "é");
        assert_eq!(escape_bytes_line(b"\xc3"), "\\xc3");
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        for text in ["a\rb", "\u{0}\u{85}\u{2066}", "plain \\x41", "x\ny"] {
            let once = escape_line(text).into_owned();
            assert_eq!(escape_line(&once), once);
            assert!(!has_hidden(&once));
        }
    }
}
