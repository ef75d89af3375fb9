//! What `piktc -i` left on this host: the installed alerts
//! (`=altdir/ALERT.alt`) and the scripts each holds. `pikt +A`/`+S` find
//! their alert here, and `piktc --complete installed-alert|installed-script`
//! offers these names to shell completion.

use std::path::{Path, PathBuf};

use pikt_lang::{parse_program, ParseMode};
use pikt_source::SourceMap;

use crate::layout::Layout;

/// The installed alerts, by name, with their `.alt` files, sorted by name.
/// Empty when `=altdir` cannot be read.
pub fn installed_alerts(layout: &Layout) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(&layout.altdir) else {
        return Vec::new();
    };
    let mut alerts: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "alt"))
        .filter_map(|p| Some((p.file_stem()?.to_string_lossy().into_owned(), p)))
        .collect();
    alerts.sort();
    alerts
}

/// The names of the scripts the alarm file at `path` defines, in file
/// order (only `script`, when given and defined); empty when the file
/// cannot be read.
pub fn alert_scripts(path: &Path, script: Option<&str>) -> Vec<String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Vec::new();
    };
    let mut map = SourceMap::new();
    let id = map.add(path.display().to_string(), String::from_utf8_lossy(&bytes));
    let (program, _) = parse_program(&map, id, ParseMode::Alarms);
    program
        .scripts
        .iter()
        .filter_map(|s| s.name.as_ref().map(|n| n.name.to_string()))
        .filter(|n| script.is_none_or(|want| n == want))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_alt_files_and_their_scripts() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let layout = Layout::new(dir.path());
        assert!(installed_alerts(&layout).is_empty(), "no altdir yet");
        std::fs::create_dir_all(&layout.altdir)?;
        std::fs::write(
            layout.alert_file("Urgent"),
            "DiskChk\n\tinit\n\t\tstatus active\nLoadChk\n\tinit\n\t\tstatus active\n",
        )?;
        std::fs::write(layout.alert_file("Info"), "")?;
        std::fs::write(layout.alert_settings_file("Urgent"), "")?;
        let alerts = installed_alerts(&layout);
        let names: Vec<&str> = alerts.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Info", "Urgent"]);
        assert_eq!(
            alert_scripts(&layout.alert_file("Urgent"), None),
            ["DiskChk", "LoadChk"]
        );
        assert_eq!(
            alert_scripts(&layout.alert_file("Urgent"), Some("LoadChk")),
            ["LoadChk"]
        );
        assert!(alert_scripts(&layout.alert_file("Missing"), None).is_empty());
        Ok(())
    }
}
