//! Host name, environment, randomness and pid of this process.

use std::time::{SystemTime, UNIX_EPOCH};

use pikt_runtime::host::System;

/// Host name, environment, randomness and pid of this process.
#[derive(Clone, Debug)]
pub struct RealSystem {
    /// The host name reported.
    pub hostname: String,
    /// Variables seen before the process environment (script arguments).
    pub env: Vec<(String, String)>,
    random_state: u64,
}

impl RealSystem {
    /// `hostname` as the host name, `env` in front of the process environment.
    pub fn new(hostname: String, env: Vec<(String, String)>) -> RealSystem {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        RealSystem {
            hostname,
            env,
            random_state: seed | 1,
        }
    }

    /// The machine's host name (`uname -n`).
    pub fn system_hostname() -> String {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
}

impl System for RealSystem {
    fn hostname(&self) -> &str {
        &self.hostname
    }

    fn getenv(&self, name: &str) -> Option<String> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var(name).ok())
    }

    fn random(&mut self) -> f64 {
        // xorshift64*: plenty for `#rand()`, which is not for secrets.
        let mut x = self.random_state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random_state = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }

    fn pid(&self) -> u32 {
        std::process::id()
    }

    fn pid_of(&mut self, name: &str) -> Option<u32> {
        use pikt_proc::ProcessTable;
        let want_args = name.len() > pikt_proc::COMM_MAX;
        let processes = pikt_proc::LinuxProcTable::new().snapshot(want_args).ok()?;
        pikt_proc::pid_by_name(&processes, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_numbers_are_in_the_unit_interval() {
        let mut system = RealSystem::new("h".into(), Vec::new());
        for _ in 0..1000 {
            let r = system.random();
            assert!((0.0..1.0).contains(&r));
        }
        assert_eq!(system.hostname(), "h");
    }

    #[test]
    fn given_variables_come_before_the_process_environment() {
        let system = RealSystem::new("h".into(), vec![("PATH".into(), "given".into())]);
        assert_eq!(system.getenv("PATH").as_deref(), Some("given"));
        assert!(system.getenv("PIKT_SURELY_UNSET_VARIABLE").is_none());
        assert_eq!(system.pid(), std::process::id());
    }
}
