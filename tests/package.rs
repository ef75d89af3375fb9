//! The Debian package end to end, on this machine: `bin/build-deb` builds it,
//! lintian finds no error, `dpkg -i` installs it (systemd is not PID 1 here
//! and policy-rc.d forbids starting daemons: the maintainer scripts must not
//! fail), the files land where dist/README.md says, the README's steps after
//! the install work from the installed paths (`piktc -c`, `piktc -iev`) and
//! so does `piktd -z`, `dpkg -r` removes everything but the conffiles and
//! what pikt made of them, and `dpkg --purge` leaves nothing at all.
//!
//! The test changes the machine (`/usr/bin/pikt`, `/etc/pikt`, ...): it
//! takes a lock shared by every test process, refuses to run where pikt is
//! installed already, and purges the package again even when it fails.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support::{require_program, FileLock};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Held while a test installs the package, across every test process.
const PACKAGE_LOCK: &str = "/run/lock/pikt-test-package.lock";

/// Where the package and pikt's runs write: after a purge none may exist.
const PIKT_ROOTS: [&str; 3] = ["/etc/pikt", "/var/lib/pikt", "/var/log/pikt"];

/// Where the systemd unit and its state may be linked or recorded.
const SYSTEMD_PLACES: [&str; 3] = [
    "/etc/systemd/system",
    "/var/lib/systemd/deb-systemd-helper-enabled",
    "/var/lib/systemd/deb-systemd-helper-masked",
];

/// The lintian warnings this package may have, each with its reason
/// (dist/README.md); every other warning and every error fails the test.
const ACCEPTED_WARNINGS: [&str; 0] = [];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A command as root runs it on a Debian host: the system's PATH, no
/// PIKT_DIR or PIKT_HOST from the test's environment.
fn system_command(program: &str) -> Command {
    let mut command = Command::new(program);
    command
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env_remove("PIKT_DIR")
        .env_remove("PIKT_HOST")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null());
    command
}

/// Runs `program args` and fails the test unless it exits 0.
fn run_ok(program: &str, args: &[&str]) -> Output {
    let out = system_command(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

fn installed_status() -> String {
    let out = system_command("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", "pikt"])
        .output();
    out.map(|o| text(&o.stdout).trim_end().to_owned())
        .unwrap_or_default()
}

/// Purges the package when dropped, so that a failed test leaves no pikt
/// installed behind it.
struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = system_command("dpkg").args(["--purge", "pikt"]).output();
    }
}

/// Every file and symbolic link under `roots`.
fn files_under(roots: &[&str]) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut pending: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
    while let Some(path) = pending.pop() {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if let Ok(entries) = fs::read_dir(&path) {
                pending.extend(entries.filter_map(Result::ok).map(|e| e.path()));
            }
        } else {
            found.insert(path);
        }
    }
    found
}

/// The package's files (`dpkg -L`), without directories.
fn package_files() -> BTreeSet<PathBuf> {
    let out = run_ok("dpkg", &["-L", "pikt"]);
    text(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| !p.is_dir())
        .collect()
}

/// The conffiles dpkg registered for the package.
fn conffiles() -> BTreeSet<PathBuf> {
    let out = run_ok("dpkg-query", &["-W", "-f=${Conffiles}", "pikt"]);
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(PathBuf::from)
        .collect()
}

/// The commands of the README's "Installing it on a host" block, without
/// their comments.
fn readme_install_steps() -> Vec<String> {
    let readme = fs::read_to_string(Path::new(REPO).join("README.md")).unwrap_or_default();
    let section = readme
        .split_once("## Installing it on a host")
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("README.md has no \"Installing it on a host\""));
    let block = section
        .split_once("```sh\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .unwrap_or_else(|| panic!("no ```sh block under \"Installing it on a host\""));
    block
        .lines()
        .map(|line| match line.find("  #") {
            Some(comment) => line[..comment].trim_end(),
            None => line.trim_end(),
        })
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn build_package() -> PathBuf {
    let out = Command::new(Path::new(REPO).join("bin/build-deb"))
        .current_dir(REPO)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run bin/build-deb: {e}"));
    assert!(
        out.status.success(),
        "bin/build-deb: {}\n{}",
        out.status,
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    let deb = PathBuf::from(stdout.lines().last().unwrap_or_default());
    let name = deb.file_name().map(|n| n.to_string_lossy().into_owned());
    assert!(
        deb.is_file() && name.is_some_and(|n| n.starts_with("pikt_") && n.ends_with(".deb")),
        "bin/build-deb printed no package: {stdout}"
    );
    deb
}

/// lintian: no error, no warning but the accepted ones.
fn check_lintian(deb: &Path) {
    let lintian = require_program("lintian", "lintian").unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(lintian)
        .arg(deb)
        .output()
        .unwrap_or_else(|e| panic!("cannot run lintian: {e}"));
    let report = text(&out.stdout);
    let unexpected: Vec<&str> = report
        .lines()
        .filter(|l| {
            l.starts_with("E: ")
                || (l.starts_with("W: ")
                    && !ACCEPTED_WARNINGS
                        .iter()
                        .any(|tag| l.contains(&format!(": {tag} "))))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "lintian:\n{report}{}",
        text(&out.stderr)
    );
    assert!(out.status.success(), "lintian {}: {report}", out.status);
}

/// The maintainer scripts ran on this machine without systemd as PID 1 and
/// with policy-rc.d forbidding starts: nothing failed, nothing complained.
fn assert_quiet_scripts(out: &Output, what: &str) {
    let stderr = text(&out.stderr);
    assert!(
        !["error", "warning", "not found", "denied", "Failed"]
            .iter()
            .any(|word| stderr.contains(word)),
        "{what} complained:\n{stderr}"
    );
}

fn assert_installed_files() {
    let files = package_files();
    for path in [
        "/usr/bin/pikt",
        "/usr/bin/piktc",
        "/usr/sbin/piktd",
        "/usr/lib/systemd/system/piktd.service",
        "/etc/pikt/etc/PIKT.conf",
        "/usr/share/doc/pikt/copyright",
        "/usr/share/doc/pikt/changelog.Debian.gz",
        // The man pages and completions crates/pikt-manual makes.
        "/usr/share/man/man1/pikt.1.gz",
        "/usr/share/man/man1/piktc.1.gz",
        "/usr/share/man/man8/piktd.8.gz",
        "/usr/share/man/man5/pikt-config.5.gz",
        "/usr/share/bash-completion/completions/pikt",
        "/usr/share/bash-completion/completions/piktc",
        "/usr/share/bash-completion/completions/piktd",
        "/usr/share/zsh/vendor-completions/_pikt",
        "/usr/share/zsh/vendor-completions/_piktc",
        "/usr/share/zsh/vendor-completions/_piktd",
        "/usr/share/fish/vendor_completions.d/pikt.fish",
        "/usr/share/fish/vendor_completions.d/piktc.fish",
        "/usr/share/fish/vendor_completions.d/piktd.fish",
    ] {
        assert!(
            files.contains(Path::new(path)),
            "{path} is not in the package"
        );
    }
    let example = Path::new(REPO).join("examples/pikt/lib/configs");
    let expected_conffiles: BTreeSet<PathBuf> = fs::read_dir(&example)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| Path::new("/etc/pikt/lib/configs").join(e.file_name()))
                .chain([PathBuf::from("/etc/pikt/etc/PIKT.conf")])
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(conffiles(), expected_conffiles, "the conffiles");
    for conffile in &expected_conffiles {
        assert!(conffile.is_file(), "{} is missing", conffile.display());
    }
    for dir in ["/var/lib/pikt", "/var/log/pikt"] {
        assert!(Path::new(dir).is_dir(), "{dir} was not made");
    }
    // man finds the pages, and bash-completion's loader the completions.
    for (page, path) in [
        ("piktc", "/usr/share/man/man1/piktc.1.gz"),
        ("piktd", "/usr/share/man/man8/piktd.8.gz"),
        ("pikt-config", "/usr/share/man/man5/pikt-config.5.gz"),
    ] {
        let out = run_ok("man", &["-w", page]);
        assert_eq!(text(&out.stdout).trim(), path, "man -w {page}");
    }
    let out = run_ok(
        "bash",
        &[
            "--norc",
            "-c",
            "source /usr/share/bash-completion/bash_completion && __load_completion piktc && complete -p piktc",
        ],
    );
    assert_eq!(text(&out.stdout).trim(), "complete -F _piktc piktc");
    // Every file is as shipped (the md5sums bin/build-deb adds).
    run_ok("dpkg", &["--verify", "pikt"]);
    // The unit is valid for this installation: its ExecStart exists, ...
    let unit = "/usr/lib/systemd/system/piktd.service";
    run_ok("systemd-analyze", &["verify", unit]);
    let unit_text = fs::read_to_string(unit).unwrap_or_default();
    assert!(
        unit_text.contains("\nExecStart=/usr/sbin/piktd -f\n"),
        "{unit_text}"
    );
}

/// Runs the unit's `ExecStart` with its `Environment` as systemd would, until
/// piktd has loaded piktd.conf, then stops it with SIGTERM (`KillSignal`).
fn run_the_units_command() -> io::Result<()> {
    let unit = fs::read_to_string("/usr/lib/systemd/system/piktd.service")?;
    let value = |key: &str| {
        unit.lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap_or_else(|| panic!("no {key} in the unit"))
            .to_owned()
    };
    let exec_start = value("ExecStart=");
    let mut words = exec_start.split_whitespace();
    let program = words.next().unwrap_or_default();
    let mut command = system_command(program);
    command
        .args(words)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some((key, val)) = value("Environment=").split_once('=') {
        command.env(key, val);
    }
    let mut daemon = command.spawn()?;
    let log = Path::new("/var/log/pikt/piktd.log");
    let loaded = crate::support::poll_until(Duration::from_secs(20), || {
        let text = fs::read_to_string(log).unwrap_or_default();
        text.contains("loaded `/etc/pikt/etc/piktd.conf`: 1 line(s), 1 alert(s)")
            .then_some(())
    });
    let pid = i32::try_from(daemon.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    let status = daemon.wait()?;
    assert!(loaded.is_some(), "{}", crate::support::file_text(log));
    assert_eq!(status.code(), Some(0), "{}", crate::support::file_text(log));
    Ok(())
}

#[test]
fn debian_package_installs_runs_as_the_readme_says_and_purges() -> io::Result<()> {
    let _only_one = FileLock::acquire(Path::new(PACKAGE_LOCK), Duration::from_secs(1800))?;
    let status = installed_status();
    assert!(
        status.is_empty() || status.starts_with("un"),
        "pikt is installed on this machine already ({status}): this test installs and purges \
         its own build; `dpkg --purge pikt` first"
    );
    for root in PIKT_ROOTS {
        assert!(
            !Path::new(root).exists(),
            "{root} exists: not a machine without pikt"
        );
    }

    let deb = build_package();
    check_lintian(&deb);
    let deb_arg = deb.to_string_lossy().into_owned();
    let installed = Installed;
    let out = run_ok("dpkg", &["-i", &deb_arg]);
    assert_quiet_scripts(&out, "dpkg -i");
    assert_eq!(installed_status(), "ii");
    assert_installed_files();

    // The README's steps: the package tools, build, install, the steps run
    // here, and the systemctl one, which cannot run without systemd.
    let steps = readme_install_steps();
    let mut ran = 0;
    for step in &steps {
        let program = step.split_whitespace().next().unwrap_or_default();
        match program {
            "bin/install-deps" | "bin/build-deb" => {}
            "apt" => assert_eq!(step, "apt install ./target/debian/pikt_*.deb"),
            "systemctl" => assert_eq!(step, "systemctl enable --now piktd"),
            "sed" | "piktc" => {
                run_ok("bash", &["-c", step]);
                ran += 1;
            }
            _ => panic!("a README step this test does not know: `{step}`"),
        }
    }
    assert_eq!(ran, 3, "{steps:?}");
    let host = text(&run_ok("hostname", &["-s"]).stdout).trim().to_owned();
    let systems = fs::read_to_string("/etc/pikt/lib/configs/systems.cfg")?;
    assert!(
        systems
            .lines()
            .any(|l| l.starts_with("debian") && l.split_whitespace().any(|w| w == host)),
        "{systems}"
    );
    // piktc -e wrote the installed pikt into piktd.conf; piktd reads it.
    let piktd_conf = fs::read_to_string("/etc/pikt/etc/piktd.conf")?;
    assert!(piktd_conf.contains(" /usr/bin/pikt "), "{piktd_conf}");
    let schedule = text(&run_ok("piktd", &["-z"]).stdout);
    assert!(
        schedule.lines().any(|l| l.ends_with("Urgent")),
        "{schedule}"
    );
    // An alert run from the installed paths logs where PIKT.conf says.
    run_ok("pikt", &["-T", "+A", "Urgent"]);
    assert!(Path::new("/var/log/pikt/Urgent.log").is_file());
    // `systemctl enable` (without --now) works without systemd running;
    // the unit's command starts piktd, which loads the schedule.
    run_ok("systemctl", &["enable", "piktd"]);
    run_the_units_command()?;

    // Remove: the package's files go, except the conffiles; what the admin
    // changed and what pikt made (installed alerts, piktd.conf, logs) stays.
    let package = package_files();
    let conf = conffiles();
    let before = files_under(&PIKT_ROOTS);
    let out = run_ok("dpkg", &["-r", "pikt"]);
    assert_quiet_scripts(&out, "dpkg -r");
    assert_eq!(installed_status(), "rc");
    for file in package.difference(&conf) {
        assert!(
            fs::symlink_metadata(file).is_err(),
            "{} was not removed",
            file.display()
        );
    }
    assert_eq!(
        files_under(&PIKT_ROOTS),
        before,
        "dpkg -r changed what it keeps"
    );
    assert!(before.is_superset(&conf));
    assert!(fs::read_to_string("/etc/pikt/lib/configs/systems.cfg")?.contains(&host));

    // Purge: nothing is left, not even the unit's enablement.
    let out = run_ok("dpkg", &["--purge", "pikt"]);
    assert_quiet_scripts(&out, "dpkg --purge");
    drop(installed);
    assert!(installed_status().is_empty(), "{}", installed_status());
    assert_eq!(files_under(&PIKT_ROOTS), BTreeSet::new());
    for root in PIKT_ROOTS {
        assert!(!Path::new(root).exists(), "{root} is left");
    }
    let systemd_left: Vec<PathBuf> = files_under(&SYSTEMD_PLACES)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("piktd"))
        .collect();
    assert!(systemd_left.is_empty(), "{systemd_left:?}");
    Ok(())
}
