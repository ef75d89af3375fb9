//! Delivering alert mail so that no alert is ever lost silently.
//!
//! An alert run produces at most one [`AlertMessage`]. It is handed to a
//! [`Transport`]: the alert's mail command (PIKT's way: the message body is
//! piped to e.g. `mailx -s 'PIKT Alert on host: Urgent' admins`), or SMTP to
//! a relay named in PIKT.conf for hosts without a local MTA. A message that
//! cannot be delivered goes into the [`Spool`] on disk and is retried before
//! the next message is sent ([`deliver`]).

mod command;
mod message;
mod smtp;
mod spool;
pub mod testing;

pub use command::CommandTransport;
pub use message::AlertMessage;
pub use smtp::{SmtpRelay, SmtpTransport};
pub use spool::{Spool, SpooledMessage};

use std::fmt;

/// Why a message could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// Lower-case explanation (names in backticks).
    pub message: String,
}

impl DeliveryError {
    pub(crate) fn new(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            message: message.into(),
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
    /// Sends `message`; an error means it was not accepted.
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError>;

    /// Short description for logs (`mail command \`mailx ...\``, `smtp 10.0.0.1:25`).
    fn describe(&self) -> String;
}

/// What happened to the messages of one delivery attempt.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Spooled messages from earlier runs delivered now.
    pub retried_ok: usize,
    /// The new message was delivered.
    pub delivered: bool,
    /// Messages left in the spool (including the new one if it failed).
    pub still_spooled: usize,
    /// Every failure, for the alert log.
    pub errors: Vec<String>,
}

/// Delivers what the spool holds (oldest first), then `message` if given; a
/// message that fails is kept in (or added to) the spool. Spool errors are
/// reported, never swallowed.
pub fn deliver(
    transport: &dyn Transport,
    spool: &Spool,
    message: Option<&AlertMessage>,
) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    let mut transport_failed = false;
    match spool.list() {
        Ok((pending, unreadable)) => {
            for path in unreadable {
                report.errors.push(format!(
                    "spooled file `{}` is not a message; left in place",
                    path.display()
                ));
            }
            for item in pending {
                if transport_failed {
                    report.still_spooled += 1;
                    continue;
                }
                match transport.send(&item.message) {
                    Ok(()) => match spool.remove(&item) {
                        Ok(()) => report.retried_ok += 1,
                        Err(e) => report.errors.push(format!(
                            "delivered spooled message `{}` but could not remove it: {e}",
                            item.path.display()
                        )),
                    },
                    Err(e) => {
                        transport_failed = true;
                        report.still_spooled += 1;
                        report.errors.push(format!(
                            "retry of spooled message `{}` failed: {e}",
                            item.path.display()
                        ));
                    }
                }
            }
        }
        Err(e) => report
            .errors
            .push(format!("cannot read the mail spool: {e}")),
    }
    if let Some(message) = message {
        let result = if transport_failed {
            Err(DeliveryError::new("not tried: the transport just failed"))
        } else {
            transport.send(message)
        };
        match result {
            Ok(()) => report.delivered = true,
            Err(e) => {
                report
                    .errors
                    .push(format!("delivery via {} failed: {e}", transport.describe()));
                match spool.add(message) {
                    Ok(path) => {
                        report.still_spooled += 1;
                        report
                            .errors
                            .push(format!("message spooled as `{}`", path.display()));
                    }
                    Err(e) => report.errors.push(format!(
                        "could not spool the message either, it is lost: {e}"
                    )),
                }
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use testing::RecordingTransport;

    fn message(subject: &str) -> AlertMessage {
        AlertMessage {
            from: "pikt@h1".into(),
            to: vec!["admin@example.org".into()],
            subject: subject.into(),
            body: "PIKT ALERT\n".into(),
        }
    }

    #[test]
    fn failed_delivery_is_spooled_and_sent_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        let down = RecordingTransport::failing();
        let report = deliver(&down, &spool, Some(&message("first")));
        assert!(!report.delivered);
        assert_eq!(report.still_spooled, 1);
        assert_eq!(spool.list().unwrap().0.len(), 1);

        let up = RecordingTransport::working();
        let report = deliver(&up, &spool, Some(&message("second")));
        assert_eq!(report.retried_ok, 1);
        assert!(report.delivered);
        assert_eq!(report.still_spooled, 0);
        let subjects: Vec<String> = up.sent().iter().map(|m| m.subject.clone()).collect();
        assert_eq!(subjects, ["first", "second"]);
        assert!(spool.list().unwrap().0.is_empty());
    }

    #[test]
    fn nothing_to_send_still_flushes_the_spool() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        spool.add(&message("old")).unwrap();
        let up = RecordingTransport::working();
        let report = deliver(&up, &spool, None);
        assert_eq!(report.retried_ok, 1);
        assert_eq!(up.sent().len(), 1);
    }
}
