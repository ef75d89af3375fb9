//! One alert message and its RFC 5322 form.

use std::fmt::Write as _;

/// An alert mail: who it is from and to, its subject, and the body in PIKT's
/// alert layout (made by the interpreter).
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
}

impl AlertMessage {
    /// The message as RFC 5322 text with CRLF line ends, for SMTP.
    ///
    /// Header values are folded onto one line (a subject cannot inject
    /// headers: CR and LF in it become spaces).
    pub fn to_rfc5322(&self, date: &str, message_id: &str) -> String {
        let mut out = String::new();
        let _ = write!(out, "From: {}\r\n", one_line(&self.from));
        let _ = write!(out, "To: {}\r\n", one_line(&self.to.join(", ")));
        let _ = write!(out, "Subject: {}\r\n", one_line(&self.subject));
        let _ = write!(out, "Date: {date}\r\n");
        let _ = write!(out, "Message-ID: <{message_id}>\r\n");
        out.push_str("MIME-Version: 1.0\r\n");
        out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
        out.push_str("Content-Transfer-Encoding: 8bit\r\n");
        out.push_str("\r\n");
        for line in self.body.lines() {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_cannot_be_injected_through_the_subject() {
        let m = AlertMessage {
            from: "pikt@h".into(),
            to: vec!["a@b".into(), "c@d".into()],
            subject: "x\r\nBcc: evil@example.org".into(),
            body: "line 1\nline 2\n".into(),
        };
        let text = m.to_rfc5322("Tue, 25 Apr 2000 00:17:02 +0000", "1@h");
        assert!(text.contains("Subject: x  Bcc: evil@example.org\r\n"));
        assert!(text.contains("To: a@b, c@d\r\n"));
        assert!(text.ends_with("\r\n\r\nline 1\r\nline 2\r\n"));
    }
}
