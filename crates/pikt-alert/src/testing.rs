//! A transport that records what it is given, for tests.

use std::sync::Mutex;

use crate::{AlertMessage, DeliveryError, Transport};

/// Records every message; fails every send when built with [`failing`](Self::failing).
#[derive(Debug, Default)]
pub struct RecordingTransport {
    fail: bool,
    sent: Mutex<Vec<AlertMessage>>,
}

impl RecordingTransport {
    /// Accepts every message.
    pub fn working() -> RecordingTransport {
        RecordingTransport::default()
    }

    /// Refuses every message.
    pub fn failing() -> RecordingTransport {
        RecordingTransport {
            fail: true,
            sent: Mutex::default(),
        }
    }

    /// The messages accepted so far.
    pub fn sent(&self) -> Vec<AlertMessage> {
        self.sent.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

impl Transport for RecordingTransport {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        if self.fail {
            return Err(DeliveryError::new("recording transport set to fail"));
        }
        if let Ok(mut sent) = self.sent.lock() {
            sent.push(message.clone());
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "recording transport".into()
    }
}
