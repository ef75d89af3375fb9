//! piktc's operations as library functions that return text and an exit
//! code, so the binary and the tests share one implementation.
//!
//! Each operation takes a [`Loader`] (the configuration, read once) and
//! returns an [`Outcome`]: what to print on stdout and stderr and the exit
//! status ([`exit`]). Paths under the PIKT root are shown as `=piktdir/...`
//! so that output does not depend on where the tree lives.

use std::fmt::Write as _;
use std::path::PathBuf;

use pikt_preproc::{preprocess, FileKind, Options};
use pikt_source::{render, Diagnostic, SourceMap};

use crate::install::{install_files, read_file, remove_files, PlannedFile, Removal};
use crate::layout::Layout;
use crate::loader::{HostConfig, Loader};
use crate::piktd_conf::{entries_for_alert, PiktdConf, PiktdEntry};
use crate::selection::{Chosen, ItemSelection};

/// Exit statuses of piktc (documented in docs/piktc.md).
pub mod exit {
    /// Everything went well.
    pub const OK: i32 = 0;
    /// The configuration has errors (nothing was installed).
    pub const CONFIG_ERROR: i32 = 1;
    /// The command line is wrong.
    pub const USAGE: i32 = 2;
    /// Writing to the PIKT tree failed.
    pub const INSTALL_FAILURE: i32 = 3;
    /// The local part succeeded but some selected hosts were skipped
    /// (remote hosts are not handled yet).
    pub const HOSTS_SKIPPED: i32 = 4;
}

/// Mode of installed `.alt` and `.obj` files.
pub const ITEM_FILE_MODE: u32 = 0o640;

/// Mode of piktd.conf.
pub const PIKTD_CONF_MODE: u32 = 0o644;

/// What an operation prints and how it exits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status.
    pub exit: i32,
}

impl Outcome {
    /// Appends the rendered diagnostics to stderr, a blank line between two,
    /// and raises the exit status to [`exit::CONFIG_ERROR`] if any is an error.
    pub fn diagnostics(&mut self, map: &SourceMap, diags: &[Diagnostic]) {
        for diag in diags {
            if !self.stderr.is_empty() {
                self.stderr.push('\n');
            }
            self.stderr.push_str(&render(map, diag));
        }
        if diags.iter().any(Diagnostic::is_error) {
            self.exit = self.exit.max(exit::CONFIG_ERROR);
        }
    }

    /// Reports a failure to read, install or remove a file, with paths
    /// under the layout's root shown as the host sees them.
    fn install_failed(&mut self, error: &impl std::fmt::Display, layout: &Layout) {
        self.fail(
            &show_root(&error.to_string(), layout),
            exit::INSTALL_FAILURE,
        );
    }

    /// Appends an `error: ...` line to stderr and sets the exit status.
    pub fn fail(&mut self, message: &str, status: i32) {
        if !self.stderr.is_empty() {
            self.stderr.push('\n');
        }
        let _ = writeln!(self.stderr, "error: {message}");
        self.exit = self.exit.max(status);
    }

    /// Appends a `note: ...` line to stderr.
    pub fn note(&mut self, message: &str) {
        let _ = writeln!(self.stderr, "note: {message}");
    }
}

/// Writes the error/warning count line when there were diagnostics.
fn summary(out: &mut Outcome, errors: usize, warnings: usize, what: &str) {
    if errors == 0 {
        return;
    }
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let mut line = plural(errors, "error");
    if warnings > 0 {
        let _ = write!(line, ", {}", plural(warnings, "warning"));
    }
    out.fail(&format!("{what}: {line}"), exit::CONFIG_ERROR);
}

/// `piktc -c`: checks every config file for every host in `hosts`.
pub fn check(loader: &mut Loader<'_>, hosts: &[String], verbose: bool) -> Outcome {
    let mut out = Outcome::default();
    let report = loader.check_all(hosts);
    out.diagnostics(&loader.map, &report.diagnostics);
    summary(
        &mut out,
        report.errors(),
        report.warnings(),
        "the configuration has errors",
    );
    if verbose {
        let _ = writeln!(
            out.stdout,
            "checked {} host(s): {}",
            hosts.len(),
            hosts.join(", ")
        );
    }
    out
}

/// One file a host would get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    /// The item it belongs to (`alert Urgent`).
    pub what: String,
    /// Where it goes.
    pub path: PathBuf,
    /// Permission bits.
    pub mode: u32,
    /// Owner and group (programs and files only).
    pub owner: Option<(u32, u32)>,
    /// The content.
    pub content: String,
}

/// The files `chosen` gives the host of `cfg`, in kind order (alerts,
/// programs, files, objects). Chosen scripts have no file of their own.
pub fn rendered_files(cfg: &HostConfig, chosen: &Chosen, layout: &Layout) -> Vec<RenderedFile> {
    let mut files = Vec::new();
    for name in &chosen.alerts {
        if let Some(alert) = cfg.alerts.get(name) {
            let content = cfg.alarms.alt_text(alert);
            files.push(RenderedFile {
                what: format!("alert {name}"),
                path: layout.alert_file(name),
                mode: ITEM_FILE_MODE,
                owner: None,
                content,
            });
            files.push(RenderedFile {
                what: format!("alert {name} settings"),
                path: layout.alert_settings_file(name),
                mode: ITEM_FILE_MODE,
                owner: None,
                content: alert_settings(alert),
            });
        }
    }
    let managed = chosen
        .programs
        .iter()
        .filter_map(|n| cfg.programs.get(n).map(|p| ("program", p)))
        .chain(
            chosen
                .files
                .iter()
                .filter_map(|n| cfg.files.get(n).map(|f| ("file", f))),
        );
    for (what, item) in managed {
        files.push(RenderedFile {
            what: format!("{what} {}", item.name),
            path: item.path.clone(),
            mode: item.mode,
            owner: Some((item.uid, item.gid)),
            content: item.content.clone(),
        });
    }
    for name in &chosen.objects {
        if let Some(set) = cfg.objects.get(name) {
            files.push(RenderedFile {
                what: format!("object set {name}"),
                path: layout.object_file(name),
                mode: ITEM_FILE_MODE,
                owner: None,
                content: set.render(),
            });
        }
    }
    files
}

/// The text of `=altdir/<Alert>.cfg`: the alert's stanza in alerts.cfg
/// syntax with what `pikt +A` needs (mail and print commands, `execcmd`,
/// `status`, `level`, the alarm list) and without the schedule, which is
/// piktd's (docs/alerts.md). `pikt` reads it back with
/// [`crate::alerts::AlertsFile::parse`].
pub fn alert_settings(alert: &crate::alerts::Alert) -> String {
    let mut text = format!("{}\n", alert.name);
    for (key, value) in [
        ("mailcmd", &alert.mailcmd),
        ("lpcmd", &alert.lpcmd),
        ("execcmd", &alert.execcmd),
    ] {
        if let Some(command) = value {
            let _ = writeln!(text, "\t{key} \"{command}\"");
        }
    }
    if let Some(status) = alert.status {
        let _ = writeln!(text, "\tstatus {}", status.word());
    }
    if let Some(level) = alert.level {
        let _ = writeln!(text, "\tlevel {}", level.word());
    }
    let alarms: Vec<&str> = alert.alarm_names().collect();
    let _ = writeln!(text, "\talarms {}", alarms.join(" "));
    text
}

/// The piktd.conf lines of the chosen alerts.
pub fn piktd_entries(loader: &Loader<'_>, cfg: &HostConfig, alerts: &[String]) -> Vec<PiktdEntry> {
    alerts
        .iter()
        .filter_map(|name| cfg.alerts.get(name))
        .flat_map(|alert| {
            entries_for_alert(
                alert,
                &loader.layout,
                loader.options().test_mode,
                loader.pikt_conf.nicecmd(),
            )
        })
        .collect()
}

/// Reports selector names that are not items on the host.
fn unknown_items(out: &mut Outcome, chosen: &Chosen, host: &str) {
    for (kind, name) in &chosen.unknown {
        out.fail(
            &format!("unknown {} `{name}` on host `{host}`", kind.noun()),
            exit::USAGE,
        );
    }
}

/// `piktc --render +H host`: every file the host would get, each under a
/// `==> path (what, mode) <==` header, then its piktd.conf lines.
pub fn render_host(loader: &mut Loader<'_>, host: &str, selection: &ItemSelection) -> Outcome {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &cfg.diagnostics);
    let chosen = selection.choose(&cfg, true);
    unknown_items(&mut out, &chosen, host);
    for file in rendered_files(&cfg, &chosen, &loader.layout) {
        let owner = file
            .owner
            .map_or_else(String::new, |(u, g)| format!(", uid {u}, gid {g}"));
        let _ = writeln!(
            out.stdout,
            "==> {} ({}, mode {:o}{owner}) <==",
            loader.layout.show(&file.path),
            file.what,
            file.mode
        );
        out.stdout.push_str(&file.content);
    }
    for name in &chosen.scripts {
        if let Some(script) = cfg.alarms.get(name) {
            let _ = writeln!(out.stdout, "==> alarm script {name} <==");
            out.stdout.push_str(&script.text);
        }
    }
    let entries = piktd_entries(loader, &cfg, &chosen.alerts);
    if !entries.is_empty() {
        let _ = writeln!(
            out.stdout,
            "==> {} (piktd.conf lines) <==",
            loader.layout.show(&loader.layout.piktd_conf())
        );
        for e in entries {
            let _ = writeln!(out.stdout, "{}", show_root(&e.render(), &loader.layout));
        }
    }
    out
}

/// Replaces the root path in `text` with `=piktdir` where it starts a path
/// (not inside a longer one, so `/pikt/bin/pikt` becomes `=piktdir/bin/pikt`).
pub fn show_root(text: &str, layout: &Layout) -> String {
    let root = layout.root.to_string_lossy();
    let root = root.trim_end_matches('/');
    if root.is_empty() {
        return text.to_string();
    }
    let is_path_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-');
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(found) = text.get(i..).and_then(|t| t.find(root)) {
        let at = i + found;
        let end = at + root.len();
        let starts_path = at == 0 || !bytes.get(at - 1).copied().is_some_and(is_path_byte);
        let ends_path = bytes
            .get(end)
            .is_none_or(|&b| b == b'/' || !is_path_byte(b));
        out.push_str(&text[i..at]);
        out.push_str(if starts_path && ends_path {
            "=piktdir"
        } else {
            root
        });
        i = end;
    }
    out.push_str(&text[i..]);
    out
}

/// `piktc -l`: one line per chosen item: kind, name, target.
pub fn list_items(loader: &mut Loader<'_>, host: &str, selection: &ItemSelection) -> Outcome {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &cfg.diagnostics);
    let chosen = selection.choose(&cfg, true);
    unknown_items(&mut out, &chosen, host);
    for file in rendered_files(&cfg, &chosen, &loader.layout) {
        let _ = writeln!(
            out.stdout,
            "{} {}",
            file.what,
            loader.layout.show(&file.path)
        );
    }
    for name in &chosen.scripts {
        let alerts: Vec<&str> = cfg
            .alerts
            .alerts
            .iter()
            .filter(|a| a.alarm_names().any(|n| n == name))
            .map(|a| a.name.as_str())
            .collect();
        let _ = writeln!(
            out.stdout,
            "alarm script {name} (in alerts: {})",
            alerts.join(" ")
        );
    }
    out
}

/// `piktc -Z`: every element of the configuration as the host sees it.
pub fn list_all(loader: &mut Loader<'_>, host: &str) -> Outcome {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &cfg.diagnostics);
    let systems = &loader.systems;
    let s = &mut out.stdout;
    let mut names: Vec<(&str, &crate::systems::Declared)> = systems.names().collect();
    names.sort_by_key(|(_, d)| (d.kind, d.span.start));
    for (name, declared) in names {
        let detail = match declared.kind {
            crate::systems::NameKind::Os => format!(
                "hosts: {}",
                systems.expand(name).unwrap_or_default().join(" ")
            ),
            crate::systems::NameKind::Host => {
                let aliases = systems.aliases_of(name);
                let mut d = format!("os: {}", systems.os_of(name).unwrap_or("?"));
                if !aliases.is_empty() {
                    let _ = write!(d, ", aliases: {}", aliases.join(" "));
                }
                d
            }
            crate::systems::NameKind::Alias => format!(
                "host: {}",
                systems.expand(name).unwrap_or_default().join(" ")
            ),
            crate::systems::NameKind::Group => {
                format!("members: {}", systems.members_of(name).join(" "))
            }
        };
        let kind = match declared.kind {
            crate::systems::NameKind::Os => "os",
            crate::systems::NameKind::Host => "host",
            crate::systems::NameKind::Alias => "alias",
            crate::systems::NameKind::Group => "group",
        };
        let _ = writeln!(s, "{kind} {name} ({detail})");
    }
    for (name, value) in cfg.defines.iter() {
        let _ = writeln!(
            s,
            "define {name} ({})",
            if value { "true" } else { "false" }
        );
    }
    let mut macros: Vec<&str> = cfg.macros.iter().map(|m| m.name.as_str()).collect();
    macros.sort_unstable();
    for name in macros {
        let tag = if cfg.macros.is_predefined(name) {
            " (predefined)"
        } else {
            ""
        };
        let _ = writeln!(s, "macro {name}{tag}");
    }
    for alert in &cfg.alerts.alerts {
        let _ = writeln!(
            s,
            "alert {} (alarms: {})",
            alert.name,
            alert.alarm_names().collect::<Vec<_>>().join(" ")
        );
    }
    for script in &cfg.alarms.scripts {
        let _ = writeln!(s, "alarm {}", script.name);
    }
    for p in &cfg.programs.programs {
        let _ = writeln!(s, "program {} ({})", p.name, loader.layout.show(&p.path));
    }
    for f in &cfg.files.files {
        let _ = writeln!(s, "file {} ({})", f.name, loader.layout.show(&f.path));
    }
    for o in &cfg.objects.sets {
        let _ = writeln!(
            s,
            "object {} ({})",
            o.name,
            loader.layout.show(&loader.layout.object_file(&o.name))
        );
    }
    out
}

/// `piktc -L +H spec...`: the hosts a selection denotes, one per line.
pub fn expand_hosts(loader: &Loader<'_>, hosts: &[(bool, String)]) -> Outcome {
    let mut out = Outcome::default();
    out.diagnostics(&loader.map, &loader.diagnostics);
    // `piktc -L -H down sick` (the reference's own example) lists members:
    // with no `+H` at all, `-H` names are taken as additions.
    let only_minus = hosts.iter().all(|(add, _)| !add);
    let specs: Vec<(bool, String)> = hosts
        .iter()
        .map(|(add, n)| (*add || only_minus, n.clone()))
        .collect();
    let (chosen, unknown) = loader.systems.select(&specs);
    for name in unknown {
        unknown_host(&mut out, loader, &name);
    }
    for host in chosen {
        let _ = writeln!(out.stdout, "{host}");
    }
    out
}

/// Reports an unknown `+H` name.
pub fn unknown_host(out: &mut Outcome, loader: &Loader<'_>, name: &str) {
    let mut message = format!("unknown host, alias, group or os `{name}` (not in systems.cfg)");
    if let Some(s) = loader.systems.suggest(name) {
        let _ = write!(message, "; did you mean `{s}`?");
    }
    out.fail(&message, exit::USAGE);
}

/// `piktc -M +M "text"`: the text with the host's macros expanded.
pub fn expand_macros(loader: &mut Loader<'_>, host: &str, texts: &[String]) -> Outcome {
    let mut out = Outcome::default();
    let mut cfg = loader.load_host(host);
    let errors: Vec<Diagnostic> = cfg
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &errors);
    for text in texts {
        let mut line = text.clone();
        if !line.ends_with('\n') {
            line.push('\n');
        }
        let id = loader.map.add("<command line>", line);
        let mut opts = Options::new(
            &cfg.facts,
            &mut cfg.defines,
            FileKind::Other,
            loader.layout.cfgdir.clone(),
        );
        opts.macros = Some(&cfg.macros);
        opts.env.clone_from(&loader.options().env);
        let result = preprocess(
            &mut loader.map,
            id,
            &mut opts,
            &pikt_preproc::RealHost::default(),
        );
        out.diagnostics(&loader.map, &result.diagnostics);
        out.stdout.push_str(&loader.map.get(result.file).text);
    }
    out
}

/// `piktc --explain +H host FILE:LINE`: which `#if`/`#ifdef` branches made
/// the output lines that come from line LINE of FILE (a config file or an
/// included file, named as in diagnostics).
pub fn explain(loader: &mut Loader<'_>, host: &str, file: &str, line: usize) -> Outcome {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    let mut found = false;
    let mut seen_files: Vec<String> = cfg
        .rendered
        .iter()
        .map(|r| loader.map.get(r.source).name.clone())
        .collect();
    for rendered in &cfg.rendered {
        let derived = loader.map.get(rendered.derived);
        for index in 0..derived.text.lines().count() {
            let start = derived.line_start(index) as usize;
            let origin = loader
                .map
                .resolve(pikt_source::Span::new(rendered.derived, start, start))
                .span;
            let origin_file = loader.map.get(origin.file);
            if !seen_files.contains(&origin_file.name) {
                seen_files.push(origin_file.name.clone());
            }
            if origin_file.name != file || origin_file.line_col(origin.start).0 != line {
                continue;
            }
            found = true;
            explain_line(
                &mut out,
                loader,
                rendered,
                index,
                host,
                &format!("{file}:{line}"),
            );
        }
    }
    if !found {
        if seen_files.iter().any(|f| f == file) {
            let _ = writeln!(
                out.stdout,
                "{file}:{line} produces no output for host `{host}`"
            );
        } else {
            out.fail(&format!("no config file `{file}` was read"), exit::USAGE);
        }
    }
    out
}

fn explain_line(
    out: &mut Outcome,
    loader: &Loader<'_>,
    rendered: &crate::loader::Rendered,
    index: usize,
    host: &str,
    at: &str,
) {
    let derived = loader.map.get(rendered.derived);
    let _ = writeln!(
        out.stdout,
        "{at} -> {} line {} for host `{host}`: {}",
        rendered.config.file_name(),
        index + 1,
        derived.line_text(index)
    );
    let branches = rendered.explain.branches(index);
    if branches.is_empty() {
        let _ = writeln!(out.stdout, "  not inside any #if or #ifdef");
    }
    for b in branches {
        let place = |span| {
            let location = loader.map.location(span);
            location
                .rsplit_once(':')
                .map_or(location.clone(), |(l, _)| l.to_string())
        };
        if b.span == b.opener_span {
            let _ = writeln!(out.stdout, "  {} ({})", b.directive, place(b.span));
        } else {
            let _ = writeln!(
                out.stdout,
                "  {} ({}) of {} ({})",
                b.directive,
                place(b.span),
                b.opener,
                place(b.opener_span)
            );
        }
    }
}

/// What an install-type operation changes on the local host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalRequest {
    /// `-i`: install the chosen items.
    pub install: bool,
    /// `-e`: write the chosen alerts' piktd.conf lines.
    pub enable: bool,
    /// `-d`: remove the chosen alerts' piktd.conf lines.
    pub disable: bool,
    /// `-t`: delete the chosen items and their history and log files.
    pub delete: bool,
    /// `-v`: say what was done.
    pub verbose: bool,
    /// Show the plan without writing anything.
    pub dry_run: bool,
}

/// `piktc -i/-e/-d/-t` on the local host `host`.
pub fn apply_local(
    loader: &mut Loader<'_>,
    host: &str,
    selection: &ItemSelection,
    req: &LocalRequest,
) -> Outcome {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &cfg.diagnostics);
    if out.exit != exit::OK {
        out.fail(
            &format!("nothing changed on `{host}`: the configuration has errors"),
            exit::CONFIG_ERROR,
        );
        return out;
    }
    let chosen = selection.choose(&cfg, false);
    unknown_items(&mut out, &chosen, host);
    if out.exit != exit::OK {
        return out;
    }
    if chosen.is_empty() {
        out.fail(
            "no items selected: give `+A`, `+P`, `+F`, `+O` (or `all`)",
            exit::USAGE,
        );
        return out;
    }
    if !chosen.scripts.is_empty() {
        out.fail(
            "alarm scripts are installed with their alerts: select them with `+A`",
            exit::USAGE,
        );
        return out;
    }
    if req.install {
        install_step(loader, &cfg, &chosen, req, &mut out);
    }
    if out.exit == exit::OK && (req.enable || req.disable) {
        piktd_step(loader, &cfg, &chosen, req, &mut out);
    }
    if out.exit == exit::OK && req.delete {
        delete_step(loader, &cfg, &chosen, req, &mut out);
    }
    out
}

fn install_step(
    loader: &Loader<'_>,
    cfg: &HostConfig,
    chosen: &Chosen,
    req: &LocalRequest,
    out: &mut Outcome,
) {
    let plan: Vec<PlannedFile> = rendered_files(cfg, chosen, &loader.layout)
        .into_iter()
        .map(|f| PlannedFile {
            path: f.path,
            content: f.content.into_bytes(),
            mode: f.mode,
            owner: f.owner,
            what: f.what,
        })
        .collect();
    if req.dry_run {
        for f in &plan {
            let _ = writeln!(
                out.stdout,
                "would install {} ({})",
                loader.layout.show(&f.path),
                f.what
            );
        }
        return;
    }
    match install_files(&plan, crate::install::running_as_root()) {
        Ok(done) => {
            if req.verbose {
                for (path, f) in done.iter().zip(&plan) {
                    let _ = writeln!(
                        out.stdout,
                        "installed {} ({})",
                        loader.layout.show(path),
                        f.what
                    );
                }
            }
        }
        Err(e) => {
            for path in &e.done {
                out.note(&format!("already installed: {}", loader.layout.show(path)));
            }
            out.install_failed(&e, &loader.layout);
        }
    }
}

fn piktd_step(
    loader: &Loader<'_>,
    cfg: &HostConfig,
    chosen: &Chosen,
    req: &LocalRequest,
    out: &mut Outcome,
) {
    let path = loader.layout.piktd_conf();
    let existing = match read_file(&path) {
        Ok(text) => text.unwrap_or_default(),
        Err(e) => {
            out.install_failed(&e, &loader.layout);
            return;
        }
    };
    let mut map = SourceMap::new();
    let id = map.add(loader.layout.show(&path), existing);
    let (mut conf, diags) = PiktdConf::parse(&map, id);
    if !diags.is_empty() {
        out.diagnostics(&map, &diags);
        out.fail(
            "piktd.conf has errors; fix or remove the lines above first",
            exit::INSTALL_FAILURE,
        );
        return;
    }
    for name in &chosen.alerts {
        if req.disable {
            let n = conf.remove_alert(name);
            if req.verbose {
                let _ = writeln!(out.stdout, "disabled alert {name} ({n} line(s) removed)");
            }
        } else {
            let entries = piktd_entries(loader, cfg, std::slice::from_ref(name));
            if entries.is_empty() {
                out.note(&format!("alert `{name}` has no timing; nothing to enable"));
            }
            if req.verbose {
                let _ = writeln!(
                    out.stdout,
                    "enabled alert {name} ({} line(s))",
                    entries.len()
                );
            }
            conf.set_alert(name, entries);
        }
    }
    if req.dry_run {
        let _ = write!(out.stdout, "{}", show_root(&conf.render(), &loader.layout));
        return;
    }
    let file = PlannedFile {
        path,
        content: conf.render().into_bytes(),
        mode: PIKTD_CONF_MODE,
        owner: Some((0, 0)),
        what: "piktd.conf".into(),
    };
    if let Err(e) = install_files(&[file], crate::install::running_as_root()) {
        out.install_failed(&e, &loader.layout);
    }
}

fn delete_step(
    loader: &Loader<'_>,
    cfg: &HostConfig,
    chosen: &Chosen,
    req: &LocalRequest,
    out: &mut Outcome,
) {
    let mut paths: Vec<PathBuf> = rendered_files(cfg, chosen, &loader.layout)
        .into_iter()
        .map(|f| f.path)
        .collect();
    for name in &chosen.alerts {
        paths.push(loader.layout.alert_log(name));
        if let Some(alert) = cfg.alerts.get(name) {
            paths.extend(
                alert
                    .alarm_names()
                    .map(|s| loader.layout.history_file(name, s)),
            );
        }
    }
    // A script's history is kept per alert: every alert holding it.
    for name in &chosen.scripts {
        for alert in &cfg.alerts.alerts {
            if alert.alarm_names().any(|a| a == name) {
                paths.push(loader.layout.history_file(&alert.name, name));
            }
        }
    }
    if req.dry_run {
        for p in &paths {
            let _ = writeln!(out.stdout, "would delete {}", loader.layout.show(p));
        }
        return;
    }
    match remove_files(&paths) {
        Ok(report) => {
            if req.verbose {
                for (path, what) in report {
                    let verb = if what == Removal::Removed {
                        "deleted"
                    } else {
                        "not present"
                    };
                    let _ = writeln!(out.stdout, "{verb} {}", loader.layout.show(&path));
                }
            }
        }
        Err(e) => out.install_failed(&e, &loader.layout),
    }
}

/// piktc's main operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `-c`.
    Check,
    /// `-i`/`-e`/`-d`/`-t`, any combination.
    Local(LocalRequest),
    /// `-l`.
    List,
    /// `-Z`.
    ListAll,
    /// `-L`.
    ExpandHosts,
    /// `-M`.
    ExpandMacros,
    /// `--render`.
    Render,
    /// `--explain FILE:LINE`.
    Explain {
        /// The file as named in diagnostics.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// `-s`: piktd's state and the alerts' status on the local host
    /// ([`crate::status`]).
    Status,
    /// `-h`.
    Help,
    /// `-V`.
    Version,
}

/// A validated piktc command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The operation.
    pub operation: Operation,
    /// `--piktdir`, if given.
    pub piktdir: Option<PathBuf>,
    /// `--host`, if given.
    pub host: Option<String>,
    /// `+H`/`-H` in order.
    pub hosts: Vec<(bool, String)>,
    /// Item selectors.
    pub items: ItemSelection,
    /// `+D`/`-D` in order.
    pub defines: Vec<(String, bool)>,
    /// `+M` texts.
    pub macro_texts: Vec<String>,
    /// `+E name=value` (Some) and `-E name` (None), in order.
    pub env: Vec<(String, Option<String>)>,
    /// `-T`.
    pub test_mode: bool,
    /// `-v`.
    pub verbose: bool,
    /// `-I`.
    pub refresh: bool,
}

/// What piktc learns from its environment (passed in, so tests control it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunEnv {
    /// `PIKT_DIR`.
    pub piktdir: Option<std::ffi::OsString>,
    /// `PIKT_HOST`.
    pub host: Option<String>,
    /// The kernel's host name.
    pub kernel_host: Option<String>,
}

impl Request {
    /// The PIKT root for this request.
    pub fn root(&self, env: &RunEnv) -> PathBuf {
        crate::layout::resolve_root(self.piktdir.as_deref(), env.piktdir.clone())
    }

    fn load_options(&self, env: &RunEnv) -> crate::loader::LoadOptions {
        let mut vars: Vec<(String, String)> = Vec::new();
        for (name, value) in &self.env {
            vars.retain(|(n, _)| n != name);
            if let Some(v) = value {
                vars.push((name.clone(), v.clone()));
            }
        }
        let files = match &self.operation {
            Operation::ExpandHosts | Operation::ExpandMacros => crate::loader::FileSet::NONE,
            Operation::Check | Operation::Explain { .. } | Operation::ListAll
                if self.items.is_empty() =>
            {
                crate::loader::FileSet::ALL
            }
            Operation::Local(req) if req.enable || req.disable => {
                let mut f = self.items.files_needed();
                f.alerts = true;
                f
            }
            _ => self.items.files_needed(),
        };
        crate::loader::LoadOptions {
            root: self.root(env),
            defines: self.defines.clone(),
            test_mode: self.test_mode,
            env: vars,
            refresh: self.refresh,
            files,
            parse_scripts: matches!(self.operation, Operation::Check | Operation::Local(_)),
        }
    }
}

/// Runs `req` (any operation but help and version, which need no
/// configuration) with `io` as the preprocessor's window on the world.
pub fn run(req: &Request, env: &RunEnv, io: &dyn pikt_preproc::PreprocHost) -> Outcome {
    if req.operation == Operation::Status {
        // piktd's files only, no configuration. Without pikt-sched's lock
        // probe (the binary passes it to `status::show`) only a missing lock
        // file tells whether piktd runs.
        return crate::status::show(&req.root(env), &req.items, None);
    }
    let mut loader = Loader::new(req.load_options(env), io);
    if loader.source(crate::loader::ConfigFile::Systems).is_none() || loader.has_errors() {
        // Without a sound systems.cfg no host can be loaded; -c still shows everything.
        if req.operation != Operation::Check
            || loader.source(crate::loader::ConfigFile::Systems).is_none()
        {
            let mut out = Outcome::default();
            out.diagnostics(&loader.map, &loader.diagnostics);
            out.exit = out.exit.max(exit::CONFIG_ERROR);
            return out;
        }
    }
    match &req.operation {
        Operation::Check => match check_hosts(&loader, req) {
            Ok(hosts) => check(&mut loader, &hosts, req.verbose),
            Err(out) => out,
        },
        Operation::ExpandHosts => expand_hosts(&loader, &req.hosts),
        Operation::Local(local) => run_local(&mut loader, req, env, local),
        op => match one_host(&loader, req, env) {
            Ok(host) => match op {
                Operation::List => list_items(&mut loader, &host, &req.items),
                Operation::ListAll => list_all(&mut loader, &host),
                Operation::ExpandMacros => expand_macros(&mut loader, &host, &req.macro_texts),
                Operation::Render => render_host(&mut loader, &host, &req.items),
                Operation::Explain { file, line } => explain(&mut loader, &host, file, *line),
                _ => Outcome::default(),
            },
            Err(out) => out,
        },
    }
}

/// The hosts `-c` checks: the `+H` selection, or every host.
fn check_hosts(loader: &Loader<'_>, req: &Request) -> Result<Vec<String>, Outcome> {
    if req.hosts.is_empty() {
        return Ok(loader.systems.hosts().to_vec());
    }
    selected_hosts(loader, req)
}

fn selected_hosts(loader: &Loader<'_>, req: &Request) -> Result<Vec<String>, Outcome> {
    let (hosts, unknown) = loader.systems.select(&req.hosts);
    if unknown.is_empty() {
        return Ok(hosts);
    }
    let mut out = Outcome::default();
    for name in unknown {
        unknown_host(&mut out, loader, &name);
    }
    Err(out)
}

/// The local host's name, which must be registered in systems.cfg.
fn local_host(loader: &Loader<'_>, req: &Request, env: &RunEnv) -> Result<String, Outcome> {
    let mut out = Outcome::default();
    let Some(host) = crate::layout::resolve_host(
        req.host.as_deref(),
        env.host.clone(),
        env.kernel_host.clone(),
    ) else {
        out.fail(
            "cannot tell the local host's name: use `--host` or set PIKT_HOST",
            exit::USAGE,
        );
        return Err(out);
    };
    if loader.systems.kind_of(&host) != Some(crate::systems::NameKind::Host) {
        out.fail(
            &format!("the local host `{host}` is not registered in systems.cfg (use `--host` or set PIKT_HOST)"),
            exit::USAGE,
        );
        return Err(out);
    }
    Ok(host)
}

/// The one host of a single-host operation: `+H` naming exactly one host,
/// else the local host.
fn one_host(loader: &Loader<'_>, req: &Request, env: &RunEnv) -> Result<String, Outcome> {
    if req.hosts.is_empty() {
        return local_host(loader, req, env);
    }
    let hosts = selected_hosts(loader, req)?;
    match hosts.as_slice() {
        [one] => Ok(one.clone()),
        _ => {
            let mut out = Outcome::default();
            out.fail(
                &format!(
                    "this operation takes one host; the +H/-H names select {}",
                    describe_hosts(&hosts)
                ),
                exit::USAGE,
            );
            Err(out)
        }
    }
}

fn describe_hosts(hosts: &[String]) -> String {
    if hosts.is_empty() {
        "none".to_string()
    } else {
        hosts.join(", ")
    }
}

/// `-i/-e/-d/-t`: the local host only; other selected hosts are skipped.
fn run_local(
    loader: &mut Loader<'_>,
    req: &Request,
    env: &RunEnv,
    local: &LocalRequest,
) -> Outcome {
    let host = match local_host(loader, req, env) {
        Ok(h) => h,
        Err(out) => return out,
    };
    let targets = if req.hosts.is_empty() {
        vec![host.clone()]
    } else {
        match selected_hosts(loader, req) {
            Ok(h) => h,
            Err(out) => return out,
        }
    };
    let skipped: Vec<&String> = targets.iter().filter(|h| **h != host).collect();
    let mut out = if targets.contains(&host) {
        apply_local(loader, &host, &req.items, local)
    } else {
        Outcome::default()
    };
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|s| s.as_str()).collect();
        out.note(&format!(
            "skipped remote host(s) {} (only the local host `{host}` is handled for now)",
            names.join(", ")
        ));
        if out.exit == exit::OK {
            out.exit = exit::HOSTS_SKIPPED;
        }
    }
    out
}
