//! In-memory stand-ins for tests and fuzzing.
//!
//! [`FakeHost`] serves files from a map and answers commands from canned
//! outputs, recording what was run. [`fuzz_preprocess`] runs the whole
//! preprocessor over arbitrary bytes; it must never panic. [`read_macros`] is
//! a minimal macros.cfg stanza reader for tests (pikt-config has the real one).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::{
    preprocess, CommandOutput, Defines, FileKind, HostFacts, MacroDef, MacroError, MacroTable,
    Options, PreprocHost, Preprocessed,
};

/// One command run: its text and the `#set` environment it got.
pub type CommandRun = (String, Vec<(String, String)>);

/// A fake world: files in memory, canned command outputs.
#[derive(Debug, Default)]
pub struct FakeHost {
    /// File contents by path.
    pub files: BTreeMap<PathBuf, String>,
    /// Command outputs by exact command text; unknown commands fail to run.
    pub commands: BTreeMap<String, CommandOutput>,
    /// Every command run, with the `#set` environment it got.
    pub ran: RefCell<Vec<CommandRun>>,
    /// Every `#piktexec` statement text run.
    pub pikt_ran: RefCell<Vec<String>>,
    /// When set, `#piktexec` fails with this message.
    pub pikt_error: Option<String>,
}

impl FakeHost {
    /// An empty world.
    pub fn new() -> FakeHost {
        FakeHost::default()
    }

    /// Adds a file.
    #[must_use]
    pub fn file(mut self, path: impl Into<PathBuf>, text: impl Into<String>) -> FakeHost {
        self.files.insert(path.into(), text.into());
        self
    }

    /// Adds a command printing `stdout` and exiting with 0 (`success`) or 1.
    #[must_use]
    pub fn command(
        mut self,
        command: impl Into<String>,
        stdout: impl Into<String>,
        success: bool,
    ) -> FakeHost {
        self.commands.insert(
            command.into(),
            CommandOutput {
                stdout: stdout.into(),
                success,
                status: Some(if success { 0 } else { 1 }),
                ..CommandOutput::default()
            },
        );
        self
    }
}

impl PreprocHost for FakeHost {
    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
    }

    fn run_command(&self, command: &str, env: &[(String, String)]) -> io::Result<CommandOutput> {
        self.ran
            .borrow_mut()
            .push((command.to_string(), env.to_vec()));
        self.commands
            .get(command)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "command not found"))
    }

    fn run_pikt(&self, statements: &str) -> io::Result<CommandOutput> {
        self.pikt_ran.borrow_mut().push(statements.to_string());
        match &self.pikt_error {
            Some(message) => Err(io::Error::other(message.clone())),
            None => Ok(CommandOutput {
                success: true,
                status: Some(0),
                ..CommandOutput::default()
            }),
        }
    }
}

/// Reads macro definitions from preprocessed macros.cfg text (`file`):
/// a stanza head `name` or `name(P, Q)` in column 1, the body after it and on
/// the following indented lines. Good enough for tests; errors for bad heads
/// and duplicates are reported.
pub fn read_macros(map: &SourceMap, file: FileId, table: &mut MacroTable) -> Vec<Diagnostic> {
    let text = map.get(file).text.clone();
    let mut diags = Vec::new();
    let mut stanzas: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let starts_stanza = line
            .bytes()
            .next()
            .is_some_and(|b| !b.is_ascii_whitespace());
        if starts_stanza {
            stanzas.push((offset, offset + line.len()));
        } else if let Some(last) = stanzas.last_mut() {
            if !line.trim().is_empty() {
                last.1 = offset + line.len();
            }
        }
        offset += line.len();
    }
    for (start, end) in stanzas {
        let stanza = text.get(start..end).unwrap_or("");
        match parse_stanza(stanza, start, file) {
            Ok(def) => {
                let name_span = def.name_span;
                let name = def.name.clone();
                if let Err(e) = table.insert(def) {
                    let message = match e {
                        MacroError::Duplicate { .. } => format!("macro `{name}` is defined twice"),
                        MacroError::Predefined => {
                            format!("macro `{name}` is predefined and cannot be redefined")
                        }
                    };
                    diags.push(Diagnostic::error(message, name_span.unwrap_or_default()));
                }
            }
            Err(diag) => diags.push(diag),
        }
    }
    diags
}

fn parse_stanza(stanza: &str, base: usize, file: FileId) -> Result<MacroDef, Diagnostic> {
    let bytes = stanza.as_bytes();
    let name_len = bytes
        .iter()
        .take_while(|&&b| crate::scan::is_ident_char(b))
        .count();
    let name = stanza.get(..name_len).unwrap_or("").to_string();
    let name_span = Span::new(file, base, base + name_len);
    if !bytes
        .first()
        .copied()
        .is_some_and(crate::scan::is_ident_start)
    {
        return Err(Diagnostic::error(
            "a macro name must start with a letter",
            name_span,
        ));
    }
    let mut pos = name_len;
    let mut params = Vec::new();
    if bytes.get(pos) == Some(&b'(') {
        let close = stanza
            .get(pos..)
            .and_then(|s| s.find(')'))
            .map(|k| pos + k)
            .ok_or_else(|| {
                Diagnostic::error(
                    "unclosed parameter list",
                    Span::new(file, base + pos, base + pos + 1),
                )
            })?;
        params = stanza
            .get(pos + 1..close)
            .unwrap_or("")
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        pos = close + 1;
    }
    let head_end = stanza.find('\n').unwrap_or(stanza.len());
    let head_rest = stanza.get(pos..head_end).unwrap_or("");
    let body_start = if head_rest.trim().is_empty() {
        (head_end + 1).min(stanza.len())
    } else {
        pos + (head_rest.len() - head_rest.trim_start().len())
    };
    let body = stanza
        .get(body_start..)
        .unwrap_or("")
        .trim_end()
        .to_string();
    Ok(MacroDef {
        name,
        params,
        body_span: Some(Span::new(
            file,
            base + body_start,
            base + body_start + body.len(),
        )),
        body,
        name_span: Some(name_span),
    })
}

/// Runs the preprocessor over arbitrary bytes: `data` split at the first NUL
/// into a macros.cfg and a main file, for a fixed host with a few classes,
/// defines, macros and include files. Never panics (that is what fuzzing
/// checks); returns the result for inspection.
pub fn fuzz_preprocess(data: &[u8]) -> (SourceMap, Preprocessed) {
    let text = String::from_utf8_lossy(data);
    let (macros_text, main_text) = text
        .split_once('\0')
        .unwrap_or(("m =n\nn(A) [(A)]\n", &text));
    let host = FakeHost::new()
        .file("/cfg/inc.cfg", "#if moscow\ninc\n#endif\n")
        .file("/cfg/self.cfg", "#include \"self.cfg\"\n")
        .command("true", "", true)
        .command("echo x", "x\n", true);
    let facts = HostFacts {
        name: "moscow".into(),
        classes: BTreeSet::from(["linux".to_string(), "mailserver".to_string()]),
        known: BTreeSet::from(["nisserver".to_string()]),
    };
    let mut defines = Defines::new();
    defines.declare("debug", true);
    defines.declare("verbose", false);
    let mut map = SourceMap::new();
    let macros_file = map.add("macros.cfg", macros_text.to_string());
    let macros_out = {
        let mut opts = Options::new(&facts, &mut defines, FileKind::Macros, "/cfg");
        preprocess(&mut map, macros_file, &mut opts, &host)
    };
    let mut table = MacroTable::with_predefined(Path::new("/pikt"), "moscow");
    let _ = read_macros(&map, macros_out.file, &mut table);
    let main = map.add("alarms.cfg", main_text.to_string());
    let mut opts = Options::new(&facts, &mut defines, FileKind::Alarms, "/cfg");
    opts.macros = Some(&table);
    opts.refresh = true;
    opts.warn_unknown_classes = true;
    let out = preprocess(&mut map, main, &mut opts, &host);
    for diag in &out.diagnostics {
        let _ = pikt_source::render(&map, diag);
    }
    (map, out)
}
