//! Where PIKT keeps its files on a host (reference §0, PIKT.conf dir keys).
//!
//! Everything lives under one root, `=piktdir`:
//!
//! | dir      | default              | holds |
//! |----------|----------------------|-------|
//! | `bindir` | `=piktdir/bin`       | `pikt`, `piktc`, `piktd` |
//! | `etcdir` | `=piktdir/etc`       | `PIKT.conf`, `piktd.conf`, `alerts` |
//! | `libdir` | `=piktdir/lib`       | the four below |
//! | `cfgdir` | `=libdir/configs`    | the eight `.cfg` files |
//! | `prgdir` | `=libdir/programs`   | programs without a `path` |
//! | `objdir` | `=libdir/objects`    | `<Set>.obj` |
//! | `altdir` | `=libdir/alerts`     | `<Alert>.alt`, `<Alert>.cfg` |
//! | `vardir` | `=piktdir/var`       | the three below, `spool/mail/<Alert>/` |
//! | `hstdir` | `=vardir/history`    | `<Alert>/<Script>.hst` |
//! | `logdir` | `=vardir/log`        | `<Alert>.log`, `piktc.log`, ... |
//! | `lokdir` | `=vardir/lock`       | lock files |
//!
//! The root comes from `--piktdir`, else the `PIKT_DIR` environment
//! variable, else [`DEFAULT_ROOT`]. PIKT.conf (`=etcdir/PIKT.conf` under the
//! root) may move any dir; moving `libdir` or `vardir` moves the dirs under
//! them unless those are moved too.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::pikt_conf::PiktConf;

/// The root used when neither `--piktdir` nor `PIKT_DIR` is given.
pub const DEFAULT_ROOT: &str = "/etc/pikt";

/// The environment variable naming the root.
pub const ROOT_ENV: &str = "PIKT_DIR";

/// The environment variable naming the local host.
pub const HOST_ENV: &str = "PIKT_HOST";

/// Every PIKT directory of one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `=piktdir` (PIKT.conf `homdir`).
    pub root: PathBuf,
    /// Binaries.
    pub bindir: PathBuf,
    /// PIKT.conf, piktd.conf.
    pub etcdir: PathBuf,
    /// Libraries.
    pub libdir: PathBuf,
    /// The config files.
    pub cfgdir: PathBuf,
    /// Programs.
    pub prgdir: PathBuf,
    /// Object sets.
    pub objdir: PathBuf,
    /// Alert script files.
    pub altdir: PathBuf,
    /// Variable data.
    pub vardir: PathBuf,
    /// History files.
    pub hstdir: PathBuf,
    /// Logs.
    pub logdir: PathBuf,
    /// Lock files.
    pub lokdir: PathBuf,
}

impl Layout {
    /// The default layout under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        let root = root.into();
        let libdir = root.join("lib");
        let vardir = root.join("var");
        Layout {
            bindir: root.join("bin"),
            etcdir: root.join("etc"),
            cfgdir: libdir.join("configs"),
            prgdir: libdir.join("programs"),
            objdir: libdir.join("objects"),
            altdir: libdir.join("alerts"),
            hstdir: vardir.join("history"),
            logdir: vardir.join("log"),
            lokdir: vardir.join("lock"),
            libdir,
            vardir,
            root,
        }
    }

    /// The layout with PIKT.conf's dir keys applied.
    pub fn with_overrides(self, conf: &PiktConf) -> Layout {
        let root = conf.dir("homdir").unwrap_or(self.root);
        let libdir = conf.dir("libdir").unwrap_or_else(|| root.join("lib"));
        let vardir = conf.dir("vardir").unwrap_or_else(|| root.join("var"));
        let pick = |key: &str, default: PathBuf| conf.dir(key).unwrap_or(default);
        Layout {
            bindir: pick("bindir", root.join("bin")),
            etcdir: pick("etcdir", root.join("etc")),
            cfgdir: pick("cfgdir", libdir.join("configs")),
            prgdir: pick("prgdir", libdir.join("programs")),
            objdir: pick("objdir", libdir.join("objects")),
            altdir: pick("altdir", libdir.join("alerts")),
            hstdir: pick("hstdir", vardir.join("history")),
            logdir: pick("logdir", vardir.join("log")),
            lokdir: pick("lokdir", vardir.join("lock")),
            libdir,
            vardir,
            root,
        }
    }

    /// Every dir with its PIKT.conf key (and macro) name.
    pub fn dirs(&self) -> [(&'static str, &Path); 12] {
        [
            ("piktdir", &self.root),
            ("bindir", &self.bindir),
            ("etcdir", &self.etcdir),
            ("libdir", &self.libdir),
            ("cfgdir", &self.cfgdir),
            ("prgdir", &self.prgdir),
            ("objdir", &self.objdir),
            ("altdir", &self.altdir),
            ("vardir", &self.vardir),
            ("hstdir", &self.hstdir),
            ("logdir", &self.logdir),
            ("lokdir", &self.lokdir),
        ]
    }

    /// The layout another host described as `(name, path)` pairs of
    /// [`Layout::dirs`]: `piktdir` is required, a dir not named keeps its
    /// default under it.
    pub fn from_dirs(dirs: &[(String, String)]) -> Option<Layout> {
        let get = |name: &str| {
            dirs.iter()
                .find(|(n, _)| n == name)
                .map(|(_, p)| PathBuf::from(p))
        };
        let mut layout = Layout::new(get("piktdir")?);
        for (name, slot) in [
            ("bindir", &mut layout.bindir),
            ("etcdir", &mut layout.etcdir),
            ("libdir", &mut layout.libdir),
            ("cfgdir", &mut layout.cfgdir),
            ("prgdir", &mut layout.prgdir),
            ("objdir", &mut layout.objdir),
            ("altdir", &mut layout.altdir),
            ("vardir", &mut layout.vardir),
            ("hstdir", &mut layout.hstdir),
            ("logdir", &mut layout.logdir),
            ("lokdir", &mut layout.lokdir),
        ] {
            if let Some(path) = get(name) {
                *slot = path;
            }
        }
        Some(layout)
    }

    /// The interpreter, `=bindir/pikt`.
    pub fn pikt_binary(&self) -> PathBuf {
        self.bindir.join("pikt")
    }

    /// `=etcdir/PIKT.conf`.
    pub fn pikt_conf(&self) -> PathBuf {
        self.etcdir.join("PIKT.conf")
    }

    /// `=etcdir/piktd.conf`.
    pub fn piktd_conf(&self) -> PathBuf {
        self.etcdir.join("piktd.conf")
    }

    /// `=altdir/<Alert>.alt`.
    pub fn alert_file(&self, alert: &str) -> PathBuf {
        self.altdir.join(format!("{alert}.alt"))
    }

    /// `=altdir/<Alert>.cfg`: the alert's own settings (its alerts.cfg
    /// stanza without the schedule), read by `pikt +A` (docs/alerts.md).
    pub fn alert_settings_file(&self, alert: &str) -> PathBuf {
        self.altdir.join(format!("{alert}.cfg"))
    }

    /// `=vardir/spool/mail/<Alert>`: alert mail that could not be delivered
    /// yet, retried by the alert's next run.
    pub fn mail_spool(&self, alert: &str) -> PathBuf {
        self.vardir.join("spool/mail").join(alert)
    }

    /// `=objdir/<Set>.obj`.
    pub fn object_file(&self, set: &str) -> PathBuf {
        self.objdir.join(format!("{set}.obj"))
    }

    /// `=logdir/<Alert>.log`.
    pub fn alert_log(&self, alert: &str) -> PathBuf {
        self.logdir.join(format!("{alert}.log"))
    }

    /// `path` for messages: the real path, so a message can be acted on
    /// as it stands (copied into an editor or a shell).
    pub fn show(&self, path: &Path) -> String {
        path.display().to_string()
    }

    /// `=hstdir/<Alert>/<Script>.hst`: a script's history in one alert
    /// (the same script in two alerts keeps two histories).
    pub fn history_file(&self, alert: &str, script: &str) -> PathBuf {
        self.hstdir.join(alert).join(format!("{script}.hst"))
    }
}

/// The root: the `--piktdir` flag, else `PIKT_DIR`, else [`DEFAULT_ROOT`].
/// An empty value counts as not given.
pub fn resolve_root(flag: Option<&Path>, env: Option<OsString>) -> PathBuf {
    flag.filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_ROOT))
}

/// The local host's name: the `--host` flag, else `PIKT_HOST`, else the
/// kernel's host name (`kernel_name`, normally the contents of
/// `/proc/sys/kernel/hostname`) up to its first dot.
pub fn resolve_host(
    flag: Option<&str>,
    env: Option<String>,
    kernel_name: Option<String>,
) -> Option<String> {
    let clean = |s: String| {
        let s = s.trim().to_string();
        (!s.is_empty()).then_some(s)
    };
    flag.map(str::to_string)
        .and_then(clean)
        .or_else(|| env.and_then(clean))
        .or_else(|| {
            kernel_name
                .and_then(clean)
                .map(|n| n.split('.').next().unwrap_or_default().to_string())
        })
        .filter(|n| !n.is_empty())
}

/// The kernel's host name, read from `/proc/sys/kernel/hostname`.
pub fn kernel_host_name() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::SourceMap;

    #[test]
    fn default_layout_follows_the_reference() {
        let l = Layout::new("/pikt");
        assert_eq!(l.cfgdir, PathBuf::from("/pikt/lib/configs"));
        assert_eq!(
            l.alert_file("Urgent"),
            PathBuf::from("/pikt/lib/alerts/Urgent.alt")
        );
        assert_eq!(
            l.object_file("ProcCounts"),
            PathBuf::from("/pikt/lib/objects/ProcCounts.obj")
        );
        assert_eq!(l.piktd_conf(), PathBuf::from("/pikt/etc/piktd.conf"));
        assert_eq!(
            l.history_file("Urgent", "Chk"),
            PathBuf::from("/pikt/var/history/Urgent/Chk.hst")
        );
        assert_eq!(
            l.alert_settings_file("Urgent"),
            PathBuf::from("/pikt/lib/alerts/Urgent.cfg")
        );
        assert_eq!(
            l.mail_spool("Urgent"),
            PathBuf::from("/pikt/var/spool/mail/Urgent")
        );
        assert_eq!(l.show(&l.cfgdir), "/pikt/lib/configs");
    }

    #[test]
    fn overrides_cascade_from_vardir() {
        let mut map = SourceMap::new();
        let id = map.add("PIKT.conf", "vardir /var/pikt\nlogdir /var/log/pikt\n");
        let (conf, diags) = PiktConf::parse(&map, id);
        assert!(diags.is_empty());
        let l = Layout::new("/etc/pikt").with_overrides(&conf);
        assert_eq!(l.hstdir, PathBuf::from("/var/pikt/history"));
        assert_eq!(l.logdir, PathBuf::from("/var/log/pikt"));
        assert_eq!(l.cfgdir, PathBuf::from("/etc/pikt/lib/configs"));
    }

    #[test]
    fn every_dir_key_moves_its_directory() {
        let keys = [
            "homdir", "bindir", "etcdir", "lokdir", "libdir", "vardir", "altdir", "prgdir",
            "objdir", "cfgdir", "hstdir", "logdir",
        ];
        let text: String = keys.iter().map(|k| format!("{k} /moved/{k}\n")).collect();
        let mut map = SourceMap::new();
        let id = map.add("PIKT.conf", text);
        let (conf, diags) = PiktConf::parse(&map, id);
        assert!(diags.is_empty(), "{diags:?}");
        let l = Layout::new("/etc/pikt").with_overrides(&conf);
        for (name, dir) in l.dirs() {
            let key = if name == "piktdir" { "homdir" } else { name };
            assert_eq!(dir, Path::new(&format!("/moved/{key}")), "{name}");
        }
        // Moving only the parents moves what is under them.
        let id = map.add("PIKT.conf", "homdir /h\nlibdir /l\n");
        let (conf, _) = PiktConf::parse(&map, id);
        let l = Layout::new("/etc/pikt").with_overrides(&conf);
        assert_eq!(l.bindir, PathBuf::from("/h/bin"));
        assert_eq!(l.altdir, PathBuf::from("/l/alerts"));
        assert_eq!(l.hstdir, PathBuf::from("/h/var/history"));
    }

    #[test]
    fn root_and_host_precedence() {
        assert_eq!(
            resolve_root(Some(Path::new("/a")), Some("/b".into())),
            PathBuf::from("/a")
        );
        assert_eq!(resolve_root(None, Some("/b".into())), PathBuf::from("/b"));
        assert_eq!(resolve_root(None, None), PathBuf::from(DEFAULT_ROOT));
        assert_eq!(
            resolve_host(Some("x"), Some("y".into()), None).as_deref(),
            Some("x")
        );
        assert_eq!(
            resolve_host(None, Some("y".into()), Some("z".into())).as_deref(),
            Some("y")
        );
        assert_eq!(
            resolve_host(None, None, Some("moscow.example.org\n".into())).as_deref(),
            Some("moscow")
        );
        assert_eq!(resolve_host(None, Some(" ".into()), None), None);
    }
}
