//! A fake [`FnEnv`] for tests: a fixed clock, host name, pid and time zone,
//! a given environment, a repeatable random sequence and in-memory files.

use std::collections::HashMap;
use std::io::{self, BufRead};

use jiff::tz::TimeZone;

use super::FnEnv;
use crate::host::{FileStat, Fs};
use crate::testing::FakeFs;

/// A deterministic [`FnEnv`]. [`FakeEnv::new`] fixes the clock at
/// [`FakeEnv::NOW`] (Tue Apr 25 05:17:02 2000 UTC) in UTC.
#[derive(Clone, Debug)]
pub struct FakeEnv {
    /// What `now()` answers.
    pub now: f64,
    /// What `hostname()` answers.
    pub hostname: String,
    /// The environment `getenv()` reads.
    pub vars: HashMap<String, String>,
    /// What `pid()` answers.
    pub pid: u32,
    /// The time zone of the time functions.
    pub time_zone: TimeZone,
    /// The state of the random generator (xorshift64*; never 0).
    pub random_state: u64,
    /// The process table `pid_of()` looks in: command name and pid.
    pub processes: Vec<(String, u32)>,
    /// The files the file functions see.
    pub files: FakeFs,
}

impl FakeEnv {
    /// Tue Apr 25 05:17:02 2000 UTC.
    pub const NOW: f64 = 956_639_822.0;

    /// A fake at [`FakeEnv::NOW`] in UTC, on host `testhost`, pid 4242, with
    /// an empty environment.
    #[must_use]
    pub fn new() -> Self {
        FakeEnv {
            now: Self::NOW,
            hostname: "testhost".to_string(),
            vars: HashMap::new(),
            pid: 4242,
            time_zone: TimeZone::UTC,
            random_state: 0x9E37_79B9_7F4A_7C15,
            processes: Vec::new(),
            files: FakeFs::default(),
        }
    }

    /// The same fake with the clock at `now`.
    #[must_use]
    pub fn with_now(mut self, now: f64) -> Self {
        self.now = now;
        self
    }

    /// The same fake with environment variable `name` set to `value`.
    #[must_use]
    pub fn with_var(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// The same fake in time zone `time_zone`.
    #[must_use]
    pub fn with_time_zone(mut self, time_zone: TimeZone) -> Self {
        self.time_zone = time_zone;
        self
    }
}

impl Default for FakeEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl FnEnv for FakeEnv {
    fn now(&self) -> f64 {
        self.now
    }

    fn hostname(&self) -> &str {
        &self.hostname
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn random(&mut self) -> f64 {
        // xorshift64*: small, repeatable, good enough for tests.
        let mut x = self.random_state.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        #[allow(clippy::cast_precision_loss)]
        let unit = bits as f64 / (1u64 << 53) as f64;
        unit
    }

    fn pid(&self) -> u32 {
        self.pid
    }

    fn pid_of(&mut self, name: &str) -> Option<u32> {
        self.processes
            .iter()
            .filter(|(comm, _)| comm == name)
            .map(|&(_, pid)| pid)
            .min()
    }

    fn time_zone(&self) -> TimeZone {
        self.time_zone.clone()
    }

    fn stat_file(&mut self, path: &str) -> io::Result<FileStat> {
        self.files.stat(path, true)
    }

    fn open_file(&mut self, path: &str) -> io::Result<Box<dyn BufRead>> {
        self.files.open_read(path)
    }
}
