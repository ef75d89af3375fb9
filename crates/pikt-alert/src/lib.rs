//! Delivering alert mail so that no alert is ever lost silently.
//!
//! An alert run produces at most one [`AlertMessage`]. It is handed to a
//! [`Transport`]: the alert's mail command (PIKT's way: the message body is
//! piped to e.g. `mailx -s 'PIKT Alert on host: Urgent' admins`), or SMTP to
//! a relay named in PIKT.conf for hosts without a local MTA.
//!
//! The rules (docs/alerts.md, "Nothing is lost"):
//!
//! * a new message goes into the [`Spool`] *before* its first attempt
//!   ([`Spool::add`]), and leaves it only when the transport accepted it
//!   ([`deliver_spooled`]); a message that cannot even be spooled is tried
//!   once directly and, if that fails too, reported as lost
//!   ([`deliver_unspooled`]);
//! * each run tries every spooled message once, oldest first, and stops at
//!   the first failure ([`retry_spool`]);
//! * a message keeps its Message-ID from the moment it is made, so a copy
//!   that arrives twice (the relay took it but the connection dropped
//!   before it said so) is recognisable; that can happen once per dropped
//!   connection.

mod command;
mod message;
mod mime;
mod smtp;
mod spool;
pub mod testing;

pub use command::CommandTransport;
pub use message::{new_message_id, AlertMessage};
pub use mime::Encoding;
pub use smtp::{SmtpRelay, SmtpTransport};
pub use spool::{InterruptedRun, Spool, SpooledMessage};

use std::fmt;

use pikt_source::visible::escape_line;

/// Why a message could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// Lower-case explanation (names in backticks), control characters
    /// made visible (a relay's reply is data).
    pub message: String,
}

impl DeliveryError {
    /// An error saying `message` (escaped here).
    pub fn new(message: impl Into<String>) -> DeliveryError {
        let message: String = message.into();
        DeliveryError {
            message: escape_line(&message).into_owned(),
        }
    }
}

impl fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeliveryError {}

/// A way of sending one message.
pub trait Transport {
    /// Sends `message`; an error means it was not accepted (as far as we
    /// know: a connection lost after the data may still have delivered it).
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError>;

    /// Short description for logs (`mail command \`mailx ...\``, `smtp 10.0.0.1:25`).
    fn describe(&self) -> String;
}

/// What happened to the messages of one delivery step.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Spooled messages from earlier runs delivered now.
    pub retried_ok: usize,
    /// The new message was delivered.
    pub delivered: bool,
    /// Messages left in the spool (including the new one if it failed).
    pub still_spooled: usize,
    /// The new message could be neither spooled nor delivered.
    pub lost: bool,
    /// Every failure, for the alert log.
    pub errors: Vec<String>,
}

/// One attempt for every spooled message, oldest first; the first failure
/// ends the attempts (the transport is down) and the rest wait for the
/// next run. Spool errors are reported, never swallowed.
pub fn retry_spool(transport: &dyn Transport, spool: &Spool) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    let (pending, unreadable) = match spool.list() {
        Ok(listing) => listing,
        Err(e) => {
            report
                .errors
                .push(format!("cannot read the mail spool: {e}"));
            return report;
        }
    };
    for path in unreadable {
        report.errors.push(format!(
            "spooled file `{}` is not a message; left in place",
            path.display()
        ));
    }
    let mut failed = false;
    for item in pending {
        if failed {
            report.still_spooled += 1;
            continue;
        }
        match transport.send(&item.message) {
            Ok(()) => {
                report.retried_ok += 1;
                note_removal(spool, &item, &mut report);
            }
            Err(e) => {
                failed = true;
                report.still_spooled += 1;
                report.errors.push(format!(
                    "retry of spooled message `{}` failed: {e}",
                    item.path.display()
                ));
            }
        }
    }
    report
}

/// The one attempt of a message just spooled: removed from the spool when
/// the transport accepts it, else left for the next run.
pub fn deliver_spooled(
    transport: &dyn Transport,
    spool: &Spool,
    item: &SpooledMessage,
) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    match transport.send(&item.message) {
        Ok(()) => {
            report.delivered = true;
            note_removal(spool, item, &mut report);
        }
        Err(e) => {
            report.still_spooled = 1;
            report
                .errors
                .push(format!("delivery via {} failed: {e}", transport.describe()));
            report
                .errors
                .push(format!("message spooled as `{}`", item.path.display()));
        }
    }
    report
}

/// A message that could not be spooled (`why`): tried once directly; if
/// that fails too it is lost, and the report says so.
pub fn deliver_unspooled(
    transport: &dyn Transport,
    message: &AlertMessage,
    why: &std::io::Error,
) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    report.errors.push(format!(
        "cannot spool the alert mail ({why}); sending it without a copy"
    ));
    match transport.send(message) {
        Ok(()) => report.delivered = true,
        Err(e) => {
            report.lost = true;
            report.errors.push(format!(
                "delivery via {} failed: {e}; the alert mail (Message-ID <{}>) is lost",
                transport.describe(),
                message.message_id
            ));
        }
    }
    report
}

/// Removes a delivered message; a failure means it will be sent again
/// (same Message-ID), which the report says.
fn note_removal(spool: &Spool, item: &SpooledMessage, report: &mut DeliveryReport) {
    if let Err(e) = spool.remove(item) {
        report.errors.push(format!(
            "delivered spooled message `{}` but could not remove it ({e}); \
             it will be sent again with the same Message-ID",
            item.path.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::RecordingTransport;

    fn message(subject: &str) -> AlertMessage {
        AlertMessage::new(
            "pikt@h1",
            vec!["admin@example.org".into()],
            subject,
            "PIKT ALERT\n",
            "h1",
        )
    }

    #[test]
    fn a_failed_message_stays_spooled_and_goes_out_next_time_with_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        let first = message("first");
        let item = spool.add(&first).unwrap();
        let down = RecordingTransport::failing();
        let report = deliver_spooled(&down, &spool, &item);
        assert!(!report.delivered);
        assert_eq!(report.still_spooled, 1);
        assert_eq!(spool.list().unwrap().0.len(), 1);

        let up = RecordingTransport::working();
        let report = retry_spool(&up, &spool);
        assert_eq!((report.retried_ok, report.still_spooled), (1, 0));
        assert_eq!(up.sent(), [first], "the same message, Message-ID and all");
        assert!(spool.list().unwrap().0.is_empty());
    }

    #[test]
    fn a_retry_tries_each_message_once_and_stops_at_the_first_failure() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        for subject in ["a", "b", "c"] {
            spool.add(&message(subject)).unwrap();
        }
        let flaky = RecordingTransport::failing_after(1);
        let report = retry_spool(&flaky, &spool);
        assert_eq!((report.retried_ok, report.still_spooled), (1, 2));
        assert_eq!(flaky.attempts(), 2, "one success, one failure, then stop");
        let left: Vec<String> = spool
            .list()
            .unwrap()
            .0
            .into_iter()
            .map(|i| i.message.subject)
            .collect();
        assert_eq!(left, ["b", "c"]);
    }

    #[test]
    fn a_message_that_cannot_be_spooled_is_sent_directly_or_reported_lost() {
        let why = std::io::Error::other("disk full");
        let up = RecordingTransport::working();
        let report = deliver_unspooled(&up, &message("m"), &why);
        assert!(report.delivered && !report.lost);
        assert!(report.errors[0].contains("disk full"), "{report:?}");
        let down = RecordingTransport::failing();
        let report = deliver_unspooled(&down, &message("m"), &why);
        assert!(report.lost && !report.delivered);
        assert!(report.errors[1].contains("is lost"), "{report:?}");
    }

    #[test]
    fn delivery_errors_show_controls_visibly() {
        let e = DeliveryError::new("the relay answered `451 \x1b[2Jbusy\r\n`");
        assert_eq!(e.message, "the relay answered `451 \\x1b[2Jbusy\\x0d\\x0a`");
    }
}
