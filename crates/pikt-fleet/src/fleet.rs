//! Running one plan per host: each host's bundle goes through the
//! transport that reaches it, and each host ends with a [`HostResult`]
//! (a value; nothing is printed here).
//!
//! [`Fleet::route`] is the one place that decides how a host is reached:
//! this host through the local transport, any other through the remote
//! transport when there is one; without one, other hosts are skipped.

use crate::frame::{self, BUNDLE_MAGIC, REPORT_MAGIC};
use crate::plan::HostPlan;
use crate::report::Report;
use crate::request::Pause;
use crate::transport::{HostError, HostErrorKind, Transport};

/// One host's work: its plan, and what the master keeps to compare the
/// answer with.
#[derive(Clone, Debug)]
pub struct HostJob {
    /// The host.
    pub host: String,
    /// What it is asked to do.
    pub plan: HostPlan,
    /// The files the master rendered for it (`-f`, `-m`: what the
    /// installed files are compared with).
    pub master_files: Vec<MasterFile>,
    /// Its alerts' piktd.conf lines as the master renders them (`-f`).
    pub master_lines: Vec<(String, Vec<String>)>,
}

/// A file as the master renders it for a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MasterFile {
    /// Where it goes.
    pub path: String,
    /// What it is.
    pub what: String,
    /// Permission bits.
    pub mode: u32,
    /// Its content.
    pub content: Vec<u8>,
}

/// How one host ended.
#[derive(Clone, Debug)]
pub enum HostOutcome {
    /// It answered (its report may still say it failed).
    Answered(Box<Report>),
    /// It was not contacted: why.
    Skipped(String),
    /// It could not be reached, or its answer could not be read.
    Failed(HostError),
}

/// One host's result.
#[derive(Clone, Debug)]
pub struct HostResult {
    /// The host.
    pub host: String,
    /// How it ended.
    pub outcome: HostOutcome,
    /// With `-G`: what was sent and received, in words.
    pub debug: Vec<String>,
}

impl HostResult {
    /// True when the host did not do all it was asked (skipped hosts are
    /// not failures).
    pub fn failed(&self) -> bool {
        match &self.outcome {
            HostOutcome::Answered(report) => report.failed(),
            HostOutcome::Skipped(_) => false,
            HostOutcome::Failed(_) => true,
        }
    }
}

/// What a run tells whoever drives it (the binary: live lines, pauses).
pub trait Observer {
    /// Between two hosts, with `-p`/`-p#`: wait as asked.
    fn pause(&mut self, _pause: Pause, _next_host: &str) {}

    /// A host is about to be contacted.
    fn host_started(&mut self, _host: &str) {}

    /// A host is done.
    fn host_finished(&mut self, _result: &HostResult) {}
}

/// An observer that does nothing (tests; runs without pauses).
pub struct Quiet;

impl Observer for Quiet {}

/// How hosts are reached.
pub struct Fleet<'t> {
    /// This host's name.
    pub local_host: String,
    /// This host, in-process.
    pub local: &'t dyn Transport,
    /// Every other host, when a remote transport is configured.
    pub remote: Option<&'t dyn Transport>,
}

/// Where a host's bundle goes.
pub enum Route<'t> {
    /// Through this transport.
    Via(&'t dyn Transport),
    /// Nowhere: why.
    Skip(String),
}

impl<'t> Fleet<'t> {
    /// How `host` is reached: the one place that decides.
    pub fn route(&self, host: &str) -> Route<'t> {
        if host == self.local_host {
            return Route::Via(self.local);
        }
        match self.remote {
            Some(remote) => Route::Via(remote),
            None => Route::Skip(format!(
                "remote hosts are not reached yet (only the local host `{}` is)",
                self.local_host
            )),
        }
    }

    /// Runs every job in order, pausing between contacted hosts as asked.
    pub fn run(
        &self,
        jobs: Vec<HostJob>,
        pause: Option<Pause>,
        debug: bool,
        observer: &mut dyn Observer,
    ) -> Vec<(HostJob, HostResult)> {
        let mut results = Vec::with_capacity(jobs.len());
        let mut contacted = false;
        for job in jobs {
            let result = match self.route(&job.host) {
                Route::Skip(why) => HostResult {
                    host: job.host.clone(),
                    outcome: HostOutcome::Skipped(why),
                    debug: Vec::new(),
                },
                Route::Via(transport) => {
                    if let (true, Some(pause)) = (contacted, pause) {
                        observer.pause(pause, &job.host);
                    }
                    contacted = true;
                    observer.host_started(&job.host);
                    exchange(transport, &job, debug)
                }
            };
            observer.host_finished(&result);
            results.push((job, result));
        }
        results
    }
}

/// Sends `job`'s bundle through `transport` and reads the report.
fn exchange(transport: &dyn Transport, job: &HostJob, debug: bool) -> HostResult {
    let mut result = HostResult {
        host: job.host.clone(),
        outcome: HostOutcome::Skipped(String::new()),
        debug: Vec::new(),
    };
    if debug {
        result.debug.push(format!(
            "to {}: {}",
            job.host,
            serde_json::to_string(&job.plan).unwrap_or_default()
        ));
    }
    let bundle = frame::encode(BUNDLE_MAGIC, job.plan.clone());
    let answer = transport.connect(&job.host).and_then(|mut session| {
        let reply = session.exchange(&bundle);
        let closed = session.close();
        let reply = reply?;
        closed?;
        Ok(reply)
    });
    result.outcome = match answer {
        Ok(bytes) => match frame::decode::<Report>(REPORT_MAGIC, &mut &bytes[..]) {
            Ok(report) => {
                if debug {
                    result.debug.push(format!(
                        "from {}: {}",
                        job.host,
                        serde_json::to_string(&report).unwrap_or_default()
                    ));
                }
                HostOutcome::Answered(Box::new(report))
            }
            Err(e) => HostOutcome::Failed(HostError::new(
                HostErrorKind::Protocol,
                format!("its answer is {e}"),
            )),
        },
        Err(e) => HostOutcome::Failed(e),
    };
    result
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use pikt_config::Site;

    use super::*;
    use crate::host::HostSide;
    use crate::transport::{Local, Session};

    fn side(root: &Path, host: &str) -> HostSide {
        HostSide {
            site: Site::with_defaults(root, Some(host.into())),
            chown: false,
            probe: |_| Ok(false),
        }
    }

    /// Remote hosts for tests: `b` answers from its own tree, `c` cannot be
    /// reached, `d` answers garbage.
    struct Remote {
        b: HostSide,
    }

    struct Answer(Result<Vec<u8>, HostError>, Option<HostSide>);

    impl Session for Answer {
        fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError> {
            match &self.1 {
                Some(side) => Ok(crate::host::serve(&mut &bundle[..], side)),
                None => self.0.clone(),
            }
        }
    }

    impl Transport for Remote {
        fn connect(&self, host: &str) -> Result<Box<dyn Session>, HostError> {
            match host {
                "b" => Ok(Box::new(Answer(Ok(Vec::new()), Some(self.b.clone())))),
                "c" => Err(HostError::new(
                    HostErrorKind::Unreachable,
                    "ssh: connect to host c port 22: No route to host",
                )),
                _ => Ok(Box::new(Answer(Ok(b"Welcome!\n".to_vec()), None))),
            }
        }
    }

    #[derive(Default)]
    struct Recorder {
        events: Vec<String>,
    }

    impl Observer for Recorder {
        fn pause(&mut self, pause: Pause, next_host: &str) {
            self.events
                .push(format!("pause {pause:?} before {next_host}"));
        }

        fn host_started(&mut self, host: &str) {
            self.events.push(format!("start {host}"));
        }

        fn host_finished(&mut self, result: &HostResult) {
            self.events
                .push(format!("end {} failed={}", result.host, result.failed()));
        }
    }

    fn job(host: &str, root: &Path) -> HostJob {
        HostJob {
            host: host.into(),
            plan: HostPlan {
                host: host.into(),
                piktdir: root.display().to_string(),
                status: Some(crate::plan::StatusRequest::default()),
                ..HostPlan::default()
            },
            master_files: Vec::new(),
            master_lines: Vec::new(),
        }
    }

    #[test]
    fn each_host_ends_on_its_own_and_pauses_come_between_contacted_hosts() {
        let a = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let b = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let local = Local::new(side(a.path(), "a"));
        let remote = Remote {
            b: side(b.path(), "b"),
        };
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: Some(&remote),
        };
        let jobs = vec![
            job("a", a.path()),
            job("b", b.path()),
            job("c", a.path()),
            job("d", a.path()),
        ];
        let mut recorder = Recorder::default();
        let results = fleet.run(jobs, Some(Pause::Seconds(0)), false, &mut recorder);
        let outcomes: Vec<String> = results
            .iter()
            .map(|(_, r)| match &r.outcome {
                HostOutcome::Answered(report) => format!("{} answered as {}", r.host, report.host),
                HostOutcome::Skipped(why) => format!("{} skipped: {why}", r.host),
                HostOutcome::Failed(e) => format!("{} failed: {:?}: {e}", r.host, e.kind),
            })
            .collect();
        assert_eq!(
            outcomes,
            [
                "a answered as a",
                "b answered as b",
                "c failed: Unreachable: ssh: connect to host c port 22: No route to host",
                "d failed: Protocol: its answer is not in pikt's format: unexpected header `Welcome!`",
            ]
        );
        assert_eq!(
            recorder.events,
            [
                "start a",
                "end a failed=false",
                "pause Seconds(0) before b",
                "start b",
                "end b failed=false",
                "pause Seconds(0) before c",
                "start c",
                "end c failed=true",
                "pause Seconds(0) before d",
                "start d",
                "end d failed=true",
            ]
        );
    }

    #[test]
    fn without_a_remote_transport_other_hosts_are_skipped_without_pausing() {
        let a = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let local = Local::new(side(a.path(), "a"));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: None,
        };
        let mut recorder = Recorder::default();
        let results = fleet.run(
            vec![job("b", a.path()), job("a", a.path()), job("c", a.path())],
            Some(Pause::Enter),
            true,
            &mut recorder,
        );
        assert!(matches!(results[0].1.outcome, HostOutcome::Skipped(_)));
        assert!(matches!(results[1].1.outcome, HostOutcome::Answered(_)));
        assert!(matches!(results[2].1.outcome, HostOutcome::Skipped(_)));
        assert!(!results.iter().any(|(_, r)| r.failed()));
        assert!(recorder.events.iter().all(|e| !e.starts_with("pause")));
        let debug = &results[1].1.debug;
        assert!(debug[0].starts_with("to a: {\"host\":\"a\""), "{debug:?}");
        assert!(debug[1].starts_with("from a: {\"host\":\"a\""), "{debug:?}");
    }
}
