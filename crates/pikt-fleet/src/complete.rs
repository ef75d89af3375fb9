//! `piktc --complete KIND`: the names shell completion offers for a
//! selector's words or an option's value, one per line, sorted.
//!
//! The completion scripts (`crates/pikt-manual`) call it as
//! `piktc --complete KIND [--piktdir DIR] [--host NAME]` with the
//! installation the command line being completed names. It runs on every
//! Tab, so it is cheap and harmless:
//!
//! * master names (`host`, `alert`, `script`, `program`, `file`, `object`,
//!   `define`) come from the configuration under `=cfgdir`, reading only
//!   the files the kind needs, without parsing scripts; the names are the
//!   union over every host of systems.cfg (an item inside `#if web` is
//!   still a name piktc accepts for `+H web`);
//! * installed names (`installed-alert`, `installed-script`) come from
//!   `=altdir`, what `pikt +A`/`+S` run;
//! * no command of the configuration runs (`#exec`, `#include "f" [cmd]`,
//!   `#piktexec` fail quietly), nothing is written, and problems in the
//!   configuration are not reported: completion offers what it can read.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use pikt_cli::Complete;
use pikt_config::installed::{alert_scripts, installed_alerts};
use pikt_config::loader::{ConfigFile, FileSet, LoadOptions, Loader};
use pikt_config::selection::ItemKind;
use pikt_config::{Site, SiteEnv};
use pikt_preproc::{CommandOutput, PreprocHost};

use crate::request::{Outcome, Request};

/// What `piktc --complete KIND` prints: the names, one per line.
pub fn outcome(kind: Complete, request: &Request, env: &SiteEnv) -> Outcome {
    let mut stdout = String::new();
    for name in candidates(kind, request, env) {
        stdout.push_str(&name);
        stdout.push('\n');
    }
    Outcome {
        stdout,
        ..Outcome::default()
    }
}

/// The names of `kind` in the installation `request` names, sorted, each
/// once. Kinds that are not names (files, numbers) have none.
pub fn candidates(kind: Complete, request: &Request, env: &SiteEnv) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    match kind {
        Complete::InstalledAlert | Complete::InstalledScript => {
            let Ok(site) = Site::open(&request.site, env) else {
                return names;
            };
            for (alert, path) in installed_alerts(&site.layout) {
                if kind == Complete::InstalledAlert {
                    names.insert(alert);
                } else {
                    names.extend(alert_scripts(&path, None));
                }
            }
        }
        Complete::Host => {
            let loader = Loader::new(options(request, env, FileSet::NONE), &ReadOnly);
            if loader.source(ConfigFile::Systems).is_some() {
                names.insert("all".to_string());
                names.extend(loader.systems.names().map(|(name, _)| name.to_string()));
            }
        }
        Complete::Define => {
            for_every_host(request, env, FileSet::NONE, |cfg| {
                names.extend(cfg.defines_file.entries.iter().map(|d| d.name.clone()));
            });
        }
        _ => {
            let Some(item) = item_kind(kind) else {
                return names;
            };
            for_every_host(request, env, files_of(item), |cfg| {
                names.extend(item.items(cfg));
            });
            if !names.is_empty() {
                names.insert("all".to_string());
            }
        }
    }
    names
}

/// The item kind a selector of `kind` names.
fn item_kind(kind: Complete) -> Option<ItemKind> {
    Some(match kind {
        Complete::Alert => ItemKind::Alert,
        Complete::Script => ItemKind::Script,
        Complete::Program => ItemKind::Program,
        Complete::FileItem => ItemKind::File,
        Complete::Object => ItemKind::Object,
        _ => return None,
    })
}

/// The config files holding items of `kind`.
fn files_of(kind: ItemKind) -> FileSet {
    FileSet {
        alerts: matches!(kind, ItemKind::Alert | ItemKind::Script),
        programs: kind == ItemKind::Program,
        files: kind == ItemKind::File,
        objects: kind == ItemKind::Object,
    }
}

/// Loads `files` for every host of systems.cfg and hands each host's
/// configuration to `visit`.
fn for_every_host(
    request: &Request,
    env: &SiteEnv,
    files: FileSet,
    mut visit: impl FnMut(&pikt_config::HostConfig),
) {
    let mut loader = Loader::new(options(request, env, files), &ReadOnly);
    let hosts = loader.systems.hosts().to_vec();
    for host in hosts {
        visit(&loader.load_host(&host));
    }
}

fn options(request: &Request, env: &SiteEnv, files: FileSet) -> LoadOptions {
    LoadOptions {
        host: request.site.host_name(env),
        defines: request.defines.clone(),
        test_mode: request.test_mode,
        files,
        parse_scripts: false,
        ..LoadOptions::new(request.site.root(env))
    }
}

/// Reads files and runs nothing: completion must not run the
/// configuration's commands on every Tab.
struct ReadOnly;

impl PreprocHost for ReadOnly {
    fn read_file(&self, path: &Path) -> io::Result<String> {
        let bytes = std::fs::read(path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn run_command(&self, _command: &str, _env: &[(String, String)]) -> io::Result<CommandOutput> {
        Err(io::Error::other("shell completion runs no commands"))
    }

    fn run_pikt(&self, _statements: &str) -> io::Result<CommandOutput> {
        Err(io::Error::other("shell completion runs no commands"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Operation;

    fn write(root: &Path, file: &str, text: &str) -> io::Result<()> {
        let dir = root.join("lib/configs");
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(file), text)
    }

    fn names(kind: Complete, root: &Path) -> Vec<String> {
        let mut request = Request::new(Operation::Complete(kind));
        request.site.piktdir = Some(root.to_path_buf());
        request.site.host = Some("web1".into());
        candidates(kind, &request, &SiteEnv::default())
            .into_iter()
            .collect()
    }

    /// A site where `#if` hides items from some hosts and a command would
    /// leave a mark if it ran.
    fn site(root: &Path) -> io::Result<()> {
        let mark = root.join("ran");
        write(
            root,
            "systems.cfg",
            "debian hosts web1 db1\nweb1 aliases www\nweb members web1\n",
        )?;
        write(root, "defines.cfg", "debug FALSE\nverbose TRUE\n")?;
        write(root, "macros.cfg", "")?;
        write(
            root,
            "alerts.cfg",
            &format!(
                "#exec [echo > {}]\nUrgent\n\ttiming * * * * *\n\talarms DiskChk\n#if db1\nDbOnly\n\ttiming * * * * *\n\talarms DiskChk\n#endif\n",
                mark.display()
            ),
        )?;
        write(root, "alarms.cfg", "DiskChk\n\tinit\n\t\tstatus active\n")?;
        write(
            root,
            "objects.cfg",
            "#if web\nWebSet\n\ta 1\n#endif\nAll\n\tb 2\n",
        )
    }

    #[test]
    fn master_names_are_the_union_over_hosts_and_run_nothing() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        site(dir.path())?;
        assert_eq!(
            names(Complete::Host, dir.path()),
            ["all", "db1", "debian", "web", "web1", "www"]
        );
        assert_eq!(
            names(Complete::Alert, dir.path()),
            ["DbOnly", "Urgent", "all"]
        );
        assert_eq!(names(Complete::Script, dir.path()), ["DiskChk", "all"]);
        assert_eq!(
            names(Complete::Object, dir.path()),
            ["All", "WebSet", "all"]
        );
        assert_eq!(names(Complete::Define, dir.path()), ["debug", "verbose"]);
        assert!(names(Complete::Program, dir.path()).is_empty());
        assert!(names(Complete::File, dir.path()).is_empty());
        assert!(
            !dir.path().join("ran").exists(),
            "completion ran a command of the configuration"
        );
        Ok(())
    }

    #[test]
    fn installed_names_come_from_altdir() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        assert!(names(Complete::InstalledAlert, dir.path()).is_empty());
        let alerts = dir.path().join("lib/alerts");
        std::fs::create_dir_all(&alerts)?;
        std::fs::write(
            alerts.join("Urgent.alt"),
            "DiskChk\n\tinit\n\t\tstatus active\nLoadChk\n\tinit\n\t\tstatus active\n",
        )?;
        std::fs::write(
            alerts.join("Info.alt"),
            "LoadChk\n\tinit\n\t\tstatus active\n",
        )?;
        assert_eq!(
            names(Complete::InstalledAlert, dir.path()),
            ["Info", "Urgent"]
        );
        assert_eq!(
            names(Complete::InstalledScript, dir.path()),
            ["DiskChk", "LoadChk"]
        );
        Ok(())
    }

    #[test]
    fn no_configuration_no_names() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        for kind in Complete::NAMED {
            assert!(names(kind, dir.path()).is_empty(), "{kind:?}");
        }
        Ok(())
    }
}
