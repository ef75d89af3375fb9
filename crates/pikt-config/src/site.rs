//! The installation on this host, assembled in one place for `pikt`,
//! `piktc` and `piktd`: its root, its directories as PIKT.conf moves them,
//! PIKT.conf itself, this host's name, and the files piktd keeps.
//!
//! * The root is `--piktdir`, else `PIKT_DIR`, else [`DEFAULT_ROOT`].
//! * The host name is `--host`, else `PIKT_HOST`, else the kernel's host
//!   name up to its first dot.
//! * PIKT.conf is searched as PIKT searched it (reference §0): first
//!   `=piktdir/etc/PIKT.conf` (the root's default `etc/`: PIKT.conf names
//!   the other directories, so it cannot move itself), then `PIKT.conf` in
//!   each of [`SYSTEM_CONF_DIRS`] (`/etc`, `/etc/pikt`, `/usr/local/etc`,
//!   `/usr/local/etc/pikt`), or in the directories `PIKT_CONF_PATH` lists
//!   instead. The first found is read; when there is none the defaults
//!   apply. One with errors is refused; its warnings (keys that no longer
//!   do anything, unknown keys) are kept for the checks to show.
//! * piktd.conf is searched the same way, from `=etcdir/piktd.conf`
//!   ([`Site::open`] looks; [`Site::piktd_files`] gives what it found, or
//!   `=etcdir/piktd.conf` to create).
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

/// Where PIKT looked for PIKT.conf and piktd.conf, in this order, when
/// `=piktdir/etc` has none (reference §0).
pub const SYSTEM_CONF_DIRS: [&str; 4] =
    ["/etc", "/etc/pikt", "/usr/local/etc", "/usr/local/etc/pikt"];

/// The environment variable that replaces [`SYSTEM_CONF_DIRS`]: directories
/// separated by `:`, searched in order; empty: search `=piktdir/etc` only.
pub const CONF_PATH_ENV: &str = "PIKT_CONF_PATH";

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
    /// `PIKT_CONF_PATH` (not set: [`SYSTEM_CONF_DIRS`]).
    pub conf_path: Option<OsString>,
}

impl SiteEnv {
    /// This process's environment and the kernel's host name.
    pub fn from_process() -> SiteEnv {
        SiteEnv {
            piktdir: std::env::var_os(ROOT_ENV),
            host: std::env::var(HOST_ENV).ok(),
            kernel_host: kernel_host_name(),
            conf_path: std::env::var_os(CONF_PATH_ENV),
        }
    }

    /// The directories searched after `=piktdir/etc`: `PIKT_CONF_PATH`'s
    /// (empty entries skipped, so an empty value names none), else
    /// [`SYSTEM_CONF_DIRS`].
    pub fn conf_dirs(&self) -> Vec<PathBuf> {
        match &self.conf_path {
            Some(value) => std::env::split_paths(value)
                .filter(|dir| !dir.as_os_str().is_empty())
                .collect(),
            None => system_conf_dirs(),
        }
    }
}

/// [`SYSTEM_CONF_DIRS`] as paths.
pub fn system_conf_dirs() -> Vec<PathBuf> {
    SYSTEM_CONF_DIRS.iter().map(PathBuf::from).collect()
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
    /// The directories searched after `=piktdir/etc`.
    conf_dirs: Vec<PathBuf>,
    /// The PIKT.conf read, if one was found.
    pikt_conf: Option<PathBuf>,
    /// The piktd.conf found by [`Site::open`], if any.
    piktd_conf: Option<PathBuf>,
    /// PIKT.conf's warnings, rendered with their source lines.
    warnings: String,
}

impl Site {
    /// The installation the flags and the environment name, read from disk:
    /// PIKT.conf and piktd.conf are searched for (module essay). A PIKT.conf
    /// with errors is refused.
    pub fn open(flags: &SiteFlags, env: &SiteEnv) -> Result<Site, SiteError> {
        let root = flags.root(env);
        let mut map = SourceMap::new();
        let (mut site, diags) = Site::read(
            &root,
            flags.host_name(env),
            &env.conf_dirs(),
            &mut map,
            &|path| std::fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        );
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
        site.warnings = diags.iter().map(|d| render(&map, d)).collect();
        site.locate_piktd_conf(&|path| path.is_file());
        Ok(site)
    }

    /// The installation at `root` with `host`'s name, PIKT.conf searched
    /// for in `=piktdir/etc` and then in `conf_dirs`, and the first found
    /// read with `read` into `map` (none found: the defaults). Returns the
    /// site and PIKT.conf's diagnostics; a PIKT.conf that cannot be read
    /// gives one diagnostic without a place.
    pub fn read(
        root: &Path,
        host: Option<String>,
        conf_dirs: &[PathBuf],
        map: &mut SourceMap,
        read: &dyn Fn(&Path) -> io::Result<String>,
    ) -> (Site, Vec<Diagnostic>) {
        let mut site = Site::with_defaults(root, host);
        site.conf_dirs = conf_dirs.to_vec();
        for path in site.pikt_conf_candidates() {
            match read(&path) {
                Ok(text) => {
                    let id = map.add(path.display().to_string(), text);
                    let (conf, diags) = PiktConf::parse(map, id);
                    site.layout = Layout::new(root).with_overrides(&conf);
                    site.conf = conf;
                    site.pikt_conf = Some(path);
                    return (site, diags);
                }
                Err(e) if is_absent(&e) => {}
                Err(e) => {
                    let message =
                        format!("cannot read `{}`: {}", path.display(), plain_io_error(&e));
                    site.pikt_conf = Some(path);
                    return (site, vec![Diagnostic::error_unlocated(message)]);
                }
            }
        }
        (site, Vec::new())
    }

    /// The installation at `root` with the defaults (tests, and tools that
    /// make a tree): no PIKT.conf, nothing searched.
    pub fn with_defaults(root: impl Into<PathBuf>, host: Option<String>) -> Site {
        Site {
            layout: Layout::new(root),
            conf: PiktConf::default(),
            host,
            conf_dirs: Vec::new(),
            pikt_conf: None,
            piktd_conf: None,
            warnings: String::new(),
        }
    }

    /// `=piktdir`.
    pub fn root(&self) -> &Path {
        &self.layout.root
    }

    /// Where PIKT.conf is looked for, in order: `=piktdir/etc/PIKT.conf`,
    /// then `PIKT.conf` in each searched directory.
    pub fn pikt_conf_candidates(&self) -> Vec<PathBuf> {
        candidates(
            Layout::new(&self.layout.root).pikt_conf(),
            &self.conf_dirs,
            "PIKT.conf",
        )
    }

    /// Where piktd.conf is looked for, in order: `=etcdir/piktd.conf`, then
    /// `piktd.conf` in each searched directory.
    pub fn piktd_conf_candidates(&self) -> Vec<PathBuf> {
        candidates(self.layout.piktd_conf(), &self.conf_dirs, "piktd.conf")
    }

    /// The PIKT.conf in use: the one found, else where one would be read
    /// first (`=piktdir/etc/PIKT.conf`).
    pub fn pikt_conf_path(&self) -> PathBuf {
        self.pikt_conf
            .clone()
            .unwrap_or_else(|| Layout::new(&self.layout.root).pikt_conf())
    }

    /// True when a PIKT.conf was found and read.
    pub fn has_pikt_conf(&self) -> bool {
        self.pikt_conf.is_some()
    }

    /// PIKT.conf's warnings (keys that no longer do anything, unknown
    /// keys), each rendered with its source line; empty when there are none.
    pub fn warnings(&self) -> &str {
        &self.warnings
    }

    /// Looks for piktd.conf where [`Site::piktd_conf_candidates`] say,
    /// `exists` telling whether a file is there.
    pub fn locate_piktd_conf(&mut self, exists: &dyn Fn(&Path) -> bool) {
        self.piktd_conf = self
            .piktd_conf_candidates()
            .into_iter()
            .find(|path| exists(path));
    }

    /// The piktd.conf found by [`Site::locate_piktd_conf`], if any.
    pub fn found_piktd_conf(&self) -> Option<&Path> {
        self.piktd_conf.as_deref()
    }

    /// This host's name.
    pub fn host(&self) -> Result<&str, SiteError> {
        self.host.as_deref().ok_or(SiteError::NoHostName)
    }

    /// The files piktd keeps, where PIKT.conf puts them. The schedule is
    /// the piktd.conf found, else `=etcdir/piktd.conf` (where `piktc -e`
    /// makes one).
    pub fn piktd_files(&self) -> PiktdFiles {
        PiktdFiles {
            conf: self
                .piktd_conf
                .clone()
                .unwrap_or_else(|| self.layout.piktd_conf()),
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

/// `first`, then `name` in each of `dirs`, each path once.
fn candidates(first: PathBuf, dirs: &[PathBuf], name: &str) -> Vec<PathBuf> {
    let mut paths = vec![first];
    for dir in dirs {
        let path = dir.join(name);
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// A file that is not there: missing, or a path component is no directory.
fn is_absent(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
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
            conf_path: Some("".into()),
        }
    }

    /// `env` searching `dirs` after `=piktdir/etc`.
    fn env_searching(root: &Path, dirs: &[&Path]) -> SiteEnv {
        let joined = std::env::join_paths(dirs).unwrap_or_default();
        SiteEnv {
            conf_path: Some(joined),
            ..env(root)
        }
    }

    fn open(env: &SiteEnv) -> io::Result<Site> {
        Site::open(&SiteFlags::default(), env).map_err(|e| io::Error::other(e.to_string()))
    }

    #[test]
    fn pikt_conf_is_searched_in_order_after_the_root() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("root");
        let (first, second) = (dir.path().join("sys1"), dir.path().join("sys2"));
        for d in [&root.join("etc"), &first, &second] {
            std::fs::create_dir_all(d)?;
        }
        std::fs::write(second.join("PIKT.conf"), "logdir /second/log\n")?;
        let env = env_searching(&root, &[&dir.path().join("missing"), &first, &second]);
        let site = open(&env)?;
        assert_eq!(site.pikt_conf_path(), second.join("PIKT.conf"));
        assert_eq!(site.layout.logdir, PathBuf::from("/second/log"));
        std::fs::write(first.join("PIKT.conf"), "logdir /first/log\n")?;
        assert_eq!(open(&env)?.layout.logdir, PathBuf::from("/first/log"));
        std::fs::write(root.join("etc/PIKT.conf"), "verbose_log yes\n")?;
        let site = open(&env)?;
        assert_eq!(site.pikt_conf_path(), root.join("etc/PIKT.conf"));
        assert_eq!(site.layout.logdir, root.join("var/log"));
        assert!(site.has_pikt_conf());
        Ok(())
    }

    #[test]
    fn piktd_conf_is_searched_from_etcdir() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().join("root");
        let sys = dir.path().join("sys");
        std::fs::create_dir_all(root.join("etc"))?;
        std::fs::create_dir_all(&sys)?;
        let env = env_searching(&root, &[&sys]);
        let site = open(&env)?;
        assert_eq!(site.found_piktd_conf(), None);
        assert_eq!(site.piktd_files().conf, root.join("etc/piktd.conf"));
        std::fs::write(sys.join("piktd.conf"), "")?;
        assert_eq!(open(&env)?.piktd_files().conf, sys.join("piktd.conf"));
        std::fs::write(root.join("etc/piktd.conf"), "")?;
        assert_eq!(open(&env)?.piktd_files().conf, root.join("etc/piktd.conf"));
        assert_eq!(
            open(&env)?.piktd_conf_candidates(),
            [root.join("etc/piktd.conf"), sys.join("piktd.conf")]
        );
        Ok(())
    }

    #[test]
    fn the_search_list_comes_from_the_environment() {
        let mut env = SiteEnv::default();
        assert_eq!(env.conf_dirs(), system_conf_dirs());
        env.conf_path = Some("".into());
        assert!(env.conf_dirs().is_empty());
        env.conf_path = Some("/a::/b".into());
        assert_eq!(env.conf_dirs(), [PathBuf::from("/a"), PathBuf::from("/b")]);
    }

    #[test]
    fn a_directory_where_pikt_conf_should_be_is_an_error() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::create_dir_all(dir.path().join("etc/PIKT.conf"))?;
        let err = Site::open(&SiteFlags::default(), &env(dir.path())).err();
        assert!(matches!(err, Some(SiteError::Unreadable { .. })), "{err:?}");
        Ok(())
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
