//! The process table: one [`Process`] per live PID, read from `/proc` without forking.
//!
//! During a process storm that exhausts the PID space, `fork` fails, so a monitor that
//! runs `ps` goes blind exactly when it is needed. [`LinuxProcTable`] reads `/proc`
//! directly: `read_dir("/proc")`, then for each numeric entry the owner of the
//! `/proc/PID` directory (the effective uid, what `ps` prints as USER even for
//! non-dumpable processes), `/proc/PID/stat`, and `/proc/PID/cmdline` only when asked.
//! A process that exits while we walk is skipped silently, as `ps` does.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

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

/// A source of process-table snapshots.
pub trait ProcessTable {
    /// Every process alive now, sorted by pid. `want_args` also reads each command line,
    /// which costs one more file read per process.
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>>;
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

    fn read_process(
        &self,
        dir: &Path,
        pid: u32,
        want_args: bool,
        users: &UserNames,
    ) -> io::Result<Option<Process>> {
        let uid = fs::metadata(dir)?.uid();
        let stat_text = fs::read(dir.join("stat"))?;
        let Some(stat) = parse_stat(&stat_text) else {
            return Ok(None);
        };
        let args = if want_args {
            Some(cmdline_to_args(&fs::read(dir.join("cmdline"))?))
        } else {
            None
        };
        Ok(Some(Process {
            pid,
            ppid: stat.ppid,
            uid,
            user: users.name_of(uid),
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
}

impl ProcessTable for LinuxProcTable {
    fn snapshot(&self, want_args: bool) -> io::Result<Vec<Process>> {
        let users = UserNames::load(&self.passwd_path);
        let mut processes = Vec::new();
        for entry in fs::read_dir(&self.proc_root)? {
            let Ok(entry) = entry else { continue };
            let Some(pid) = entry.file_name().to_str().and_then(parse_pid) else {
                continue;
            };
            // Any error here means the process exited while we walked (ENOENT, ESRCH)
            // or is hidden from us: skip it, as ps does.
            if let Ok(Some(process)) = self.read_process(&entry.path(), pid, want_args, &users) {
                processes.push(process);
            }
        }
        processes.sort_by_key(|process| process.pid);
        Ok(processes)
    }
}

/// A `/proc` entry name that is a PID: decimal digits only, no sign, no leading zero.
fn parse_pid(name: &str) -> Option<u32> {
    let all_digits = !name.is_empty() && name.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits || name.starts_with('0') {
        return None;
    }
    name.parse().ok()
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
        assert_eq!(parse_pid("1234"), Some(1234));
        for name in ["self", "", "012", "-1", "+5", "12a", "99999999999"] {
            assert_eq!(parse_pid(name), None, "{name}");
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
