//! piktc on the master: a [`Request`] in, an [`Outcome`] out.
//!
//! Operations on the master alone ([`crate::ops`]) read the configuration
//! and print. Operations on hosts go through the pipeline: one pure
//! [`HostPlan`] per selected host (made here from the configuration),
//! handed to the host's transport by [`Fleet::run`], one [`HostResult`]
//! per host back, turned into text by [`crate::render`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pikt_config::loader::{ConfigFile, FileSet, HostConfig, LoadOptions, Loader};
use pikt_config::selection::{Chosen, ItemKind, ItemSelection};
use pikt_config::{Layout, Site, SiteEnv};
use pikt_preproc::RealHost;

use crate::fleet::{Binary, Fleet, HostJob, KeepPlans, MasterFile, Observer, Replan, RunOptions};
use crate::host::HostSide;
use crate::interrupt::Interrupt;
use crate::ops::{self, rendered_files, RenderedFile};
use crate::plan::{
    AlertLines, CommandRequest, DaemonAction, DigestKind, HostPlan, ItemPath, PiktdEdit, PlanFile,
    ReadRequest, StatusRequest,
};
use crate::reach::Reach;
use crate::render;
use crate::request::{exit, Change, Operation, Outcome, Request};
use crate::ssh::Ssh;
use crate::transport::{HostError, HostErrorKind, Local, Transport};

/// What piktc gets from where it runs.
pub struct Context<'a> {
    /// The environment (`PIKT_DIR`, `PIKT_HOST`, the kernel's host name).
    pub env: SiteEnv,
    /// `#piktexec` runs `=bindir/pikt` (off in tests, which have none).
    pub run_pikt: bool,
    /// Told about each host, and asked to pause between hosts.
    pub observer: &'a mut dyn Observer,
    /// How hosts other than this one are reached.
    pub remote: Remote<'a>,
    /// Ctrl-C, pressed by whoever handles the signal.
    pub interrupt: Interrupt,
    /// `PIKT_SSH_CONFIG`.
    pub ssh_config: Option<PathBuf>,
    /// The directory of the master's own `pikt`, `piktc` and `piktd`
    /// (what `--bootstrap` copies).
    pub binaries: Option<PathBuf>,
    /// Who runs piktc, for piktc.log (`root`, `root (sudo by alice)`).
    pub user: String,
}

/// How hosts other than this one are reached.
pub enum Remote<'a> {
    /// Not at all: they are skipped.
    Skip,
    /// Through OpenSSH, as the site configures it ([`Reach`]).
    Ssh,
    /// Through this transport.
    Via(&'a dyn Transport),
}

impl Context<'_> {
    /// A context for `env` with nothing else: no `#piktexec`, no observer,
    /// OpenSSH for other hosts.
    pub fn new(env: SiteEnv, observer: &mut dyn Observer) -> Context<'_> {
        Context {
            env,
            run_pikt: false,
            observer,
            remote: Remote::Ssh,
            interrupt: Interrupt::new(),
            ssh_config: None,
            binaries: None,
            user: String::new(),
        }
    }
}

/// Runs `request` (any operation but help, version and the host side).
pub fn run(request: &Request, ctx: &mut Context<'_>) -> Outcome {
    let _changing = match crate::lock::for_change(request, &ctx.env) {
        Ok(lock) => lock,
        Err(out) => return out,
    };
    if request.operation.reaches_hosts() && !needs_config(request) {
        return local_without_config(request, ctx);
    }
    // `#piktexec` runs `=bindir/pikt` of this installation.
    let io = RealHost {
        pikt_binary: ctx.run_pikt.then(|| {
            Site::open(&request.site, &ctx.env).map_or_else(
                |_| {
                    Site::with_defaults(request.site.root(&ctx.env), None)
                        .layout
                        .pikt_binary()
                },
                |site| site.layout.pikt_binary(),
            )
        }),
    };
    let mut loader = Loader::new(load_options(request, ctx), &io);
    if loader.source(ConfigFile::Systems).is_none()
        || (loader.has_errors() && request.operation != Operation::Check)
    {
        let mut out = Outcome::default();
        out.diagnostics(&loader.map, &loader.diagnostics);
        out.exit = out.exit.max(exit::CONFIG_ERROR);
        return out;
    }
    match &request.operation {
        Operation::Check => match hosts_or_all(&loader, request) {
            Ok(hosts) => ops::check(&mut loader, &hosts, request.verbose),
            Err(out) => out,
        },
        Operation::ExpandHosts => ops::expand_hosts(&loader, &request.hosts),
        op if op.reaches_hosts() || *op == Operation::ViewMaster => {
            on_hosts(&mut loader, request, ctx)
        }
        op => match one_host(&loader, request).and_then(|host| {
            place_hosts(&mut loader, request, ctx, std::slice::from_ref(&host))?;
            Ok(host)
        }) {
            Ok(host) => match op {
                Operation::List => ops::list_items(&mut loader, &host, &request.items),
                Operation::ListAll => ops::list_all(&mut loader, &host),
                Operation::ExpandMacros => {
                    ops::expand_macros(&mut loader, &host, &request.macro_texts)
                }
                Operation::Render => ops::render_host(&mut loader, &host, &request.items),
                Operation::Explain { file, line } => ops::explain(&mut loader, &host, file, *line),
                _ => Outcome::default(),
            },
            Err(out) => out,
        },
    }
}

/// `-s`, `-r`, `-k` on this host alone need no configuration: they work on
/// a host that has none (`lib/configs` lives on the master).
fn needs_config(request: &Request) -> bool {
    if !request.hosts.is_empty() {
        return true;
    }
    match &request.operation {
        Operation::Status => false,
        Operation::Change(change) => change.touches_items() || change.exec.is_some(),
        _ => true,
    }
}

fn load_options(request: &Request, ctx: &Context<'_>) -> LoadOptions {
    let mut vars: Vec<(String, String)> = Vec::new();
    for (name, value) in &request.env {
        vars.retain(|(n, _)| n != name);
        if let Some(v) = value {
            vars.push((name.clone(), v.clone()));
        }
    }
    let files = match &request.operation {
        Operation::ExpandHosts | Operation::ExpandMacros | Operation::Status => FileSet::NONE,
        Operation::Change(change) if !change.touches_items() => FileSet::NONE,
        Operation::Check | Operation::Explain { .. } | Operation::ListAll
            if request.items.is_empty() =>
        {
            FileSet::ALL
        }
        Operation::Diff | Operation::Checksum(_) if request.items.is_empty() => FileSet::ALL,
        Operation::Change(change) if change.enable || change.disable => {
            let mut f = request.items.files_needed();
            f.alerts = true;
            f
        }
        _ => request.items.files_needed(),
    };
    LoadOptions {
        root: request.site.root(&ctx.env),
        host: request.site.host_name(&ctx.env),
        defines: request.defines.clone(),
        test_mode: request.test_mode,
        env: vars,
        refresh: request.refresh,
        files,
        parse_scripts: matches!(request.operation, Operation::Check | Operation::Change(_)),
        conf_dirs: ctx.env.conf_dirs(),
    }
}

/// The hosts `-c` checks: the `+H` selection, or every host.
fn hosts_or_all(loader: &Loader<'_>, request: &Request) -> Result<Vec<String>, Outcome> {
    if request.hosts.is_empty() {
        return Ok(loader.systems.hosts().to_vec());
    }
    selected_hosts(loader, request)
}

fn selected_hosts(loader: &Loader<'_>, request: &Request) -> Result<Vec<String>, Outcome> {
    let (hosts, unknown) = loader.systems.select(&request.hosts);
    if unknown.is_empty() {
        return Ok(hosts);
    }
    let mut out = Outcome::default();
    for name in unknown {
        ops::unknown_host(&mut out, loader, &name);
    }
    Err(out)
}

/// This host's name, which must be registered in systems.cfg.
fn local_host(loader: &Loader<'_>) -> Result<String, Outcome> {
    let mut out = Outcome::default();
    let host = match loader.site.host() {
        Ok(host) => host.to_string(),
        Err(e) => {
            out.fail(&e.to_string(), exit::USAGE);
            return Err(out);
        }
    };
    if loader.systems.kind_of(&host) != Some(pikt_config::systems::NameKind::Host) {
        out.fail(
            &format!("this host, `{host}`, is not registered in systems.cfg (use `--host NAME` or set PIKT_HOST)"),
            exit::USAGE,
        );
        return Err(out);
    }
    Ok(host)
}

/// The one host of a single-host operation: `+H` naming exactly one host,
/// else this host.
fn one_host(loader: &Loader<'_>, request: &Request) -> Result<String, Outcome> {
    if request.hosts.is_empty() {
        return local_host(loader);
    }
    let hosts = selected_hosts(loader, request)?;
    match hosts.as_slice() {
        [one] => Ok(one.clone()),
        _ => {
            let mut out = Outcome::default();
            let named = if hosts.is_empty() {
                "none".to_string()
            } else {
                hosts.join(", ")
            };
            out.fail(
                &format!("this operation takes one host; the +H/-H names select {named}"),
                exit::USAGE,
            );
            Err(out)
        }
    }
}

/// The hosts an operation on hosts targets: the `+H` selection, else this
/// host. This host must be registered either way (it is the master).
fn targets(loader: &Loader<'_>, request: &Request) -> Result<(String, Vec<String>), Outcome> {
    let me = local_host(loader)?;
    if request.hosts.is_empty() {
        return Ok((me.clone(), vec![me]));
    }
    Ok((me, selected_hosts(loader, request)?))
}

/// `-s`, `-r`, `-k` on this host, without a configuration.
fn local_without_config(request: &Request, ctx: &mut Context<'_>) -> Outcome {
    let site = match Site::open(&request.site, &ctx.env) {
        Ok(site) => site,
        Err(e) => {
            let mut out = Outcome::default();
            out.fail(&e.to_string(), exit::HOST_FAILED);
            return out;
        }
    };
    let host = match site.host() {
        Ok(host) => host.to_string(),
        Err(e) => {
            let mut out = Outcome::default();
            out.fail(&e.to_string(), exit::USAGE);
            return out;
        }
    };
    let mut plan = base_plan(site.root(), &host, &host, &ctx.user);
    match &request.operation {
        Operation::Status => plan.status = Some(status_request(&request.items)),
        Operation::Change(change) => {
            plan.dry_run = change.dry_run;
            plan.daemon = change.daemon;
        }
        _ => {}
    }
    let job = HostJob::new(&host, plan);
    let reach = match Reach::decide(request, &site, None, ctx.ssh_config.as_deref()) {
        Ok(reach) => reach,
        Err(e) => {
            let mut out = Outcome::default();
            out.fail(&e, exit::CONFIG_ERROR);
            return out;
        }
    };
    let jobs = vec![job];
    run_jobs(
        request,
        ctx,
        &site,
        &reach,
        jobs,
        Outcome::default(),
        &mut KeepPlans,
    )
}

/// An operation on the selected hosts (or, for `-W`, the master's view of
/// them).
fn on_hosts(loader: &mut Loader<'_>, request: &Request, ctx: &mut Context<'_>) -> Outcome {
    let (me, hosts) = match targets(loader, request) {
        Ok(found) => found,
        Err(out) => return out,
    };
    let reach = match place_hosts(loader, request, ctx, &hosts) {
        Ok(reach) => reach,
        Err(out) => return out,
    };
    let mut out = Outcome::default();
    out.diagnostics(&loader.map, &loader.diagnostics);
    let binaries = match bootstrap_binaries(request, ctx) {
        Ok(binaries) => binaries,
        Err(message) => {
            out.fail(&message, exit::USAGE);
            return out;
        }
    };
    let planning = Planning {
        request,
        reach: &reach,
        me: me.clone(),
        user: ctx.user.clone(),
        binaries,
    };
    let mut jobs = Vec::new();
    for host in &hosts {
        match plan_host(loader, &planning, host) {
            Ok(job) => jobs.push(job),
            Err(refused) => out.append(refused),
        }
    }
    if request.operation == Operation::ViewMaster {
        render::view_master(&jobs, hosts.len() > 1, &mut out);
        return out;
    }
    let site = loader.site.clone();
    let mut replan = MasterReplan {
        loader,
        planning: &planning,
    };
    run_jobs(request, ctx, &site, &reach, jobs, out, &mut replan)
}

/// What every host's plan is made from.
struct Planning<'r> {
    request: &'r Request,
    reach: &'r Reach,
    /// This host (the master).
    me: String,
    /// Who asked.
    user: String,
    /// With `--bootstrap`: the binaries to bring.
    binaries: Option<Binaries>,
}

/// Makes a host's job again once the host said where its directories are.
struct MasterReplan<'a, 'h> {
    loader: &'a mut Loader<'h>,
    planning: &'a Planning<'a>,
}

impl Replan for MasterReplan<'_, '_> {
    fn replan(
        &mut self,
        host: &str,
        dirs: &[(String, String)],
    ) -> Result<Option<HostJob>, HostError> {
        let presumed = self.loader.host_layout(host).clone();
        let layout = Layout::from_dirs(dirs)
            .filter(|l| l.root == presumed.root)
            .ok_or_else(|| {
                HostError::new(
                    HostErrorKind::Protocol,
                    format!(
                        "`{host}` described an installation at another root than `{}`",
                        presumed.root.display()
                    ),
                )
            })?;
        if layout == presumed {
            return Ok(None);
        }
        self.loader.place_host(host, layout);
        plan_host(self.loader, self.planning, host).map(Some).map_err(|refused| {
            HostError::new(
                HostErrorKind::Protocol,
                format!(
                    "nothing done on `{host}`: its PIKT.conf moves directories, and the plan for them failed:\n{}",
                    refused.stderr.trim_end()
                ),
            )
        })
    }
}

/// Decides how the run reaches its hosts, and tells the loader where each
/// host other than this one has its installation.
fn place_hosts(
    loader: &mut Loader<'_>,
    request: &Request,
    ctx: &Context<'_>,
    hosts: &[String],
) -> Result<Reach, Outcome> {
    let reach = Reach::decide(
        request,
        &loader.site,
        Some(&loader.systems),
        ctx.ssh_config.as_deref(),
    )
    .map_err(|e| {
        let mut out = Outcome::default();
        out.fail(&e, exit::CONFIG_ERROR);
        out
    })?;
    let me = loader.site.host().ok().map(str::to_string);
    for host in hosts {
        if me.as_deref() != Some(host.as_str()) {
            loader.place_host(host, Layout::new(reach.root_of(host)));
        }
    }
    Ok(reach)
}

/// Sends every job through its transport and renders the results after
/// `out`; logs the request and each host's result in piktc.log.
fn run_jobs(
    request: &Request,
    ctx: &mut Context<'_>,
    site: &Site,
    reach: &Reach,
    jobs: Vec<HostJob>,
    mut out: Outcome,
    replan: &mut dyn Replan,
) -> Outcome {
    let me = site.host().unwrap_or_default().to_string();
    let local = Local::new(HostSide::new(site.clone()));
    let remote_hosts = jobs.iter().any(|j| j.host != me);
    let ssh = match (&ctx.remote, remote_hosts) {
        (Remote::Ssh, true) => match Ssh::new(reach.ssh_settings(), ctx.interrupt.clone()) {
            Ok(ssh) => Some(ssh),
            Err(e) => {
                out.fail(
                    &format!("cannot make a private directory for ssh's control sockets: {e}"),
                    exit::HOST_FAILED,
                );
                return out;
            }
        },
        _ => None,
    };
    let remote: Option<&dyn Transport> = match (&ctx.remote, &ssh) {
        (Remote::Via(transport), _) => Some(*transport),
        (_, Some(ssh)) => Some(ssh),
        _ => None,
    };
    let fleet = Fleet {
        local_host: me.clone(),
        local: &local,
        remote,
    };
    let options = RunOptions {
        jobs: reach.jobs,
        pause: request.pause,
        debug: request.debug,
        interrupt: ctx.interrupt.clone(),
    };
    let many = jobs.len() > 1;
    let results = fleet.run(jobs, &options, ctx.observer, replan);
    drop(ssh);
    render::results(request, &results, many, &mut out);
    if many {
        render::table(&results, request.verbose, &mut out);
    }
    let logged: Vec<&crate::fleet::HostResult> = results.iter().map(|(_, r)| r).collect();
    let lines = crate::log::request_lines(&me, &ctx.user, &request.argv, &logged);
    if let Err(e) = crate::log::append(&site.layout.logdir, &lines) {
        out.note(&format!(
            "cannot log the request in `{}`: {e}",
            site.layout.logdir.join(crate::log::LOG_NAME).display()
        ));
    }
    out
}

/// With `--bootstrap`: the master's `piktc`, `pikt` and `piktd`, read
/// from the directory of the running piktc.
fn bootstrap_binaries(request: &Request, ctx: &Context<'_>) -> Result<Option<Binaries>, String> {
    let Operation::Change(change) = &request.operation else {
        return Ok(None);
    };
    if !change.bootstrap {
        return Ok(None);
    }
    let dir = ctx
        .binaries
        .as_deref()
        .ok_or("cannot bring hosts in: the master's binaries are not known")?;
    let read = |name: &str| -> Result<Binary, String> {
        let path = dir.join(name);
        std::fs::read(&path)
            .map(|bytes| Binary(Arc::from(bytes)))
            .map_err(|e| {
                format!(
                    "cannot bring hosts in: `{}` cannot be read: {}",
                    path.display(),
                    pikt_config::loader::plain_io_error(&e)
                )
            })
    };
    Ok(Some(Binaries {
        piktc: read("piktc")?,
        others: vec![("pikt", read("pikt")?), ("piktd", read("piktd")?)],
    }))
}

/// The master's binaries, for `--bootstrap`.
struct Binaries {
    /// Put on the host first, by the transport.
    piktc: Binary,
    /// Installed by the bundle into `=bindir`.
    others: Vec<(&'static str, Binary)>,
}

/// Mode of the installed binaries.
const BINARY_MODE: u32 = 0o755;

/// The plan of `host`, or why it has none (its configuration has errors,
/// an item name is unknown there...).
fn plan_host(
    loader: &mut Loader<'_>,
    planning: &Planning<'_>,
    host: &str,
) -> Result<HostJob, Outcome> {
    let (request, reach) = (planning.request, planning.reach);
    let me = planning.me.as_str();
    let binaries = planning.binaries.as_ref().filter(|_| host != me);
    let mut cfg = loader.load_host(host);
    let mut out = Outcome::default();
    out.diagnostics(&loader.map, &cfg.diagnostics);
    let changes = matches!(request.operation, Operation::Change(_));
    if out.exit != exit::OK && changes {
        out.fail(
            &format!("nothing changed on `{host}`: the configuration has errors"),
            exit::CONFIG_ERROR,
        );
        return Err(out);
    }
    let chosen = chosen_items(request, &cfg, &mut out)?;
    let mut plan = base_plan(&cfg.layout.root, host, me, &planning.user);
    let files = rendered_files(&cfg, &chosen, &cfg.layout);
    let mut job = HostJob::new(host, HostPlan::default());
    job.master_files = files.iter().map(master_file).collect();
    match &request.operation {
        Operation::Change(change) => {
            let forced = request.forced.choose(&cfg, false);
            let change = &bootstrap_change(change);
            plan_change(
                loader, &mut cfg, &chosen, &forced, &files, request, change, reach, &mut plan,
                &mut out,
            )?;
            if let (true, Some(binaries)) = (change.bootstrap, binaries) {
                job.bootstrap = Some(binaries.piktc.clone());
                for (name, binary) in &binaries.others {
                    plan.files.push(PlanFile {
                        path: path_text(&cfg.layout.bindir.join(name)),
                        what: format!("program {name}"),
                        mode: BINARY_MODE,
                        owner: Some((0, 0)),
                        force: false,
                        content: binary.0.to_vec(),
                    });
                }
            }
        }
        Operation::Status => plan.status = Some(status_request(&request.items)),
        Operation::Diff | Operation::View | Operation::Checksum(_) => {
            let digest = match request.operation {
                Operation::Checksum(kind) => kind,
                _ => DigestKind::Sha256,
            };
            let content = !matches!(request.operation, Operation::Checksum(_));
            plan.reads = files
                .iter()
                .map(|f| ReadRequest {
                    path: path_text(&f.path),
                    what: f.what.clone(),
                    content,
                    digest,
                })
                .collect();
            if request.operation == Operation::Diff && !chosen.alerts.is_empty() {
                plan.reads.push(ReadRequest {
                    // This host's Site knows where its piktd.conf is; another
                    // host's is in its own =etcdir.
                    path: path_text(&if host == me {
                        loader.site.piktd_files().conf
                    } else {
                        cfg.layout.piktd_conf()
                    }),
                    what: "piktd.conf".into(),
                    content: true,
                    digest,
                });
                job.master_lines = alert_lines(loader, &cfg, &chosen.alerts)
                    .into_iter()
                    .map(|a| (a.alert, a.lines))
                    .collect();
            }
        }
        _ => {}
    }
    if host != me && plan.uses_paths() {
        plan.expect_layout = crate::host::layout_words(&cfg.layout);
    }
    job.plan = plan;
    Ok(job)
}

/// The items the request selects on the host of `cfg`, refusing unknown
/// names, empty selections and scripts where files are meant.
fn chosen_items(request: &Request, cfg: &HostConfig, out: &mut Outcome) -> Result<Chosen, Outcome> {
    let op = &request.operation;
    if *op == Operation::Status {
        return Ok(Chosen::default());
    }
    let default_all = matches!(op, Operation::Diff | Operation::Checksum(_))
        || matches!(op, Operation::Change(c) if c.bootstrap);
    let selection = if default_all && request.items.is_empty() {
        every_item()
    } else {
        request.items.clone()
    };
    let chosen = selection.choose(cfg, false);
    ops::unknown_items(out, cfg, &chosen);
    if out.exit != exit::OK {
        return Err(std::mem::take(out));
    }
    let needs_items = match op {
        Operation::Change(change) => change.touches_items(),
        _ => true,
    };
    if needs_items && chosen.is_empty() && !(default_all && request.items.is_empty()) {
        out.fail(
            "no items selected: give `+A`, `+P`, `+F`, `+O` (or `all`)",
            exit::USAGE,
        );
        return Err(std::mem::take(out));
    }
    if needs_items && !chosen.scripts.is_empty() {
        out.fail(
            "alarm scripts are installed with their alerts: select them with `+A`",
            exit::USAGE,
        );
        return Err(std::mem::take(out));
    }
    Ok(chosen)
}

fn every_item() -> ItemSelection {
    let mut all = ItemSelection::default();
    for kind in [
        ItemKind::Alert,
        ItemKind::Program,
        ItemKind::File,
        ItemKind::Object,
    ] {
        all.selectors.push(pikt_config::selection::Selector {
            add: true,
            kind,
            name: "all".into(),
        });
    }
    all
}

fn base_plan(root: &Path, host: &str, master: &str, user: &str) -> HostPlan {
    HostPlan {
        host: host.to_string(),
        piktdir: root.display().to_string(),
        master: master.to_string(),
        user: user.to_string(),
        ..HostPlan::default()
    }
}

/// `--bootstrap` is `-ie` of the selected items (all by default), making
/// the layout first, then starting piktd.
fn bootstrap_change(change: &Change) -> Change {
    if !change.bootstrap {
        return change.clone();
    }
    Change {
        install: true,
        enable: true,
        daemon: Some(DaemonAction::Restart),
        ..change.clone()
    }
}

fn status_request(items: &ItemSelection) -> StatusRequest {
    StatusRequest {
        alerts: items
            .selectors
            .iter()
            .map(|s| (s.add, s.name.clone()))
            .collect(),
    }
}

fn path_text(path: &std::path::Path) -> String {
    path.display().to_string()
}

fn master_file(file: &RenderedFile) -> MasterFile {
    MasterFile {
        path: path_text(&file.path),
        what: file.what.clone(),
        mode: file.mode,
        content: file.content.clone().into_bytes(),
    }
}

/// The piktd.conf lines of `alerts` as the master renders them.
fn alert_lines(loader: &Loader<'_>, cfg: &HostConfig, alerts: &[String]) -> Vec<AlertLines> {
    alerts
        .iter()
        .map(|name| AlertLines {
            alert: name.clone(),
            lines: ops::piktd_entries(loader, cfg, std::slice::from_ref(name))
                .iter()
                .map(|e| e.render())
                .collect(),
        })
        .collect()
}

/// Fills `plan` with what `change` does on the host of `cfg`.
#[allow(clippy::too_many_arguments)]
fn plan_change(
    loader: &mut Loader<'_>,
    cfg: &mut HostConfig,
    chosen: &Chosen,
    forced: &Chosen,
    files: &[RenderedFile],
    request: &Request,
    change: &Change,
    reach: &Reach,
    plan: &mut HostPlan,
    out: &mut Outcome,
) -> Result<(), Outcome> {
    plan.dry_run = change.dry_run;
    plan.layout = change.bootstrap;
    plan.backup = change.backup;
    plan.daemon = change.daemon;
    if change.install {
        plan.files = files
            .iter()
            .map(|f| PlanFile {
                path: path_text(&f.path),
                what: f.what.clone(),
                mode: f.mode,
                owner: f.owner,
                force: forced.of(f.kind).contains(&f.name),
                content: f.content.clone().into_bytes(),
            })
            .collect();
    }
    if change.restore {
        plan.restore = files.iter().map(item_path).collect();
    }
    if change.enable || change.disable {
        let mut edit = PiktdEdit::default();
        if change.enable {
            edit.set = alert_lines(loader, cfg, &chosen.alerts);
        } else {
            edit.remove = chosen.alerts.clone();
        }
        plan.piktd = Some(edit);
    }
    if change.delete {
        plan.removals = removals(cfg, chosen, files);
    }
    if let Some(wait) = change.exec {
        for text in &request.commands {
            let (expanded, diags) = ops::expand_text(loader, cfg, text);
            out.diagnostics(&loader.map, &diags);
            plan.commands.push(CommandRequest {
                command: expanded.trim_end_matches('\n').to_string(),
                wait,
                time_limit: reach.command_limit(),
            });
        }
        if out.exit != exit::OK {
            out.fail(
                &format!("nothing done on `{}`: a command has errors", cfg.host),
                exit::CONFIG_ERROR,
            );
            return Err(std::mem::take(out));
        }
    }
    Ok(())
}

fn item_path(file: &RenderedFile) -> ItemPath {
    ItemPath {
        path: path_text(&file.path),
        what: file.what.clone(),
    }
}

/// What `-t` deletes: the items' files, each alert's log, and the history
/// of its scripts (kept per alert). The mail spool is kept: it holds
/// undelivered alerts.
fn removals(cfg: &HostConfig, chosen: &Chosen, files: &[RenderedFile]) -> Vec<ItemPath> {
    let layout = &cfg.layout;
    let mut paths: Vec<ItemPath> = files.iter().map(item_path).collect();
    let mut extra = |path: PathBuf, what: String| {
        paths.push(ItemPath {
            path: path_text(&path),
            what,
        });
    };
    for name in &chosen.alerts {
        extra(layout.alert_log(name), format!("alert {name} log"));
        if let Some(alert) = cfg.alerts.get(name) {
            for script in alert.alarm_names() {
                extra(
                    layout.history_file(name, script),
                    format!("history of {script} in alert {name}"),
                );
            }
        }
    }
    paths
}
