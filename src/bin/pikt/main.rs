//! pikt: the Pikt script interpreter.
//!
//! This file is glue: read argv and the environment, load and parse the
//! script (`pikt-lang`), build a run (a list of scripts and a
//! [`RunConfig`]) with the real effects, hand it to `pikt-runtime`, print
//! what comes back and exit with a documented status (docs/pikt.md).
//! Alert runs (`+A`, `+S`; [`alert`], docs/alerts.md) are the other caller
//! of [`run_scripts`].

mod alert;
mod args;
mod check;
mod delivery;
mod interrupt;
mod limits;
mod lock;

use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pikt_effects::{
    local_time_zone, native, LogTarget, RealFs, RealShell, RealSystem, StdSinks, SystemClock,
};
use pikt_lang::ast::Program;
use pikt_lang::{dump_tokens, guess_mode, parse_program, print_program, ParseMode};
use pikt_runtime::{deliver_mail, run, Host, RunConfig, RunReport, ScriptToRun};
use pikt_source::{render, FileId, SourceMap};

use args::{Action, Args, Source};
use pikt_cli::tables::PIKT;
use pikt_config::{Layout, Site, SiteEnv};

/// Everything went well.
const EXIT_OK: u8 = 0;
/// A script failed at run time, or died.
const EXIT_FAILED: u8 = 1;
/// The script has syntax (or check-time) errors.
const EXIT_SCRIPT_ERRORS: u8 = 2;
/// The command line is wrong (the same status for pikt, piktc and piktd).
const EXIT_USAGE: u8 = pikt_cli::EXIT_USAGE;
/// Another run of the alert holds its lock (`-U` runs regardless).
const EXIT_BUSY: u8 = 3;
/// The script cannot be read.
const EXIT_UNREADABLE: u8 = 4;

/// The interpreter's stack: deep expressions (a generated `1 + 1 + ...`)
/// recurse; the interpreter stops at its nesting limit well within this.
const STACK_SIZE: usize = 512 << 20;

fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("pikt".into())
        .stack_size(STACK_SIZE)
        .spawn(pikt_main);
    match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("pikt: error: internal error (the interpreter thread failed)");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

fn pikt_main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let args = match args::parse(&argv, io::stdin().is_terminal()) {
        Ok(args) => args,
        Err(error) => return usage_error(&error),
    };
    let code = match (&args.action, &args.source) {
        (Action::Help, _) => print_stdout(&pikt_cli::help::help_text(&PIKT)),
        (Action::Version, _) => print_stdout(&format!("pikt {}\n", env!("CARGO_PKG_VERSION"))),
        (Action::Run, Source::Installed { alert, script }) => {
            let code = alert::run_installed(&args, alert.as_deref(), script.as_deref());
            // A run stopped by a signal ends by it, its mail handled.
            interrupt::end_if_stopped();
            code
        }
        (Action::CheckInstallation, _) => check::installation(&args),
        _ => load_and_act(&args),
    };
    ExitCode::from(code)
}

fn usage_error(error: &pikt_cli::UsageError) -> ExitCode {
    eprint!("{}", pikt_cli::usage_error_text(&PIKT, error));
    ExitCode::from(EXIT_USAGE)
}

/// Writes `text` to standard output; a closed pipe is not an error.
fn print_stdout(text: &str) -> u8 {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("pikt: error: cannot write to standard output: {e}");
            EXIT_FAILED
        }
        _ => EXIT_OK,
    }
}

/// The script's text, its mode and the name a nameless script runs under.
struct Loaded {
    map: SourceMap,
    file: FileId,
    mode: ParseMode,
    name: String,
}

fn load(args: &Args) -> Result<Loaded, String> {
    let (display, text, mode, name) = match &args.source {
        Source::File(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mode = guess_mode(&text);
            (path.display().to_string(), text, mode, script_name(path))
        }
        Source::Statements(text) => (
            "<command line>".to_string(),
            text.clone(),
            ParseMode::Statements,
            "command".to_string(),
        ),
        Source::Installed { alert, script } => {
            let site = alert::open_site(args)?;
            let target = alert::locate(&site, alert.as_deref(), script.as_deref())?;
            // Installed code: no link a user planted is followed.
            let text = pikt_fs::read_text(&target.path)
                .map_err(|e| format!("cannot read `{}`: {e}", target.path.display()))?;
            (
                target.path.display().to_string(),
                text,
                ParseMode::Alarms,
                target.alert,
            )
        }
        Source::Installation => return Err("`-z` checks the installation, not one script".into()),
        Source::Stdin => {
            let mut bytes = Vec::new();
            io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            (
                "<stdin>".to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
                ParseMode::Statements,
                "command".to_string(),
            )
        }
    };
    let mut map = SourceMap::new();
    let file = map.add(display, text);
    Ok(Loaded {
        map,
        file,
        mode,
        name,
    })
}

/// A standalone script runs under its file name without `.pkt`/`.pikt`.
fn script_name(path: &Path) -> String {
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |f| f.to_string_lossy().into_owned(),
    );
    file.strip_suffix(".pkt")
        .or_else(|| file.strip_suffix(".pikt"))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(&file)
        .to_string()
}

fn load_and_act(args: &Args) -> u8 {
    let loaded = match load(args) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("pikt: error: {message}");
            return EXIT_UNREADABLE;
        }
    };
    if args.action == Action::DumpTokens {
        return print_stdout(&dump_tokens(&loaded.map, loaded.file));
    }
    let (program, diagnostics) = parse_program(&loaded.map, loaded.file, loaded.mode);
    let mut stderr = io::stderr().lock();
    for diagnostic in &diagnostics {
        let _ = stderr.write_all(render(&loaded.map, diagnostic).as_bytes());
    }
    drop(stderr);
    if diagnostics.iter().any(pikt_source::Diagnostic::is_error) {
        return EXIT_SCRIPT_ERRORS;
    }
    match args.action {
        Action::DumpAst => {
            let mut text = print_program(&program);
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            print_stdout(&text)
        }
        Action::Check => EXIT_OK,
        _ => run_program(&program, &loaded, args),
    }
}

/// The run's settings taken from the environment.
struct Environment {
    now: Option<i64>,
    host: String,
    history_dir: Option<PathBuf>,
}

impl Environment {
    /// `wants_history`: whether the run keeps history at all; the place of
    /// the history directory is looked up (PIKT.conf searched for) only then,
    /// so a script without `%` variables or `input logfile` starts without
    /// that search.
    fn from_process(args: &Args, wants_history: bool) -> Result<Environment, String> {
        let now = match std::env::var("PIKT_NOW") {
            Ok(text) => Some(text.trim().parse::<i64>().map_err(|_| {
                format!("`PIKT_NOW` must be seconds since the epoch, not `{text}`")
            })?),
            Err(_) => None,
        };
        let env = SiteEnv::from_process();
        let host = args
            .site
            .host_name(&env)
            .unwrap_or_else(RealSystem::system_hostname);
        Ok(Environment {
            now,
            host,
            history_dir: if wants_history {
                history_dir(args, &env)
            } else {
                None
            },
        })
    }
}

/// Where a standalone run keeps history: the installation's `=hstdir` when
/// one is named (`--piktdir`, `PIKT_DIR`), else
/// `$XDG_STATE_HOME/pikt/history`, else `~/.local/state/pikt/history`.
fn history_dir(args: &Args, env: &SiteEnv) -> Option<PathBuf> {
    if args.site.piktdir.is_some() || env.piktdir.as_ref().is_some_and(|d| !d.is_empty()) {
        let hstdir = Site::open(&args.site, env).map_or_else(
            |_| Layout::new(args.site.root(env)).hstdir,
            |site| site.layout.hstdir,
        );
        return Some(hstdir);
    }
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(state) = var("XDG_STATE_HOME") {
        return Some(state.join("pikt/history"));
    }
    var("HOME").map(|home| home.join(".local/state/pikt/history"))
}

/// The script arguments as environment variables.
fn argument_env(script_args: &[String]) -> Vec<(String, String)> {
    let mut env = vec![("PIKT_ARGC".to_string(), script_args.len().to_string())];
    for (i, arg) in script_args.iter().enumerate() {
        env.push((format!("PIKT_ARG{}", i + 1), arg.clone()));
    }
    env
}

fn run_program(program: &Program, loaded: &Loaded, args: &Args) -> u8 {
    let scripts = ScriptToRun::all_named_or(program, &loaded.name);
    let wants_history = scripts.iter().any(ScriptToRun::keeps_history);
    let environment = match Environment::from_process(args, wants_history) {
        Ok(environment) => environment,
        Err(message) => {
            eprintln!("pikt: error: {message}");
            return EXIT_USAGE;
        }
    };
    let config = RunConfig {
        test_mode: args.test_mode,
        debug: args.debug,
        mail_cmd: args.mail_cmd.clone(),
        lp_cmd: args.lp_cmd.clone(),
        history_dir: environment.history_dir.clone(),
        time_zone: local_time_zone(),
        ..RunConfig::default()
    };
    let mut sinks = make_sinks(LogTarget::Stderr, &config, &environment);
    let mut mail = |report: &RunReport, config: &RunConfig, host: &mut Host<'_>| match deliver_mail(
        report, config, host,
    ) {
        Ok(_) => EXIT_OK,
        Err(diagnostic) => {
            eprint!("{}", render(&loaded.map, &diagnostic));
            EXIT_FAILED
        }
    };
    run_scripts(
        &scripts,
        &loaded.map,
        &config,
        &environment,
        &args.script_args,
        &mut sinks,
        &mut mail,
    )
}

/// Standard output, standard error, syslog and the log `target` for a run.
fn make_sinks(target: LogTarget, config: &RunConfig, environment: &Environment) -> StdSinks {
    let mut sinks = StdSinks::new(
        target,
        config.debug,
        Box::new(io::stdout()),
        Box::new(io::stderr()),
    );
    sinks.host.clone_from(&environment.host);
    sinks.fixed_now = environment.now;
    sinks.time_zone = config.time_zone.clone();
    if let Some(socket) = std::env::var_os("PIKT_SYSLOG").filter(|s| !s.is_empty()) {
        sinks.syslog_path = PathBuf::from(socket);
    }
    sinks
}

/// What a run does with its mail once the scripts are done (the standalone
/// way, or an alert's delivery); returns an exit status.
type MailStep<'m> = dyn FnMut(&RunReport, &RunConfig, &mut Host<'_>) -> u8 + 'm;

/// Runs `scripts` as one run with the real effects, prints errors and
/// hands the mail to `mail`; returns the exit status.
fn run_scripts(
    scripts: &[ScriptToRun<'_>],
    map: &SourceMap,
    config: &RunConfig,
    environment: &Environment,
    script_args: &[String],
    sinks: &mut StdSinks,
    mail: &mut MailStep<'_>,
) -> u8 {
    let env = argument_env(script_args);
    let mut shell = RealShell::new(env.clone());
    // `PIKT_NATIVE_PS=0` (read by the shell) or the run's setting turns the
    // native process commands off; their kills go to the alert log.
    let native = shell.native.enabled() && config.native_ps;
    shell.native.set_enabled(native);
    match sinks.log_file() {
        Some(log) => {
            let output_log = log.clone();
            shell
                .native
                .set_log(Box::new(move |entry| log.write(entry, &mut io::stderr())));
            shell.log_command_output(Box::new(move |entry| {
                output_log.write(entry, &mut io::stderr());
            }));
        }
        None => shell
            .native
            .set_log(native::shown_on(Box::new(io::stderr()))),
    }
    let mut clock = SystemClock {
        fixed_now: environment.now,
    };
    let mut fs = RealFs;
    let mut system = RealSystem::new(environment.host.clone(), env);
    let mut host = Host {
        shell: &mut shell,
        clock: &mut clock,
        fs: &mut fs,
        sinks,
        system: &mut system,
    };
    let report = run(scripts, map, config, &mut host);
    let _ = host.sinks.flush();
    let mut code = if report.failed() {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    for diagnostic in &report.errors {
        eprint!("{}", render(map, diagnostic));
    }
    if let Some(message) = &report.died {
        match message {
            Some(text) => eprintln!("pikt: died: {text}"),
            None => eprintln!("pikt: died"),
        }
    }
    if !report.stdout_closed {
        code = code.max(mail(&report, config, &mut host));
    }
    if let Err(e) = host.sinks.flush() {
        if e.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("pikt: error: cannot write to standard output: {e}");
            code = EXIT_FAILED;
        }
    }
    code
}
