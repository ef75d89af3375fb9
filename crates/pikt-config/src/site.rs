//! The installation on this host, assembled in one place for `pikt`,
//! `piktc` and `piktd`: its root, its directories as PIKT.conf moves them,
//! PIKT.conf itself, this host's name, and the files piktd keeps.
//!
//! * The root is `--piktdir`, else `PIKT_DIR`, else [`DEFAULT_ROOT`].
//! * The host name is `--host`, else `PIKT_HOST`, else the kernel's host
//!   name up to its first dot.
//! * PIKT.conf is `=etcdir/PIKT.conf` under the root's default `etc/`
//!   (it names the other directories, so it cannot move itself); a missing
//!   one is the default configuration, one with errors is refused.
//!
//! Every program asks a [`Site`] where piktd's files are
//! ([`Site::piktd_files`]), so `piktd` and `piktc -s` cannot disagree when
//! PIKT.conf moves `etcdir` or `logdir`.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use pikt_source::{render, Diagnostic, SourceMap};

use crate::layout::{
    kernel_host_name, resolve_host, resolve_root, Layout, DEFAULT_ROOT, HOST_ENV, ROOT_ENV,
};
use crate::loader::plain_io_error;
use crate::pikt_conf::PiktConf;

/// What the environment says about the installation (passed in, so tests
/// control it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteEnv {
    /// `PIKT_DIR`.
    pub piktdir: Option<OsString>,
    /// `PIKT_HOST`.
    pub host: Option<String>,
    /// The kernel's host name.
    pub kernel_host: Option<String>,
}

impl SiteEnv {
    /// This process's environment and the kernel's host name.
    pub fn from_process() -> SiteEnv {
        SiteEnv {
            piktdir: std::env::var_os(ROOT_ENV),
            host: std::env::var(HOST_ENV).ok(),
            kernel_host: kernel_host_name(),
        }
    }
}

/// What the command line says: `--piktdir` and `--host`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteFlags {
    /// `--piktdir DIR`.
    pub piktdir: Option<PathBuf>,
    /// `--host NAME`.
    pub host: Option<String>,
}

impl SiteFlags {
    /// The root these flags and `env` name.
    pub fn root(&self, env: &SiteEnv) -> PathBuf {
        resolve_root(self.piktdir.as_deref(), env.piktdir.clone())
    }

    /// This host's name by these flags and `env`, if any can be told.
    pub fn host_name(&self, env: &SiteEnv) -> Option<String> {
        resolve_host(
            self.host.as_deref(),
            env.host.clone(),
            env.kernel_host.clone(),
        )
    }
}

/// Where piktd keeps its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PiktdFiles {
    /// `=etcdir/piktd.conf`: the schedule.
    pub conf: PathBuf,
    /// `=etcdir/piktd.lock`: the one-instance lock.
    pub lock: PathBuf,
    /// `=etcdir/alerts`: the alerts piktd has active.
    pub alerts: PathBuf,
    /// `=logdir/piktd.log`.
    pub log: PathBuf,
    /// `=vardir/run/piktd.state`: the last minute handled.
    pub state: PathBuf,
}

/// Why the installation cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteError {
    /// PIKT.conf has errors.
    BadPiktConf {
        /// PIKT.conf.
        path: PathBuf,
        /// Its diagnostics, rendered.
        report: String,
    },
    /// PIKT.conf exists but cannot be read.
    Unreadable {
        /// PIKT.conf.
        path: PathBuf,
        /// What went wrong, naming the file.
        message: String,
    },
    /// No host name could be told.
    NoHostName,
    /// There is no installation at the root.
    NotInstalled {
        /// The root.
        root: PathBuf,
        /// The directory that is missing.
        missing: PathBuf,
    },
}

impl fmt::Display for SiteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SiteError::BadPiktConf { path, report } => {
                write!(f, "`{}` has errors\n{report}", path.display())
            }
            SiteError::Unreadable { message, .. } => f.write_str(message),
            SiteError::NoHostName => f.write_str(
                "cannot tell this host's name: use `--host NAME` or set PIKT_HOST",
            ),
            SiteError::NotInstalled { root, missing } => write!(
                f,
                "no PIKT installation at `{}`: `{}` does not exist (use `--piktdir DIR` or set PIKT_DIR to name the installation)",
                root.display(),
                missing.display()
            ),
        }
    }
}

impl std::error::Error for SiteError {}

/// One host's installation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// Every directory, with PIKT.conf's moves applied.
    pub layout: Layout,
    /// PIKT.conf (empty when there is none).
    pub conf: PiktConf,
    host: Option<String>,
}

impl Site {
    /// The installation the flags and the environment name, read from disk.
    /// A PIKT.conf with errors is refused.
    pub fn open(flags: &SiteFlags, env: &SiteEnv) -> Result<Site, SiteError> {
        let root = flags.root(env);
        let mut map = SourceMap::new();
        let (site, diags) = Site::read(&root, flags.host_name(env), &mut map, &|path| {
            std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        });
        let path = site.pikt_conf_path();
        if let Some(unreadable) = diags.iter().find(|d| d.span.is_none()) {
            return Err(SiteError::Unreadable {
                path,
                message: unreadable.message.clone(),
            });
        }
        if diags.iter().any(Diagnostic::is_error) {
            let report = diags.iter().map(|d| render(&map, d)).collect();
            return Err(SiteError::BadPiktConf { path, report });
        }
        Ok(site)
    }

    /// The installation at `root` with `host`'s name, PIKT.conf read with
    /// `read` into `map` (a missing one is the default). Returns the site
    /// and PIKT.conf's diagnostics; a PIKT.conf that cannot be read gives
    /// one diagnostic without a place.
    pub fn read(
        root: &Path,
        host: Option<String>,
        map: &mut SourceMap,
        read: &dyn Fn(&Path) -> io::Result<String>,
    ) -> (Site, Vec<Diagnostic>) {
        let defaults = Layout::new(root);
        let path = defaults.pikt_conf();
        let mut site = Site {
            layout: defaults,
            conf: PiktConf::default(),
            host,
        };
        match read(&path) {
            Ok(text) => {
                let id = map.add(path.display().to_string(), text);
                let (conf, diags) = PiktConf::parse(map, id);
                site.layout = Layout::new(root).with_overrides(&conf);
                site.conf = conf;
                (site, diags)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => (site, Vec::new()),
            Err(e) => {
                let message = format!("cannot read `{}`: {}", path.display(), plain_io_error(&e));
                (site, vec![Diagnostic::error_unlocated(message)])
            }
        }
    }

    /// The installation at `root` with the defaults (tests, and tools that
    /// make a tree).
    pub fn with_defaults(root: impl Into<PathBuf>, host: Option<String>) -> Site {
        Site {
            layout: Layout::new(root),
            conf: PiktConf::default(),
            host,
        }
    }

    /// `=piktdir`.
    pub fn root(&self) -> &Path {
        &self.layout.root
    }

    /// PIKT.conf: always under the root's `etc/`, since it names the
    /// directories itself.
    pub fn pikt_conf_path(&self) -> PathBuf {
        Layout::new(&self.layout.root).pikt_conf()
    }

    /// This host's name.
    pub fn host(&self) -> Result<&str, SiteError> {
        self.host.as_deref().ok_or(SiteError::NoHostName)
    }

    /// The files piktd keeps, where PIKT.conf puts them.
    pub fn piktd_files(&self) -> PiktdFiles {
        PiktdFiles {
            conf: self.layout.piktd_conf(),
            lock: self.layout.etcdir.join("piktd.lock"),
            alerts: self.layout.etcdir.join("alerts"),
            log: self.layout.logdir.join("piktd.log"),
            state: self.layout.vardir.join("run").join("piktd.state"),
        }
    }

    /// Whether there is an installation here at all: the root and its
    /// `=etcdir` exist as directories (piktd refuses to start otherwise,
    /// rather than making a tree nobody installed).
    pub fn check_installed(&self) -> Result<(), SiteError> {
        for dir in [&self.layout.root, &self.layout.etcdir] {
            if !dir.is_dir() {
                return Err(SiteError::NotInstalled {
                    root: self.layout.root.clone(),
                    missing: dir.clone(),
                });
            }
        }
        Ok(())
    }
}

/// The default root, for messages.
pub const DEFAULT_SITE_ROOT: &str = DEFAULT_ROOT;

#[cfg(test)]
mod tests {
    use super::*;

    fn env(root: &Path) -> SiteEnv {
        SiteEnv {
            piktdir: Some(root.as_os_str().to_owned()),
            host: Some("moscow".into()),
            kernel_host: Some("kernel.example.org".into()),
        }
    }

    #[test]
    fn pikt_conf_moves_piktds_files() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("etc"))?;
        let moved = dir.path().join("conf");
        std::fs::write(
            dir.path().join("etc/PIKT.conf"),
            format!("etcdir {}\nlogdir /var/log/pikt\n", moved.display()),
        )?;
        let site = Site::open(&SiteFlags::default(), &env(dir.path()))
            .map_err(|e| io::Error::other(e.to_string()))?;
        let files = site.piktd_files();
        assert_eq!(files.conf, moved.join("piktd.conf"));
        assert_eq!(files.lock, moved.join("piktd.lock"));
        assert_eq!(files.alerts, moved.join("alerts"));
        assert_eq!(files.log, PathBuf::from("/var/log/pikt/piktd.log"));
        assert_eq!(files.state, dir.path().join("var/run/piktd.state"));
        assert_eq!(site.host().ok(), Some("moscow"));
        assert_eq!(site.pikt_conf_path(), dir.path().join("etc/PIKT.conf"));
        Ok(())
    }

    #[test]
    fn flags_win_over_the_environment() {
        let flags = SiteFlags {
            piktdir: Some("/a".into()),
            host: Some("paris".into()),
        };
        let env = env(Path::new("/b"));
        assert_eq!(flags.root(&env), PathBuf::from("/a"));
        assert_eq!(flags.host_name(&env).as_deref(), Some("paris"));
        let none = SiteEnv {
            kernel_host: Some("berlin.example.org\n".into()),
            ..SiteEnv::default()
        };
        assert_eq!(
            SiteFlags::default().root(&none),
            PathBuf::from(DEFAULT_SITE_ROOT)
        );
        assert_eq!(
            SiteFlags::default().host_name(&none).as_deref(),
            Some("berlin")
        );
    }

    #[test]
    fn a_broken_pikt_conf_is_refused_with_its_diagnostics() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("etc"))?;
        std::fs::write(dir.path().join("etc/PIKT.conf"), "piktd_run_limit soon\n")?;
        let err = Site::open(&SiteFlags::default(), &env(dir.path())).err();
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(text.contains("PIKT.conf` has errors"), "{text}");
        assert!(text.contains("piktd_run_limit soon"), "{text}");
        Ok(())
    }

    #[test]
    fn no_installation_is_told_apart() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("nothing");
        let site = Site::with_defaults(&root, None);
        assert_eq!(
            site.check_installed(),
            Err(SiteError::NotInstalled {
                root: root.clone(),
                missing: root.clone()
            })
        );
        std::fs::create_dir_all(root.join("etc"))?;
        assert_eq!(site.check_installed(), Ok(()));
        assert_eq!(site.host(), Err(SiteError::NoHostName));
        Ok(())
    }
}
