//! Which commands the native process table serves, decided from the command
//! text alone (no I/O here).
//!
//! Only exact forms are served; anything else (an option we do not
//! implement, a shell metacharacter, a second command after `;`) goes to
//! `/bin/sh` as before, so no command means something different natively.
//!
//! * `ps OPTIONS` (`ps`, `/bin/ps`, `/usr/bin/ps`) with the options
//!   [`pikt_proc::parse_ps_args`] accepts, optionally followed by
//!   `2>/dev/null`: alone, as the first stage of a pipeline
//!   (`ps -eo user,comm | sed 1d | sort | uniq -c`: the rest of the pipeline
//!   still runs in `/bin/sh`, reading our output), or inside the
//!   `(\nCOMMAND\n) | FILTER` wrapping that `input proc` with a `filter` builds;
//! * `kill [-SIG | -s SIG | -n SIG] [--] PID...` (`kill`, `/bin/kill`,
//!   `/usr/bin/kill`), every PID decimal digits;
//! * `pgrep [-c] -x -u USER [--] NAME` and
//!   `pkill [-c] [-SIG | --signal SIG] -x -u USER [--] NAME` (also under
//!   `/usr/bin/` and `/bin/`), USER a name (not a number, not a list) and
//!   NAME a literal command name (regular-expression characters escaped
//!   with `\`), which is what `#killprocs` runs.
//!
//! Words may be quoted (`'...'`, or `"..."` without `$`, `` ` `` or `\`
//! inside) and may contain backslash escapes; unquoted they may only
//! contain letters, digits and `-_.,:=/+%@`. A `ps` pipeline's later stages
//! may contain anything a pipeline stage may, but no list operator (`;`,
//! `&`, `&&`, `||`, a newline) and no parenthesis or backquote outside
//! quotes: those would give a later command our output as its standard
//! input where the shell would have given it `/dev/null`.

use pikt_proc::{parse_ps_args, parse_signal, PsField, Signal};
use pikt_runtime::shell::REGEX_SPECIAL;

/// A command the native process table serves without forking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NativeCommand {
    /// `ps -eo FIELDS`, alone or as the first stage of a pipeline.
    Ps(PsCommand),
    /// `kill [-SIG] PID...`
    Kill(KillCommand),
    /// `pgrep -x -u USER NAME`
    Pgrep(MatchCommand),
    /// `pkill [-SIG] -x -u USER NAME`
    Pkill(MatchCommand),
}

/// A `ps` invocation served natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsCommand {
    /// The columns to print.
    pub fields: Vec<PsField>,
    /// The rest of the pipeline (`sed 1d | sort`), run by `/bin/sh` with our
    /// output on its standard input; `None` when `ps` stands alone.
    pub rest: Option<String>,
}

/// A `kill` invocation served natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KillCommand {
    /// The signal (`TERM` when none is given, as `kill` does).
    pub signal: Signal,
    /// The process ids, in the order given.
    pub pids: Vec<u32>,
}

/// A `pgrep`/`pkill` invocation served natively.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchCommand {
    /// The effective user's name (`-u`).
    pub user: String,
    /// The exact command name (`-x NAME`), unescaped.
    pub comm: String,
    /// The signal for `pkill` (`TERM` when none is given).
    pub signal: Signal,
    /// `-c`: print the number of processes instead of their pids.
    pub count: bool,
}

const PS_NAMES: &[&str] = &["ps", "/bin/ps", "/usr/bin/ps"];
const KILL_NAMES: &[&str] = &["kill", "/bin/kill", "/usr/bin/kill"];
const PGREP_NAMES: &[&str] = &["pgrep", "/bin/pgrep", "/usr/bin/pgrep"];
const PKILL_NAMES: &[&str] = &["pkill", "/bin/pkill", "/usr/bin/pkill"];

/// Programs whose output lists process ids. When one of them runs through
/// the real shell (options we do not serve, `ps -ef | grep ...`), a native
/// snapshot is taken just before, so that a later `kill` of a PID it printed
/// can be checked.
const LISTING_NAMES: &[&str] = &[
    "ps",
    "/bin/ps",
    "/usr/bin/ps",
    "pgrep",
    "/bin/pgrep",
    "/usr/bin/pgrep",
    "pidof",
    "/bin/pidof",
    "/usr/bin/pidof",
    "/sbin/pidof",
];

/// Punctuation allowed in an unquoted word.
const SAFE_PUNCTUATION: &str = "-_.,:=/+%@";

/// The native form of `command`, if it is one of the exact forms this module
/// serves (see the module documentation).
pub fn recognize(command: &str) -> Option<NativeCommand> {
    let text = trim_command(command);
    let program = text.split([' ', '\t']).next().unwrap_or_default();
    if PS_NAMES.contains(&program) || text.starts_with("(\n") {
        recognize_ps(text).map(NativeCommand::Ps)
    } else if KILL_NAMES.contains(&program) {
        recognize_kill(text).map(NativeCommand::Kill)
    } else if PGREP_NAMES.contains(&program) {
        recognize_match(text, false).map(NativeCommand::Pgrep)
    } else if PKILL_NAMES.contains(&program) {
        recognize_match(text, true).map(NativeCommand::Pkill)
    } else {
        None
    }
}

/// True when `command` starts with a program that prints process ids
/// (`ps`, `pgrep`, `pidof`), whatever its options.
pub fn lists_processes(command: &str) -> bool {
    let text = trim_command(command);
    let text = text.strip_prefix("(\n").unwrap_or(text).trim_start();
    let program = text
        .split([' ', '\t', '\n', '|', ';', '&'])
        .next()
        .unwrap_or_default();
    LISTING_NAMES.contains(&program)
}

/// The command with leading and trailing blanks and newlines removed.
fn trim_command(command: &str) -> &str {
    command.trim_matches([' ', '\t', '\n'])
}

/// `ps ...`, `ps ... | REST` or `(\nps ...[ | REST]\n) | FILTER`.
fn recognize_ps(text: &str) -> Option<PsCommand> {
    let Some(body) = text.strip_prefix("(\n") else {
        return recognize_ps_pipeline(text);
    };
    let (inner, filter) = body.split_once("\n) | ")?;
    let mut ps = recognize_ps_pipeline(inner)?;
    let filter = continuation(filter)?;
    ps.rest = Some(match ps.rest {
        None => filter.to_string(),
        Some(rest) => format!("(\n{rest}\n) | {filter}"),
    });
    Some(ps)
}

/// `ps ...` alone or as the first stage of a pipeline.
fn recognize_ps_pipeline(text: &str) -> Option<PsCommand> {
    let (stage, rest) = match text.split_once('|') {
        Some((stage, rest)) => (stage, Some(continuation(rest)?.to_string())),
        None => (text, None),
    };
    let fields = ps_stage_fields(stage)?;
    Some(PsCommand { fields, rest })
}

/// The fields of a lone `ps` stage; `None` unless every word is plain.
fn ps_stage_fields(stage: &str) -> Option<Vec<PsField>> {
    let stage = strip_stderr_redirect(stage.trim_matches([' ', '\t']));
    let words = shell_words(stage)?;
    let program = words.first()?;
    if !PS_NAMES.contains(&program.as_str()) {
        return None;
    }
    if !words.iter().all(|word| word.chars().all(is_safe)) {
        return None;
    }
    parse_ps_args(&words.join(" ")).ok()
}

/// Drops a final ` 2>/dev/null`: the native `ps` writes nothing to standard
/// error, so the redirection changes nothing.
fn strip_stderr_redirect(stage: &str) -> &str {
    match stage.strip_suffix("2>/dev/null") {
        Some(before) if before.ends_with([' ', '\t']) => before.trim_end_matches([' ', '\t']),
        _ => stage,
    }
}

/// The later stages of a `ps` pipeline, trimmed, if the shell runs them with
/// our output on their standard input exactly as it would have run them
/// after a real `ps`: no empty stage, no list operator, no subshell or
/// command substitution outside quotes, balanced quotes.
fn continuation(rest: &str) -> Option<&str> {
    let rest = rest.trim_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('|') {
        return None;
    }
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        match (quote, ch) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('"'), '\\') => {
                chars.next()?;
            }
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(ch),
            // `\` + newline is a line continuation; any other escaped
            // character is literal.
            (None, '\\') => {
                chars.next()?;
            }
            (None, '|') => {
                if matches!(chars.peek(), Some('|' | '&')) || rest_is_blank(&chars) {
                    return None;
                }
            }
            (None, ';' | '&' | '\n' | '\r' | '(' | ')' | '`') => return None,
            (None, _) => {}
        }
    }
    quote.is_none().then_some(rest)
}

/// True when only blanks are left (a pipe with no command after it).
fn rest_is_blank(chars: &std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    chars.clone().all(|ch| ch == ' ' || ch == '\t')
}

/// `kill [-SIG | -s SIG | -n SIG] [--] PID...`
fn recognize_kill(text: &str) -> Option<KillCommand> {
    let words = shell_words(text)?;
    let (_, mut args) = words.split_first()?;
    let mut signal = Signal::TERM;
    match args.first().map(String::as_str) {
        Some("-s" | "-n") => {
            signal = parse_signal(args.get(1)?)?;
            args = args.get(2..)?;
        }
        Some(option) if option != "--" => {
            if let Some(name) = option.strip_prefix('-') {
                signal = parse_signal(name)?;
                args = args.get(1..)?;
            }
        }
        _ => {}
    }
    if args.first().map(String::as_str) == Some("--") {
        args = args.get(1..)?;
    }
    if args.is_empty() {
        return None;
    }
    let pids = args
        .iter()
        .map(|word| parse_pid(word))
        .collect::<Option<Vec<u32>>>()?;
    Some(KillCommand { signal, pids })
}

/// A PID as `kill` takes it here: decimal digits only (no sign, so never a
/// process group).
fn parse_pid(word: &str) -> Option<u32> {
    if word.is_empty() || !word.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// `pgrep`/`pkill` with `-x`, `-u USER` and one literal name.
fn recognize_match(text: &str, kills: bool) -> Option<MatchCommand> {
    let words = shell_words(text)?;
    let (_, args) = words.split_first()?;
    let mut options = MatchOptions::default();
    let mut index = 0;
    while let Some(word) = args.get(index) {
        index += 1;
        if options.names_follow {
            options.set_name(word)?;
            continue;
        }
        let value = args.get(index).map(String::as_str);
        if options.take(word, value, kills)? {
            index += 1;
        }
    }
    options.finish()
}

#[derive(Default)]
struct MatchOptions {
    user: Option<String>,
    comm: Option<String>,
    signal: Option<Signal>,
    exact: bool,
    count: bool,
    names_follow: bool,
}

impl MatchOptions {
    /// Takes one word; `Some(true)` when it used `value` too, `None` when the
    /// word is not part of the native form.
    fn take(&mut self, word: &str, value: Option<&str>, kills: bool) -> Option<bool> {
        match word {
            "-c" | "--count" => self.count = true,
            "-x" | "--exact" => self.exact = true,
            "--" => self.names_follow = true,
            "-u" | "--euid" => {
                self.set_user(value?)?;
                return Some(true);
            }
            "--signal" if kills => {
                self.set_signal(value?)?;
                return Some(true);
            }
            _ => {
                if let Some(user) = word.strip_prefix("-u").filter(|user| !user.is_empty()) {
                    self.set_user(user)?;
                } else if let Some(signal) = word.strip_prefix('-') {
                    if !kills {
                        return None;
                    }
                    self.set_signal(signal)?;
                } else {
                    self.set_name(word)?;
                }
            }
        }
        Some(false)
    }

    fn set_user(&mut self, user: &str) -> Option<()> {
        let is_name = !user.is_empty()
            && !user.contains(',')
            && !user.bytes().all(|byte| byte.is_ascii_digit());
        if self.user.is_some() || !is_name {
            return None;
        }
        self.user = Some(user.to_string());
        Some(())
    }

    fn set_signal(&mut self, signal: &str) -> Option<()> {
        if self.signal.is_some() {
            return None;
        }
        self.signal = Some(parse_signal(signal)?);
        Some(())
    }

    fn set_name(&mut self, pattern: &str) -> Option<()> {
        if self.comm.is_some() {
            return None;
        }
        self.comm = Some(literal_pattern(pattern)?);
        Some(())
    }

    fn finish(self) -> Option<MatchCommand> {
        if !self.exact {
            return None;
        }
        Some(MatchCommand {
            user: self.user?,
            comm: self.comm?,
            signal: self.signal.unwrap_or(Signal::TERM),
            count: self.count,
        })
    }
}

/// The literal text a `pgrep` pattern matches, if it has no unescaped
/// regular-expression character (`a\.b` is `a.b`; `a.b` is not literal).
fn literal_pattern(pattern: &str) -> Option<String> {
    let mut literal = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            let escaped = chars.next().filter(|next| REGEX_SPECIAL.contains(*next))?;
            literal.push(escaped);
        } else if REGEX_SPECIAL.contains(ch) {
            return None;
        } else {
            literal.push(ch);
        }
    }
    (!literal.is_empty()).then_some(literal)
}

fn is_safe(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || SAFE_PUNCTUATION.contains(ch)
}

/// Splits `text` into words as `/bin/sh` would, or `None` when it contains
/// anything but blanks, safe characters, quotes and backslash escapes
/// (a shell would give such text a meaning we do not reproduce).
fn shell_words(text: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(ch) = chars.next() {
        match ch {
            ' ' | '\t' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                continue;
            }
            '\'' => loop {
                match chars.next()? {
                    '\'' => break,
                    inner => word.push(inner),
                }
            },
            '"' => loop {
                match chars.next()? {
                    '"' => break,
                    '$' | '`' | '\\' => return None,
                    inner => word.push(inner),
                }
            },
            '\\' => word.push(chars.next().filter(|&next| next != '\n')?),
            _ if is_safe(ch) => word.push(ch),
            _ => return None,
        }
        in_word = true;
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_proc::PsKind;
    use pikt_runtime::shell::{regex_escape, shell_quote};

    fn ps(command: &str) -> Option<(Vec<PsKind>, Option<String>)> {
        match recognize(command)? {
            NativeCommand::Ps(ps) => {
                Some((ps.fields.iter().map(|field| field.kind).collect(), ps.rest))
            }
            other => panic!("{command}: not ps: {other:?}"),
        }
    }

    fn kill(command: &str) -> Option<(i32, Vec<u32>)> {
        match recognize(command)? {
            NativeCommand::Kill(kill) => Some((kill.signal.as_raw(), kill.pids)),
            other => panic!("{command}: not kill: {other:?}"),
        }
    }

    const USER_COMM: &[PsKind] = &[PsKind::User, PsKind::Comm];

    #[test]
    fn plain_ps_invocations_are_native() {
        for command in [
            "ps -eo user,comm",
            "/bin/ps -eo user,comm",
            "/usr/bin/ps -e -o user,comm",
            "ps ax -o user,comm",
            "ps axo user,comm",
            "  ps -eo 'user,comm'\n",
            "ps -eo \"user,comm\"",
            "ps -eo user,comm 2>/dev/null",
        ] {
            assert_eq!(ps(command), Some((USER_COMM.to_vec(), None)), "{command}");
        }
        assert_eq!(
            ps("ps -eo pid,user,comm"),
            Some((vec![PsKind::Pid, PsKind::User, PsKind::Comm], None))
        );
    }

    #[test]
    fn a_ps_first_stage_is_native_and_the_rest_goes_to_the_shell() {
        assert_eq!(
            ps("ps -eo user,comm | sed '1,1d' | awk 'NF==2' | \\\n\t\t\t    sort | uniq -c"),
            Some((
                USER_COMM.to_vec(),
                Some("sed '1,1d' | awk 'NF==2' | \\\n\t\t\t    sort | uniq -c".to_string())
            ))
        );
        assert_eq!(
            ps("ps -eo stat | grep -c '^Z'"),
            Some((vec![PsKind::Stat], Some("grep -c '^Z'".to_string())))
        );
        assert_eq!(
            ps("ps -eo user,comm|grep -c \"imapd\""),
            Some((USER_COMM.to_vec(), Some("grep -c \"imapd\"".to_string())))
        );
        // awk programs with braces, semicolons and $ inside quotes are fine.
        assert_eq!(
            ps("ps -eo user,comm | awk '{ n[$2]++ } END { for (c in n) print c; }'"),
            Some((
                USER_COMM.to_vec(),
                Some("awk '{ n[$2]++ } END { for (c in n) print c; }'".to_string())
            ))
        );
    }

    #[test]
    fn the_input_filter_wrapping_is_native() {
        assert_eq!(
            ps("(\nps -eo user,comm\n) | grep x"),
            Some((USER_COMM.to_vec(), Some("grep x".to_string())))
        );
        assert_eq!(
            ps("(\nps -eo user,comm | sed 1d\n) | grep x"),
            Some((
                USER_COMM.to_vec(),
                Some("(\nsed 1d\n) | grep x".to_string())
            ))
        );
        assert_eq!(recognize("(\nps -eo user,comm; reboot\n) | grep x"), None);
        assert_eq!(recognize("(\nps -eo user,comm\n) | grep x; reboot"), None);
        assert_eq!(recognize("(\nls\n) | grep x"), None);
    }

    #[test]
    fn everything_else_goes_to_the_shell() {
        for command in [
            // unsupported options or fields
            "ps -ef",
            "ps aux",
            "ps -eo user,pcpu",
            "ps -o user,comm",
            "ps -eo user,comm --sort=pid",
            // not ps
            "psx -eo user,comm",
            "./ps -eo user,comm",
            "sh fakeps -eo user,comm",
            // a ps of the site's own (PIKT.conf `pscmd`, expanded as `=ps`)
            "/usr/local/bin/ps -eo user,comm",
            "/opt/pikt/bin/ps -eo user,comm",
            "LC_ALL=C ps -eo user,comm",
            "ps ps -eo user,comm",
            // injection and other shell syntax
            "ps -eo user,comm; rm -rf /",
            "ps -eo user,comm;rm -rf /",
            "ps -eo user,comm && reboot",
            "ps -eo user,comm & reboot",
            "ps -eo user,comm\nreboot",
            "ps -eo user,comm `reboot`",
            "ps -eo user,comm $(reboot)",
            "ps -eo $FIELDS",
            "ps -eo user,comm > /tmp/out",
            "ps -eo user,comm 2>&1",
            "ps -eo 'user,comm",
            "ps -eo 'user|comm' | sort",
            "ps -eo user,comm\\",
            "ps -eo user,comm* ",
            "ps -eo \"user,$(reboot)\"",
            // unsafe or empty continuations
            "ps -eo user,comm | sort; reboot",
            "ps -eo user,comm | sort && reboot",
            "ps -eo user,comm || reboot",
            "ps -eo user,comm | sort || reboot",
            "ps -eo user,comm | sort & reboot",
            "ps -eo user,comm | (sort)",
            "ps -eo user,comm | sort `reboot`",
            "ps -eo user,comm | sort\nreboot",
            "ps -eo user,comm |",
            "ps -eo user,comm | sort |",
            "ps -eo user,comm |& cat",
            "ps -eo user,comm | awk 'unclosed",
            "ps -eo user,comm | sort \\",
            "ps -eo user,comm | sort \\\n",
        ] {
            assert_eq!(recognize(command), None, "{command}");
        }
    }

    #[test]
    fn kill_forms_are_native() {
        assert_eq!(kill("kill -9 1234"), Some((9, vec![1234])));
        assert_eq!(kill("kill 1234 1235"), Some((15, vec![1234, 1235])));
        assert_eq!(kill("/bin/kill -KILL 7"), Some((9, vec![7])));
        assert_eq!(kill("/usr/bin/kill -SIGHUP 7"), Some((1, vec![7])));
        assert_eq!(kill("kill -s TERM 7"), Some((15, vec![7])));
        assert_eq!(kill("kill -n 9 7"), Some((9, vec![7])));
        assert_eq!(kill("kill -9 -- 7"), Some((9, vec![7])));
        assert_eq!(kill("kill -- 7"), Some((15, vec![7])));
        assert_eq!(kill("  kill -9 '7'  "), Some((9, vec![7])));
        assert_eq!(kill("kill -9 0"), Some((9, vec![0])));
    }

    #[test]
    fn other_kills_go_to_the_shell() {
        for command in [
            "kill -9 1234; reboot",
            "kill -9 1234 && reboot",
            "kill -9 1234 | cat",
            "kill -9 $PID",
            "kill -9 `cat /run/x.pid`",
            "kill -9 $(cat /run/x.pid)",
            "kill -9 -1",
            "kill -9 -- -1",
            "kill -9 -1234",
            "kill -0 1234",
            "kill -l",
            "kill -L",
            "kill -9",
            "kill",
            "kill -s",
            "kill -s NOPE 1",
            "kill -9 12a",
            "kill -9 99999999999",
            "kill -9 1234\nreboot",
            "env kill -9 1234",
            "command kill -9 1234",
            "killall -9 imapd",
            "kill -9 +5",
        ] {
            assert_eq!(recognize(command), None, "{command}");
        }
    }

    #[test]
    fn pgrep_and_pkill_forms_are_native() {
        let expected = MatchCommand {
            user: "chico".to_string(),
            comm: "imapd".to_string(),
            signal: Signal::KILL,
            count: true,
        };
        assert_eq!(
            recognize("pkill -c -9 -x -u 'chico' -- 'imapd'"),
            Some(NativeCommand::Pkill(expected.clone()))
        );
        assert_eq!(
            recognize("/usr/bin/pkill --count --signal KILL --exact --euid chico imapd"),
            Some(NativeCommand::Pkill(expected.clone()))
        );
        assert_eq!(
            recognize("pkill -x -uchico imapd"),
            Some(NativeCommand::Pkill(MatchCommand {
                signal: Signal::TERM,
                count: false,
                ..expected.clone()
            }))
        );
        assert_eq!(
            recognize("pgrep -x -u chico -- 'a\\.b'"),
            Some(NativeCommand::Pgrep(MatchCommand {
                comm: "a.b".to_string(),
                signal: Signal::TERM,
                count: false,
                ..expected
            }))
        );
        for command in [
            "pkill -9 -u chico imapd",
            "pkill -9 -x imapd",
            "pkill -9 -x -u 1000 imapd",
            "pkill -9 -x -u chico,arc imapd",
            "pkill -9 -x -u chico imap.",
            "pkill -9 -x -u chico 'imap.*'",
            "pkill -9 -x -u chico imapd sshd",
            "pkill -9 -x -u chico -f imapd",
            "pkill -9 -x -u chico imapd; reboot",
            "pkill -9 -9 -x -u chico imapd",
            "pgrep -9 -x -u chico imapd",
            "pkill -x -u chico ''",
            "pkill -x -u chico",
            "pkill -NOPE -x -u chico imapd",
        ] {
            assert_eq!(recognize(command), None, "{command}");
        }
    }

    #[test]
    fn quoting_and_escaping_round_trip() {
        for comm in [
            "imapd", "a.b", "x(1)", "it's", "-dash", "[k]", "a b", "é\\|$",
        ] {
            let command = format!("pgrep -x -u chico -- {}", shell_quote(&regex_escape(comm)));
            match recognize(&command) {
                Some(NativeCommand::Pgrep(found)) => assert_eq!(found.comm, comm, "{command}"),
                other => panic!("{command}: {other:?}"),
            }
        }
    }

    #[test]
    fn listing_programs_are_noticed_whatever_their_options() {
        for command in [
            "ps -ef",
            "ps aux | grep imapd",
            "/bin/ps -eo pid,pcpu",
            "pgrep imapd",
            "pidof imapd",
            "(\nps -ef\n) | grep x",
        ] {
            assert!(lists_processes(command), "{command}");
        }
        for command in ["cat /run/imapd.pid", "sh fakeps", "psx", "echo ps"] {
            assert!(!lists_processes(command), "{command}");
        }
    }

    #[test]
    fn recognition_never_panics_on_noise() {
        let alphabet: Vec<char> = "ps kill pgrep-9eo,user|;&'\"\\\n()`$ x0".chars().collect();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let index = usize::try_from(state % alphabet.len() as u64).unwrap_or(0);
                text.push(alphabet[index]);
            }
            let _ = recognize(&text);
            let _ = lists_processes(&text);
        }
    }
}
