//! The man pages and shell completions of `pikt`, `piktc` and `piktd`,
//! generated from the flag tables that print their `--help`
//! ([`pikt_cli::tables`]) and, for `pikt-config(5)`, from
//! `docs/config-format.md`. Nothing here restates a flag, so the pages
//! and completions cannot drift from the programs.
//!
//! [`generated`] is the one list of what is made; [`write_all`] writes it
//! under a directory (the `pikt-manual` binary, run by packaging), and
//! the tests render and run exactly those files.
//!
//! * [`roff`]: an escaping roff writer; [`markdown`]: Markdown as roff;
//! * [`man`]: the pages; [`pages`]: what a page says beyond the table
//!   (description, files, examples);
//! * [`completion`]: the walker of PIKT's command lines for bash, zsh and
//!   fish, and its table per program.
//!
//! **Invariants:** every text that reaches a page goes through
//! [`roff::Roff`]; every flag a page or completion names comes from a
//! table's listed flags; the crate computes text and writes only in
//! [`write_all`].

#![deny(missing_docs)]

pub mod completion;
pub mod man;
pub mod markdown;
pub mod pages;
pub mod roff;

use std::io;
use std::path::{Path, PathBuf};

use pikt_cli::tables::{PIKT, PIKTC, PIKTD};
use pikt_cli::Spec;

/// The directory `pikt-manual` writes to by default, relative to the
/// repository (packaging installs from there).
pub const DEFAULT_DIR: &str = "target/generated";

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Its path under the output directory: `man/piktc.1`,
    /// `completions/bash/piktc`, `completions/zsh/_piktc`,
    /// `completions/fish/piktc.fish`.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// What a program gets: its page and three completion scripts.
fn program_files<Id: Copy + PartialEq>(spec: &Spec<Id>, out: &mut Vec<Generated>) {
    let program = spec.program;
    let model = completion::model(spec);
    let mut add = |path: String, text: String| {
        out.push(Generated {
            path: PathBuf::from(path),
            text,
        });
    };
    add(
        format!("man/{program}.{}", spec.section),
        man::program_page(spec),
    );
    add(
        format!("completions/bash/{program}"),
        completion::bash::script(&model),
    );
    add(
        format!("completions/zsh/_{program}"),
        completion::zsh::script(&model),
    );
    add(
        format!("completions/fish/{program}.fish"),
        completion::fish::script(&model),
    );
}

/// Every generated file, in a fixed order.
pub fn generated() -> Vec<Generated> {
    let mut out = Vec::new();
    program_files(&PIKT, &mut out);
    program_files(&PIKTC, &mut out);
    program_files(&PIKTD, &mut out);
    let (name, section) = man::CONFIG_PAGE;
    out.push(Generated {
        path: PathBuf::from(format!("man/{name}.{section}")),
        text: man::config_page(),
    });
    out
}

/// Writes every generated file under `dir` (made as needed) and returns
/// their paths.
pub fn write_all(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for file in generated() {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, &file.text)?;
        written.push(path);
    }
    Ok(written)
}
