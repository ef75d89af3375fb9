//! One style across the real `pikt`, `piktc` and `piktd`: `--help` and
//! `--version`, `--piktdir` and `--host` on all three, one usage status
//! (64), error lines that start with the program's name, "did you mean"
//! for mistyped flags.

use std::process::{Command, Output, Stdio};

const PROGRAMS: [(&str, &str); 3] = [
    ("pikt", env!("CARGO_BIN_EXE_pikt")),
    ("piktc", env!("CARGO_BIN_EXE_piktc")),
    ("piktd", env!("CARGO_BIN_EXE_piktd")),
];

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env_remove("PIKT_DIR")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_and_version_the_same_way() {
    for (name, program) in PROGRAMS {
        for flag in ["--help", "-h"] {
            let out = run(program, &[flag]);
            assert_eq!(out.status.code(), Some(0), "{name} {flag}");
            let help = text(&out.stdout);
            assert!(help.starts_with(&format!("{name}: ")), "{help}");
            for option in ["--piktdir DIR", "--host NAME", "--help", "--version"] {
                assert!(help.contains(option), "{name} --help lacks {option}");
            }
            assert!(help.contains("   64  usage error"), "{help}");
        }
        for flag in ["--version", "-V"] {
            let out = run(program, &[flag]);
            assert_eq!(
                text(&out.stdout),
                format!("{name} {}\n", env!("CARGO_PKG_VERSION"))
            );
        }
    }
}

#[test]
fn usage_errors_exit_64_with_the_program_name_and_a_suggestion() {
    for (name, program) in PROGRAMS {
        let out = run(program, &["--hots", "x"]);
        assert_eq!(out.status.code(), Some(64), "{name}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(&format!(
                "{name}: error: unknown option `--hots` (did you mean `--host`?)\nusage: {name} "
            )),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(&format!("(see `{name} --help`)\n")),
            "{stderr}"
        );
        let out = run(program, &["-Q"]);
        assert_eq!(out.status.code(), Some(64), "{name}");
        assert!(
            text(&out.stderr).starts_with(&format!("{name}: error: ")),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn piktc_check_ends_with_a_summary() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("lib/configs"))?;
    std::fs::write(
        dir.path().join("lib/configs/systems.cfg"),
        "linux\thosts\tmoscow paris\n",
    )?;
    let out = Command::new(PROGRAMS[1].1)
        .args(["-c", "--piktdir"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "configuration OK for 2 hosts\n");
    Ok(())
}
