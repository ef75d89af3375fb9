//! piktd.conf on this host: the alerts' lines set (`-e`) or removed
//! (`-d`), every other line kept. The lines come from the master as text
//! and are read again here with piktd.conf's own reader, so a bundle can
//! only ever add well-formed pikt calls of the alert it names.

use pikt_config::install::{read_file, PlannedFile};
use pikt_config::piktd_conf::PiktdConf;
use pikt_config::Site;
use pikt_source::{render, SourceMap};

use crate::plan::{AlertLines, PiktdEdit};
use crate::report::PiktdResult;
use crate::text::unified_diff;

/// Mode of piktd.conf.
pub const PIKTD_CONF_MODE: u32 = 0o644;

/// Why piktd.conf cannot be changed: rendered diagnostics (printed as they
/// are) and the error.
pub(super) struct Refusal {
    pub diagnostics: Vec<String>,
    pub message: String,
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal {
            diagnostics: Vec::new(),
            message,
        }
    }
}

/// The new piktd.conf to stage (none when it does not change, or in a dry
/// run) and what changes; or why nothing may change.
pub(super) fn edit(
    edit: &PiktdEdit,
    site: &Site,
    dry_run: bool,
) -> Result<(Option<PlannedFile>, PiktdResult), Refusal> {
    // The piktd.conf piktd reads: the one found (`=etcdir`, then the
    // system directories), else `=etcdir/piktd.conf`.
    let path = site.piktd_files().conf;
    let shown = path.display().to_string();
    let before = read_file(&path)
        .map_err(|e| Refusal::from(e.to_string()))?
        .unwrap_or_default();
    let mut map = SourceMap::new();
    let id = map.add(shown.clone(), before.clone());
    let (mut conf, diags) = PiktdConf::parse(&map, id);
    if !diags.is_empty() {
        return Err(Refusal {
            diagnostics: diags.iter().map(|d| render(&map, d)).collect(),
            message: "piktd.conf has errors; fix or remove the lines above first".into(),
        });
    }
    let mut result = PiktdResult {
        path: shown,
        ..PiktdResult::default()
    };
    for name in &edit.remove {
        let removed = conf.remove_alert(name);
        result.disabled.push((name.clone(), removed));
    }
    for alert in &edit.set {
        let entries = alert_entries(alert, &mut map)?;
        if entries.is_empty() {
            result.no_timing.push(alert.alert.clone());
        } else {
            result.enabled.push((alert.alert.clone(), entries.len()));
        }
        conf.set_alert(&alert.alert, entries);
    }
    let after = conf.render();
    result.changed = after != before;
    if dry_run {
        result.diff = unified_diff(&before, &after, &result.path, &result.path);
    }
    let file = (result.changed && !dry_run).then(|| PlannedFile {
        path: path.clone(),
        content: after.into_bytes(),
        mode: PIKTD_CONF_MODE,
        owner: Some((0, 0)),
        what: "piktd.conf".into(),
    });
    Ok((file, result))
}

/// The alert's lines, read as piktd.conf lines; each must run that alert.
fn alert_entries(
    alert: &AlertLines,
    map: &mut SourceMap,
) -> Result<Vec<pikt_config::piktd_conf::PiktdEntry>, Refusal> {
    let text: String = alert.lines.iter().map(|l| format!("{l}\n")).collect();
    let id = map.add(format!("<piktd.conf lines of alert {}>", alert.alert), text);
    let (conf, diags) = PiktdConf::parse(map, id);
    if !diags.is_empty() {
        return Err(Refusal {
            diagnostics: diags.iter().map(|d| render(map, d)).collect(),
            message: format!(
                "the master sent bad piktd.conf lines for alert `{}`",
                alert.alert
            ),
        });
    }
    let entries: Vec<_> = conf.entries().cloned().collect();
    if let Some(other) = entries
        .iter()
        .find(|e| e.alert() != Some(alert.alert.as_str()))
    {
        return Err(Refusal::from(format!(
            "the master sent a piktd.conf line for alert `{}` that runs another: `{}`",
            alert.alert,
            other.render()
        )));
    }
    Ok(entries)
}
