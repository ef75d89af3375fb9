//! Mail text that is valid for SMTP whatever the data (RFC 5321, 5322,
//! 2045, 2047).
//!
//! * Lines end in CRLF and nowhere else: control characters in the data
//!   were made visible before ([`pikt_source::visible`]), so no bare CR or
//!   LF is left.
//! * No line is longer than 998 octets (RFC 5322 §2.1.1): a body with a
//!   longer line, or with 8-bit text for a relay that does not take
//!   8BITMIME, is sent quoted-printable (RFC 2045 §6.7), which any mail
//!   reader decodes to exactly the original lines.
//! * Header values are one logical line: a subject can never start a new
//!   header. Text that is not ASCII is sent as RFC 2047 encoded words;
//!   long values are folded at 78 columns where they have blanks.
//!
//! Dot-stuffing belongs to the SMTP session (`smtp.rs`), not to the text.

use std::fmt::Write as _;

/// RFC 5322's hard limit on a line, CRLF not counted.
pub const MAX_LINE: usize = 998;
/// RFC 5322's recommended width, used for folding headers.
const FOLD_WIDTH: usize = 78;
/// RFC 2045: an encoded line, `=` of a soft break included.
const QP_WIDTH: usize = 76;
/// RFC 2047: an encoded word is at most 75 characters.
const WORD_WIDTH: usize = 75;

/// How a body goes on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// ASCII, short lines.
    SevenBit,
    /// UTF-8, short lines, to a relay that announced 8BITMIME.
    EightBit,
    /// Anything else.
    QuotedPrintable,
}

impl Encoding {
    /// The `Content-Transfer-Encoding` value.
    pub fn header_value(self) -> &'static str {
        match self {
            Encoding::SevenBit => "7bit",
            Encoding::EightBit => "8bit",
            Encoding::QuotedPrintable => "quoted-printable",
        }
    }
}

/// The encoding `lines` need; `eight_bit_ok` when the relay takes 8-bit.
pub fn choose_encoding(lines: &[&str], eight_bit_ok: bool) -> Encoding {
    let short = lines.iter().all(|l| l.len() <= MAX_LINE);
    if short && lines.iter().all(|l| l.is_ascii()) {
        Encoding::SevenBit
    } else if short && eight_bit_ok {
        Encoding::EightBit
    } else {
        Encoding::QuotedPrintable
    }
}

/// Appends `line` quoted-printable, with soft breaks, each output line
/// ending in CRLF.
pub fn push_quoted_printable(out: &mut String, line: &str) {
    let mut width = 0;
    let bytes = line.as_bytes();
    for (i, &byte) in bytes.iter().enumerate() {
        let last = i + 1 == bytes.len();
        let literal = match byte {
            b' ' | b'\t' => !last,
            b'=' => false,
            33..=126 => true,
            _ => false,
        };
        let needed = if literal { 1 } else { 3 };
        // Keep room for the `=` of a soft break unless this is the end.
        let room = if last { QP_WIDTH } else { QP_WIDTH - 1 };
        if width + needed > room {
            out.push_str("=\r\n");
            width = 0;
        }
        if literal {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "={byte:02X}");
        }
        width += needed;
    }
    out.push_str("\r\n");
}

/// `Name: value` as one header, folded, CRLF at the end. `value` must be
/// free of control characters (escaped before).
pub fn push_header(out: &mut String, name: &str, value: &str) {
    if value.is_ascii() && !value.contains("=?") {
        push_folded(out, name, value);
    } else {
        push_encoded_words(out, name, value);
    }
}

/// ASCII value folded at blanks so lines stay within 78 columns where a
/// blank allows it (a longer word is kept whole, up to 998).
fn push_folded(out: &mut String, name: &str, value: &str) {
    let mut line = format!("{name}:");
    for word in value.split(' ') {
        let fits = line.len() + 1 + word.len() <= FOLD_WIDTH;
        if !fits && line.trim_start().len() > name.len() + 1 {
            out.push_str(&line);
            out.push_str("\r\n");
            line.clear();
        }
        line.push(' ');
        // A word too long for any line is cut where this line ends: on the
        // header's first line `Name: ` takes part of the 998 octets.
        let room = MAX_LINE.saturating_sub(line.len());
        line.push_str(truncated(word, room));
    }
    out.push_str(&line);
    out.push_str("\r\n");
}

fn truncated(word: &str, max: usize) -> &str {
    if word.len() <= max {
        return word;
    }
    let mut end = max;
    while !word.is_char_boundary(end) {
        end -= 1;
    }
    word.get(..end).unwrap_or("")
}

/// A value as RFC 2047 `=?utf-8?q?...?=` words, one per folded line.
fn push_encoded_words(out: &mut String, name: &str, value: &str) {
    const OPEN: &str = "=?utf-8?q?";
    const CLOSE: &str = "?=";
    let mut words: Vec<String> = Vec::new();
    let mut word = String::from(OPEN);
    // The first word shares its line with `Name: `.
    let mut limit = WORD_WIDTH.min(FOLD_WIDTH.saturating_sub(name.len() + 2));
    for c in value.chars() {
        let mut piece = String::new();
        let mut buf = [0u8; 4];
        for &byte in c.encode_utf8(&mut buf).as_bytes() {
            match byte {
                b' ' => piece.push('_'),
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'!' | b'*' | b'+' | b'-' | b'/' => {
                    piece.push(char::from(byte));
                }
                _ => {
                    let _ = write!(piece, "={byte:02X}");
                }
            }
        }
        // A character is never split between two words.
        if word.len() + piece.len() + CLOSE.len() > limit && word.len() > OPEN.len() {
            word.push_str(CLOSE);
            words.push(std::mem::replace(&mut word, String::from(OPEN)));
            limit = WORD_WIDTH;
        }
        word.push_str(&piece);
    }
    word.push_str(CLOSE);
    words.push(word);
    let _ = write!(out, "{name}:");
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push(' ');
        out.push_str(word);
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &str) -> Vec<&str> {
        text.strip_suffix("\r\n")
            .unwrap_or(text)
            .split("\r\n")
            .collect()
    }

    /// Decodes quoted-printable as a mail reader does.
    fn decode_qp(text: &str) -> String {
        let mut out = Vec::new();
        let joined = text.replace("=\r\n", "");
        let bytes = joined.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'=' {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn encoding_is_chosen_by_length_and_bytes() {
        assert_eq!(choose_encoding(&["plain"], false), Encoding::SevenBit);
        assert_eq!(choose_encoding(&["é"], true), Encoding::EightBit);
        assert_eq!(choose_encoding(&["é"], false), Encoding::QuotedPrintable);
        let long = "x".repeat(MAX_LINE + 1);
        assert_eq!(choose_encoding(&[&long], true), Encoding::QuotedPrintable);
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_decodes_exactly() {
        for line in [
            "x".repeat(5000),
            "a = b, trailing blank ".to_string(),
            "é".repeat(600),
            ".starts with a dot".to_string(),
        ] {
            let mut out = String::new();
            push_quoted_printable(&mut out, &line);
            for encoded in lines_of(&out) {
                assert!(encoded.len() <= QP_WIDTH, "{encoded}");
                assert!(encoded.is_ascii());
                assert!(!encoded.ends_with(' '));
            }
            assert_eq!(decode_qp(out.strip_suffix("\r\n").unwrap()), line);
        }
    }

    #[test]
    fn headers_fold_and_encode_without_breaking_lines() {
        let mut out = String::new();
        push_header(&mut out, "Subject", "PIKT Alert on moscow: Urgent");
        assert_eq!(out, "Subject: PIKT Alert on moscow: Urgent\r\n");

        let mut out = String::new();
        let long = "word ".repeat(40);
        push_header(&mut out, "Subject", long.trim_end());
        for (i, line) in lines_of(&out).iter().enumerate() {
            assert!(line.len() <= FOLD_WIDTH, "{line}");
            assert_eq!(
                i > 0,
                line.starts_with(' '),
                "continuation lines start with a blank"
            );
        }

        let mut out = String::new();
        push_header(&mut out, "Subject", &"Ärger ".repeat(30));
        for (i, line) in lines_of(&out).iter().enumerate() {
            assert!(line.is_ascii() && line.len() <= FOLD_WIDTH, "{line}");
            let word = line.trim_start().trim_start_matches("Subject: ");
            assert!(
                word.starts_with("=?utf-8?q?") && word.ends_with("?="),
                "{word}"
            );
            assert_eq!(i > 0, line.starts_with(' '));
        }
        assert!(out.contains("=C3=84rger_"), "{out}");
    }

    #[test]
    fn a_word_longer_than_a_line_is_cut_at_998_octets_on_any_line() {
        let word = "y".repeat(1100);
        for value in [word.clone(), format!("short {word}")] {
            let mut out = String::new();
            push_header(&mut out, "Subject", &value);
            let lines = lines_of(&out);
            assert!(lines.iter().all(|l| l.len() <= MAX_LINE), "{lines:?}");
            assert_eq!(
                lines.iter().map(|l| l.len()).max(),
                Some(MAX_LINE),
                "cut at the limit, not before"
            );
        }
    }
}
