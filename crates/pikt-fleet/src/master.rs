//! piktc on the master: a [`Request`] in, an [`Outcome`] out.
//!
//! Operations on the master alone ([`crate::ops`]) read the configuration
//! and print. Operations on hosts go through the pipeline: one pure
//! [`HostPlan`] per selected host (made here from the configuration),
//! handed to the host's transport by [`Fleet::run`], one [`HostResult`]
//! per host back, turned into text by [`crate::render`].

use std::path::PathBuf;

use pikt_config::loader::{ConfigFile, FileSet, HostConfig, LoadOptions, Loader};
use pikt_config::selection::{Chosen, ItemKind, ItemSelection};
use pikt_config::{Site, SiteEnv};
use pikt_preproc::RealHost;

use crate::fleet::{Fleet, HostJob, MasterFile, Observer};
use crate::host::HostSide;
use crate::ops::{self, rendered_files, RenderedFile};
use crate::plan::{
    AlertLines, CommandRequest, DigestKind, HostPlan, ItemPath, PiktdEdit, PlanFile, ReadRequest,
    StatusRequest, COMMAND_TIME_LIMIT,
};
use crate::render;
use crate::request::{exit, Change, Operation, Outcome, Request};
use crate::transport::{Local, Transport};

/// What piktc gets from where it runs.
pub struct Context<'a> {
    /// The environment (`PIKT_DIR`, `PIKT_HOST`, the kernel's host name).
    pub env: SiteEnv,
    /// `#piktexec` runs `=bindir/pikt` (off in tests, which have none).
    pub run_pikt: bool,
    /// Told about each host, and asked to pause between hosts.
    pub observer: &'a mut dyn Observer,
    /// How hosts other than this one are reached; none: they are skipped.
    pub remote: Option<&'a dyn Transport>,
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
        op => match one_host(&loader, request) {
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
    let mut plan = base_plan(&site, &host, &host);
    match &request.operation {
        Operation::Status => plan.status = Some(status_request(&request.items)),
        Operation::Change(change) => {
            plan.dry_run = change.dry_run;
            plan.daemon = change.daemon;
        }
        _ => {}
    }
    let job = HostJob {
        host: host.clone(),
        plan,
        master_files: Vec::new(),
        master_lines: Vec::new(),
    };
    run_jobs(request, ctx, &site, vec![job], Outcome::default())
}

/// An operation on the selected hosts (or, for `-W`, the master's view of
/// them).
fn on_hosts(loader: &mut Loader<'_>, request: &Request, ctx: &mut Context<'_>) -> Outcome {
    let (me, hosts) = match targets(loader, request) {
        Ok(found) => found,
        Err(out) => return out,
    };
    let mut out = Outcome::default();
    out.diagnostics(&loader.map, &loader.diagnostics);
    let mut jobs = Vec::new();
    for host in &hosts {
        match plan_host(loader, request, &me, host) {
            Ok(job) => jobs.push(job),
            Err(refused) => out.append(refused),
        }
    }
    if request.operation == Operation::ViewMaster {
        render::view_master(&jobs, hosts.len() > 1, &mut out);
        return out;
    }
    let site = loader.site.clone();
    run_jobs(request, ctx, &site, jobs, out)
}

/// Sends every job through its transport and renders the results after
/// `out`.
fn run_jobs(
    request: &Request,
    ctx: &mut Context<'_>,
    site: &Site,
    jobs: Vec<HostJob>,
    mut out: Outcome,
) -> Outcome {
    let local = Local::new(HostSide::new(site.clone()));
    let fleet = Fleet {
        local_host: site.host().unwrap_or_default().to_string(),
        local: &local,
        remote: ctx.remote,
    };
    let many = jobs.len() > 1;
    let results = fleet.run(jobs, request.pause, request.debug, ctx.observer);
    render::results(request, &results, many, &mut out);
    out
}

/// The plan of `host`, or why it has none (its configuration has errors,
/// an item name is unknown there...).
fn plan_host(
    loader: &mut Loader<'_>,
    request: &Request,
    me: &str,
    host: &str,
) -> Result<HostJob, Outcome> {
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
    let mut plan = base_plan(&loader.site, host, me);
    let files = rendered_files(&cfg, &chosen, loader.layout());
    let mut job = HostJob {
        host: host.to_string(),
        plan: HostPlan::default(),
        master_files: files.iter().map(master_file).collect(),
        master_lines: Vec::new(),
    };
    match &request.operation {
        Operation::Change(change) => {
            let forced = request.forced.choose(&cfg, false);
            plan_change(
                loader, &mut cfg, &chosen, &forced, &files, request, change, &mut plan, &mut out,
            )?;
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
                    path: path_text(&loader.site.piktd_files().conf),
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
    let default_all = matches!(op, Operation::Diff | Operation::Checksum(_));
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

fn base_plan(site: &Site, host: &str, master: &str) -> HostPlan {
    HostPlan {
        host: host.to_string(),
        piktdir: site.root().display().to_string(),
        master: master.to_string(),
        ..HostPlan::default()
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
    plan: &mut HostPlan,
    out: &mut Outcome,
) -> Result<(), Outcome> {
    plan.dry_run = change.dry_run;
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
        plan.removals = removals(loader, cfg, chosen, files);
    }
    if let Some(wait) = change.exec {
        for text in &request.commands {
            let (expanded, diags) = ops::expand_text(loader, cfg, text);
            out.diagnostics(&loader.map, &diags);
            plan.commands.push(CommandRequest {
                command: expanded.trim_end_matches('\n').to_string(),
                wait,
                time_limit: COMMAND_TIME_LIMIT,
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
fn removals(
    loader: &Loader<'_>,
    cfg: &HostConfig,
    chosen: &Chosen,
    files: &[RenderedFile],
) -> Vec<ItemPath> {
    let layout = loader.layout();
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
