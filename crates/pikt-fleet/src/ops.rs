//! piktc's operations on the master alone: checking, rendering, listing,
//! explaining and expanding, from the configuration read once by a
//! [`Loader`]. They return an [`Outcome`] (what to print and the exit
//! status); the files a host gets ([`rendered_files`]) and an alert's
//! piktd.conf lines ([`piktd_entries`]) are also what plans are made of.

use std::fmt::Write as _;
use std::path::PathBuf;

use pikt_config::loader::{HostConfig, Loader};
use pikt_config::piktd_conf::{entries_for_alert, PiktdEntry};
use pikt_config::selection::{Chosen, ItemKind, ItemSelection};
use pikt_config::Layout;
use pikt_preproc::{preprocess, FileKind, Options};
use pikt_source::Diagnostic;

use crate::request::{exit, Outcome};
use crate::text::count;

/// Mode of installed `.alt` and `.obj` files.
pub const ITEM_FILE_MODE: u32 = 0o640;

/// `piktc -c`: checks every config file for every host in `hosts`, and
/// ends with one line saying how it went.
pub fn check(loader: &mut Loader<'_>, hosts: &[String], verbose: bool) -> Outcome {
    let mut out = Outcome::default();
    let report = loader.check_all(hosts);
    out.diagnostics(&loader.map, &report.diagnostics);
    let (errors, warnings) = (report.errors(), report.warnings());
    let hosts_text = count(hosts.len(), "host");
    if errors > 0 {
        let mut line = count(errors, "error");
        if warnings > 0 {
            let _ = write!(line, ", {}", count(warnings, "warning"));
        }
        out.fail(
            &format!("the configuration has errors: {line} ({hosts_text} checked)"),
            exit::CONFIG_ERROR,
        );
        return out;
    }
    let warned = if warnings > 0 {
        format!(", {}", count(warnings, "warning"))
    } else {
        String::new()
    };
    let names = if verbose {
        format!(": {}", hosts.join(", "))
    } else {
        String::new()
    };
    let _ = writeln!(
        out.stdout,
        "configuration OK for {hosts_text}{warned}{names}"
    );
    out
}

/// One file a host would get.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedFile {
    /// The kind of item it belongs to.
    pub kind: ItemKind,
    /// The item's name.
    pub name: String,
    /// The item it belongs to, in words (`alert Urgent`).
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
                kind: ItemKind::Alert,
                name: name.clone(),
                what: format!("alert {name}"),
                path: layout.alert_file(name),
                mode: ITEM_FILE_MODE,
                owner: None,
                content,
            });
            files.push(RenderedFile {
                kind: ItemKind::Alert,
                name: name.clone(),
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
        .filter_map(|n| cfg.programs.get(n).map(|p| (ItemKind::Program, p)))
        .chain(
            chosen
                .files
                .iter()
                .filter_map(|n| cfg.files.get(n).map(|f| (ItemKind::File, f))),
        );
    for (kind, item) in managed {
        files.push(RenderedFile {
            kind,
            name: item.name.clone(),
            what: format!("{} {}", kind.noun(), item.name),
            path: item.path.clone(),
            mode: item.mode,
            owner: Some((item.uid, item.gid)),
            content: item.content.clone(),
        });
    }
    for name in &chosen.objects {
        if let Some(set) = cfg.objects.get(name) {
            files.push(RenderedFile {
                kind: ItemKind::Object,
                name: name.clone(),
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
/// [`pikt_config::alerts::AlertsFile::parse`].
pub fn alert_settings(alert: &pikt_config::alerts::Alert) -> String {
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
                &cfg.layout,
                loader.options().test_mode,
                loader.site.conf.nicecmd(),
            )
        })
        .collect()
}

/// Reports selector names that are not items on the host, with the
/// closest item of the kind when one is close.
pub fn unknown_items(out: &mut Outcome, cfg: &HostConfig, chosen: &Chosen) {
    for (kind, name) in &chosen.unknown {
        let mut message = format!("unknown {} `{name}` on host `{}`", kind.noun(), cfg.host);
        let items = kind.items(cfg);
        if let Some(close) = pikt_cli::suggest::did_you_mean(name, items.iter().map(String::as_str))
        {
            let _ = write!(message, "; did you mean `{close}`?");
        }
        out.fail(&message, exit::USAGE);
    }
}

/// The host's configuration and the items `selection` names there (all
/// when it names none), with every diagnostic and unknown name reported.
fn load_chosen(
    loader: &mut Loader<'_>,
    host: &str,
    selection: &ItemSelection,
) -> (Outcome, HostConfig, Chosen) {
    let mut out = Outcome::default();
    let cfg = loader.load_host(host);
    out.diagnostics(&loader.map, &loader.diagnostics);
    out.diagnostics(&loader.map, &cfg.diagnostics);
    let chosen = selection.choose(&cfg, true);
    unknown_items(&mut out, &cfg, &chosen);
    (out, cfg, chosen)
}

/// `piktc --render +H host`: every file the host would get, each under a
/// `==> path (what, mode) <==` header, then its piktd.conf lines.
pub fn render_host(loader: &mut Loader<'_>, host: &str, selection: &ItemSelection) -> Outcome {
    let (mut out, cfg, chosen) = load_chosen(loader, host, selection);
    for file in rendered_files(&cfg, &chosen, &cfg.layout) {
        let owner = file
            .owner
            .map_or_else(String::new, |(u, g)| format!(", uid {u}, gid {g}"));
        let _ = writeln!(
            out.stdout,
            "==> {} ({}, mode {:o}{owner}) <==",
            loader.layout().show(&file.path),
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
            if loader.site.host().ok() == Some(cfg.host.as_str()) {
                // This host: where its Site finds piktd.conf.
                loader.layout().show(&loader.site.piktd_files().conf)
            } else {
                cfg.layout.show(&cfg.layout.piktd_conf())
            }
        );
        for e in entries {
            let _ = writeln!(out.stdout, "{}", e.render());
        }
    }
    out
}

/// `piktc -l`: one line per chosen item: kind, name, target.
pub fn list_items(loader: &mut Loader<'_>, host: &str, selection: &ItemSelection) -> Outcome {
    let (mut out, cfg, chosen) = load_chosen(loader, host, selection);
    for file in rendered_files(&cfg, &chosen, &cfg.layout) {
        let _ = writeln!(out.stdout, "{} {}", file.what, cfg.layout.show(&file.path));
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
    let mut names: Vec<(&str, &pikt_config::systems::Declared)> = systems.names().collect();
    names.sort_by_key(|(_, d)| (d.kind, d.span.start));
    for (name, declared) in names {
        let detail = match declared.kind {
            pikt_config::systems::NameKind::Os => format!(
                "hosts: {}",
                systems.expand(name).unwrap_or_default().join(" ")
            ),
            pikt_config::systems::NameKind::Host => {
                let aliases = systems.aliases_of(name);
                let mut d = format!("os: {}", systems.os_of(name).unwrap_or("?"));
                if !aliases.is_empty() {
                    let _ = write!(d, ", aliases: {}", aliases.join(" "));
                }
                d
            }
            pikt_config::systems::NameKind::Alias => format!(
                "host: {}",
                systems.expand(name).unwrap_or_default().join(" ")
            ),
            pikt_config::systems::NameKind::Group => {
                format!("members: {}", systems.members_of(name).join(" "))
            }
        };
        let kind = match declared.kind {
            pikt_config::systems::NameKind::Os => "os",
            pikt_config::systems::NameKind::Host => "host",
            pikt_config::systems::NameKind::Alias => "alias",
            pikt_config::systems::NameKind::Group => "group",
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
        let _ = writeln!(s, "program {} ({})", p.name, loader.layout().show(&p.path));
    }
    for f in &cfg.files.files {
        let _ = writeln!(s, "file {} ({})", f.name, loader.layout().show(&f.path));
    }
    for o in &cfg.objects.sets {
        let _ = writeln!(
            s,
            "object {} ({})",
            o.name,
            cfg.layout.show(&cfg.layout.object_file(&o.name))
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
        let (expanded, diags) = expand_text(loader, &mut cfg, text);
        out.diagnostics(&loader.map, &diags);
        out.stdout.push_str(&expanded);
    }
    out
}

/// `text` (one line, as given on the command line) with the macros of the
/// host of `cfg` expanded, newline-terminated.
pub fn expand_text(
    loader: &mut Loader<'_>,
    cfg: &mut HostConfig,
    text: &str,
) -> (String, Vec<Diagnostic>) {
    let mut line = text.to_string();
    if !line.ends_with('\n') {
        line.push('\n');
    }
    let id = loader.map.add("<command line>", line);
    let cfgdir = loader.layout().cfgdir.clone();
    let mut opts = Options::new(&cfg.facts, &mut cfg.defines, FileKind::Other, cfgdir);
    opts.macros = Some(&cfg.macros);
    opts.env.clone_from(&loader.options().env);
    let result = preprocess(
        &mut loader.map,
        id,
        &mut opts,
        &pikt_preproc::RealHost::default(),
    );
    (loader.map.get(result.file).text.clone(), result.diagnostics)
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
    rendered: &pikt_config::loader::Rendered,
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
