//! An alert run told to stop (SIGTERM, SIGINT, SIGHUP) says what that
//! costs, and never stops in the middle of writing the spool
//! (docs/alerts.md, "Nothing is lost").
//!
//! [`install`] registers the three signals: each wakes a watcher thread
//! instead of ending the process. The watcher waits for any [`critical`]
//! section (writing a message into the spool) to end, writes one log entry
//! saying where the run was and what becomes of its mail ([`Phase`]), removes
//! the run's marker (the loss is reported now, not again by the next run),
//! and then ends the process by the signal, as the default action would:
//! piktd still sees a run stopped by SIGTERM.
//!
//! SIGKILL cannot be caught: the run's marker stays, and the next run
//! reports it.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// Where the run is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Retrying the spool: what was spooled stays spooled.
    Retrying,
    /// Running the scripts: the run's mail is not made yet.
    Scripts,
    /// The run's mail is in the spool at this path; a relay may be taking it.
    Delivering(PathBuf),
    /// Mail handled; only the last log entries are left.
    Finishing,
}

/// Writes one alert-log entry: tag and text.
pub type Logger = Box<dyn Fn(&str, &str) + Send + Sync>;

struct Watch {
    phase: Mutex<Phase>,
    critical: Mutex<()>,
    logger: Logger,
    on_stop: Box<dyn Fn() + Send + Sync>,
}

static WATCH: OnceLock<Watch> = OnceLock::new();

/// Starts handling SIGTERM, SIGINT and SIGHUP for this run: `logger`
/// writes the entry, `on_stop` runs before the process ends (it removes
/// the run's marker).
pub fn install(logger: Logger, on_stop: Box<dyn Fn() + Send + Sync>) -> std::io::Result<()> {
    let watch = Watch {
        phase: Mutex::new(Phase::Retrying),
        critical: Mutex::new(()),
        logger,
        on_stop,
    };
    if WATCH.set(watch).is_err() {
        return Ok(());
    }
    let (receiver, sender) = UnixStream::pair()?;
    let which = Arc::new(AtomicUsize::new(0));
    for signal in [SIGTERM, SIGINT, SIGHUP] {
        let number = usize::try_from(signal).unwrap_or_default();
        signal_hook::flag::register_usize(signal, Arc::clone(&which), number)?;
        signal_hook::low_level::pipe::register(signal, sender.try_clone()?)?;
    }
    std::thread::Builder::new()
        .name("pikt-signals".into())
        .spawn(move || watch_signals(receiver, &which))?;
    Ok(())
}

/// Records where the run is now.
pub fn set_phase(phase: Phase) {
    if let Some(watch) = WATCH.get() {
        *lock(&watch.phase) = phase;
    }
}

/// Runs `f` with the stop deferred until it returns (writing the spool).
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    let _held = WATCH.get().map(|w| lock(&w.critical));
    f()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn watch_signals(mut receiver: UnixStream, which: &AtomicUsize) {
    let mut byte = [0u8; 1];
    while receiver.read(&mut byte).is_ok_and(|n| n > 0) {
        let signal = i32::try_from(which.load(Ordering::SeqCst)).unwrap_or(SIGTERM);
        let Some(watch) = WATCH.get() else {
            continue;
        };
        let _no_spool_write = lock(&watch.critical);
        let phase = lock(&watch.phase).clone();
        let (tag, text) = stop_entry(signal_name(signal), &phase);
        (watch.logger)(tag, &text);
        eprintln!("pikt: {}: {text}", tag.to_lowercase());
        (watch.on_stop)();
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(128 + signal);
    }
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        SIGINT => "SIGINT",
        SIGHUP => "SIGHUP",
        _ => "SIGTERM",
    }
}

/// The log entry for a stop by `signal` in `phase`: its tag and text.
pub fn stop_entry(signal: &str, phase: &Phase) -> (&'static str, String) {
    match phase {
        Phase::Retrying => (
            "ERROR",
            format!(
                "run stopped by {signal} while retrying the mail spool, before its scripts ran: \
                 spooled mail stays for the next run; alert mail this run would have made is lost"
            ),
        ),
        Phase::Scripts => (
            "ERROR",
            format!(
                "run stopped by {signal} while its scripts ran: \
                 any alert mail of this run was not made yet and is lost"
            ),
        ),
        Phase::Delivering(path) => (
            "WARNING",
            format!(
                "run stopped by {signal} while delivering its alert mail: it stays in the spool \
                 as `{}` and the next run sends it (if the relay had already taken it, \
                 the copy it gets again has the same Message-ID)",
                path.display()
            ),
        ),
        Phase::Finishing => (
            "INFO",
            format!("run stopped by {signal} after its alert mail was handled"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_phase_says_what_the_stop_costs() {
        let (tag, text) = stop_entry("SIGTERM", &Phase::Scripts);
        assert_eq!(tag, "ERROR");
        assert!(text.contains("is lost"), "{text}");
        let (tag, text) = stop_entry("SIGHUP", &Phase::Delivering("/s/1.msg".into()));
        assert_eq!(tag, "WARNING");
        assert!(text.starts_with("run stopped by SIGHUP"), "{text}");
        assert!(text.contains("stays in the spool as `/s/1.msg`"), "{text}");
        assert_eq!(stop_entry("SIGINT", &Phase::Finishing).0, "INFO");
        assert!(stop_entry("SIGTERM", &Phase::Retrying)
            .1
            .contains("spooled mail stays"));
    }
}
