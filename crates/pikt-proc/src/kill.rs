//! Killing a process named in a snapshot without ever hitting a different process.
//!
//! # Why `kill -9 PID` is not safe
//!
//! A PID is only a number, and the kernel hands numbers out again. PIKT's classic kill
//! loop reads `ps -eo pid,user,comm`, then runs `kill -9 PID` for each matching line.
//! Between the `ps` and the `kill` the process may have exited, and during a storm
//! that fills the PID space (`pid_max` is 32768 on many hosts) its number is reused
//! within milliseconds. The `kill -9` then lands on the newcomer, which may be anyone's
//! process, including root's. Checking `/proc/PID` before `kill(2)` narrows the window
//! but cannot close it: the check and the kill are two steps on a bare number.
//!
//! # What we do instead
//!
//! The kernel can give us a *handle* to one process that never moves to another one:
//! a file descriptor of the directory `/proc/PID`, opened with `O_DIRECTORY`. It is
//! bound to the process that had the PID when it was opened, and since Linux 5.1 it is
//! also a pidfd: `pidfd_send_signal(2)` accepts it. So [`kill_checked`]:
//!
//! 1. refuses targets no monitor should signal ([`Refusal`]): PID 0 or a PID that
//!    would be negative as `pid_t` (those name process groups), PID 1, ourselves, our
//!    parent and every further ancestor, kernel threads, and uid 0 unless
//!    [`KillPolicy::allow_root_targets`];
//! 2. opens `/proc/PID` as a directory fd; if that fails with `ENOENT` the process is
//!    gone ([`KillOutcome::AlreadyGone`]);
//! 3. reads `stat` *through that fd* (`openat(dirfd, "stat")`) and the fd's owner, and
//!    compares uid, command name and start time with the snapshot's. The start time
//!    (clock ticks since boot) differs for any process that got the PID later, so a
//!    mismatch means the PID now names someone else: [`KillOutcome::Recycled`], and
//!    nothing is signalled. A zombie counts as gone: it is dead already;
//! 4. signals through the same fd. If the process died after step 3 the kernel answers
//!    `ESRCH` (again [`KillOutcome::AlreadyGone`]) even if the PID has meanwhile been
//!    reused: the fd still names the dead process, never the newcomer.
//!
//! There is no window in which the check and the signal can refer to different
//! processes.
//!
//! # Fallbacks
//!
//! If the kernel does not accept the `/proc` fd as a pidfd (`ENOSYS`, `EBADF`,
//! `EOPNOTSUPP`), we open a real pidfd with `pidfd_open(2)` (Linux 5.3) and then repeat
//! the check through the `/proc` fd. That order makes it exact: a live process keeps
//! its PID, so if the checked process is still alive after `pidfd_open`, the pidfd names
//! it. On kernels without pidfds at all, the last resort is the check followed by
//! `kill(2)` on the number; the PID could be reused between those two system calls,
//! a window of microseconds that is reported as [`KillMethod::PlainKill`].
//!
//! # Killing every process of a user and command
//!
//! [`kill_matching`] repeats select → [`kill_checked_with`] until a fresh snapshot
//! shows no live match or `max_rounds` rounds have signalled, so processes forked while
//! a round runs are caught by the next one. The processes to spare ([`Protected`]) are
//! taken once per call, not once per victim. After a round that signalled, it waits
//! for its victims to exit, at most [`KillPolicy::round_pause`]: [`CheckedSignaller`]
//! polls pidfds, which become readable when their process exits, so the next
//! snapshot comes as soon as the victims are dead rather than after a fixed sleep.
//! The first round may start from a list a snapshot made shortly before
//! ([`KillRequest::listed`]); every entry is checked as always. Zombies are never
//! selected: they are already dead and only wait for their parent, and a loop that
//! counts them (as `ps`-based loops do) spins until someone reaps them.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::io;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fd::OwnedFd;
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::process::{Pid, PidfdFlags, Signal};

use crate::table::{parse_stat, read_stat_file, Process, ProcessTable};

/// What [`kill_checked`] and [`kill_matching`] may do beyond the fixed refusals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KillPolicy {
    /// Whether processes whose effective uid is 0 may be signalled. Default `false`:
    /// a script that counts per-user processes should not take down root's daemons
    /// because of a typo in its objects file; set it where a script means root.
    pub allow_root_targets: bool,
    /// The longest wait between rounds of [`kill_matching`], for the signalled
    /// processes to exit before the next snapshot; the wait ends early once they have
    /// (with [`CheckedSignaller`]). Default 50 ms.
    pub round_pause: Duration,
}

impl Default for KillPolicy {
    fn default() -> Self {
        Self {
            allow_root_targets: false,
            round_pause: Duration::from_millis(50),
        }
    }
}

/// Why a target is never signalled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Refusal {
    /// PID 0, or above `i32::MAX`: as `pid_t` these name process groups or everything.
    InvalidPid,
    /// PID 1, the init process of this PID namespace.
    Init,
    /// Our own process.
    Ourselves,
    /// Our parent (the scheduler or shell that runs us).
    OurParent,
    /// An ancestor above our parent.
    OurAncestor,
    /// A kernel thread.
    KernelThread,
    /// A process of uid 0 while [`KillPolicy::allow_root_targets`] is off.
    RootTarget,
}

impl fmt::Display for Refusal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::InvalidPid => "pid 0 or a negative pid names a process group",
            Self::Init => "pid 1 is the init process",
            Self::Ourselves => "the target is this process",
            Self::OurParent => "the target is this process's parent",
            Self::OurAncestor => "the target is an ancestor of this process",
            Self::KernelThread => "the target is a kernel thread",
            Self::RootTarget => "the target runs as root and root targets are not allowed",
        })
    }
}

/// Who a process is, for the check that the PID still names the selected process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Effective uid (owner of `/proc/PID`).
    pub uid: u32,
    /// Command name (`/proc/PID/stat` field 2).
    pub comm: String,
    /// Start time in clock ticks since boot.
    pub start_time: u64,
}

impl Identity {
    fn of(process: &Process) -> Self {
        Self {
            uid: process.uid,
            comm: process.comm.clone(),
            start_time: process.start_time,
        }
    }
}

/// How a signal was delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KillMethod {
    /// `pidfd_send_signal` on the `/proc/PID` directory fd that was checked (Linux ≥ 5.1).
    ProcDirFd,
    /// `pidfd_send_signal` on a `pidfd_open` fd, checked after opening (Linux ≥ 5.3).
    Pidfd,
    /// `kill(2)` right after the check: a PID reused in between would be hit.
    PlainKill,
}

/// What [`kill_checked`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KillOutcome {
    /// The checked process was signalled.
    Signalled(KillMethod),
    /// The process had exited (no longer exists, or is a zombie waiting to be reaped);
    /// nothing was signalled.
    AlreadyGone,
    /// The PID now names a different process (or the same one after `exec` changed its
    /// name or `setuid` its owner); nothing was signalled.
    Recycled {
        /// What the PID names now.
        found: Identity,
    },
}

/// Why [`kill_checked`] did not signal and could not tell that the process is gone.
#[derive(Debug)]
pub enum KillError {
    /// The target is one no monitor may signal.
    Refused(Refusal),
    /// A system call failed (for instance `EPERM` without the right to signal).
    Io(io::Error),
}

impl fmt::Display for KillError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(refusal) => write!(formatter, "refused: {refusal}"),
            Self::Io(error) => write!(formatter, "{error}"),
        }
    }
}

impl std::error::Error for KillError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Refused(_) => None,
            Self::Io(error) => Some(error),
        }
    }
}

impl From<Errno> for KillError {
    fn from(errno: Errno) -> Self {
        Self::Io(errno.into())
    }
}

/// Parses a signal as `kill` takes it: a number (`9`), a name (`KILL`, `kill`) or a
/// name with its prefix (`SIGKILL`). Real-time signals are not supported.
pub fn parse_signal(text: &str) -> Option<Signal> {
    if let Ok(number) = text.parse::<i32>() {
        return Signal::from_named_raw(number);
    }
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    let signal = match name {
        "HUP" => Signal::HUP,
        "INT" => Signal::INT,
        "QUIT" => Signal::QUIT,
        "ILL" => Signal::ILL,
        "TRAP" => Signal::TRAP,
        "ABRT" | "IOT" => Signal::ABORT,
        "BUS" => Signal::BUS,
        "FPE" => Signal::FPE,
        "KILL" => Signal::KILL,
        "USR1" => Signal::USR1,
        "SEGV" => Signal::SEGV,
        "USR2" => Signal::USR2,
        "PIPE" => Signal::PIPE,
        "ALRM" => Signal::ALARM,
        "TERM" => Signal::TERM,
        "STKFLT" => Signal::STKFLT,
        "CHLD" | "CLD" => Signal::CHILD,
        "CONT" => Signal::CONT,
        "STOP" => Signal::STOP,
        "TSTP" => Signal::TSTP,
        "TTIN" => Signal::TTIN,
        "TTOU" => Signal::TTOU,
        "URG" => Signal::URG,
        "XCPU" => Signal::XCPU,
        "XFSZ" => Signal::XFSZ,
        "VTALRM" => Signal::VTALARM,
        "PROF" => Signal::PROF,
        "WINCH" => Signal::WINCH,
        "IO" | "POLL" => Signal::IO,
        "PWR" => Signal::POWER,
        "SYS" => Signal::SYS,
        _ => return None,
    };
    Some(signal)
}

/// The processes no kill may hit besides PID 1: ourselves, our parent and every
/// further ancestor (the scheduler that runs us, a login shell).
///
/// Taking it walks the chain of parents through `/proc`, one `stat` read per
/// ancestor, so callers that signal many processes take it once and pass it to
/// [`kill_checked_with`]. A copy kept for a while stays safe: a process never gains
/// an ancestor (an orphan is adopted by init or by a subreaper, which were
/// ancestors already), so the live ancestors are always among the ones recorded;
/// an ancestor that died since only leaves a number that is refused needlessly.
/// [`Protected::is_current`] tells when our parent changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    own: u32,
    parent: u32,
    ancestors: HashSet<u32>,
}

impl Protected {
    /// How far up the chain we look; real chains are a few processes long.
    const MAX_DEPTH: usize = 1024;

    /// Ourselves and our ancestors now.
    pub fn current() -> Self {
        let parent = std::os::unix::process::parent_id();
        let mut ancestors = HashSet::new();
        let mut buffer = Vec::new();
        let mut pid = parent;
        while ancestors.len() < Self::MAX_DEPTH {
            let Some(next) = parent_of(pid, &mut buffer) else {
                break;
            };
            if next <= 1 || !ancestors.insert(next) {
                break;
            }
            pid = next;
        }
        Self {
            own: std::process::id(),
            parent,
            ancestors,
        }
    }

    /// Whether this was taken by this process under its present parent (two system
    /// calls, no `/proc` read): if not, take a new one.
    pub fn is_current(&self) -> bool {
        self.own == std::process::id() && self.parent == std::os::unix::process::parent_id()
    }

    /// [`Protected::refusal`] as the error a [`Signaller`] returns: the first step of
    /// every signaller, real or fake, so that all refuse alike.
    pub fn check(&self, target: &Process, policy: &KillPolicy) -> Result<(), KillError> {
        self.refusal(target, policy)
            .map_or(Ok(()), |refusal| Err(KillError::Refused(refusal)))
    }

    /// Why `policy` and the fixed rules forbid signalling `target`, if they do.
    pub fn refusal(&self, target: &Process, policy: &KillPolicy) -> Option<Refusal> {
        let pid = target.pid;
        if pid == 0 || i32::try_from(pid).is_err() {
            Some(Refusal::InvalidPid)
        } else if pid == 1 {
            Some(Refusal::Init)
        } else if pid == self.own {
            Some(Refusal::Ourselves)
        } else if pid == self.parent {
            Some(Refusal::OurParent)
        } else if self.ancestors.contains(&pid) {
            Some(Refusal::OurAncestor)
        } else if target.kernel_thread {
            Some(Refusal::KernelThread)
        } else if target.uid == 0 && !policy.allow_root_targets {
            Some(Refusal::RootTarget)
        } else {
            None
        }
    }
}

fn parent_of(pid: u32, buffer: &mut Vec<u8>) -> Option<u32> {
    let flags = OFlags::RDONLY | OFlags::CLOEXEC;
    let file = rustix::fs::open(format!("/proc/{pid}/stat"), flags, Mode::empty()).ok()?;
    read_stat_file(&file, buffer).ok()?;
    parse_stat(buffer).map(|stat| stat.ppid)
}

/// Whether `policy` and the fixed rules let `target` be signalled. [`kill_checked`]
/// applies this first; it is public so fakes and dry runs refuse exactly the same.
/// Takes a [`Protected`] each call; [`Protected::refusal`] reuses one.
pub fn check_target(target: &Process, policy: &KillPolicy) -> Result<(), Refusal> {
    Protected::current()
        .refusal(target, policy)
        .map_or(Ok(()), Err)
}

/// Sends `signal` to `target` only if its PID still names that very process (same uid,
/// command name and start time), through a handle that cannot move to another process.
/// See the module docs for the algorithm and its guarantees.
pub fn kill_checked(
    target: &Process,
    signal: Signal,
    policy: &KillPolicy,
) -> Result<KillOutcome, KillError> {
    kill_checked_with(target, signal, policy, &Protected::current())
}

/// [`kill_checked`] with the processes to spare taken earlier (see [`Protected`]
/// for why a kept copy is safe): what a loop over many targets calls.
pub fn kill_checked_with(
    target: &Process,
    signal: Signal,
    policy: &KillPolicy,
    protected: &Protected,
) -> Result<KillOutcome, KillError> {
    protected.check(target, policy)?;
    kill_verified(target, signal, ALL_METHODS)
}

/// The check-and-signal part of [`kill_checked`], trying `methods` in order until one
/// is supported. Split out so tests can force each fallback.
pub(crate) fn kill_verified(
    target: &Process,
    signal: Signal,
    methods: &[KillMethod],
) -> Result<KillOutcome, KillError> {
    match ProcHandle::open(target.pid)? {
        Some(dir) => kill_through(&dir, target, signal, methods),
        None => Ok(KillOutcome::AlreadyGone),
    }
}

/// Checks through an open handle, then signals with the first supported method.
pub(crate) fn kill_through(
    dir: &ProcHandle,
    target: &Process,
    signal: Signal,
    methods: &[KillMethod],
) -> Result<KillOutcome, KillError> {
    if let Some(outcome) = dir.reason_not_to_signal(target)? {
        return Ok(outcome);
    }
    for &method in methods {
        if let Attempt::Done(outcome) = attempt(method, dir, target, signal)? {
            return Ok(outcome);
        }
    }
    Err(KillError::Io(io::Error::new(
        io::ErrorKind::Unsupported,
        "this kernel offers no way to send the signal",
    )))
}

enum Attempt {
    Done(KillOutcome),
    Unsupported,
}

fn attempt(
    method: KillMethod,
    dir: &ProcHandle,
    target: &Process,
    signal: Signal,
) -> Result<Attempt, KillError> {
    match method {
        KillMethod::ProcDirFd => {
            delivered(method, rustix::process::pidfd_send_signal(&dir.fd, signal))
        }
        KillMethod::Pidfd => {
            let pidfd = match rustix::process::pidfd_open(dir.pid, PidfdFlags::empty()) {
                Ok(pidfd) => pidfd,
                Err(Errno::SRCH) => return Ok(Attempt::Done(KillOutcome::AlreadyGone)),
                Err(errno) if unsupported(errno) => return Ok(Attempt::Unsupported),
                Err(errno) => return Err(errno.into()),
            };
            // The pidfd names whoever had the PID at pidfd_open. A live process keeps
            // its PID, so if the checked process is still alive now, that was it.
            match dir.reason_not_to_signal(target)? {
                None => delivered(method, rustix::process::pidfd_send_signal(&pidfd, signal)),
                Some(outcome) => Ok(Attempt::Done(outcome)),
            }
        }
        // The PID could be reused between this check and kill(2): the last resort.
        KillMethod::PlainKill => match dir.reason_not_to_signal(target)? {
            None => delivered(method, rustix::process::kill_process(dir.pid, signal)),
            Some(outcome) => Ok(Attempt::Done(outcome)),
        },
    }
}

fn delivered(method: KillMethod, result: rustix::io::Result<()>) -> Result<Attempt, KillError> {
    match result {
        Ok(()) => Ok(Attempt::Done(KillOutcome::Signalled(method))),
        Err(Errno::SRCH) => Ok(Attempt::Done(KillOutcome::AlreadyGone)),
        Err(errno) if unsupported(errno) => Ok(Attempt::Unsupported),
        Err(errno) => Err(errno.into()),
    }
}

/// Errors that mean "this kernel cannot do that", not "this process cannot be signalled".
fn unsupported(errno: Errno) -> bool {
    matches!(errno, Errno::NOSYS | Errno::BADF | Errno::OPNOTSUPP)
}

/// An open `/proc/PID` directory: bound to one process for as long as it is open.
#[derive(Debug)]
pub(crate) struct ProcHandle {
    fd: OwnedFd,
    pid: Pid,
}

impl ProcHandle {
    /// Opens `/proc/PID`; `None` when no such process exists.
    pub(crate) fn open(pid: u32) -> Result<Option<Self>, KillError> {
        let raw = i32::try_from(pid).map_err(|_| KillError::Refused(Refusal::InvalidPid))?;
        let pid_handle = Pid::from_raw(raw).ok_or(KillError::Refused(Refusal::InvalidPid))?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        match rustix::fs::open(format!("/proc/{pid}"), flags, Mode::empty()) {
            Ok(fd) => Ok(Some(Self {
                fd,
                pid: pid_handle,
            })),
            Err(Errno::NOENT | Errno::SRCH) => Ok(None),
            Err(errno) => Err(errno.into()),
        }
    }

    /// Whether the process has exited (reaped, or a zombie). A `stat` that cannot
    /// be read for another reason counts as exited: there is nothing to wait for.
    pub(crate) fn has_exited(&self) -> bool {
        !matches!(self.read_stat(), Ok(Some(stat)) if !matches!(stat.state, 'Z' | 'X'))
    }

    /// Waits until the process has exited (`true`) or `deadline` passes (`false`).
    ///
    /// The `/proc` fd cannot be polled, so this opens a pidfd by number and trusts it
    /// only if our process is still alive after the open: a live process keeps its
    /// PID, so the pidfd then names it. Without pidfds it sleeps until `deadline`.
    pub(crate) fn wait_for_exit(&self, deadline: Option<Instant>) -> bool {
        if self.has_exited() {
            return true;
        }
        let pidfd = match rustix::process::pidfd_open(self.pid, PidfdFlags::empty()) {
            Ok(pidfd) => pidfd,
            Err(Errno::SRCH) => return true,
            Err(_) => {
                sleep_until(deadline);
                return false;
            }
        };
        self.has_exited() || poll_until_exit(&pidfd, deadline)
    }

    /// The directory fd, which is also a pidfd.
    #[cfg(test)]
    pub(crate) fn fd(&self) -> &OwnedFd {
        &self.fd
    }

    /// Reads the process's identity through the handle and compares it with `target`:
    /// `None` when it is the same live process, else the outcome that stops the kill
    /// (gone, or a different process behind the PID).
    fn reason_not_to_signal(&self, target: &Process) -> Result<Option<KillOutcome>, KillError> {
        let Some(stat) = self.read_stat()? else {
            return Ok(Some(KillOutcome::AlreadyGone));
        };
        if matches!(stat.state, 'Z' | 'X') {
            return Ok(Some(KillOutcome::AlreadyGone));
        }
        if stat.kernel_thread {
            return Err(KillError::Refused(Refusal::KernelThread));
        }
        let uid = rustix::fs::fstat(&self.fd)?.st_uid;
        let found = Identity {
            uid,
            comm: stat.comm,
            start_time: stat.start_time,
        };
        if found == Identity::of(target) {
            Ok(None)
        } else {
            Ok(Some(KillOutcome::Recycled { found }))
        }
    }

    /// `stat` read through the directory fd; `None` once the process has been reaped.
    fn read_stat(&self) -> Result<Option<crate::table::StatLine>, KillError> {
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&self.fd, "stat", flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT | Errno::SRCH) => return Ok(None),
            Err(errno) => return Err(errno.into()),
        };
        let mut text = Vec::new();
        match read_stat_file(&fd, &mut text) {
            Ok(()) => {}
            Err(error) if is_gone(&error) => return Ok(None),
            Err(error) => return Err(KillError::Io(error)),
        }
        match parse_stat(&text) {
            Some(stat) => Ok(Some(stat)),
            None => Err(KillError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unreadable `/proc/{}/stat`", self.pid.as_raw_pid()),
            ))),
        }
    }
}

fn is_gone(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(code) if code == Errno::SRCH.raw_os_error() || code == Errno::NOENT.raw_os_error())
}

/// Sends signals for [`kill_matching`]; the real one is [`CheckedSignaller`], tests use
/// [`crate::testing::FakeSignaller`].
pub trait Signaller {
    /// Signals one selected process, as [`kill_checked_with`] does: `protected` are the
    /// processes to spare, taken once for a whole kill.
    fn signal(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError>;

    /// [`Signaller::signal`], and if the process was signalled, remembers it so that
    /// the next [`Signaller::wait_for_exits`] waits for it. [`kill_matching`] signals
    /// this way. The default only signals.
    fn signal_watched(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError> {
        self.signal(target, signal, policy, protected)
    }

    /// Waits until the processes remembered by [`Signaller::signal_watched`] since the
    /// last call have exited (zombies count: they are dead), for at most `timeout`,
    /// and forgets them. The default cannot tell when they exit and waits the whole
    /// `timeout`.
    fn wait_for_exits(&self, timeout: Duration) {
        std::thread::sleep(timeout);
    }
}

/// The real signaller: [`kill_checked_with`]. [`Signaller::signal_watched`] keeps the
/// `/proc/PID` handle of the last [`CheckedSignaller::WATCH_LIMIT`] processes it
/// signalled (open anyway for the check, so keeping them costs nothing while
/// killing), so that [`Signaller::wait_for_exits`] returns as soon as they have
/// exited instead of sleeping: it polls a pidfd, which becomes readable when its
/// process exits.
#[derive(Debug, Default)]
pub struct CheckedSignaller {
    watched: Mutex<VecDeque<ProcHandle>>,
}

impl CheckedSignaller {
    /// How many signalled processes are watched at most: the most recent ones, which
    /// are the last to exit. It keeps the open descriptors well under the usual limit
    /// of 1024; an older process still alive is found by the next snapshot anyway.
    pub const WATCH_LIMIT: usize = 256;

    /// A signaller watching nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The checked kill; with `watch`, the handle of a signalled process is kept.
    fn kill(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
        watch: bool,
    ) -> Result<KillOutcome, KillError> {
        protected.check(target, policy)?;
        let Some(dir) = ProcHandle::open(target.pid)? else {
            return Ok(KillOutcome::AlreadyGone);
        };
        let outcome = kill_through(&dir, target, signal, ALL_METHODS)?;
        if watch && matches!(outcome, KillOutcome::Signalled(_)) {
            self.watch(dir);
        }
        Ok(outcome)
    }

    fn watch(&self, dir: ProcHandle) {
        let mut watched = self.watched.lock().unwrap_or_else(PoisonError::into_inner);
        if watched.len() >= Self::WATCH_LIMIT {
            watched.pop_front();
        }
        watched.push_back(dir);
    }
}

impl Signaller for CheckedSignaller {
    fn signal(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError> {
        self.kill(target, signal, policy, protected, false)
    }

    fn signal_watched(
        &self,
        target: &Process,
        signal: Signal,
        policy: &KillPolicy,
        protected: &Protected,
    ) -> Result<KillOutcome, KillError> {
        self.kill(target, signal, policy, protected, true)
    }

    fn wait_for_exits(&self, timeout: Duration) {
        let watched: Vec<ProcHandle> = self
            .watched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
            .collect();
        // No deadline (waiting for ever) only for a timeout past the end of time.
        let deadline = Instant::now().checked_add(timeout);
        for dir in &watched {
            if !dir.wait_for_exit(deadline) {
                break;
            }
        }
    }
}

/// Every way of signalling, best first.
const ALL_METHODS: &[KillMethod] = &[
    KillMethod::ProcDirFd,
    KillMethod::Pidfd,
    KillMethod::PlainKill,
];

/// Polls `pidfd` until its process has exited (`true`) or `deadline` passes (`false`).
/// An error of `poll` counts as a timeout.
fn poll_until_exit(pidfd: &OwnedFd, deadline: Option<Instant>) -> bool {
    loop {
        let left = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        let timeout = left.map(|left| Timespec {
            tv_sec: i64::try_from(left.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(left.subsec_nanos()),
        });
        let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(0) => return false,
            Ok(_) => return true,
            Err(Errno::INTR) => {}
            Err(_) => return false,
        }
    }
}

/// Sleeps until `deadline`: the wait of a kernel that cannot tell when a process exits.
fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => std::thread::sleep(deadline.saturating_duration_since(Instant::now())),
        // Only for a timeout past the end of time: wait as long as the caller asked.
        None => std::thread::sleep(Duration::MAX),
    }
}

/// A process [`kill_matching`] selected, as the snapshot showed it: enough to log.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Victim {
    /// Process id.
    pub pid: u32,
    /// User name (or uid as text).
    pub user: String,
    /// Command name.
    pub comm: String,
    /// Start time in clock ticks since boot.
    pub start_time: u64,
}

impl From<&Process> for Victim {
    fn from(process: &Process) -> Self {
        Self {
            pid: process.pid,
            user: process.user.clone(),
            comm: process.comm.clone(),
            start_time: process.start_time,
        }
    }
}

/// A selected process that was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedVictim {
    /// The process.
    pub victim: Victim,
    /// Why it was not signalled.
    pub refusal: Refusal,
}

/// A selected process whose signalling failed (for instance `EPERM`).
#[derive(Debug)]
pub struct FailedVictim {
    /// The process.
    pub victim: Victim,
    /// The error.
    pub error: io::Error,
}

/// What [`kill_matching`] did. Refused and failed processes are tried once, then left.
#[derive(Debug, Default)]
pub struct KillReport {
    /// Every process that was signalled, once each, in the order of signalling.
    pub victims: Vec<Victim>,
    /// Selected processes that were refused.
    pub refused: Vec<RefusedVictim>,
    /// Selected processes whose signalling failed.
    pub failed: Vec<FailedVictim>,
    /// How many rounds signalled something.
    pub rounds: u32,
    /// The live matches in the last snapshot (refused and failed ones included):
    /// empty when everything is gone.
    pub remaining: Vec<Victim>,
    /// Why the loop stopped early, if a snapshot failed.
    pub snapshot_error: Option<io::Error>,
}

impl KillReport {
    /// Whether the last snapshot showed no live process of that user and command.
    pub fn all_gone(&self) -> bool {
        self.remaining.is_empty() && self.snapshot_error.is_none()
    }
}

/// What [`kill_matching_with`] kills: every live process of exactly `user` and `comm`.
#[derive(Clone, Copy, Debug)]
pub struct KillRequest<'a> {
    /// The user name, as [`Process::user`] shows it.
    pub user: &'a str,
    /// The command name, as [`Process::comm`] shows it.
    pub comm: &'a str,
    /// The signal to send.
    pub signal: Signal,
    /// How many rounds may signal at most (0: only look).
    pub max_rounds: u32,
    /// Processes a snapshot taken shortly before listed (the `ps` a script just
    /// counted from): the first round signals those that match instead of taking a
    /// snapshot of its own. Each is checked as always, so a stale entry is never
    /// signalled; the later rounds, and the one that ends the loop, take fresh
    /// snapshots, so a process the list missed is caught there.
    pub listed: Option<&'a [Process]>,
}

impl<'a> KillRequest<'a> {
    /// Kill every process of `user` and `comm` with `signal`, in at most `max_rounds`
    /// rounds, every round from a fresh snapshot.
    pub fn new(user: &'a str, comm: &'a str, signal: Signal, max_rounds: u32) -> Self {
        Self {
            user,
            comm,
            signal,
            max_rounds,
            listed: None,
        }
    }

    fn selects(&self, process: &Process) -> bool {
        !process.is_dead() && process.user == self.user && process.comm == self.comm
    }
}

/// Kills every live process of exactly `user` and `comm` with [`kill_checked`], round
/// after round, until a snapshot shows none or `max_rounds` rounds have signalled.
pub fn kill_matching(
    table: &dyn ProcessTable,
    user: &str,
    comm: &str,
    signal: Signal,
    policy: &KillPolicy,
    max_rounds: u32,
) -> KillReport {
    kill_matching_with(
        table,
        &CheckedSignaller::new(),
        &KillRequest::new(user, comm, signal, max_rounds),
        policy,
    )
}

/// [`kill_matching`] with another [`Signaller`] (a fake in tests, a logging wrapper)
/// and, optionally, a first round from processes listed earlier
/// ([`KillRequest::listed`]).
///
/// Each round selects the live matches, signals them through `signaller` (the
/// processes to spare are taken once, at the start), then, if it signalled any,
/// waits for them to exit, at most [`KillPolicy::round_pause`]. The loop ends on a
/// fresh snapshot that shows no match left to signal, or once `max_rounds` rounds
/// have signalled.
pub fn kill_matching_with(
    table: &dyn ProcessTable,
    signaller: &dyn Signaller,
    request: &KillRequest<'_>,
    policy: &KillPolicy,
) -> KillReport {
    let protected = Protected::current();
    let mut report = KillReport::default();
    let mut signalled = HashSet::new();
    let mut given_up = HashSet::new();
    let mut listed = request.listed;
    loop {
        let from_list = listed.take();
        let live = match select(table, request, from_list) {
            Ok(live) => live,
            Err(error) => {
                report.snapshot_error = Some(error);
                break;
            }
        };
        let fresh = from_list.is_none();
        if fresh {
            report.remaining = live.iter().map(Victim::from).collect();
        }
        let targets: Vec<&Process> = live
            .iter()
            .filter(|process| !given_up.contains(&key(process)))
            .collect();
        if targets.is_empty() || report.rounds >= request.max_rounds {
            if fresh {
                break;
            }
            continue;
        }
        report.rounds = report.rounds.saturating_add(1);
        let mut any_signalled = false;
        for target in targets {
            let victim = Victim::from(target);
            match signaller.signal_watched(target, request.signal, policy, &protected) {
                Ok(KillOutcome::Signalled(_)) => {
                    any_signalled = true;
                    if signalled.insert(key(target)) {
                        report.victims.push(victim);
                    }
                }
                Ok(KillOutcome::AlreadyGone | KillOutcome::Recycled { .. }) => {}
                Err(KillError::Refused(refusal)) => {
                    given_up.insert(key(target));
                    report.refused.push(RefusedVictim { victim, refusal });
                }
                Err(KillError::Io(error)) => {
                    given_up.insert(key(target));
                    report.failed.push(FailedVictim { victim, error });
                }
            }
        }
        if any_signalled {
            signaller.wait_for_exits(policy.round_pause);
        }
    }
    report
}

/// The live matches of one round, by pid: from `listed` when given, else from a fresh
/// snapshot of the user's processes.
fn select(
    table: &dyn ProcessTable,
    request: &KillRequest<'_>,
    listed: Option<&[Process]>,
) -> io::Result<Vec<Process>> {
    let mut live: Vec<Process> = match listed {
        Some(listed) => listed
            .iter()
            .filter(|process| request.selects(process))
            .cloned()
            .collect(),
        None => {
            let mut processes = table.snapshot_of_user(request.user)?;
            processes.retain(|process| request.selects(process));
            processes
        }
    };
    live.sort_by_key(|process| process.pid);
    Ok(live)
}

/// `(pid, start_time)` names one process for good.
fn key(process: &Process) -> (u32, u64) {
    (process.pid, process.start_time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: u32, uid: u32) -> Process {
        Process {
            uid,
            start_time: 1,
            args: None,
            ..crate::testing::process(pid, &uid.to_string(), "imapd")
        }
    }

    fn protected() -> Protected {
        Protected {
            own: 500,
            parent: 400,
            ancestors: HashSet::from([300, 200]),
        }
    }

    #[test]
    fn fixed_refusals_come_before_the_policy() {
        let policy = KillPolicy {
            allow_root_targets: true,
            ..KillPolicy::default()
        };
        let cases = [
            (0, Some(Refusal::InvalidPid)),
            (2_147_483_648, Some(Refusal::InvalidPid)),
            (u32::MAX, Some(Refusal::InvalidPid)),
            (1, Some(Refusal::Init)),
            (500, Some(Refusal::Ourselves)),
            (400, Some(Refusal::OurParent)),
            (300, Some(Refusal::OurAncestor)),
            (200, Some(Refusal::OurAncestor)),
            (600, None),
        ];
        for (pid, expected) in cases {
            assert_eq!(
                protected().refusal(&process(pid, 1000), &policy),
                expected,
                "pid {pid}"
            );
        }
    }

    #[test]
    fn root_targets_need_the_policy() {
        let root = process(600, 0);
        assert_eq!(
            protected().refusal(&root, &KillPolicy::default()),
            Some(Refusal::RootTarget)
        );
        let allow = KillPolicy {
            allow_root_targets: true,
            ..KillPolicy::default()
        };
        assert_eq!(protected().refusal(&root, &allow), None);
        assert_eq!(
            protected().refusal(&process(600, 1000), &KillPolicy::default()),
            None
        );
    }

    #[test]
    fn kernel_threads_are_refused_even_for_root_policies() {
        let mut kthread = process(600, 0);
        kthread.kernel_thread = true;
        let allow = KillPolicy {
            allow_root_targets: true,
            ..KillPolicy::default()
        };
        assert_eq!(
            protected().refusal(&kthread, &allow),
            Some(Refusal::KernelThread)
        );
    }

    #[test]
    fn the_real_protected_set_holds_us_and_our_parent() {
        let protected = Protected::current();
        assert_eq!(protected.own, std::process::id());
        assert_eq!(protected.parent, std::os::unix::process::parent_id());
        assert!(!protected.ancestors.contains(&1));
        assert!(!protected.ancestors.contains(&protected.parent));
    }

    #[test]
    fn signals_parse_by_number_and_name() {
        assert_eq!(parse_signal("9"), Some(Signal::KILL));
        assert_eq!(parse_signal("15"), Some(Signal::TERM));
        assert_eq!(parse_signal("KILL"), Some(Signal::KILL));
        assert_eq!(parse_signal("sigterm"), Some(Signal::TERM));
        assert_eq!(parse_signal("SIGHUP"), Some(Signal::HUP));
        assert_eq!(parse_signal("Cld"), Some(Signal::CHILD));
        for bad in ["0", "-9", "65", "", "SIG", "NOPE", "9x"] {
            assert_eq!(parse_signal(bad), None, "{bad}");
        }
    }

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(
            KillError::Refused(Refusal::RootTarget).to_string(),
            "refused: the target runs as root and root targets are not allowed"
        );
    }
}
