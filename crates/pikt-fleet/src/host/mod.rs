//! The host side: what `piktc --apply-bundle` does with a bundle from the
//! master, and what the local transport calls in-process.
//!
//! [`serve`] reads one bundle ([`crate::frame`]: complete, intact), and
//! [`apply`] carries it out in two steps:
//!
//! 1. [`prepare`] checks that the plan is meant for this host (its host
//!    name and installation root), works out what each file would become
//!    (new, updated, unchanged), merges piktd.conf, and stages every file
//!    to be written (backups, new files, restored files, piktd.conf) in a
//!    temporary file beside its target. Nothing is in place yet: a failure
//!    or an interruption up to here leaves the previous version of
//!    everything (at worst, temporaries the next run does not mind).
//! 2. [`Prepared::switch`] renames every staged file into place, then
//!    deletes what is to be deleted, reads back what was asked, runs the
//!    `+C` commands and acts on piktd, in that order.
//!
//! A re-run of the same bundle completes an interrupted one: files already
//! switched are reported as unchanged, the rest are installed. The switch
//! itself is journalled ([`pikt_config::install::StagedFiles::commit_recorded`]):
//! an apply killed between two renames is finished by the next apply,
//! before it compares anything.
//!
//! Every answer is a [`Report`], even a refusal; [`serve`] encodes it.

mod commands;
mod daemon;
mod files;
mod piktd;
mod reads;
pub mod status;

use std::io::Read;
use std::path::PathBuf;

use pikt_config::install::{remove_files, stage_files, StagedFiles};
use pikt_config::Site;

use crate::frame::{self, BUNDLE_MAGIC, REPORT_MAGIC};
use crate::plan::HostPlan;
use crate::report::{CommandEnd, CommandResult, Report};

pub use status::PiktdProbe;

/// This host, as the host side sees it.
#[derive(Clone, Debug)]
pub struct HostSide {
    /// The installation.
    pub site: Site,
    /// Set owners (only root can).
    pub chown: bool,
    /// Tells whether piktd holds its lock.
    pub probe: PiktdProbe,
    /// Log every bundle in `=logdir/piktc.log`.
    pub log: bool,
}

impl HostSide {
    /// This host's installation, with owners set when running as root and
    /// piktd's lock tested the way piktd takes it.
    pub fn new(site: Site) -> HostSide {
        HostSide {
            site,
            chown: pikt_config::install::running_as_root(),
            probe: pikt_sched::lock::is_held,
            log: true,
        }
    }

    fn name(&self) -> &str {
        self.site.host().unwrap_or("?")
    }
}

/// Reads a bundle from `input`, applies it, logs it, and returns the
/// encoded report.
pub fn serve(input: &mut dyn Read, side: &HostSide) -> Vec<u8> {
    let (from, mut report) = match frame::decode::<HostPlan>(BUNDLE_MAGIC, input) {
        Ok(plan) => {
            let from = HostPlan {
                master: plan.master.clone(),
                user: plan.user.clone(),
                ..HostPlan::default()
            };
            (Some(from), apply(plan, side))
        }
        Err(e) => (
            None,
            Report::refusal(side.name(), format!("refused the bundle: {e}")),
        ),
    };
    // A plan made for other directories is made again at once: not worth a
    // line of its own.
    if side.log && report.layout.is_empty() {
        let line = crate::log::bundle_line(side.name(), from.as_ref(), &report);
        if let Err(e) = crate::log::append(&side.site.layout.logdir, &[line]) {
            report.notes.push(format!(
                "cannot log the bundle in `{}`: {e}",
                side.site.layout.logdir.join(crate::log::LOG_NAME).display()
            ));
        }
    }
    frame::encode(REPORT_MAGIC, report)
}

/// Carries out `plan` on this host. A change that stops before its switch
/// is complete says so ([`Report::held_back`]): nothing it planned is
/// reported as installed.
pub fn apply(plan: HostPlan, side: &HostSide) -> Report {
    match prepare(plan, side) {
        Ok(prepared) => prepared.switch(),
        Err(report) => Report {
            held_back: !report.dry_run,
            ..*report
        },
    }
}

/// A plan checked and staged, waiting for its switch.
pub struct Prepared<'s> {
    side: &'s HostSide,
    plan: HostPlan,
    report: Report,
    staged: Option<StagedFiles>,
    /// What the staged files are, in staging order, for messages.
    staged_paths: Vec<PathBuf>,
}

/// Checks `plan`, works out every change and stages every file to write.
/// On a refusal or failure, the report says why and nothing has changed.
pub fn prepare(mut plan: HostPlan, side: &HostSide) -> Result<Prepared<'_>, Box<Report>> {
    let mut report = Report {
        host: side.name().to_string(),
        dry_run: plan.dry_run,
        version: env!("CARGO_PKG_VERSION").to_string(),
        ..Report::default()
    };
    if let Err(why) = check_addressee(&plan, side) {
        return Err(Box::new(Report::refusal(side.name(), why)));
    }
    if !plan.dry_run {
        finish_interrupted_switch(side, &mut report)?;
    }
    if !plan.expect_layout.is_empty() {
        let own = layout_words(&side.site.layout);
        if own != plan.expect_layout {
            report.layout = own;
            return Err(Box::new(report));
        }
    }
    if plan.layout {
        if let Err(e) = make_layout(side, plan.dry_run, &mut report) {
            report.errors.push(e);
            return Err(Box::new(report));
        }
    }
    let mut writes = files::plan_writes(&mut plan, side, &mut report);
    if let Some(edit) = &plan.piktd {
        match piktd::edit(edit, &side.site, plan.dry_run) {
            Ok((file, result)) => {
                writes.extend(file);
                report.piktd = Some(result);
            }
            Err(refusal) => {
                report.diagnostics = refusal.diagnostics;
                report.errors.push(refusal.message);
                return Err(Box::new(report));
            }
        }
    }
    if !report.errors.is_empty() {
        return Err(Box::new(report));
    }
    if !plan.dry_run {
        // Temporaries of a killed install go even where nothing changes now
        // (best effort: staging reports any real problem with a directory).
        let targets: Vec<PathBuf> = report
            .files
            .iter()
            .map(|f| PathBuf::from(&f.path))
            .collect();
        let _ = pikt_config::install::remove_stale_temps(&targets);
    }
    let staged_paths: Vec<PathBuf> = writes.iter().map(|w| w.path.clone()).collect();
    let staged = if plan.dry_run || writes.is_empty() {
        None
    } else {
        match stage_files(&writes, side.chown) {
            Ok(staged) => Some(staged),
            Err(e) => {
                report
                    .errors
                    .push(format!("{e}; nothing was changed on this host"));
                return Err(Box::new(report));
            }
        }
    };
    Ok(Prepared {
        side,
        plan,
        report,
        staged,
        staged_paths,
    })
}

/// A layout as `(name, path)` pairs, in [`pikt_config::Layout::dirs`]'s
/// order: how plans and reports carry one.
pub fn layout_words(layout: &pikt_config::Layout) -> Vec<(String, String)> {
    layout
        .dirs()
        .iter()
        .map(|(name, dir)| ((*name).to_string(), dir.display().to_string()))
        .collect()
}

/// `--bootstrap`: makes every directory of this installation that is
/// missing (mode 755), never through a symbolic link (`pikt-fs`). In a dry
/// run, only says which.
fn make_layout(side: &HostSide, dry_run: bool, report: &mut Report) -> Result<(), String> {
    for (name, dir) in side.site.layout.dirs() {
        if name == "cfgdir" {
            continue; // the config files live on the master
        }
        match pikt_fs::Dir::open(dir) {
            Ok(_) => continue,
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.to_string()),
        }
        if !dry_run {
            pikt_fs::Dir::create(dir, 0o755).map_err(|e| e.to_string())?;
        }
        report.dirs.push(dir.display().to_string());
    }
    Ok(())
}

/// Before anything is compared: a switch that a killed apply left half
/// done is finished ([`pikt_config::install::complete_interrupted_switch`]),
/// so this host is wholly on the version it was switching to and the plan
/// is compared against that.
fn finish_interrupted_switch(side: &HostSide, report: &mut Report) -> Result<(), Box<Report>> {
    match pikt_config::install::complete_interrupted_switch(&side.site.layout.lokdir) {
        Ok(done) if done.is_empty() => Ok(()),
        Ok(done) => {
            report.notes.push(format!(
                "finished the switch of an install that was interrupted: {}",
                paths_text(&done)
            ));
            Ok(())
        }
        Err(e) => {
            report.errors.push(format!(
                "cannot finish the switch of an interrupted install: {e}; nothing was changed on this host"
            ));
            Err(Box::new(std::mem::take(report)))
        }
    }
}

fn paths_text(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

/// Refuses a plan made for another host or another installation.
fn check_addressee(plan: &HostPlan, side: &HostSide) -> Result<(), String> {
    let me = side.site.host().map_err(|e| e.to_string())?;
    if plan.host != me {
        return Err(format!(
            "refused the bundle: it is for host `{}`, and this host is `{me}`",
            plan.host
        ));
    }
    let root = side.site.root().display().to_string();
    if plan.piktdir != root {
        return Err(format!(
            "refused the bundle: it was made for the installation at `{}`, and this host's is at `{root}`",
            plan.piktdir
        ));
    }
    Ok(())
}

impl Prepared<'_> {
    /// Puts every staged file in place, then deletes, reads back, runs the
    /// commands and acts on piktd.
    pub fn switch(mut self) -> Report {
        if let Some(staged) = self.staged.take() {
            if let Err(e) = staged.commit_recorded(&self.side.site.layout.lokdir) {
                let done: Vec<String> = e.done.iter().map(|p| p.display().to_string()).collect();
                let waiting: Vec<String> = self
                    .staged_paths
                    .iter()
                    .skip(done.len() + 1)
                    .map(|p| p.display().to_string())
                    .collect();
                let mut message = format!("{e}");
                if !done.is_empty() {
                    message.push_str(&format!("; already in place: {}", done.join(", ")));
                }
                if !waiting.is_empty() {
                    message.push_str(&format!("; not changed: {}", waiting.join(", ")));
                }
                self.report.errors.push(message);
                self.report.held_back = true;
                return self.report;
            }
        }
        self.remove();
        reads::read_back(&self.plan.reads, &mut self.report);
        if let Some(request) = &self.plan.status {
            self.report.status = Some(status::show(
                &self.side.site.piktd_files(),
                &request.alerts,
                self.side.probe,
            ));
        }
        self.run_commands();
        if let Some(action) = self.plan.daemon {
            self.report.daemon = Some(daemon::act(action, self.side, self.plan.dry_run));
        }
        self.report
    }

    fn remove(&mut self) {
        let present: Vec<PathBuf> = self
            .report
            .removals
            .iter()
            .filter(|r| r.present)
            .map(|r| PathBuf::from(&r.path))
            .collect();
        if self.plan.dry_run || present.is_empty() {
            return;
        }
        if let Err(e) = remove_files(&present) {
            self.report.errors.push(e.to_string());
        }
    }

    fn run_commands(&mut self) {
        for request in &self.plan.commands {
            let result = if self.plan.dry_run {
                CommandResult {
                    command: request.command.clone(),
                    end: CommandEnd::WouldRun,
                    dropped: 0,
                    stdout: Vec::new(),
                    stderr: Vec::new(),
                }
            } else {
                commands::run(request, self.side.site.root())
            };
            self.report.commands.push(result);
        }
    }
}

#[cfg(test)]
mod tests;
