//! `pikt -z`: PIKT's "make check" mode, here the check of this host's
//! installation: PIKT.conf (its warnings) and every installed alert, each
//! `=altdir/ALERT.alt` parsed and checked as `pikt -c +A ALERT` does and its
//! settings `=altdir/ALERT.cfg` read as a run reads them. Nothing runs and
//! nothing is written. `piktd -z` is the same for piktd.conf.

use std::fmt::Write as _;
use std::io::{self, Write as _};

use pikt_config::{Site, SiteEnv};
use pikt_lang::{parse_program, ParseMode};
use pikt_source::{render, Diagnostic, SourceMap};

use pikt_config::installed::installed_alerts;

use crate::alert::read_settings;
use crate::args::Args;
use crate::{print_stdout, EXIT_SCRIPT_ERRORS, EXIT_UNREADABLE};

/// Checks the installation; prints each problem on standard error and
/// one line per alert on standard output. Returns the exit status.
pub fn installation(args: &Args) -> u8 {
    let site = match Site::open(&args.site, &SiteEnv::from_process()) {
        Ok(site) => site,
        Err(e) => {
            eprintln!("pikt: error: {e}");
            return EXIT_UNREADABLE;
        }
    };
    if !site.root().is_dir() {
        eprintln!(
            "pikt: error: no PIKT installation at `{}`: it does not exist (use `--piktdir DIR` or set PIKT_DIR)",
            site.root().display()
        );
        return EXIT_UNREADABLE;
    }
    let _ = io::stderr().write_all(site.warnings().as_bytes());
    let mut summary = String::new();
    let conf = if site.has_pikt_conf() {
        format!("PIKT.conf: `{}`", site.pikt_conf_path().display())
    } else {
        "PIKT.conf: none found, the defaults apply".to_string()
    };
    let _ = writeln!(summary, "{conf}");
    let alerts = installed_alerts(&site.layout);
    let mut failed = 0;
    for (alert, path) in &alerts {
        let line = match check_alert(&site, alert, path) {
            Ok(scripts) => format!("{alert}: ok ({scripts} script{})", plural(scripts)),
            Err(problem) => {
                failed += 1;
                format!("{alert}: {problem}")
            }
        };
        let _ = writeln!(summary, "{line}");
    }
    let _ = writeln!(
        summary,
        "{} installed alert{} in `{}`, {failed} with errors",
        alerts.len(),
        plural(alerts.len()),
        site.layout.altdir.display()
    );
    let printed = print_stdout(&summary);
    if failed > 0 {
        EXIT_SCRIPT_ERRORS
    } else {
        printed
    }
}

/// One alert: its scripts parse and check, its settings read. Returns the
/// number of scripts, or what is wrong (the diagnostics are printed).
fn check_alert(site: &Site, alert: &str, path: &std::path::Path) -> Result<usize, String> {
    let text = std::fs::read(path)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| {
            eprintln!("pikt: error: cannot read `{}`: {e}", path.display());
            "cannot be read".to_string()
        })?;
    let mut map = SourceMap::new();
    let id = map.add(path.display().to_string(), text);
    let (program, diagnostics) = parse_program(&map, id, ParseMode::Alarms);
    let mut stderr = io::stderr().lock();
    for diagnostic in &diagnostics {
        let _ = stderr.write_all(render(&map, diagnostic).as_bytes());
    }
    drop(stderr);
    let errors = diagnostics
        .iter()
        .filter(|d| Diagnostic::is_error(d))
        .count();
    if let Err(message) = read_settings(&site.layout, alert) {
        eprintln!("pikt: error: {message}");
        return Err(format!("its settings have errors{}", and_errors(errors)));
    }
    if errors > 0 {
        return Err(format!("{errors} error{} in its scripts", plural(errors)));
    }
    Ok(program.scripts.len())
}

fn and_errors(errors: usize) -> String {
    if errors == 0 {
        String::new()
    } else {
        format!(", and {errors} error{} in its scripts", plural(errors))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
