//! How an alert run's mail leaves the host (docs/alerts.md, "Mail").
//!
//! The route is chosen once per run: the `+M` command, else the alert's
//! `mailcmd` (from `=altdir/ALERT.cfg`), else SMTP to PIKT.conf's
//! `smtp_relay`, else none. The run's message is written to the spool
//! under `=vardir/spool/mail/ALERT` before its one attempt and removed
//! when the route accepted it; the start of every run retries the spool
//! once. With no route at all the message waits in the spool and the run
//! logs an error.

use std::io;
use std::time::Duration;

use pikt_alert::{
    deliver_spooled, deliver_unspooled, retry_spool, AlertMessage, CommandTransport, DeliveryError,
    DeliveryReport, InterruptedRun, SmtpRelay, SmtpTransport, Spool, Transport,
};
use pikt_config::pikt_conf::PiktConf;

use crate::interrupt::{self, Phase};

/// How long a mail command may run before it counts as failed.
const MAIL_COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// How long the SMTP relay may take to connect or answer, unless PIKT.conf
/// says `smtp_timeout`.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where an alert's mail goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Piped to this shell command (`+M`, or the alert's `mailcmd`).
    Command(String),
    /// Sent over SMTP to PIKT.conf's relay.
    Relay(SmtpRelay),
    /// Nowhere: messages wait in the spool.
    Nowhere,
}

impl Route {
    /// The route for a run: `+M`, else the alert's `mailcmd`, else the relay.
    pub fn choose(flag: Option<&str>, mailcmd: Option<&str>, conf: &PiktConf) -> Route {
        if let Some(command) = flag.or(mailcmd) {
            return Route::Command(command.to_string());
        }
        match conf.smtp_relay() {
            Some((host, port)) => Route::Relay(SmtpRelay { host, port }),
            None => Route::Nowhere,
        }
    }

    /// The route in words, for the log and test mode.
    pub fn describe(&self) -> String {
        match self {
            Route::Command(command) => format!("mail command `{command}`"),
            Route::Relay(relay) => format!("smtp relay {}:{}", relay.host, relay.port),
            Route::Nowhere => "nowhere (no `+M`, no `mailcmd`, no `smtp_relay`)".to_string(),
        }
    }
}

/// A transport for a run with no route: every send fails, so messages stay
/// in the spool and every run logs them.
struct Nowhere;

impl Transport for Nowhere {
    fn send(&self, _message: &AlertMessage) -> Result<(), DeliveryError> {
        Err(DeliveryError::new(
            "no way to send mail: run with `+M`, give the alert a `mailcmd`, \
             or set `smtp_relay` and `mail_to` in PIKT.conf",
        ))
    }

    fn describe(&self) -> String {
        Route::Nowhere.describe()
    }
}

/// Sends every message with this run's envelope: a message spooled while
/// `mail_to` was missing or wrong goes to the recipients PIKT.conf names
/// now. Its Message-ID and date stay those it was made with.
struct CurrentEnvelope {
    inner: Box<dyn Transport>,
    from: String,
    to: Vec<String>,
}

impl Transport for CurrentEnvelope {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        let mut message = message.clone();
        message.from.clone_from(&self.from);
        message.to.clone_from(&self.to);
        self.inner.send(&message)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// One alert's mail: the transport, the spool and the envelope.
pub struct Delivery {
    transport: CurrentEnvelope,
    spool: Spool,
    from: String,
    to: Vec<String>,
    subject: String,
    host: String,
}

impl Delivery {
    /// Mail of `alert` on `host` along `route`, spooled in `spool`.
    pub fn new(route: &Route, spool: Spool, alert: &str, host: &str, conf: &PiktConf) -> Delivery {
        let inner: Box<dyn Transport> = match route {
            Route::Command(command) => {
                Box::new(CommandTransport::new(command.clone(), MAIL_COMMAND_LIMIT))
            }
            Route::Relay(relay) => Box::new(SmtpTransport::new(
                relay.clone(),
                host.to_string(),
                conf.smtp_timeout()
                    .map_or(SMTP_TIMEOUT, Duration::from_secs),
            )),
            Route::Nowhere => Box::new(Nowhere),
        };
        let from = conf
            .mail_from()
            .map_or_else(|| format!("pikt@{host}"), str::to_string);
        let to = conf.mail_to();
        Delivery {
            transport: CurrentEnvelope {
                inner,
                from: from.clone(),
                to: to.clone(),
            },
            spool,
            from,
            to,
            subject: subject(host, alert),
            host: host.to_string(),
        }
    }

    /// Marks this run as in progress (`started` says when and how), after
    /// collecting the earlier runs that were killed without a word.
    pub fn begin_run(&self, started: &str) -> io::Result<Vec<InterruptedRun>> {
        let _lock = self.lock_spool().ok();
        let killed = self.spool.interrupted_runs()?;
        self.spool.begin_run(started)?;
        Ok(killed)
    }

    /// Forgets an earlier killed run once it is reported.
    pub fn forget_run(&self, run: &InterruptedRun) -> io::Result<()> {
        self.spool.forget_run(run)
    }

    /// Removes this run's marker: it ended in a way it could report.
    pub fn end_run(&self) -> io::Result<()> {
        self.spool.end_run()
    }

    /// Sends what the spool holds, one attempt each (start of a run).
    pub fn retry(&self) -> DeliveryReport {
        self.locked(|| retry_spool(&self.transport, &self.spool))
    }

    /// The run's mail: spooled, then one attempt; it stays spooled unless
    /// the route accepts it.
    pub fn send(&self, body: &str) -> DeliveryReport {
        let message = AlertMessage::new(
            self.from.clone(),
            self.to.clone(),
            self.subject.clone(),
            body,
            &self.host,
        );
        self.locked(|| {
            let spooled = interrupt::critical(|| {
                let spooled = self.spool.add(&message);
                if let Ok(item) = &spooled {
                    interrupt::set_phase(Phase::Delivering(item.path.clone()));
                }
                spooled
            });
            match spooled {
                Ok(item) => deliver_spooled(&self.transport, &self.spool, &item),
                Err(why) => deliver_unspooled(&self.transport, &message, &why),
            }
        })
    }

    /// Holds `.lock` in the spool directory, so that two runs of the alert
    /// at once (a slow run overlapping the next) do not both send the same
    /// spooled message. Without a lock (a link planted at `.lock`, say)
    /// delivery goes ahead and the report says why: a message sent twice
    /// beats one not sent.
    fn lock_spool(&self) -> Result<std::fs::File, String> {
        let file = self
            .spool
            .open()
            .and_then(|dir| Ok(dir.open_lock(".lock", 0o600)?))
            .map_err(|e| {
                format!("cannot lock the mail spool ({e}); delivering without the lock")
            })?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive).map_err(|e| {
            format!("cannot lock the mail spool ({e}); delivering without the lock")
        })?;
        Ok(file)
    }

    /// Runs `deliver` under the spool lock, adding a lock failure to its report.
    fn locked(&self, deliver: impl FnOnce() -> DeliveryReport) -> DeliveryReport {
        let lock = self.lock_spool();
        let mut report = deliver();
        if let Err(why) = &lock {
            report.errors.insert(0, why.clone());
        }
        report
    }

    /// The spool directory.
    pub fn spool_dir(&self) -> &std::path::Path {
        self.spool.dir()
    }
}

/// `PIKT Alert on HOST: ALERT`, the subject PIKT's sample `mailcmd`s use.
pub fn subject(host: &str, alert: &str) -> String {
    format!("PIKT Alert on {host}: {alert}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::SourceMap;

    fn conf(text: &str) -> PiktConf {
        let mut map = SourceMap::new();
        let id = map.add("PIKT.conf", text);
        let (conf, diags) = PiktConf::parse(&map, id);
        assert!(diags.is_empty(), "{diags:?}");
        conf
    }

    #[test]
    fn the_flag_wins_then_the_alert_then_the_relay() {
        let relay = conf("smtp_relay 127.0.0.1:2525\n");
        assert_eq!(
            Route::choose(Some("cat"), Some("mailx root"), &relay),
            Route::Command("cat".into())
        );
        assert_eq!(
            Route::choose(None, Some("mailx root"), &relay),
            Route::Command("mailx root".into())
        );
        assert_eq!(
            Route::choose(None, None, &relay),
            Route::Relay(SmtpRelay {
                host: "127.0.0.1".into(),
                port: 2525
            })
        );
        assert_eq!(
            Route::choose(None, None, &PiktConf::default()),
            Route::Nowhere
        );
    }

    #[test]
    fn with_no_route_the_message_is_spooled_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        let delivery = Delivery::new(
            &Route::Nowhere,
            spool.clone(),
            "Urgent",
            "moscow",
            &conf("mail_to root@example.org\n"),
        );
        let report = delivery.send("PIKT ALERT\n");
        assert!(!report.delivered);
        assert_eq!(report.still_spooled, 1);
        assert!(
            report.errors[0].contains("no way to send mail"),
            "{report:?}"
        );
        let (messages, _) = spool.list().unwrap();
        assert_eq!(messages[0].message.subject, "PIKT Alert on moscow: Urgent");
        assert_eq!(messages[0].message.from, "pikt@moscow");
        assert_eq!(messages[0].message.to, ["root@example.org"]);
        assert_eq!(delivery.retry().still_spooled, 1);
    }

    #[test]
    fn one_run_at_a_time_delivers_the_spool() {
        let dir = tempfile::tempdir().unwrap();
        let delivery = Delivery::new(
            &Route::Nowhere,
            Spool::new(dir.path().join("spool")),
            "Urgent",
            "h",
            &PiktConf::default(),
        );
        let held = delivery.lock_spool().expect("the lock");
        let other = std::fs::File::open(dir.path().join("spool/.lock")).unwrap();
        let try_lock =
            rustix::fs::flock(&other, rustix::fs::FlockOperation::NonBlockingLockExclusive);
        assert_eq!(try_lock, Err(rustix::io::Errno::WOULDBLOCK));
        drop(held);
        // A child that another test thread forks copies our descriptors
        // until it execs (they are close-on-exec), holding the lock for that
        // moment: wait for the lock to come free instead of failing on it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let freed = loop {
            let attempt =
                rustix::fs::flock(&other, rustix::fs::FlockOperation::NonBlockingLockExclusive);
            if attempt.is_ok() || std::time::Instant::now() >= deadline {
                break attempt;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        assert_eq!(freed, Ok(()));
    }

    #[test]
    fn a_run_tries_the_spool_once_and_its_own_message_once() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        let tries = dir.path().join("tries.txt");
        // The command records each attempt and fails.
        let failing = Route::Command(format!("cat >> '{}'; exit 1", tries.display()));
        let delivery = Delivery::new(&failing, spool.clone(), "Urgent", "h", &PiktConf::default());
        assert_eq!(delivery.send("old\n").still_spooled, 1);
        assert_eq!(delivery.retry().still_spooled, 1);
        let report = delivery.send("new\n");
        assert_eq!(report.still_spooled, 1, "{report:?}");
        assert_eq!(
            std::fs::read_to_string(&tries).unwrap(),
            "old\nold\nnew\n",
            "sending the new message does not retry the spool again"
        );
        let ids: std::collections::BTreeSet<String> = spool
            .list()
            .unwrap()
            .0
            .into_iter()
            .map(|i| i.message.message_id)
            .collect();
        assert_eq!(ids.len(), 2, "each message has its own id");
    }

    #[test]
    fn a_spooled_message_goes_out_through_the_command_next_time() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("spool"));
        let out = dir.path().join("mail.txt");
        let down = Delivery::new(
            &Route::Command("exit 1".into()),
            spool.clone(),
            "Urgent",
            "h",
            &PiktConf::default(),
        );
        assert_eq!(down.send("first\n").still_spooled, 1);
        let up = Delivery::new(
            &Route::Command(format!("cat >> '{}'", out.display())),
            spool,
            "Urgent",
            "h",
            &PiktConf::default(),
        );
        let report = up.retry();
        assert_eq!((report.retried_ok, report.still_spooled), (1, 0));
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "first\n");
    }
}
