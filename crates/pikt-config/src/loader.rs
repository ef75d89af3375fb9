//! Loading the whole configuration for one host, and checking it for many.
//!
//! [`Loader::new`] reads PIKT.conf (for the layout), then the config files
//! an operation needs, once, into one [`SourceMap`], and reads systems.cfg
//! (which is the same for every host). [`Loader::load_host`] then runs the
//! preprocessor over every file for one host in PIKT's order (systems,
//! defines, macros, alarms, alerts, programs, files, objects: reference
//! §1.1) and builds the typed models. Nothing stops at the first problem:
//! every diagnostic is collected, and a bad stanza is skipped, not the file.
//!
//! [`Loader::check_all`] loads several hosts and merges the diagnostics that
//! are the same on several hosts into one, with a note naming the hosts when
//! not all of them are affected.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use pikt_preproc::{
    preprocess, Defines, Explain, FileKind, HostFacts, MacroDef, MacroError, MacroTable, Options,
    PreprocHost,
};
use pikt_source::{render, Diagnostic, FileId, SourceMap};

use crate::alarms::{check_scripts, AlarmsFile};
use crate::alerts::AlertsFile;
use crate::defines::DefinesFile;
use crate::files::FilesFile;
use crate::layout::Layout;
use crate::macros::MacrosFile;
use crate::managed::same_path;
use crate::objects::ObjectsFile;
use crate::programs::ProgramsFile;
use crate::site::Site;
use crate::systems::Systems;

/// The eight config files, in PIKT's preprocessing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConfigFile {
    /// systems.cfg (mandatory).
    Systems,
    /// defines.cfg.
    Defines,
    /// macros.cfg.
    Macros,
    /// alarms.cfg.
    Alarms,
    /// alerts.cfg.
    Alerts,
    /// programs.cfg.
    Programs,
    /// files.cfg.
    Files,
    /// objects.cfg.
    Objects,
}

impl ConfigFile {
    /// All eight, in order.
    pub const ALL: [ConfigFile; 8] = [
        ConfigFile::Systems,
        ConfigFile::Defines,
        ConfigFile::Macros,
        ConfigFile::Alarms,
        ConfigFile::Alerts,
        ConfigFile::Programs,
        ConfigFile::Files,
        ConfigFile::Objects,
    ];

    /// The file name under cfgdir.
    pub fn file_name(self) -> &'static str {
        self.kind().file_name()
    }

    /// The preprocessor's kind for it.
    pub fn kind(self) -> FileKind {
        match self {
            ConfigFile::Systems => FileKind::Systems,
            ConfigFile::Defines => FileKind::Defines,
            ConfigFile::Macros => FileKind::Macros,
            ConfigFile::Alarms => FileKind::Alarms,
            ConfigFile::Alerts => FileKind::Alerts,
            ConfigFile::Programs => FileKind::Programs,
            ConfigFile::Files => FileKind::Files,
            ConfigFile::Objects => FileKind::Objects,
        }
    }

    /// The file called `name` (`objects.cfg`), if any.
    pub fn from_file_name(name: &str) -> Option<ConfigFile> {
        ConfigFile::ALL.into_iter().find(|f| f.file_name() == name)
    }
}

/// Which of the item files an operation needs (systems, defines and macros
/// are always read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSet {
    /// alarms.cfg and alerts.cfg.
    pub alerts: bool,
    /// programs.cfg.
    pub programs: bool,
    /// files.cfg.
    pub files: bool,
    /// objects.cfg.
    pub objects: bool,
}

impl FileSet {
    /// Every file.
    pub const ALL: FileSet = FileSet {
        alerts: true,
        programs: true,
        files: true,
        objects: true,
    };

    /// Only systems, defines and macros.
    pub const NONE: FileSet = FileSet {
        alerts: false,
        programs: false,
        files: false,
        objects: false,
    };

    /// True when `file` is read.
    pub fn wants(self, file: ConfigFile) -> bool {
        match file {
            ConfigFile::Systems | ConfigFile::Defines | ConfigFile::Macros => true,
            ConfigFile::Alarms | ConfigFile::Alerts => self.alerts,
            ConfigFile::Programs => self.programs,
            ConfigFile::Files => self.files,
            ConfigFile::Objects => self.objects,
        }
    }
}

/// What a load is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// `=piktdir`.
    pub root: PathBuf,
    /// This host's name, when it can be told (see [`Site`]).
    pub host: Option<String>,
    /// `+D name` (true) / `-D name` (false), in command-line order.
    pub defines: Vec<(String, bool)>,
    /// `-T`: sets the built-in define `pikttest`.
    pub test_mode: bool,
    /// `+E name=value`: environment for `#set`/`#include [cmd]`.
    pub env: Vec<(String, String)>,
    /// `-I`: run the regenerating commands of includes.
    pub refresh: bool,
    /// Which item files to read.
    pub files: FileSet,
    /// Parse the alarm scripts with the language parser.
    pub parse_scripts: bool,
    /// Where PIKT.conf is looked for after `=piktdir/etc`
    /// ([`crate::site::SYSTEM_CONF_DIRS`] unless `PIKT_CONF_PATH` says).
    pub conf_dirs: Vec<PathBuf>,
}

impl LoadOptions {
    /// Options reading everything under `root`, parsing scripts.
    pub fn new(root: impl Into<PathBuf>) -> LoadOptions {
        LoadOptions {
            root: root.into(),
            host: None,
            defines: Vec::new(),
            test_mode: false,
            env: Vec::new(),
            refresh: false,
            files: FileSet::ALL,
            parse_scripts: true,
            conf_dirs: crate::site::system_conf_dirs(),
        }
    }
}

/// One preprocessed file of one host.
#[derive(Clone, Debug)]
pub struct Rendered {
    /// Which config file.
    pub config: ConfigFile,
    /// The original file.
    pub source: FileId,
    /// The derived (preprocessed) text.
    pub derived: FileId,
    /// The branches that selected each output line.
    pub explain: Explain,
}

/// Everything one host gets from the configuration.
#[derive(Clone, Debug)]
pub struct HostConfig {
    /// The host's name.
    pub host: String,
    /// Its installation's directories: where its files go, and what the
    /// predefined dir macros (`=piktdir`, `=bindir`...) expand to.
    pub layout: Layout,
    /// Its `#if` facts.
    pub facts: HostFacts,
    /// Its defines after every file was read.
    pub defines: Defines,
    /// defines.cfg as read for it.
    pub defines_file: DefinesFile,
    /// Its macros (predefined and macros.cfg).
    pub macros: MacroTable,
    /// alerts.cfg.
    pub alerts: AlertsFile,
    /// alarms.cfg.
    pub alarms: AlarmsFile,
    /// programs.cfg.
    pub programs: ProgramsFile,
    /// files.cfg.
    pub files: FilesFile,
    /// objects.cfg.
    pub objects: ObjectsFile,
    /// Every preprocessed file.
    pub rendered: Vec<Rendered>,
    /// Every problem found for this host.
    pub diagnostics: Vec<Diagnostic>,
}

impl HostConfig {
    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The preprocessed `config`, if it was read.
    pub fn rendered(&self, config: ConfigFile) -> Option<&Rendered> {
        self.rendered.iter().find(|r| r.config == config)
    }
}

/// The merged result of checking several hosts.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// The hosts checked, in order.
    pub hosts: Vec<String>,
    /// Each distinct diagnostic once, in the order first found.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// `=piktnever`: a timing that never fires (February has no 31st), for
/// `timing =piktnever` in alerts.cfg (the reference's nesting example).
/// `piktc -e` writes no piktd.conf line for it.
pub const PIKTNEVER: &str = "0 0 31 2 *";

/// Reads the configuration once and loads it per host.
pub struct Loader<'h> {
    /// Every text read or made.
    pub map: SourceMap,
    /// The installation the configuration lives in: its directories,
    /// PIKT.conf and this host's name.
    pub site: Site,
    /// systems.cfg.
    pub systems: Systems,
    /// Problems that do not depend on the host (PIKT.conf, systems.cfg, missing files).
    pub diagnostics: Vec<Diagnostic>,
    /// PIKT.conf's warnings (keys that do nothing here, unknown keys):
    /// part of [`Loader::check_all`]'s report only, so that not every
    /// piktc command repeats them.
    pub conf_warnings: Vec<Diagnostic>,
    options: LoadOptions,
    io: &'h dyn PreprocHost,
    sources: BTreeMap<ConfigFile, FileId>,
    /// Hosts whose installation is not laid out like this one's.
    host_layouts: BTreeMap<String, Layout>,
}

impl<'h> Loader<'h> {
    /// Reads PIKT.conf, the needed config files and systems.cfg.
    pub fn new(options: LoadOptions, io: &'h dyn PreprocHost) -> Loader<'h> {
        let mut map = SourceMap::new();
        let (mut site, diagnostics) = Site::read(
            &options.root,
            options.host.clone(),
            &options.conf_dirs,
            &mut map,
            &|p| io.read_file(p),
        );
        site.locate_piktd_conf(&|p| io.read_file(p).is_ok());
        let (diagnostics, conf_warnings) = diagnostics.into_iter().partition(Diagnostic::is_error);
        let mut loader = Loader {
            map,
            site,
            systems: Systems::default(),
            diagnostics,
            conf_warnings,
            options,
            io,
            sources: BTreeMap::new(),
            host_layouts: BTreeMap::new(),
        };
        loader.read_sources();
        loader.read_systems();
        loader
    }

    /// The directories (PIKT.conf's moves applied).
    pub fn layout(&self) -> &Layout {
        &self.site.layout
    }

    /// The options this loader was made with.
    pub fn options(&self) -> &LoadOptions {
        &self.options
    }

    /// The original text of `config`, when it exists.
    pub fn source(&self, config: ConfigFile) -> Option<FileId> {
        self.sources.get(&config).copied()
    }

    /// True when the host-independent part has an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    fn read_sources(&mut self) {
        for config in ConfigFile::ALL {
            if !self.options.files.wants(config) {
                continue;
            }
            let path = self.site.layout.cfgdir.join(config.file_name());
            match self.io.read_file(&path) {
                Ok(text) => {
                    let id = self.map.add(config.file_name(), text);
                    self.sources.insert(config, id);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && config != ConfigFile::Systems => {}
                Err(e) => self
                    .diagnostics
                    .push(read_error(&self.site.layout.show(&path), &e)),
            }
        }
    }

    fn read_systems(&mut self) {
        let Some(source) = self.source(ConfigFile::Systems) else {
            return;
        };
        // systems.cfg allows no #if, so any host will do.
        let facts = HostFacts::default();
        let mut defines = Defines::new();
        let mut opts = Options::new(
            &facts,
            &mut defines,
            FileKind::Systems,
            self.site.layout.cfgdir.clone(),
        );
        opts.env.clone_from(&self.options.env);
        opts.refresh = self.options.refresh;
        let out = preprocess(&mut self.map, source, &mut opts, self.io);
        self.diagnostics.extend(out.diagnostics);
        let (systems, diags) = Systems::parse(&self.map, out.file);
        self.diagnostics.extend(diags);
        self.systems = systems;
    }

    /// Says that `host`'s installation is `layout` (another host's root):
    /// its dir macros (`=piktdir`, `=bindir`...) and the paths of its files
    /// follow it. Config files are still read from this installation's
    /// `=cfgdir`. Hosts not placed are laid out like this installation.
    pub fn place_host(&mut self, host: &str, layout: Layout) {
        self.host_layouts.insert(host.to_string(), layout);
    }

    /// The layout of `host`'s installation.
    pub fn host_layout(&self, host: &str) -> &Layout {
        self.host_layouts.get(host).unwrap_or(&self.site.layout)
    }

    /// Preprocesses and reads every needed file for `host`.
    pub fn load_host(&mut self, host: &str) -> HostConfig {
        let layout = self.host_layout(host).clone();
        let facts = self.systems.facts(host);
        let mut defines = Defines::new();
        for (name, value) in &self.options.defines {
            defines.set_command_line(name, *value);
        }
        if self.options.test_mode {
            defines.set_command_line(PIKTTEST, true);
        }
        let mut cfg = HostConfig {
            host: host.to_string(),
            macros: self.predefined_macros(&layout.root, host),
            layout,
            facts,
            defines,
            defines_file: DefinesFile::default(),
            alerts: AlertsFile::default(),
            alarms: AlarmsFile::default(),
            programs: ProgramsFile::default(),
            files: FilesFile::default(),
            objects: ObjectsFile::default(),
            rendered: Vec::new(),
            diagnostics: Vec::new(),
        };
        for config in ConfigFile::ALL.into_iter().skip(1) {
            if let Some(derived) = self.run_preprocessor(config, &mut cfg) {
                self.read_model(config, derived, &mut cfg);
            }
            if config == ConfigFile::Macros {
                apply_dir_overrides(&cfg.layout, &mut cfg.macros);
            }
        }
        self.cross_checks(&mut cfg);
        cfg
    }

    /// The macros every host has before macros.cfg: the directories
    /// ([`MacroTable::with_predefined`]), `=piktnever`, `=piktnullchar`,
    /// `=pikttest` (PIKT.conf's `pikttest_substitution` under `piktc -T`,
    /// else empty) and one `=NAME` per PIKT.conf `NAMEcmd` key.
    fn predefined_macros(&self, root: &Path, host: &str) -> MacroTable {
        let mut table = MacroTable::with_predefined(root, host);
        table.predefine("piktnever", PIKTNEVER);
        table.predefine("piktnullchar", "");
        let pikttest = if self.options.test_mode {
            self.site.conf.pikttest_substitution()
        } else {
            ""
        };
        table.predefine("pikttest", pikttest);
        for (name, command) in self.site.conf.command_macros() {
            table.predefine(name, command);
        }
        table
    }

    /// Runs the preprocessor over `config` for the host of `cfg`.
    fn run_preprocessor(&mut self, config: ConfigFile, cfg: &mut HostConfig) -> Option<FileId> {
        let source = self.source(config)?;
        let macros =
            (config != ConfigFile::Defines && config != ConfigFile::Macros).then_some(&cfg.macros);
        let mut opts = Options::new(
            &cfg.facts,
            &mut cfg.defines,
            config.kind(),
            self.site.layout.cfgdir.clone(),
        );
        opts.macros = macros;
        opts.env.clone_from(&self.options.env);
        opts.refresh = self.options.refresh;
        opts.warn_unknown_classes = self.site.conf.verbose_log();
        let out = preprocess(&mut self.map, source, &mut opts, self.io);
        cfg.diagnostics.extend(out.diagnostics);
        cfg.rendered.push(Rendered {
            config,
            source,
            derived: out.file,
            explain: out.explain,
        });
        Some(out.file)
    }

    fn read_model(&self, config: ConfigFile, derived: FileId, cfg: &mut HostConfig) {
        let map = &self.map;
        let diags = match config {
            ConfigFile::Systems => Vec::new(),
            ConfigFile::Defines => store(DefinesFile::parse(map, derived), &mut cfg.defines_file),
            ConfigFile::Macros => {
                let (file, mut diags) = MacrosFile::parse(map, derived);
                self.fill_macro_table(file.defs, &mut cfg.macros, &mut diags);
                diags
            }
            ConfigFile::Alarms => {
                let mut diags = store(AlarmsFile::parse(map, derived), &mut cfg.alarms);
                if self.options.parse_scripts {
                    diags.extend(check_scripts(map, derived));
                }
                diags
            }
            ConfigFile::Alerts => store(AlertsFile::parse(map, derived), &mut cfg.alerts),
            ConfigFile::Programs => store(
                ProgramsFile::parse(map, derived, &cfg.layout.prgdir),
                &mut cfg.programs,
            ),
            ConfigFile::Files => store(FilesFile::parse(map, derived), &mut cfg.files),
            ConfigFile::Objects => store(ObjectsFile::parse(map, derived), &mut cfg.objects),
        };
        cfg.diagnostics.extend(diags);
    }

    /// Adds macros.cfg's definitions.
    fn fill_macro_table(
        &self,
        defs: Vec<MacroDef>,
        table: &mut MacroTable,
        diags: &mut Vec<Diagnostic>,
    ) {
        for def in defs {
            let (name, span) = (def.name.clone(), def.name_span);
            if let Err(MacroError::Predefined) = table.insert(def) {
                if let Some(span) = span {
                    diags.push(
                        Diagnostic::error(
                            format!("macro `{name}` is predefined and cannot be redefined"),
                            span,
                        )
                        .with_help("`=piktdir` and `=pikthostname` are set by piktc"),
                    );
                }
            }
        }
    }

    /// Checks that span files: alarm names in alerts, paths shared by a
    /// program and a file.
    fn cross_checks(&self, cfg: &mut HostConfig) {
        if self.source(ConfigFile::Alerts).is_some() {
            let names = cfg.alarms.names();
            let diags = cfg.alerts.check_alarm_names(&names);
            cfg.diagnostics.extend(diags);
        }
        for file in &cfg.files.files {
            if let Some(program) = cfg.programs.programs.iter().find(|p| p.path == file.path) {
                cfg.diagnostics
                    .push(same_path(&self.map, file, program.name_span));
            }
        }
    }

    /// Loads every host in `hosts` and merges their diagnostics (after the
    /// host-independent ones).
    pub fn check_all(&mut self, hosts: &[String]) -> CheckReport {
        let mut merged: Vec<(String, Diagnostic, Vec<String>)> = Vec::new();
        for diag in self.conf_warnings.iter().chain(&self.diagnostics).cloned() {
            merged.push((render(&self.map, &diag), diag, Vec::new()));
        }
        for host in hosts {
            let cfg = self.load_host(host);
            for diag in cfg.diagnostics {
                let text = render(&self.map, &diag);
                match merged.iter_mut().find(|(t, _, _)| *t == text) {
                    Some((_, _, affected)) => {
                        if !affected.contains(host) {
                            affected.push(host.clone());
                        }
                    }
                    None => merged.push((text, diag, vec![host.clone()])),
                }
            }
        }
        let diagnostics = merged
            .into_iter()
            .map(|(_, diag, affected)| {
                if affected.is_empty() || affected.len() == hosts.len() {
                    diag
                } else {
                    diag.with_note(format!("affects hosts: {}", affected.join(", ")))
                }
            })
            .collect();
        CheckReport {
            hosts: hosts.to_vec(),
            diagnostics,
        }
    }
}

fn store<T>((model, diags): (T, Vec<Diagnostic>), slot: &mut T) -> Vec<Diagnostic> {
    *slot = model;
    diags
}

/// The built-in define set by `-T`.
pub const PIKTTEST: &str = "pikttest";

fn read_error(path: &str, e: &io::Error) -> Diagnostic {
    Diagnostic::error_unlocated(format!("cannot read `{path}`: {}", plain_io_error(e)))
}

/// Makes the predefined dir macros that macros.cfg did not replace follow
/// `layout` (PIKT.conf's dir overrides, another host's root).
fn apply_dir_overrides(layout: &Layout, table: &mut MacroTable) {
    for (name, dir) in layout.dirs() {
        if table.is_predefined(name) && table.get(name).is_some_and(|m| Path::new(&m.body) != dir) {
            // Replacing a predefined macro other than `piktdir` cannot fail.
            let _ = table.insert(MacroDef::simple(name, dir.to_string_lossy()));
        }
    }
}

/// An I/O error without Rust's "(os error N)" suffix (one wording for
/// every file message: `pikt-fs` owns it).
pub use pikt_fs::plain_io_error;

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_preproc::testing::FakeHost;

    const SYSTEMS: &str = "linux hosts moscow chicago paris\nmailserver members moscow chicago\n";

    fn tree(files: &[(&str, &str)]) -> FakeHost {
        files.iter().fold(FakeHost::new(), |host, (name, text)| {
            host.file(format!("/pikt/lib/configs/{name}"), *text)
        })
    }

    #[test]
    fn only_the_needed_files_are_read() {
        let io = tree(&[
            ("systems.cfg", SYSTEMS),
            ("objects.cfg", "Set\n\ta\n"),
            ("alerts.cfg", "Broken stanza\n"),
        ]);
        let mut options = LoadOptions::new("/pikt");
        options.files = FileSet {
            objects: true,
            ..FileSet::NONE
        };
        let mut loader = Loader::new(options, &io);
        assert!(loader.source(ConfigFile::Alerts).is_none());
        let cfg = loader.load_host("paris");
        assert!(cfg.diagnostics.is_empty(), "{:?}", cfg.diagnostics);
        assert_eq!(cfg.objects.sets.len(), 1);
        assert!(cfg.rendered(ConfigFile::Objects).is_some());
    }

    #[test]
    fn missing_systems_cfg_is_the_only_mandatory_file() {
        let io = tree(&[("objects.cfg", "Set\n\ta\n")]);
        let loader = Loader::new(LoadOptions::new("/pikt"), &io);
        let messages: Vec<&str> = loader
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages.len(), 1);
        assert!(
            messages[0].starts_with("cannot read `/pikt/lib/configs/systems.cfg`"),
            "{messages:?}"
        );
    }

    #[test]
    fn check_all_merges_and_names_the_affected_hosts() {
        let alerts =
            "A\n\ttiming 0 * * * *\n#if mailserver\n\tlevel loud\n#endif\n\tbogus 1\n\talarms X\n";
        let io = tree(&[
            ("systems.cfg", SYSTEMS),
            ("alarms.cfg", "X\n\tbegin\n"),
            ("alerts.cfg", alerts),
        ]);
        let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
        let hosts = loader.systems.hosts().to_vec();
        let report = loader.check_all(&hosts);
        let summary: Vec<(&str, &[String])> = report
            .diagnostics
            .iter()
            .map(|d| (d.message.as_str(), d.notes.as_slice()))
            .collect();
        assert_eq!(report.errors(), 2, "{summary:?}");
        assert_eq!(summary[0].0, "invalid level `loud`");
        assert_eq!(summary[0].1, ["affects hosts: moscow, chicago".to_string()]);
        assert_eq!(summary[1].0, "unknown alerts.cfg key `bogus`");
        assert!(
            summary[1].1.iter().all(|n| !n.starts_with("affects")),
            "every host: no note"
        );
    }

    #[test]
    fn pikt_conf_moves_dirs_and_the_dir_macros_follow() {
        let io = tree(&[
            ("systems.cfg", SYSTEMS),
            ("objects.cfg", "Set\n\t=objdir\n"),
        ])
        .file("/pikt/etc/PIKT.conf", "objdir /srv/objects\n");
        let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
        assert_eq!(loader.layout().objdir, PathBuf::from("/srv/objects"));
        let cfg = loader.load_host("moscow");
        assert_eq!(cfg.objects.sets[0].lines, ["/srv/objects"]);
    }

    #[test]
    fn command_line_defines_and_test_mode_reach_the_preprocessor() {
        let objects = "Set\n#ifdef pikttest\n\ttest\n#endifdef\n#ifdef extra\n\textra\n#endifdef\n";
        let io = tree(&[
            ("systems.cfg", SYSTEMS),
            ("defines.cfg", "extra FALSE\n"),
            ("objects.cfg", objects),
        ]);
        let mut options = LoadOptions::new("/pikt");
        options.test_mode = true;
        options.defines = vec![("extra".into(), true)];
        let mut loader = Loader::new(options, &io);
        let cfg = loader.load_host("moscow");
        assert_eq!(cfg.objects.sets[0].lines, ["test", "extra"]);
    }

    #[test]
    fn pikt_conf_commands_and_test_substitution_are_macros() {
        let objects =
            "Set\n\t=ps -ef|=egrep x\n\tAlert=pikttest!\n\t=piktnever\n\t[=piktnullchar]\n";
        let conf =
            "pscmd /usr/local/bin/ps\negrepcmd \"/bin/grep -E\"\npikttest_substitution Test\n";
        let io = tree(&[("systems.cfg", SYSTEMS), ("objects.cfg", objects)])
            .file("/pikt/etc/PIKT.conf", conf);
        let mut loader = Loader::new(LoadOptions::new("/pikt"), &io);
        let cfg = loader.load_host("moscow");
        assert!(cfg.diagnostics.is_empty(), "{:?}", cfg.diagnostics);
        assert_eq!(
            cfg.objects.sets[0].lines,
            [
                "/usr/local/bin/ps -ef|/bin/grep -E x",
                "Alert!",
                "0 0 31 2 *",
                "[]"
            ]
        );
        let mut options = LoadOptions::new("/pikt");
        options.test_mode = true;
        let mut loader = Loader::new(options, &io);
        assert_eq!(
            loader.load_host("moscow").objects.sets[0].lines[1],
            "AlertTest!"
        );
    }

    #[test]
    fn macros_cfg_wins_over_a_command_key_and_pikt_conf_is_searched() {
        let io = tree(&[
            ("systems.cfg", SYSTEMS),
            ("macros.cfg", "ps /bin/ps\n"),
            ("objects.cfg", "Set\n\t=ps =cat\n"),
        ])
        .file(
            "/usr/local/etc/PIKT.conf",
            "pscmd /opt/ps\ncatcmd /bin/cat\n",
        );
        let mut options = LoadOptions::new("/pikt");
        options.conf_dirs = vec!["/etc".into(), "/usr/local/etc".into()];
        let mut loader = Loader::new(options, &io);
        assert_eq!(
            loader.site.pikt_conf_path(),
            PathBuf::from("/usr/local/etc/PIKT.conf")
        );
        assert_eq!(
            loader.load_host("moscow").objects.sets[0].lines,
            ["/bin/ps /bin/cat"]
        );
    }
}
