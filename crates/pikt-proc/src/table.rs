//! The process table: one [`Process`] per live PID, read from `/proc` without forking.
//!
//! During a process storm that exhausts the PID space, `fork` fails, so a monitor that
//! runs `ps` goes blind exactly when it is needed. [`LinuxProcTable`] reads `/proc`
//! directly: it lists the numeric entries of `/proc`, then for each one, relative to
//! an open `/proc`, the owner of the `/proc/PID` directory (the effective uid, what
//! `ps` prints as USER even for non-dumpable processes), one `read` of
//! `/proc/PID/stat`, and `/proc/PID/cmdline` only when asked: five system calls a
//! process. [`ProcessTable::snapshot_of_user`] reads the `stat` of one user's
//! processes only. A large table is shared out among a few threads. A process that
//! exits while we walk is skipped silently, as `ps` does.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rustix::buffer::spare_capacity;
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, Dir, Mode, OFlags};
use rustix::io::Errno;

/// `PF_KTHREAD` in the `flags` field of `/proc/PID/stat`: the task is a kernel thread.
const PF_KTHREAD: u64 = 0x0020_0000;

/// One process, as the table saw it at snapshot time.
///
/// `(pid, start_time)` names a process for good: the kernel may hand the same PID to a
/// new process later, but never with the same start time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    /// Process id (thread-group id).
    pub pid: u32,
    /// Parent process id (0 for PID 1 and kernel threads' root).
    pub ppid: u32,
    /// Effective uid: the owner of the `/proc/PID` directory.
    pub uid: u32,
    /// User name of `uid` from `/etc/passwd`, or the uid as decimal text when unknown
    /// (as `ps` does). Never truncated.
    pub user: String,
    /// The command name (`/proc/PID/stat` field 2, the same text as `/proc/PID/comm`):
    /// the executable's file name cut by the kernel to 15 bytes (`TASK_COMM_LEN`), like
    /// `ps -o comm`; kernel threads show their full name. Not valid UTF-8 is replaced
    /// with U+FFFD.
    pub comm: String,
    /// State letter: `R` running, `S` sleeping, `D` disk sleep, `Z` zombie, `T` stopped,
    /// `t` traced, `X` dead, `I` idle kernel thread.
    pub state: char,
    /// Start time in clock ticks since boot (`/proc/PID/stat` field 22).
    pub start_time: u64,
    /// Process group id (`stat` field 5); for `ps`'s `+` STAT flag.
    pub pgrp: i32,
    /// Session id (`stat` field 6); for `ps`'s `s` STAT flag.
    pub session: i32,
    /// Foreground process group of the controlling terminal, -1 without one (`stat` field 8).
    pub tpgid: i32,
    /// Nice value (`stat` field 19); for `ps`'s `<` and `N` STAT flags.
    pub nice: i32,
    /// Number of threads (`stat` field 20); for `ps`'s `l` STAT flag.
    pub threads: u32,
    /// Whether this is a kernel thread (`PF_KTHREAD`); such processes are never killed.
    pub kernel_thread: bool,
    /// The command line with its NUL separators turned into spaces; `None` when the
    /// snapshot was taken without `want_args`, `Some("")` for kernel threads and zombies.
    pub args: Option<String>,
}

impl Process {
    /// Whether the process has already exited and only waits to be reaped (`Z`) or is
    /// being torn down (`X`): signalling it does nothing.
    pub fn is_dead(&self) -> bool {
        matches!(self.state, 'Z' | 'X')
    }
}

/// The lowest pid among the live processes called `name` (what `#pid(name)`
/// returns). A process is called `name` when its command name is `name`;
/// the kernel cuts command names to 15 bytes, so a longer `name` matches a
/// process whose command name is its first 15 bytes and whose command
/// line's first word ends in `name` (when the snapshot has command lines).
pub fn pid_by_name(processes: &[Process], name: &str) -> Option<u32> {
    processes
        .iter()
        .filter(|p| !p.is_dead() && is_called(p, name))
        .map(|p| p.pid)
        .min()
}

/// The longest command name the kernel keeps (`TASK_COMM_LEN` - 1).
pub const COMM_MAX: usize = 15;

fn is_called(process: &Process, name: &str) -> bool {
    if process.comm == name {
        return true;
    }
    if name.len() <= COMM_MAX || name.as_bytes().get(..COMM_MAX) != Some(process.comm.as_bytes()) {
        return false;
    }
    let first_word = process
        .args
        .as_deref()
        .and_then(|args| args.split(' ').next())
        .unwrap_or("");
    first_word.rsplit('/').next() == Some(name)
}

/// A source of process-table snapshots.
pub trait ProcessTable {
    /// Every process alive now, sorted by pid. `want_args` also reads each command line,
    /// which costs one more file read per process.
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>>;

    /// The processes of `user` alone (those whose [`Process::user`] is `user`),
    /// sorted by pid, without args: what a kill round needs. The real table reads
    /// the `stat` of no other user's process.
    fn snapshot_of_user(&self, user: &str) -> io::Result<Vec<Process>> {
        let mut processes = self.snapshot(false)?;
        processes.retain(|process| process.user == user);
        Ok(processes)
    }
}

/// The real table of this host, read from `/proc` (no fork, no `ps`).
#[derive(Clone, Debug)]
pub struct LinuxProcTable {
    proc_root: PathBuf,
    passwd_path: PathBuf,
}

impl Default for LinuxProcTable {
    fn default() -> Self {
        Self::new()
    }
}

impl LinuxProcTable {
    /// The table of this host: `/proc` and `/etc/passwd`.
    pub fn new() -> Self {
        Self::with_paths("/proc", "/etc/passwd")
    }

    /// A table read from another proc tree and passwd file (a test fixture, or a
    /// container's `/proc`).
    pub fn with_paths(proc_root: impl Into<PathBuf>, passwd_path: impl Into<PathBuf>) -> Self {
        Self {
            proc_root: proc_root.into(),
            passwd_path: passwd_path.into(),
        }
    }

    /// Walks `/proc` once, keeping the processes whose uid `keep_uid` accepts; only
    /// those cost a `stat` read. A large table is read by up to
    /// [`LinuxProcTable::MAX_READERS`] threads, each taking a run of pids; if a
    /// thread cannot be started (in a storm that exhausts the PID space, threads
    /// fail like `fork`), this thread reads that run itself. Sorted by pid.
    fn walk(&self, want_args: bool, keep_uid: &UidFilter<'_>) -> io::Result<Vec<Process>> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let proc_dir = rustix::fs::open(&self.proc_root, flags, Mode::empty())?;
        let users = UserNames::load(&self.passwd_path);
        let pids = list_pids(&proc_dir)?;
        let walk = Walk {
            proc_dir: &proc_dir,
            want_args,
            users: &users,
            keep_uid,
        };
        let run_length = pids.len().div_ceil(reader_count(pids.len())).max(1);
        let mut processes = Vec::with_capacity(pids.len());
        std::thread::scope(|scope| {
            let mut runs = pids.chunks(run_length);
            let own_run = runs.next().unwrap_or_default();
            let helpers: Vec<_> = runs
                .map(|run| {
                    let helper = std::thread::Builder::new()
                        .name("pikt-proc-walk".to_string())
                        .spawn_scoped(scope, || walk.read(run));
                    (run, helper)
                })
                .collect();
            processes.extend(walk.read(own_run));
            for (run, helper) in helpers {
                match helper.map(|handle| handle.join()) {
                    Ok(Ok(found)) => processes.extend(found),
                    // Not started (or, impossibly, panicked): read the run here.
                    Ok(Err(_)) | Err(_) => processes.extend(walk.read(run)),
                }
            }
        });
        processes.sort_by_key(|process| process.pid);
        Ok(processes)
    }

    /// At most this many threads read one snapshot.
    pub const MAX_READERS: usize = 4;
}

impl ProcessTable for LinuxProcTable {
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>> {
        self.walk(want_args, &|_, _| true)
    }

    fn snapshot_of_user(&self, user: &str) -> io::Result<Vec<Process>> {
        self.walk(false, &|uid, users| users.is_named(uid, user))
    }
}

/// Which uids a walk reads the `stat` of.
type UidFilter<'a> = dyn Fn(u32, &UserNames) -> bool + Sync + 'a;

/// The numeric entries of `/proc`, in the order listed (ascending pids).
fn list_pids(proc_dir: &OwnedFd) -> io::Result<Vec<u32>> {
    let mut listing = Dir::read_from(proc_dir)?;
    let mut pids = Vec::new();
    while let Some(entry) = listing.read() {
        if let Some(pid) = parse_pid(entry?.file_name().to_bytes()) {
            pids.push(pid);
        }
    }
    Ok(pids)
}

/// How many threads read a table of `processes`: one per CPU (at most
/// [`LinuxProcTable::MAX_READERS`]), each with at least `MIN_RUN` processes, since
/// a thread costs about as much as reading a few processes.
fn reader_count(processes: usize) -> usize {
    const MIN_RUN: usize = 256;
    static CPUS: OnceLock<usize> = OnceLock::new();
    let cpus = *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from));
    cpus.min(LinuxProcTable::MAX_READERS)
        .min(processes / MIN_RUN)
        .max(1)
}

/// What every reader thread of one walk shares.
struct Walk<'a> {
    proc_dir: &'a OwnedFd,
    want_args: bool,
    users: &'a UserNames,
    keep_uid: &'a UidFilter<'a>,
}

impl Walk<'_> {
    /// The processes of `pids` that still exist and pass the filter.
    fn read(&self, pids: &[u32]) -> Vec<Process> {
        let mut reader = ProcReader::default();
        pids.iter()
            // Any error means the process exited while we walked (ENOENT, ESRCH)
            // or is hidden from us: skip it, as ps does.
            .filter_map(|&pid| reader.read_process(self, pid).ok().flatten())
            .collect()
    }
}

/// Reads the files of one process at a time relative to an open `/proc` (no path
/// walk from `/` for each file), reusing its buffers.
#[derive(Default)]
struct ProcReader {
    path: String,
    buffer: Vec<u8>,
}

impl ProcReader {
    /// The owner of `/proc/PID` first, then, if `keep_uid` wants it, one read of
    /// `stat` (and of `cmdline` with `want_args`). `Ok(None)` for an unwanted uid or
    /// a malformed `stat`.
    fn read_process(&mut self, walk: &Walk<'_>, pid: u32) -> io::Result<Option<Process>> {
        let proc_dir = walk.proc_dir;
        let uid = rustix::fs::statat(proc_dir, self.file(pid, ""), AtFlags::empty())?.st_uid;
        if !(walk.keep_uid)(uid, walk.users) {
            return Ok(None);
        }
        self.read(proc_dir, pid, "/stat")?;
        let Some(stat) = parse_stat(&self.buffer) else {
            return Ok(None);
        };
        let args = if walk.want_args {
            self.read(proc_dir, pid, "/cmdline")?;
            Some(cmdline_to_args(&self.buffer))
        } else {
            None
        };
        Ok(Some(Process {
            pid,
            ppid: stat.ppid,
            uid,
            user: walk.users.name_of(uid),
            comm: stat.comm,
            state: stat.state,
            start_time: stat.start_time,
            pgrp: stat.pgrp,
            session: stat.session,
            tpgid: stat.tpgid,
            nice: stat.nice,
            threads: stat.threads,
            kernel_thread: stat.kernel_thread,
            args,
        }))
    }

    /// `PID` followed by `suffix`: a path relative to `/proc`.
    fn file(&mut self, pid: u32, suffix: &str) -> &str {
        use std::fmt::Write as _;
        self.path.clear();
        // Writing to a String cannot fail.
        let _ = write!(self.path, "{pid}{suffix}");
        &self.path
    }

    /// Reads `/proc/PID{suffix}` whole into the buffer.
    fn read(&mut self, proc_dir: &OwnedFd, pid: u32, suffix: &str) -> io::Result<()> {
        let flags = OFlags::RDONLY | OFlags::CLOEXEC;
        let file = rustix::fs::openat(proc_dir, self.file(pid, suffix), flags, Mode::empty())?;
        if suffix == "/stat" {
            read_stat_file(&file, &mut self.buffer)
        } else {
            read_whole(&file, &mut self.buffer)
        }
    }
}

/// Reads a `/proc/PID/stat` whole into `buffer` (cleared first), in one `read`
/// where [`read_whole`] needs a second one to see the end: the kernel makes that
/// file as one record of a `seq_file` and hands it out whole to a `read` with room
/// for it, so a `read` that comes back short and ends in the line's newline has
/// the whole file. Anything else (a fake tree's file without a newline) is read
/// on to the end.
pub(crate) fn read_stat_file(file: &OwnedFd, buffer: &mut Vec<u8>) -> io::Result<()> {
    buffer.clear();
    loop {
        buffer.reserve(READ_CHUNK);
        let room = buffer.capacity().saturating_sub(buffer.len());
        match rustix::io::read(file, spare_capacity(buffer)) {
            Ok(0) => return Ok(()),
            Ok(count) if count < room && buffer.last() == Some(&b'\n') => return Ok(()),
            Ok(_) | Err(Errno::INTR) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// How much room each `read` of a `/proc` file gets: more than any `stat` line.
const READ_CHUNK: usize = 4096;

/// Reads `file` to its end into `buffer` (cleared first), 4 KiB a `read`: a
/// `/proc/PID/stat` takes one `read` plus the one that finds the end, where
/// `std::fs::read` adds an `fstat`, a seek and reads doubling from 32 bytes.
pub(crate) fn read_whole(file: &OwnedFd, buffer: &mut Vec<u8>) -> io::Result<()> {
    buffer.clear();
    loop {
        buffer.reserve(READ_CHUNK);
        match rustix::io::read(file, spare_capacity(buffer)) {
            Ok(0) => return Ok(()),
            Ok(_) | Err(Errno::INTR) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
}

/// A `/proc` entry name that is a PID: decimal digits only, no sign, no leading zero.
fn parse_pid(name: &[u8]) -> Option<u32> {
    let all_digits = !name.is_empty() && name.iter().all(u8::is_ascii_digit);
    if !all_digits || name.starts_with(b"0") {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

/// `/proc/PID/cmdline` as one line: NUL separators become spaces, trailing NULs go.
fn cmdline_to_args(raw: &[u8]) -> String {
    let end = raw
        .iter()
        .rposition(|&byte| byte != 0)
        .map_or(0, |last| last + 1);
    let joined: Vec<u8> = raw
        .get(..end)
        .unwrap_or_default()
        .iter()
        .map(|&byte| if byte == 0 { b' ' } else { byte })
        .collect();
    String::from_utf8_lossy(&joined).into_owned()
}

/// The fields of `/proc/PID/stat` the table and the kill check use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatLine {
    pub(crate) comm: String,
    pub(crate) state: char,
    pub(crate) ppid: u32,
    pub(crate) pgrp: i32,
    pub(crate) session: i32,
    pub(crate) tpgid: i32,
    pub(crate) nice: i32,
    pub(crate) threads: u32,
    pub(crate) start_time: u64,
    pub(crate) kernel_thread: bool,
}

/// Parses `/proc/PID/stat`: `pid (comm) state ppid pgrp session tty tpgid flags ...`.
///
/// The command name may itself hold spaces and parentheses (a program may be called
/// `a b) c`), but every field after it is numeric, so the name runs from the first `(`
/// to the *last* `)`. Returns `None` for anything malformed.
pub(crate) fn parse_stat(text: &[u8]) -> Option<StatLine> {
    let open = text.iter().position(|&byte| byte == b'(')?;
    let close = text.iter().rposition(|&byte| byte == b')')?;
    let comm = text.get(open.checked_add(1)?..close)?;
    let rest = std::str::from_utf8(text.get(close.checked_add(1)?..)?).ok()?;
    // fields[0] is stat field 3 (state), so stat field N is fields[N - 3].
    let fields: Vec<&str> = rest.split_ascii_whitespace().collect();
    let field = |number: usize| fields.get(number.checked_sub(3)?).copied();
    let state = field(3)?.chars().next()?;
    let flags: u64 = field(9)?.parse().ok()?;
    Some(StatLine {
        comm: String::from_utf8_lossy(comm).into_owned(),
        state,
        ppid: field(4)?.parse().ok()?,
        pgrp: field(5)?.parse().ok()?,
        session: field(6)?.parse().ok()?,
        tpgid: field(8)?.parse().ok()?,
        nice: field(19)?.parse().ok()?,
        threads: field(20)?.parse().ok()?,
        start_time: field(22)?.parse().ok()?,
        kernel_thread: flags & PF_KTHREAD != 0,
    })
}

/// Uid → user name, from one read of a passwd file.
#[derive(Clone, Debug, Default)]
pub struct UserNames {
    names: HashMap<u32, String>,
}

impl UserNames {
    /// Reads a passwd file; a missing or unreadable file gives an empty map, so every
    /// user shows as its number (as `ps` does for unknown uids).
    pub fn load(path: &Path) -> Self {
        fs::read(path)
            .map(|bytes| parse_passwd(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_default()
    }

    /// The name of `uid`, or `uid` as decimal text when it has none.
    pub fn name_of(&self, uid: u32) -> String {
        self.names
            .get(&uid)
            .cloned()
            .unwrap_or_else(|| uid.to_string())
    }

    /// Whether [`UserNames::name_of`] gives `name` for `uid`, without building it.
    pub fn is_named(&self, uid: u32, name: &str) -> bool {
        match self.names.get(&uid) {
            Some(known) => known == name,
            // A uid without a name is shown as its number (rare: no need to avoid
            // the allocation).
            None => uid.to_string() == name,
        }
    }
}

/// Parses passwd text (`name:password:uid:gid:gecos:home:shell`). The first line for a
/// uid wins, as with `getpwuid`. Blank lines, `#` comments, NIS `+`/`-` entries and
/// malformed lines are skipped.
pub fn parse_passwd(text: &str) -> UserNames {
    let mut names = HashMap::new();
    for line in text.lines() {
        if line.starts_with(['#', '+', '-']) {
            continue;
        }
        let mut parts = line.split(':');
        let (Some(name), Some(_password), Some(uid)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let Ok(uid) = uid.parse::<u32>() else {
            continue;
        };
        if !name.is_empty() {
            names.entry(uid).or_insert_with(|| name.to_string());
        }
    }
    UserNames { names }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::process;

    #[test]
    fn pid_by_name_takes_the_lowest_live_pid() {
        let mut zombie = process(5, "root", "dd");
        zombie.state = 'Z';
        let table = vec![
            zombie,
            process(9, "root", "dd"),
            process(7, "bin", "dd"),
            process(3, "root", "sshd"),
        ];
        assert_eq!(pid_by_name(&table, "dd"), Some(7));
        assert_eq!(pid_by_name(&table, "cron"), None);
    }

    #[test]
    fn pid_by_name_matches_names_the_kernel_cut() {
        let mut long = process(40, "root", "gnome-session-b");
        long.args = Some("/usr/libexec/gnome-session-binary --session".into());
        let table = vec![long];
        assert_eq!(pid_by_name(&table, "gnome-session-binary"), Some(40));
        assert_eq!(pid_by_name(&table, "gnome-session-b"), Some(40));
        assert_eq!(pid_by_name(&table, "gnome-session-bogus"), None);
    }

    fn stat_with_comm(comm: &str) -> Vec<u8> {
        format!(
            "4242 ({comm}) S 17 4242 4242 0 -1 4194560 10 0 0 0 3 1 0 0 20 0 1 0 987654 2990080 421 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0"
        )
        .into_bytes()
    }

    #[test]
    fn stat_fields_are_read_by_position_after_the_name() {
        let stat = parse_stat(&stat_with_comm("sleep")).unwrap();
        assert_eq!(
            stat,
            StatLine {
                comm: "sleep".to_string(),
                state: 'S',
                ppid: 17,
                pgrp: 4242,
                session: 4242,
                tpgid: -1,
                nice: 0,
                threads: 1,
                start_time: 987_654,
                kernel_thread: false,
            }
        );
    }

    #[test]
    fn stat_name_runs_to_the_last_parenthesis() {
        assert_eq!(
            parse_stat(&stat_with_comm("(a) b)")).unwrap().comm,
            "(a) b)"
        );
        assert_eq!(
            parse_stat(&stat_with_comm("a b) S 1 2 3")).unwrap().comm,
            "a b) S 1 2 3"
        );
        assert_eq!(parse_stat(&stat_with_comm("")).unwrap().comm, "");
        assert_eq!(
            parse_stat(&stat_with_comm("x)")).unwrap().start_time,
            987_654
        );
    }

    #[test]
    fn stat_sees_kernel_threads_and_negative_nice() {
        let kthreadd = b"2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 25 0 0 18446744073709551615 0";
        let stat = parse_stat(kthreadd).unwrap();
        assert!(stat.kernel_thread);
        assert_eq!((stat.ppid, stat.start_time), (0, 25));
        let high_priority =
            b"9 (kworker/0:0H) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 0 -20 1 0 30 0";
        assert_eq!(parse_stat(high_priority).unwrap().nice, -20);
    }

    #[test]
    fn malformed_stat_lines_are_rejected_not_panicked_on() {
        for bad in [
            &b""[..],
            b"4242 sleep S 1",
            b"4242 (sleep S 1",
            b"4242 sleep) S 1",
            b"4242 (sleep) S 1 2 3",
            b"4242 (sleep) S x 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5",
            b")(",
            b"1 (a) \xff",
        ] {
            assert_eq!(parse_stat(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// A small deterministic generator, so the no-panic test needs no dependency.
    pub(crate) fn noise(seed: u64, alphabet: &[u8], length: usize) -> Vec<u8> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..length)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect()
    }

    #[test]
    fn stat_parsing_never_panics_on_noise() {
        let alphabet = b"() 0123456789-SZ\n\xff";
        for seed in 0..20_000u64 {
            let text = noise(seed, alphabet, (seed % 80) as usize);
            let _ = parse_stat(&text);
            let _ = cmdline_to_args(&text);
            let _ = parse_passwd(&String::from_utf8_lossy(&text).replace('(', ":"));
        }
    }

    #[test]
    fn invalid_utf8_in_the_name_is_replaced() {
        let stat = parse_stat(&[&b"7 (h\xffllo) R "[..], &stat_with_comm("x")[10..]].concat());
        assert_eq!(stat.unwrap().comm, "h\u{fffd}llo");
    }

    #[test]
    fn passwd_maps_uids_to_the_first_name() {
        let users = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\n\
             # comment:x:5:5\n\
             \n\
             toor:x:0:0::/root:/bin/sh\n\
             averyveryverylongname:x:1001:1001::/home/a:/bin/sh\n\
             +nisuser:x:1002:1002::/:/bin/sh\n\
             broken:x:notanumber:0\n\
             short\n\
             :x:1003:1003::/:/bin/sh\n",
        );
        assert_eq!(users.name_of(0), "root");
        assert_eq!(users.name_of(1001), "averyveryverylongname");
        assert_eq!(users.name_of(1002), "1002");
        assert_eq!(users.name_of(1003), "1003");
        assert_eq!(users.name_of(5), "5");
        assert_eq!(users.name_of(4_294_967_294), "4294967294");
    }

    #[test]
    fn proc_entry_names_must_be_plain_numbers() {
        assert_eq!(parse_pid(b"1234"), Some(1234));
        for name in ["self", "", "012", "-1", "+5", "12a", "99999999999"] {
            assert_eq!(parse_pid(name.as_bytes()), None, "{name}");
        }
    }

    #[test]
    fn cmdline_separators_become_spaces() {
        assert_eq!(cmdline_to_args(b"sleep\x00300\x00"), "sleep 300");
        assert_eq!(cmdline_to_args(b"a b\x00\x00c\x00\x00"), "a b  c");
        assert_eq!(cmdline_to_args(b""), "");
        assert_eq!(cmdline_to_args(b"\x00\x00"), "");
        assert_eq!(cmdline_to_args(b"setproctitle text"), "setproctitle text");
    }
}
