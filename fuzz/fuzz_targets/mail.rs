//! Whatever a script puts in a mail (bytes from process names, log lines),
//! the text sent over SMTP is valid: lines end in CRLF and nowhere else,
//! none is longer than 998 octets, header values are one line each, and no
//! control character other than TAB is left. Escaping twice changes
//! nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pikt_alert::AlertMessage;
use pikt_source::visible::{escape_line, has_hidden};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (subject, body) = text.split_once('\0').unwrap_or((&text, &text));
    let once = escape_line(&text).into_owned();
    assert!(!has_hidden(&once));
    assert_eq!(escape_line(&once), once);
    let message = AlertMessage::new("pikt@h", vec!["a@b".into()], subject, body, subject);
    for eight_bit in [false, true] {
        let (mail, _) = message.to_rfc5322(eight_bit);
        assert!(mail.ends_with("\r\n"));
        let (head, _) = mail.split_once("\r\n\r\n").expect("a blank line ends the header");
        for line in mail[..mail.len() - 2].split("\r\n") {
            assert!(line.len() <= 998, "a line of {} octets", line.len());
            assert!(
                !line.chars().any(|c| c != '\t' && (c.is_control() || c == '\u{2028}')),
                "a control character in {line:?}"
            );
            if !eight_bit {
                assert!(line.is_ascii(), "8-bit text without 8BITMIME: {line:?}");
            }
        }
        let subjects = head
            .split("\r\n")
            .filter(|l| l.starts_with("Subject:"))
            .count();
        assert_eq!(subjects, 1, "exactly one Subject header");
        assert!(
            head.split("\r\n")
                .all(|l| l.starts_with(' ') || l.contains(':')),
            "every header line is a header or a continuation: {head}"
        );
    }
});
