//! A transport that records what it is given, for tests.

use std::sync::Mutex;

use crate::{AlertMessage, DeliveryError, Transport};

/// Records every message it accepts; fails every send when built with
/// [`failing`](Self::failing), or every send after the first `n` with
/// [`failing_after`](Self::failing_after).
#[derive(Debug, Default)]
pub struct RecordingTransport {
    accept: Option<usize>,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    sent: Vec<AlertMessage>,
    attempts: usize,
}

impl RecordingTransport {
    /// Accepts every message.
    pub fn working() -> RecordingTransport {
        RecordingTransport::default()
    }

    /// Refuses every message.
    pub fn failing() -> RecordingTransport {
        RecordingTransport::failing_after(0)
    }

    /// Accepts `n` messages, then refuses every one.
    pub fn failing_after(n: usize) -> RecordingTransport {
        RecordingTransport {
            accept: Some(n),
            state: Mutex::default(),
        }
    }

    /// The messages accepted so far.
    pub fn sent(&self) -> Vec<AlertMessage> {
        self.state
            .lock()
            .map(|s| s.sent.clone())
            .unwrap_or_default()
    }

    /// How many sends were attempted.
    pub fn attempts(&self) -> usize {
        self.state.lock().map(|s| s.attempts).unwrap_or_default()
    }
}

impl Transport for RecordingTransport {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        let mut state = self
            .state
            .lock()
            .map_err(|_| DeliveryError::new("recording transport poisoned"))?;
        state.attempts += 1;
        if self.accept.is_some_and(|n| state.sent.len() >= n) {
            return Err(DeliveryError::new("recording transport set to fail"));
        }
        state.sent.push(message.clone());
        Ok(())
    }

    fn describe(&self) -> String {
        "recording transport".into()
    }
}
