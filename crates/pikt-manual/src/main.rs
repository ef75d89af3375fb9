//! `pikt-manual [DIR]`: writes the man pages and shell completions under
//! DIR (default `target/generated`): `man/*.{1,5,8}`,
//! `completions/{bash,zsh,fish}/`. Run by packaging (`bin/build-deb`);
//! not installed.

use std::path::PathBuf;
use std::process::ExitCode;

const HELP: &str = "usage: pikt-manual [DIR]

Writes the man pages (man/pikt.1, man/piktc.1, man/piktd.8, man/pikt-config.5)
and the shell completions (completions/bash/PROGRAM, completions/zsh/_PROGRAM,
completions/fish/PROGRAM.fish) of pikt, piktc and piktd under DIR
(default: target/generated), from their flag tables and docs/config-format.md.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [] => PathBuf::from(pikt_manual::DEFAULT_DIR),
        [flag] if flag == "-h" || flag == "--help" => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        [dir] if !dir.starts_with('-') => PathBuf::from(dir),
        _ => {
            eprint!("pikt-manual: error: expected at most one directory\n{HELP}");
            return ExitCode::from(pikt_cli::EXIT_USAGE);
        }
    };
    match pikt_manual::write_all(&dir) {
        Ok(paths) => {
            for path in paths {
                println!("{}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "pikt-manual: error: cannot write under {}: {e}",
                dir.display()
            );
            ExitCode::FAILURE
        }
    }
}
