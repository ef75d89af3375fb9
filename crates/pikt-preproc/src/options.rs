//! What one preprocessing run is for.

use std::path::PathBuf;

use crate::{Defines, HostFacts, MacroTable};

/// Which config file is being preprocessed; drives the restrictions of the
/// reference's §2.13.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// systems.cfg: only `#include`, `#verbatim`, `#indent`, `#unindent`; no macros.
    Systems,
    /// defines.cfg: stanzas declare defines as they are emitted; `#ifdef` and
    /// `#setdef` only on defines declared earlier; no `#define`/`#undefine`.
    Defines,
    /// macros.cfg.
    Macros,
    /// alerts.cfg.
    Alerts,
    /// alarms.cfg.
    Alarms,
    /// objects.cfg.
    Objects,
    /// programs.cfg.
    Programs,
    /// files.cfg.
    Files,
    /// Anything else (standalone scripts, `piktc -M` strings).
    Other,
}

impl FileKind {
    /// The config file name of this kind, for messages.
    pub fn file_name(self) -> &'static str {
        match self {
            FileKind::Systems => "systems.cfg",
            FileKind::Defines => "defines.cfg",
            FileKind::Macros => "macros.cfg",
            FileKind::Alerts => "alerts.cfg",
            FileKind::Alarms => "alarms.cfg",
            FileKind::Objects => "objects.cfg",
            FileKind::Programs => "programs.cfg",
            FileKind::Files => "files.cfg",
            FileKind::Other => "this file",
        }
    }
}

/// Settings of one preprocessing run.
pub struct Options<'a> {
    /// The target host, for `#if`.
    pub host: &'a HostFacts,
    /// The defines, for `#ifdef`; `#define`/`#undefine`/`#setdef` (and, for
    /// [`FileKind::Defines`], the stanzas) change it, and the changes stay
    /// after the call.
    pub defines: &'a mut Defines,
    /// The macros to expand; `None` leaves `=name` text alone.
    pub macros: Option<&'a MacroTable>,
    /// Which config file this is.
    pub kind: FileKind,
    /// `=piktdir/lib/configs`: where `#include <file>` looks, and what
    /// relative file names in the source map are relative to.
    pub config_dir: PathBuf,
    /// `piktc -I`: run the regenerating commands of `#include "f" [cmd]`,
    /// `#verbatim "f" [cmd]` and `#exec "/dev/null" [cmd]`.
    pub refresh: bool,
    /// Warn about `#if` names not registered in systems.cfg (PIKT's
    /// `verbose_log`).
    pub warn_unknown_classes: bool,
    /// Initial environment of `#set` (piktc `+E name=value`); `#set`/`#unset`
    /// change a copy, for the rest of this file.
    pub env: Vec<(String, String)>,
}

impl<'a> Options<'a> {
    /// Options with no macros, no refresh, no warnings and an empty environment.
    pub fn new(
        host: &'a HostFacts,
        defines: &'a mut Defines,
        kind: FileKind,
        config_dir: impl Into<PathBuf>,
    ) -> Options<'a> {
        Options {
            host,
            defines,
            macros: None,
            kind,
            config_dir: config_dir.into(),
            refresh: false,
            warn_unknown_classes: false,
            env: Vec::new(),
        }
    }
}
