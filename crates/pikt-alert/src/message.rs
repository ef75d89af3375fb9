//! One alert message and its RFC 5322 form.

use std::sync::atomic::{AtomicU64, Ordering};

use pikt_source::visible::{escape_line, escape_lines};

use crate::mime::{choose_encoding, push_header, push_quoted_printable, Encoding};

/// An alert mail: who it is from and to, its subject, the body in PIKT's
/// alert layout (made by the interpreter), and the identity it keeps from
/// the moment it is made until a relay accepts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertMessage {
    /// Envelope and header sender, e.g. `pikt@moscow`.
    pub from: String,
    /// Recipients (for SMTP; a mail command names its own).
    pub to: Vec<String>,
    /// Subject line, e.g. `PIKT Alert on moscow: Urgent`.
    pub subject: String,
    /// The text, lines separated by `\n`.
    pub body: String,
    /// The `Message-ID` without its angle brackets, e.g.
    /// `pikt.1700000000123456789.4242.0@moscow`: assigned once, kept in the
    /// spool and on every retry, so a copy delivered twice (the relay took
    /// the message but the connection dropped before it said so) is
    /// recognisably the same message.
    pub message_id: String,
    /// When the message was made (RFC 5322 date), also kept on retries.
    pub date: String,
}

static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl AlertMessage {
    /// A new message made now on `host`, with a fresh Message-ID and date.
    pub fn new(
        from: impl Into<String>,
        to: Vec<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
        host: &str,
    ) -> AlertMessage {
        AlertMessage {
            from: from.into(),
            to,
            subject: subject.into(),
            body: body.into(),
            message_id: new_message_id(host),
            date: jiff::fmt::rfc2822::to_string(&jiff::Zoned::now()).unwrap_or_default(),
        }
    }

    /// The body as it is sent: controls other than line breaks made visible.
    pub fn visible_body(&self) -> String {
        escape_lines(&self.body).into_owned()
    }

    /// The message as RFC 5322 text with CRLF line ends and no line over
    /// 998 octets, for SMTP; `eight_bit_ok` when the relay announced
    /// 8BITMIME. Returns the text and the body's encoding. Header values
    /// are one line each: data cannot inject a header.
    pub fn to_rfc5322(&self, eight_bit_ok: bool) -> (String, Encoding) {
        let body = self.visible_body();
        let lines: Vec<&str> = body.lines().collect();
        let encoding = choose_encoding(&lines, eight_bit_ok);
        let mut out = String::with_capacity(body.len() + 512);
        push_header(&mut out, "From", &escape_line(&self.from));
        push_header(&mut out, "To", &escape_line(&self.to.join(", ")));
        push_header(&mut out, "Subject", &escape_line(&self.subject));
        let date = if self.date.is_empty() {
            jiff::fmt::rfc2822::to_string(&jiff::Zoned::now()).unwrap_or_default()
        } else {
            escape_line(&self.date).into_owned()
        };
        push_header(&mut out, "Date", &date);
        push_header(
            &mut out,
            "Message-ID",
            &format!("<{}>", escape_line(&self.message_id)),
        );
        out.push_str("MIME-Version: 1.0\r\n");
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        push_header(
            &mut out,
            "Content-Transfer-Encoding",
            encoding.header_value(),
        );
        out.push_str("\r\n");
        for line in lines {
            if encoding == Encoding::QuotedPrintable {
                push_quoted_printable(&mut out, line);
            } else {
                out.push_str(line);
                out.push_str("\r\n");
            }
        }
        (out, encoding)
    }
}

/// `pikt.NANOS.PID.N@HOST`: unique per host (time, process, counter); the
/// host part keeps only the characters a domain may have.
pub fn new_message_id(host: &str) -> String {
    let nanos = jiff::Timestamp::now().as_nanosecond();
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let domain: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        .collect();
    let domain = if domain.is_empty() {
        "localhost".to_string()
    } else {
        domain
    };
    format!("pikt.{nanos}.{}.{n}@{domain}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(subject: &str, body: &str) -> AlertMessage {
        AlertMessage {
            from: "pikt@h".into(),
            to: vec!["a@b".into(), "c@d".into()],
            subject: subject.into(),
            body: body.into(),
            message_id: "pikt.1.2.3@h".into(),
            date: "Tue, 25 Apr 2000 00:17:02 +0000".into(),
        }
    }

    /// Every line of the text ends in CRLF, none is longer than 998
    /// octets, no other CR or LF is in it.
    fn assert_smtp_valid(text: &str) {
        assert!(text.ends_with("\r\n"));
        for line in text.strip_suffix("\r\n").unwrap().split("\r\n") {
            assert!(line.len() <= 998, "line of {} octets", line.len());
            assert!(!line.contains(['\r', '\n']), "bare CR or LF in {line:?}");
        }
    }

    #[test]
    fn headers_cannot_be_injected_through_the_subject() {
        let m = message("x\r\nBcc: evil@example.org", "line 1\nline 2\n");
        let (text, encoding) = m.to_rfc5322(false);
        assert!(
            text.contains("Subject: x\\x0d\\x0aBcc: evil@example.org\r\n"),
            "{text}"
        );
        assert!(!text.contains("\r\nBcc:"));
        assert!(text.contains("To: a@b, c@d\r\n"));
        assert!(text.contains("Message-ID: <pikt.1.2.3@h>\r\n"));
        assert!(text.contains("Date: Tue, 25 Apr 2000 00:17:02 +0000\r\n"));
        assert_eq!(encoding, Encoding::SevenBit);
        assert!(text.ends_with("\r\n\r\nline 1\r\nline 2\r\n"));
        assert_smtp_valid(&text);
    }

    #[test]
    fn hostile_bodies_become_valid_smtp_text() {
        let body = format!(
            "bare\rcr\nnul\0 esc\x1b[2J c1\u{9b}\n.\n{}\n\u{202e}rtl\n",
            "y".repeat(3000)
        );
        let (text, encoding) = message("s", &body).to_rfc5322(true);
        assert_eq!(
            encoding,
            Encoding::QuotedPrintable,
            "a line over 998 octets"
        );
        assert_smtp_valid(&text);
        assert!(text.contains("bare\\x0dcr\r\n"), "{text}");
        assert!(
            text.contains("nul\\x00 esc\\x1b[2J c1\\xc2\\x9b\r\n"),
            "{text}"
        );
        let (text, encoding) = message("s", "é\n").to_rfc5322(true);
        assert_eq!(encoding, Encoding::EightBit);
        assert!(text.contains("Content-Transfer-Encoding: 8bit\r\n\r\né\r\n"));
    }

    #[test]
    fn message_ids_are_unique_and_clean() {
        let a = new_message_id("moscow");
        let b = new_message_id("mos\r\ncow <x>");
        assert_ne!(a, b);
        assert!(a.ends_with("@moscow") && a.starts_with("pikt."));
        assert!(b.ends_with("@moscowx"), "{b}");
        assert!(new_message_id("").ends_with("@localhost"));
    }
}
