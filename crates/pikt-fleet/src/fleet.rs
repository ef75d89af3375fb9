//! Running one plan per host: each host's bundle goes through the
//! transport that reaches it, and each host ends with a [`HostResult`]
//! (a value; nothing is printed here).
//!
//! [`Fleet::route`] is the one place that decides how a host is reached:
//! this host through the local transport, any other through the remote
//! transport when there is one; without one, other hosts are skipped.
//!
//! [`Fleet::run`] works on up to [`RunOptions::jobs`] hosts at once, each
//! on a thread of its own; the [`Observer`] hears of every start and end
//! on the calling thread. With a pause (`-p`) hosts go one after another.
//! An [`Interrupt`] stops the run: at [`Level::Stop`] no host is started
//! any more and the ones in flight finish; at [`Level::Cut`] the
//! transport cuts them too. Hosts never started are reported as such.

use std::fmt;
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use crate::frame::{self, BUNDLE_MAGIC, REPORT_MAGIC};
use crate::interrupt::{Interrupt, Level};
use crate::plan::HostPlan;
use crate::report::Report;
use crate::request::Pause;
use crate::transport::{HostError, HostErrorKind, Machine, Session, Transport};

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
    /// `--bootstrap`: the master's piktc, put on the host before the
    /// bundle (which then brings the other binaries).
    pub bootstrap: Option<Binary>,
}

impl HostJob {
    /// A job for `host` to do `plan`, with nothing to compare and no
    /// questions first.
    pub fn new(host: &str, plan: HostPlan) -> HostJob {
        HostJob {
            host: host.to_string(),
            plan,
            master_files: Vec::new(),
            master_lines: Vec::new(),
            bootstrap: None,
        }
    }
}

/// Makes a host's job again for the installation layout the host said it
/// has, when the plan was made for another (its PIKT.conf may move
/// directories the master cannot see).
pub trait Replan {
    /// The job of `host` for its `layout` (`(dir, path)` pairs: `piktdir`,
    /// `bindir`, ...); `Ok(None)` when the job already made fits.
    fn replan(
        &mut self,
        host: &str,
        layout: &[(String, String)],
    ) -> Result<Option<HostJob>, HostError>;
}

/// A [`Replan`] that keeps every job as made.
pub struct KeepPlans;

impl Replan for KeepPlans {
    fn replan(
        &mut self,
        _host: &str,
        _layout: &[(String, String)],
    ) -> Result<Option<HostJob>, HostError> {
        Ok(None)
    }
}

/// What a host's thread tells the run.
enum Message {
    /// The host said its directories are not those of the plan: the job
    /// made again for them.
    Described(
        usize,
        Vec<(String, String)>,
        mpsc::Sender<Result<Option<HostJob>, HostError>>,
    ),
    /// The host is done (with the job made again for it, if it was).
    Finished(usize, Box<(HostResult, Option<HostJob>)>),
}

/// A program's bytes, shared between hosts.
#[derive(Clone)]
pub struct Binary(pub Arc<[u8]>);

impl fmt::Debug for Binary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Binary({} bytes)", self.0.len())
    }
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
    /// How long it took, connection included.
    pub elapsed: Duration,
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

/// What a run tells whoever drives it (the binary: progress, pauses).
/// Every call comes on the thread that called [`Fleet::run`].
pub trait Observer {
    /// The run starts; `hosts` of its hosts will be contacted.
    fn run_started(&mut self, _hosts: usize) {}

    /// Between two hosts, with `-p`/`-p#`: wait as asked.
    fn pause(&mut self, _pause: Pause, _next_host: &str) {}

    /// A host is about to be contacted.
    fn host_started(&mut self, _host: &str) {}

    /// A host is done.
    fn host_finished(&mut self, _result: &HostResult) {}

    /// The run was interrupted to `level`; `in_flight` are the hosts being
    /// worked on.
    fn interrupted(&mut self, _level: Level, _in_flight: &[String]) {}

    /// Every host is done.
    fn run_finished(&mut self) {}
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

/// How a run goes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Hosts worked on at once (at least 1; 1 when pausing).
    pub jobs: usize,
    /// `-p`, `-p#`: one host after another, pausing in between.
    pub pause: Option<Pause>,
    /// `-G`: keep what is sent and received.
    pub debug: bool,
    /// Ctrl-C.
    pub interrupt: Interrupt,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            jobs: 1,
            pause: None,
            debug: false,
            interrupt: Interrupt::new(),
        }
    }
}

/// How often the run looks at the interrupt while hosts are in flight.
const WATCH: Duration = Duration::from_millis(100);

impl<'t> Fleet<'t> {
    /// How `host` is reached: the one place that decides.
    pub fn route(&self, host: &str) -> Route<'t> {
        if host == self.local_host {
            return Route::Via(self.local);
        }
        match self.remote {
            Some(remote) => Route::Via(remote),
            None => Route::Skip(format!(
                "remote hosts are not reached without a remote transport (only the local host `{}` is)",
                self.local_host
            )),
        }
    }

    /// Runs every job, up to `options.jobs` at once, and returns each job
    /// with its result, in the jobs' order.
    pub fn run(
        &self,
        jobs: Vec<HostJob>,
        options: &RunOptions,
        observer: &mut dyn Observer,
        replan: &mut dyn Replan,
    ) -> Vec<(HostJob, HostResult)> {
        let _armed = options.interrupt.arm();
        let routes: Vec<Route<'t>> = jobs.iter().map(|j| self.route(&j.host)).collect();
        let contacted = routes.iter().filter(|r| matches!(r, Route::Via(_))).count();
        observer.run_started(contacted);
        let parallel = match options.pause {
            Some(_) => 1,
            None => options.jobs.max(1),
        };
        let mut results: Vec<Option<HostResult>> = vec![None; jobs.len()];
        let mut replaced: Vec<Option<HostJob>> = vec![None; jobs.len()];
        thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<Message>();
            let mut in_flight: Vec<(usize, String)> = Vec::new();
            let mut next = 0;
            let mut started_any = false;
            let mut seen = Level::Run;
            loop {
                while in_flight.len() < parallel && next < jobs.len() {
                    let (job, i) = (&jobs[next], next);
                    let transport = match &routes[i] {
                        Route::Skip(why) => {
                            let result = skipped(&job.host, why);
                            observer.host_finished(&result);
                            results[i] = Some(result);
                            next += 1;
                            continue;
                        }
                        Route::Via(transport) => *transport,
                    };
                    if options.interrupt.level() != Level::Run {
                        break;
                    }
                    if let (true, Some(pause)) = (started_any, options.pause) {
                        observer.pause(pause, &job.host);
                        if options.interrupt.level() != Level::Run {
                            break;
                        }
                    }
                    started_any = true;
                    observer.host_started(&job.host);
                    in_flight.push((i, job.host.clone()));
                    let tx = tx.clone();
                    let debug = options.debug;
                    scope.spawn(move || {
                        let done = work(transport, job, debug, i, &tx);
                        let _ = tx.send(Message::Finished(i, Box::new(done)));
                    });
                    next += 1;
                }
                let stopped = options.interrupt.level() != Level::Run;
                if in_flight.is_empty() && (next >= jobs.len() || stopped) {
                    break;
                }
                match rx.recv_timeout(WATCH) {
                    Ok(Message::Finished(i, done)) => {
                        let (result, new_job) = *done;
                        in_flight.retain(|(j, _)| *j != i);
                        observer.host_finished(&result);
                        results[i] = Some(result);
                        replaced[i] = new_job;
                    }
                    Ok(Message::Described(i, layout, reply)) => {
                        let _ = reply.send(replan.replan(&jobs[i].host, &layout));
                    }
                    Err(_) => {}
                }
                let level = options.interrupt.level();
                if level > seen {
                    seen = level;
                    let names: Vec<String> = in_flight.iter().map(|(_, h)| h.clone()).collect();
                    observer.interrupted(level, &names);
                }
            }
        });
        observer.run_finished();
        jobs.into_iter()
            .zip(results)
            .zip(replaced)
            .map(|((job, result), new_job)| {
                let result = result.unwrap_or_else(|| not_started(&job.host));
                (new_job.unwrap_or(job), result)
            })
            .collect()
    }
}

fn skipped(host: &str, why: &str) -> HostResult {
    HostResult {
        host: host.to_string(),
        outcome: HostOutcome::Skipped(why.to_string()),
        debug: Vec::new(),
        elapsed: Duration::ZERO,
    }
}

fn not_started(host: &str) -> HostResult {
    HostResult {
        host: host.to_string(),
        outcome: HostOutcome::Failed(HostError::new(
            HostErrorKind::Interrupted,
            format!("not contacted: the run was interrupted before `{host}`'s turn; nothing changed there"),
        )),
        debug: Vec::new(),
        elapsed: Duration::ZERO,
    }
}

/// One host's whole turn: connect, bring piktc over when bootstrapping,
/// send the bundle, read the report, close. A host whose directories are
/// not those the plan was made for changes nothing and says where they
/// are: the job is made again for them ([`Replan`]) and sent once more.
/// Returns the result and the job made again, if it was.
fn work(
    transport: &dyn Transport,
    job: &HostJob,
    debug: bool,
    index: usize,
    run: &mpsc::Sender<Message>,
) -> (HostResult, Option<HostJob>) {
    let started = Instant::now();
    let mut result = skipped(&job.host, "");
    let mut new_job = None;
    let answer = transport
        .connect(&job.host, &job.plan.piktdir)
        .and_then(|mut session| {
            let reply = bring_in(session.as_mut(), job)
                .and_then(|()| send(session.as_mut(), job, debug, &mut result))
                .and_then(|report| {
                    if report.layout.is_empty() {
                        return Ok(report);
                    }
                    let again = replan(job, index, &report.layout, run)?;
                    let report = send(session.as_mut(), &again, debug, &mut result)?;
                    new_job = Some(again);
                    Ok(report)
                });
            let closed = session.close();
            let reply = reply?;
            closed?;
            Ok(reply)
        });
    result.outcome = match answer {
        Ok(report) => HostOutcome::Answered(report),
        Err(e) => HostOutcome::Failed(e),
    };
    result.elapsed = started.elapsed();
    (result, new_job)
}

/// Has the run make `job` again for the host's own `layout`.
fn replan(
    job: &HostJob,
    index: usize,
    layout: &[(String, String)],
    run: &mpsc::Sender<Message>,
) -> Result<HostJob, HostError> {
    let ended = || HostError::new(HostErrorKind::Interrupted, "the run ended");
    let (reply, answer) = mpsc::channel();
    run.send(Message::Described(index, layout.to_vec(), reply))
        .map_err(|_| ended())?;
    match answer.recv().map_err(|_| ended())? {
        Ok(Some(job)) => Ok(job),
        Ok(None) => Err(HostError::new(
            HostErrorKind::Protocol,
            format!(
                "`{}` says its directories are not those of the plan, and the master finds them the same",
                job.host
            ),
        )),
        Err(e) => Err(e),
    }
}

/// Sends `job`'s bundle and reads the report.
fn send(
    session: &mut dyn Session,
    job: &HostJob,
    debug: bool,
    result: &mut HostResult,
) -> Result<Box<Report>, HostError> {
    if debug {
        result.debug.push(format!(
            "to {}: {}",
            job.host,
            serde_json::to_string(&job.plan).unwrap_or_default()
        ));
    }
    let bytes = session.exchange(&frame::encode(BUNDLE_MAGIC, job.plan.clone()))?;
    let report = decode_report(&job.host, &bytes)?;
    if debug {
        result.debug.push(format!(
            "from {}: {}",
            job.host,
            serde_json::to_string(&report).unwrap_or_default()
        ));
    }
    Ok(report)
}

fn decode_report(host: &str, bytes: &[u8]) -> Result<Box<Report>, HostError> {
    frame::decode::<Report>(REPORT_MAGIC, &mut &bytes[..])
        .map(Box::new)
        .map_err(|e| {
            HostError::new(
                HostErrorKind::Protocol,
                format!("`{host}` answered, but its answer is {e}"),
            )
        })
}

/// `--bootstrap`: checks that the host is the master's kind of machine
/// (its binaries are the master's) and, unless it is a dry run, puts
/// piktc there.
fn bring_in(session: &mut dyn Session, job: &HostJob) -> Result<(), HostError> {
    let Some(piktc) = &job.bootstrap else {
        return Ok(());
    };
    let there = session.probe()?;
    let here = Machine::this();
    if there != here {
        return Err(HostError::new(
            HostErrorKind::Protocol,
            format!(
                "`{}` is a {there} machine and this master is {here}: the master's binaries cannot run there. Install pikt on it built for {}, then run `piktc -ie ALL +H {}` and `piktc -r +H {}`",
                job.host, there.arch, job.host, job.host
            ),
        ));
    }
    if job.plan.dry_run {
        return Ok(());
    }
    session.install_piktc(&piktc.0)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    use pikt_config::Site;

    use super::*;
    use crate::host::HostSide;
    use crate::transport::{Local, Session};

    fn side(root: &Path, host: &str) -> HostSide {
        HostSide {
            site: Site::with_defaults(root, Some(host.into())),
            chown: false,
            probe: |_| Ok(false),
            log: false,
        }
    }

    /// Remote hosts for tests: `b` answers from its own tree, `c` cannot be
    /// reached, `slow*` answer after a while, `arm` is another kind of
    /// machine, anything else answers garbage.
    struct Remote {
        b: HostSide,
        /// How many sessions were open at once, at most.
        open: Mutex<(usize, usize)>,
        /// What bootstrapping put where.
        installed: Mutex<Vec<String>>,
    }

    impl Remote {
        fn new(b: HostSide) -> Remote {
            Remote {
                b,
                open: Mutex::new((0, 0)),
                installed: Mutex::new(Vec::new()),
            }
        }
    }

    struct Answer<'r> {
        host: String,
        remote: &'r Remote,
        side: Option<HostSide>,
    }

    impl Session for Answer<'static> {
        fn exchange(&mut self, bundle: &[u8]) -> Result<Vec<u8>, HostError> {
            if self.host.starts_with("slow") {
                thread::sleep(Duration::from_millis(200));
            }
            match &self.side {
                Some(side) => Ok(crate::host::serve(&mut &bundle[..], side)),
                None => Ok(b"Welcome!\n".to_vec()),
            }
        }

        fn probe(&mut self) -> Result<Machine, HostError> {
            let mut machine = Machine::this();
            if self.host == "arm" {
                machine.arch = "aarch64".into();
            }
            Ok(machine)
        }

        fn install_piktc(&mut self, piktc: &[u8]) -> Result<(), HostError> {
            if let Ok(mut installed) = self.remote.installed.lock() {
                installed.push(format!("{}: {} bytes", self.host, piktc.len()));
            }
            Ok(())
        }
    }

    impl Drop for Answer<'_> {
        fn drop(&mut self) {
            if let Ok(mut open) = self.remote.open.lock() {
                open.0 -= 1;
            }
        }
    }

    /// The test transports live for the whole test binary.
    fn leak<T>(value: T) -> &'static T {
        Box::leak(Box::new(value))
    }

    impl Transport for &'static Remote {
        fn connect(&self, host: &str, _piktdir: &str) -> Result<Box<dyn Session>, HostError> {
            if host == "c" {
                return Err(HostError::new(
                    HostErrorKind::Unreachable,
                    "ssh: connect to host c port 22: No route to host",
                ));
            }
            if let Ok(mut open) = self.open.lock() {
                open.0 += 1;
                open.1 = open.1.max(open.0);
            }
            Ok(Box::new(Answer {
                host: host.to_string(),
                remote: self,
                side: (host == "b").then(|| self.b.clone()),
            }))
        }
    }

    #[derive(Default)]
    struct Recorder {
        events: Vec<String>,
    }

    impl Observer for Recorder {
        fn run_started(&mut self, hosts: usize) {
            self.events.push(format!("run of {hosts}"));
        }

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
            bootstrap: None,
        }
    }

    fn describe(results: &[(HostJob, HostResult)]) -> Vec<String> {
        results
            .iter()
            .map(|(_, r)| match &r.outcome {
                HostOutcome::Answered(report) => format!("{} answered as {}", r.host, report.host),
                HostOutcome::Skipped(why) => format!("{} skipped: {why}", r.host),
                HostOutcome::Failed(e) => format!("{} failed: {:?}: {e}", r.host, e.kind),
            })
            .collect()
    }

    fn tempdir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn each_host_ends_on_its_own_and_pauses_come_between_contacted_hosts() {
        let (a, b) = (tempdir(), tempdir());
        let local = Local::new(side(a.path(), "a"));
        let remote = leak(Remote::new(side(b.path(), "b")));
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
        let options = RunOptions {
            jobs: 8,
            pause: Some(Pause::Seconds(0)),
            ..RunOptions::default()
        };
        let results = fleet.run(jobs, &options, &mut recorder, &mut KeepPlans);
        assert_eq!(
            describe(&results),
            [
                "a answered as a",
                "b answered as b",
                "c failed: Unreachable: ssh: connect to host c port 22: No route to host",
                "d failed: Protocol: `d` answered, but its answer is not in pikt's format: unexpected header `Welcome!`",
            ]
        );
        assert_eq!(
            recorder.events,
            [
                "run of 4",
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
    fn hosts_run_in_parallel_up_to_the_limit_and_results_keep_job_order() {
        let a = tempdir();
        let local = Local::new(side(a.path(), "a"));
        let remote = leak(Remote::new(side(a.path(), "b")));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: Some(&remote),
        };
        let names: Vec<String> = (0..8).map(|i| format!("slow{i}")).collect();
        let jobs = names.iter().map(|h| job(h, a.path())).collect();
        let options = RunOptions {
            jobs: 4,
            ..RunOptions::default()
        };
        let results = fleet.run(jobs, &options, &mut Quiet, &mut KeepPlans);
        let order: Vec<&str> = results.iter().map(|(_, r)| r.host.as_str()).collect();
        assert_eq!(order, names);
        // Eight hosts of 200 ms each: four sessions were open at once, never
        // more (a count, not a stopwatch: timed assertions flake under load).
        assert_eq!(remote.open.lock().map(|o| o.1).unwrap_or(0), 4);
        assert!(results
            .iter()
            .all(|(_, r)| r.elapsed >= Duration::from_millis(200)));
    }

    #[test]
    fn an_interrupted_run_starts_no_more_hosts_and_says_so() {
        let a = tempdir();
        let local = Local::new(side(a.path(), "a"));
        let remote = leak(Remote::new(side(a.path(), "b")));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: Some(&remote),
        };
        let options = RunOptions {
            jobs: 2,
            ..RunOptions::default()
        };
        options.interrupt.press();
        let results = fleet.run(
            vec![job("slow1", a.path()), job("slow2", a.path())],
            &options,
            &mut Quiet,
            &mut KeepPlans,
        );
        assert_eq!(
            describe(&results),
            [
                "slow1 failed: Interrupted: not contacted: the run was interrupted before `slow1`'s turn; nothing changed there",
                "slow2 failed: Interrupted: not contacted: the run was interrupted before `slow2`'s turn; nothing changed there",
            ]
        );
        assert!(!options.interrupt.is_armed(), "disarmed after the run");
    }

    #[test]
    fn bootstrap_puts_piktc_on_hosts_of_the_masters_kind_only() {
        let (a, b) = (tempdir(), tempdir());
        let local = Local::new(side(a.path(), "a"));
        let remote = leak(Remote::new(side(b.path(), "b")));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: Some(&remote),
        };
        let piktc = Binary(Arc::from(&b"\x7fELF piktc"[..]));
        let mut jobs = vec![job("b", b.path()), job("arm", b.path())];
        for job in &mut jobs {
            job.bootstrap = Some(piktc.clone());
        }
        let results = fleet.run(jobs, &RunOptions::default(), &mut Quiet, &mut KeepPlans);
        let described = describe(&results);
        assert_eq!(described[0], "b answered as b");
        let here = Machine::this();
        assert_eq!(
            described[1],
            format!(
                "arm failed: Protocol: `arm` is a {} aarch64 machine and this master is {here}: the master's binaries cannot run there. Install pikt on it built for aarch64, then run `piktc -ie ALL +H arm` and `piktc -r +H arm`",
                here.system
            )
        );
        assert_eq!(
            remote
                .installed
                .lock()
                .map(|i| i.clone())
                .unwrap_or_default(),
            ["b: 10 bytes"]
        );
    }

    /// Remembers what hosts described and answers with a job that only
    /// asks for piktd's status.
    #[derive(Default)]
    struct Recorded(Vec<(String, Vec<(String, String)>)>);

    impl Replan for Recorded {
        fn replan(
            &mut self,
            host: &str,
            layout: &[(String, String)],
        ) -> Result<Option<HostJob>, HostError> {
            self.0.push((host.to_string(), layout.to_vec()));
            let root = layout
                .iter()
                .find(|(n, _)| n == "piktdir")
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let mut new = job(host, Path::new(&root));
            new.master_lines = vec![("made again".into(), Vec::new())];
            Ok(Some(new))
        }
    }

    #[test]
    fn a_plan_made_for_other_directories_is_made_again_and_sent_once_more() {
        let (a, b) = (tempdir(), tempdir());
        let local = Local::new(side(a.path(), "a"));
        let mut map = pikt_source::SourceMap::new();
        let (moved, _) = Site::read(b.path(), Some("b".into()), &[], &mut map, &|_| {
            Ok("logdir /var/log/elsewhere\n".to_string())
        });
        let remote = leak(Remote::new(HostSide {
            site: moved,
            chown: false,
            probe: |_| Ok(false),
            log: false,
        }));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: Some(&remote),
        };
        let mut asks = job("b", b.path());
        asks.plan.expect_layout = crate::host::layout_words(&pikt_config::Layout::new(b.path()));
        let mut replan = Recorded::default();
        let results = fleet.run(vec![asks], &RunOptions::default(), &mut Quiet, &mut replan);
        assert_eq!(describe(&results), ["b answered as b"]);
        let (host, layout) = &replan.0[0];
        assert_eq!(host, "b");
        assert!(
            layout.contains(&("logdir".to_string(), "/var/log/elsewhere".to_string())),
            "{layout:?}"
        );
        assert_eq!(
            results[0].0.master_lines[0].0, "made again",
            "the job returned is the one sent"
        );
    }

    #[test]
    fn without_a_remote_transport_other_hosts_are_skipped_without_pausing() {
        let a = tempdir();
        let local = Local::new(side(a.path(), "a"));
        let fleet = Fleet {
            local_host: "a".into(),
            local: &local,
            remote: None,
        };
        let mut recorder = Recorder::default();
        let options = RunOptions {
            pause: Some(Pause::Enter),
            debug: true,
            ..RunOptions::default()
        };
        let results = fleet.run(
            vec![job("b", a.path()), job("a", a.path()), job("c", a.path())],
            &options,
            &mut recorder,
            &mut KeepPlans,
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
