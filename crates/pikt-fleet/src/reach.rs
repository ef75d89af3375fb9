//! How a run reaches its hosts, decided once per run and in one place:
//! how many hosts at once, how long each may take, which ssh
//! configuration, and where each host's installation is.
//!
//! | setting | command line | environment | master's PIKT.conf | default |
//! | --- | --- | --- | --- | --- |
//! | hosts at once | `-j#` | | `piktc_jobs` | [`DEFAULT_JOBS`] |
//! | time per host | `--timeout SECONDS` | | `host_timeout` | [`DEFAULT_HOST_TIMEOUT`] |
//! | ssh configuration | | `PIKT_SSH_CONFIG` | `ssh_config` | the user's own |
//! | a host's root | | | `host_piktdir` | `/etc/pikt` |
//!
//! The master itself is always reached in-process at its own root.

use std::path::{Path, PathBuf};
use std::time::Duration;

use pikt_config::layout::DEFAULT_ROOT;
use pikt_config::systems::Systems;
use pikt_config::Site;

use crate::request::Request;
use crate::ssh::{SshSettings, DEFAULT_HOST_TIMEOUT};

/// Hosts worked on at once when neither `-j#` nor PIKT.conf `piktc_jobs`
/// says: ssh sessions mostly wait on the network and the hosts, so many
/// run well on few cores (docs/scale.md).
pub const DEFAULT_JOBS: usize = 16;

/// What a waited-for `+C` command leaves of its host's time, so that the
/// host still answers (and says the command was stopped) before the
/// master cuts the session.
const COMMAND_MARGIN: Duration = Duration::from_secs(10);

/// How a run reaches its hosts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// Hosts worked on at once.
    pub jobs: usize,
    /// How long one host may take, connection included.
    pub host_timeout: Duration,
    /// `ssh -F FILE`; none: the invoking user's configuration.
    pub ssh_config: Option<PathBuf>,
    /// `host_piktdir`: the hosts each entry covers (none: every host) and
    /// their root, in the order written.
    roots: Vec<(Option<Vec<String>>, PathBuf)>,
}

impl Reach {
    /// Decides from the command line, `PIKT_SSH_CONFIG` (`ssh_config_env`)
    /// and the master's `site`; `systems` resolves the names in
    /// `host_piktdir` (an unknown name there is an error; without
    /// systems.cfg, for a run on this host alone, they are not needed).
    pub fn decide(
        request: &Request,
        site: &Site,
        systems: Option<&Systems>,
        ssh_config_env: Option<&Path>,
    ) -> Result<Reach, String> {
        let conf = &site.conf;
        let jobs = request
            .jobs
            .or_else(|| conf.piktc_jobs().and_then(|n| usize::try_from(n).ok()))
            .unwrap_or(DEFAULT_JOBS);
        let host_timeout = request
            .timeout
            .or_else(|| conf.host_timeout())
            .map_or(DEFAULT_HOST_TIMEOUT, Duration::from_secs);
        let ssh_config = ssh_config_env
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .or_else(|| conf.ssh_config());
        let mut roots = Vec::new();
        for (name, dir) in conf.host_piktdirs() {
            let hosts = match (name, systems) {
                (None, _) => None,
                (Some(_), None) => continue,
                (Some(name), Some(systems)) => {
                    let (hosts, unknown) = systems.select(&[(true, name.clone())]);
                    if !unknown.is_empty() {
                        return Err(format!(
                            "PIKT.conf `host_piktdir` names `{name}`, which is no host, alias, group or os name of systems.cfg"
                        ));
                    }
                    Some(hosts)
                }
            };
            roots.push((hosts, dir));
        }
        Ok(Reach {
            jobs: jobs.max(1),
            host_timeout,
            ssh_config,
            roots,
        })
    }

    /// The installation root of `host` (another host than the master):
    /// the first `NAME=DIR` of `host_piktdir` whose name covers it, else
    /// its plain `DIR`, else `/etc/pikt`.
    pub fn root_of(&self, host: &str) -> PathBuf {
        let named = self
            .roots
            .iter()
            .find(|(hosts, _)| hosts.as_ref().is_some_and(|h| h.iter().any(|n| n == host)));
        let default = self.roots.iter().find(|(hosts, _)| hosts.is_none());
        named
            .or(default)
            .map_or_else(|| PathBuf::from(DEFAULT_ROOT), |(_, dir)| dir.clone())
    }

    /// Seconds a waited-for `+C` command may run: the host's time less a
    /// margin, so that the host still answers in time.
    pub fn command_limit(&self) -> u64 {
        let margin = COMMAND_MARGIN.min(self.host_timeout / 2);
        (self.host_timeout - margin).as_secs().max(1)
    }

    /// How ssh is run.
    pub fn ssh_settings(&self) -> SshSettings {
        SshSettings {
            config: self.ssh_config.clone(),
            host_timeout: self.host_timeout,
            ..SshSettings::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Operation;
    use pikt_source::SourceMap;

    fn site(conf: &str) -> Site {
        let mut map = SourceMap::new();
        let text = conf.to_string();
        let (site, diags) = Site::read(Path::new("/m"), Some("m".into()), &[], &mut map, &|_| {
            Ok(text.clone())
        });
        assert!(diags.is_empty(), "{diags:?}");
        site
    }

    fn systems() -> Systems {
        let mut map = SourceMap::new();
        let id = map.add(
            "systems.cfg",
            "debian hosts m a b c\nold members b c\n".to_string(),
        );
        let (systems, diags) = Systems::parse(&map, id);
        assert!(diags.is_empty(), "{diags:?}");
        systems
    }

    #[test]
    fn the_command_line_wins_over_pikt_conf_over_the_defaults() {
        let request = Request::new(Operation::Status);
        let plain = Reach::decide(&request, &site(""), Some(&systems()), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plain.jobs, DEFAULT_JOBS);
        assert_eq!(plain.host_timeout, DEFAULT_HOST_TIMEOUT);
        assert_eq!(plain.ssh_config, None);
        assert_eq!(plain.root_of("a"), PathBuf::from("/etc/pikt"));
        assert_eq!(plain.command_limit(), 290);

        let conf = site("piktc_jobs 4\nhost_timeout 60\nssh_config /m/ssh_config\n");
        let from_conf = Reach::decide(&request, &conf, Some(&systems()), None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((from_conf.jobs, from_conf.host_timeout.as_secs()), (4, 60));
        assert_eq!(from_conf.ssh_config, Some(PathBuf::from("/m/ssh_config")));

        let mut flags = Request::new(Operation::Status);
        flags.jobs = Some(2);
        flags.timeout = Some(8);
        let from_flags = Reach::decide(&flags, &conf, Some(&systems()), Some(Path::new("/e/ssh")))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((from_flags.jobs, from_flags.host_timeout.as_secs()), (2, 8));
        assert_eq!(from_flags.ssh_config, Some(PathBuf::from("/e/ssh")));
        assert_eq!(from_flags.command_limit(), 4);
    }

    #[test]
    fn host_roots_by_name_then_default() {
        let request = Request::new(Operation::Status);
        let reach = Reach::decide(
            &request,
            &site("host_piktdir /opt/pikt old=/usr/local/pikt c=/srv/pikt\n"),
            Some(&systems()),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(reach.root_of("a"), PathBuf::from("/opt/pikt"));
        assert_eq!(reach.root_of("b"), PathBuf::from("/usr/local/pikt"));
        assert_eq!(
            reach.root_of("c"),
            PathBuf::from("/usr/local/pikt"),
            "first match wins"
        );
        let err = Reach::decide(
            &request,
            &site("host_piktdir nosuch=/x\n"),
            Some(&systems()),
            None,
        )
        .err()
        .unwrap_or_default();
        assert_eq!(
            err,
            "PIKT.conf `host_piktdir` names `nosuch`, which is no host, alias, group or os name of systems.cfg"
        );
        let alone = Reach::decide(&request, &site("host_piktdir nosuch=/x\n"), None, None);
        assert!(alone.is_ok(), "names need no resolving for this host alone");
    }
}
