//! An alert run told to stop (SIGTERM, SIGINT, SIGHUP) sends the mail its
//! scripts made so far, says what the stop cost, and never stops in the
//! middle of writing the spool (docs/alerts.md, "Nothing is lost").
//!
//! [`install`] registers the three signals: each wakes a watcher thread
//! instead of ending the process. The first signal requests the run's
//! [`Stop`]: the interpreter ends the running script where it is, with its
//! mail lines kept, and runs no later script; the commands the run is
//! waiting on get SIGTERM (and SIGKILL [`KILL_AFTER`] later if the scripts
//! still run), since a signal sent to pikt alone does not reach them. The
//! run then delivers (or spools) its mail marked as cut short, logs, and
//! ends by the signal ([`end_if_stopped`]), so piktd still sees a run
//! stopped by SIGTERM.
//!
//! A second signal, or a run still going [`GRACE`] after the first, ends
//! the process at once: the watcher waits for any [`critical`] section
//! (writing a message into the spool) to end, writes one log entry saying
//! where the run was and what becomes of its mail ([`Phase`]), removes the
//! run's marker (the loss is reported now, not again by the next run), and
//! ends the process by the signal, as the default action would. So a stop
//! never hangs, and piktd's SIGKILL (5 s after its SIGTERM) finds nothing
//! left to kill.
//!
//! SIGKILL cannot be caught: the run's marker stays, and the next run
//! reports it.

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use pikt_runtime::Stop;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

/// How long a stopped run has, from the first signal, to deliver or spool
/// its mail and end; piktd's SIGKILL comes 5 s after its SIGTERM.
pub const GRACE: Duration = Duration::from_secs(3);

/// When the commands of scripts that are still running get SIGKILL.
pub const KILL_AFTER: Duration = Duration::from_millis(1500);

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
    stop: Stop,
    /// The first signal, once it came.
    signal: Mutex<Option<i32>>,
    /// Held by whoever ends the process (the watcher or the run).
    ending: Mutex<()>,
}

static WATCH: OnceLock<Watch> = OnceLock::new();

/// Starts handling SIGTERM, SIGINT and SIGHUP for this run: the first
/// requests `stop`; `logger` writes the entries, `on_stop` runs before the
/// process ends at once (it removes the run's marker).
pub fn install(
    logger: Logger,
    on_stop: Box<dyn Fn() + Send + Sync>,
    stop: Stop,
) -> std::io::Result<()> {
    let watch = Watch {
        phase: Mutex::new(Phase::Retrying),
        critical: Mutex::new(()),
        logger,
        on_stop,
        stop,
        signal: Mutex::new(None),
        ending: Mutex::new(()),
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

/// Once the run has handled its mail: when a signal stopped it, ends the
/// process by that signal (a stopped run does not exit 0).
pub fn end_if_stopped() {
    let Some(watch) = WATCH.get() else {
        return;
    };
    let Some(signal) = *lock(&watch.signal) else {
        return;
    };
    let _ending = lock(&watch.ending);
    end_by(signal);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn watch_signals(mut receiver: UnixStream, which: &AtomicUsize) {
    let Some(watch) = WATCH.get() else {
        return;
    };
    if !next_signal(&mut receiver, None) {
        return;
    }
    let first = current_signal(which);
    request_stop(watch, first);
    let started = Instant::now();
    let mut killed = false;
    let second = loop {
        let until = if killed { GRACE } else { KILL_AFTER };
        if next_signal(&mut receiver, Some(started + until)) {
            break true;
        }
        if killed {
            break false;
        }
        killed = true;
        stop_commands(watch, first, pikt_proc::Signal::KILL);
    };
    let why = if second {
        "a second signal".to_string()
    } else {
        format!("no end within {} s of the first", GRACE.as_secs())
    };
    let signal = current_signal(which);
    let _ending = lock(&watch.ending);
    let _no_spool_write = lock(&watch.critical);
    let phase = lock(&watch.phase).clone();
    let (tag, text) = stop_entry(signal_name(signal), &phase);
    let text = format!("{text} (ended at once: {why})");
    (watch.logger)(tag, &text);
    eprintln!("pikt: {}: {text}", tag.to_lowercase());
    (watch.on_stop)();
    end_by(signal);
}

/// The first signal: said in the log, then the run is asked to stop and
/// the commands its scripts wait on are stopped too.
fn request_stop(watch: &Watch, signal: i32) {
    *lock(&watch.signal) = Some(signal);
    let name = signal_name(signal);
    let text = format!(
        "{name}: stopping the run: its scripts end where they are and the alert mail they made \
         so far is sent, marked as cut short (a second signal, or {} s without an end, \
         ends the run at once)",
        GRACE.as_secs()
    );
    (watch.logger)("WARNING", &text);
    eprintln!("pikt: warning: {text}");
    watch.stop.request(name);
    stop_commands(watch, signal, pikt_proc::Signal::TERM);
}

/// While the scripts run, sends `signal` to the commands they wait on
/// (every process descended from this one) and logs how many got it.
fn stop_commands(watch: &Watch, stopped_by: i32, signal: pikt_proc::Signal) {
    if *lock(&watch.phase) != Phase::Scripts {
        return;
    }
    let name = signal_name(stopped_by);
    let word = if signal == pikt_proc::Signal::KILL {
        "SIGKILL"
    } else {
        "SIGTERM"
    };
    let text = match pikt_effects::signal_descendants(std::process::id(), signal) {
        Ok(0) => return,
        Ok(n) => format!("{name}: sent {word} to {n} running command(s) of the run"),
        Err(e) => format!("{name}: cannot send {word} to the run's running commands: {e}"),
    };
    (watch.logger)("INFO", &text);
}

/// Waits for the next signal, until `deadline` if given; false when none
/// came (or the pipe broke).
fn next_signal(receiver: &mut UnixStream, deadline: Option<Instant>) -> bool {
    let mut byte = [0u8; 1];
    loop {
        let timeout = match deadline {
            Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return false,
            },
            None => None,
        };
        if receiver.set_read_timeout(timeout).is_err() {
            return false;
        }
        match receiver.read(&mut byte) {
            Ok(n) => return n > 0,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return false,
        }
    }
}

fn current_signal(which: &AtomicUsize) -> i32 {
    i32::try_from(which.load(Ordering::SeqCst)).unwrap_or(SIGTERM)
}

/// Ends the process by `signal`, as its default action would.
fn end_by(signal: i32) -> ! {
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal);
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
