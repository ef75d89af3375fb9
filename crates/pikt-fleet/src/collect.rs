//! Reading a child's output stream on a thread of its own, bounded: the
//! first bytes are kept, the rest counted, and the stream is given up a
//! short while after the child ended (a process it left behind may hold
//! the pipe open for ever). Used for `+C` commands on a host and for the
//! ssh client on the master.

use std::io::Read;
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How long output is still read after the child ended.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// A stream read to its end on a thread of its own, keeping at most
/// `limit` bytes and counting the rest.
pub(crate) struct Collector {
    shared: Arc<Mutex<(Vec<u8>, u64)>>,
    done: mpsc::Receiver<()>,
}

impl Collector {
    /// Starts reading `stream`.
    pub(crate) fn start(mut stream: impl Read + Send + 'static, limit: usize) -> Collector {
        let shared = Arc::new(Mutex::new((Vec::new(), 0u64)));
        let (tx, done) = mpsc::channel();
        let sink = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buffer = vec![0u8; 64 << 10];
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                if let Ok(mut guard) = sink.lock() {
                    let (kept, dropped) = &mut *guard;
                    let room = limit.saturating_sub(kept.len()).min(n);
                    kept.extend_from_slice(buffer.get(..room).unwrap_or_default());
                    *dropped += (n - room) as u64;
                }
            }
            let _ = tx.send(());
        });
        Collector { shared, done }
    }

    /// What was read (and how many bytes were dropped), once the stream
    /// ended or `grace` passed.
    pub(crate) fn finish(self, grace: Duration) -> (Vec<u8>, u64) {
        let _ = self.done.recv_timeout(grace);
        self.shared
            .lock()
            .map(|mut guard| std::mem::take(&mut *guard))
            .unwrap_or_default()
    }
}
