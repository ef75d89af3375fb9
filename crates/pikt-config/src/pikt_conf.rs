//! PIKT.conf: per-host runtime settings (reference §1.12).
//!
//! One `key value` per line; the value is the rest of the line, with
//! surrounding double quotes removed. `//` starts a comment at the start of
//! a line or after a blank (so a value may still hold `http://...`); a line
//! whose first non-blank character is `#` is a comment too. Every key is
//! given at most once; a bad value or a repeated key is an error.
//!
//! An unknown key is a warning with a "did you mean" (a key of a later PIKT,
//! or a typo, must not stop every alert run, nor pass silently: `piktc -c`,
//! `pikt -z` and `piktd -z` show it, piktd when it starts). The keys that
//! configured `piktc_svc`, which pikt replaces with OpenSSH, are accepted
//! with a warning naming what replaces them ([`superseded`]). What every
//! key does is in docs/config-format.md (its PIKT.conf table).
//!
//! Each `NAMEcmd` key (`pscmd`, `catcmd`, ...: [`COMMAND_MACROS`]) names
//! this installation's NAME command: piktc predefines the macro `=NAME`
//! with its value (macros.cfg may still define `=NAME` itself).
//! `pikttest_substitution` is what the predefined `=pikttest` expands to
//! under `piktc -T` (default `test`; empty otherwise).
//!
//! Besides the reference's keys, this implementation knows `smtp_relay`
//! (`host:port` of an SMTP server for alert mail), `mail_from` (the
//! envelope sender of alert mail), `mail_to` (its recipients, separated
//! by blanks or commas; see docs/alerts.md), `smtp_timeout` (seconds the
//! relay may take to answer, default 30) and `native_ps` (yes/no: serve
//! `ps`/`kill`/`pgrep`/`pkill` from the native process table, default yes). Any key ending in `_service` is a yes/no
//! service switch. The limits of every script `pikt` runs (docs/runtime.md,
//! "Limits") are `script_cpu_limit` and `script_time_limit` (seconds),
//! `script_memory_limit` and `script_output_limit` (MiB; 0 lifts a limit)
//! and `input_line_limit` (KiB).
//!
//! On the master, piktc reads four more (docs/piktc.md, *Remote hosts*):
//! `ssh_config` (the ssh client configuration file, passed as `-F`),
//! `host_timeout` (seconds one host may take), `piktc_jobs` (hosts worked
//! on at once) and `host_piktdir` (the installation root of the other
//! hosts: `DIR` for all, `NAME=DIR` for the hosts a systems.cfg name
//! denotes).

use std::path::PathBuf;

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::words::{did_you_mean, parse_bool};

/// What a key's value must look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// A non-negative integer.
    Number,
    /// yes/no (any spelling of §1.5).
    Bool,
    /// Any non-empty text.
    Text,
    /// An absolute directory path.
    Dir,
    /// An encryption type: 0 (none) or 1 (Blowfish).
    Encryption,
    /// `host:port`.
    HostPort,
    /// An address with an `@` and no blanks.
    Address,
    /// One or more addresses, separated by blanks or commas.
    Addresses,
    /// An absolute file path.
    File,
    /// Installation roots of hosts: blank-separated `DIR` (every host)
    /// and `NAME=DIR` (the hosts a systems.cfg name denotes).
    HostDirs,
}

/// Every key with its value type (the `*_service` switches are not listed).
pub const KEYS: &[(&str, ValueType)] = &[
    ("uid", ValueType::Number),
    ("gid", ValueType::Number),
    ("master", ValueType::Text),
    ("domain", ValueType::Text),
    ("authenticate_by_master", ValueType::Bool),
    ("master_address", ValueType::Text),
    ("authenticate_by_master_address", ValueType::Bool),
    ("master_ethernet_address", ValueType::Text),
    ("authenticate_by_master_ethernet_address", ValueType::Bool),
    ("auth_encryption_type", ValueType::Encryption),
    ("data_encryption_type", ValueType::Encryption),
    ("private_key", ValueType::Text),
    ("pvtkey", ValueType::Text),
    ("pikttest_substitution", ValueType::Text),
    ("homdir", ValueType::Dir),
    ("bindir", ValueType::Dir),
    ("etcdir", ValueType::Dir),
    ("lokdir", ValueType::Dir),
    ("libdir", ValueType::Dir),
    ("vardir", ValueType::Dir),
    ("altdir", ValueType::Dir),
    ("prgdir", ValueType::Dir),
    ("objdir", ValueType::Dir),
    ("cfgdir", ValueType::Dir),
    ("hstdir", ValueType::Dir),
    ("logdir", ValueType::Dir),
    ("arpcmd", ValueType::Text),
    ("catcmd", ValueType::Text),
    ("cksumcmd", ValueType::Text),
    ("cpcmd", ValueType::Text),
    ("diffcmd", ValueType::Text),
    ("echocmd", ValueType::Text),
    ("egrepcmd", ValueType::Text),
    ("filecmd", ValueType::Text),
    ("nicecmd", ValueType::Text),
    ("pscmd", ValueType::Text),
    ("rmcmd", ValueType::Text),
    ("rpcinfocmd", ValueType::Text),
    ("scpcmd", ValueType::Text),
    ("sumcmd", ValueType::Text),
    ("tailcmd", ValueType::Text),
    ("trcmd", ValueType::Text),
    ("call_back", ValueType::Bool),
    ("tcp_only", ValueType::Bool),
    ("restart_piktc_svc_wait", ValueType::Number),
    ("verbose_log", ValueType::Bool),
    ("native_ps", ValueType::Bool),
    ("backup_extension", ValueType::Text),
    ("smtp_relay", ValueType::HostPort),
    ("mail_from", ValueType::Address),
    ("mail_to", ValueType::Addresses),
    ("piktd_run_limit", ValueType::Number),
    ("ssh_config", ValueType::File),
    ("host_timeout", ValueType::Number),
    ("piktc_jobs", ValueType::Number),
    ("host_piktdir", ValueType::HostDirs),
    ("smtp_timeout", ValueType::Number),
    ("script_cpu_limit", ValueType::Number),
    ("script_time_limit", ValueType::Number),
    ("script_memory_limit", ValueType::Number),
    ("script_output_limit", ValueType::Number),
    ("input_line_limit", ValueType::Number),
];

/// The `NAMEcmd` keys and the macro `=NAME` each predefines.
pub const COMMAND_MACROS: [(&str, &str); 16] = [
    ("arpcmd", "arp"),
    ("catcmd", "cat"),
    ("cksumcmd", "cksum"),
    ("cpcmd", "cp"),
    ("diffcmd", "diff"),
    ("echocmd", "echo"),
    ("egrepcmd", "egrep"),
    ("filecmd", "file"),
    ("nicecmd", "nice"),
    ("pscmd", "ps"),
    ("rmcmd", "rm"),
    ("rpcinfocmd", "rpcinfo"),
    ("scpcmd", "scp"),
    ("sumcmd", "sum"),
    ("tailcmd", "tail"),
    ("trcmd", "tr"),
];

/// What `=pikttest` expands to under `piktc -T` when PIKT.conf does not
/// say (`pikttest_substitution`).
pub const DEFAULT_PIKTTEST_SUBSTITUTION: &str = "test";

/// Why a key that configured `piktc_svc` does nothing here, naming what
/// replaces it; `None` for a key that still works.
pub fn superseded(key: &str) -> Option<&'static str> {
    const IDENTITY: &str = "identified and encrypted piktc_svc's traffic; pikt has no piktc_svc: the master reaches this host with OpenSSH, whose keys authenticate and encrypt";
    const MASTER: &str = "told piktc_svc which master to obey; pikt has no piktc_svc: a master may change this host when its ssh key is in root's authorized_keys (restrict it there, e.g. with `from=`)";
    const TRANSPORT: &str = "chose piktc_svc's RPC transport; pikt has no piktc_svc: the master reaches this host over ssh";
    const SERVICE: &str = "switched one of piktc_svc's services; pikt has no piktc_svc: the master may do on this host what its ssh key may do (restrict the key in root's authorized_keys)";
    let why = match key {
        "uid" | "gid" | "private_key" | "pvtkey" | "auth_encryption_type"
        | "data_encryption_type" => IDENTITY,
        "master"
        | "domain"
        | "authenticate_by_master"
        | "master_address"
        | "authenticate_by_master_address"
        | "master_ethernet_address"
        | "authenticate_by_master_ethernet_address"
        | "call_back" => MASTER,
        "tcp_only" => TRANSPORT,
        "restart_piktc_svc_wait" => {
            "was how long `piktc -R` waited for piktc_svc to restart; pikt has no piktc_svc (`piktc -r` restarts piktd and waits for its lock)"
        }
        _ if is_service_switch(key) => SERVICE,
        _ => return None,
    };
    Some(why)
}

/// `all_services`, `install_service`, ...: piktc_svc's service switches.
fn is_service_switch(key: &str) -> bool {
    key == "all_services" || (key.len() > "_service".len() && key.ends_with("_service"))
}

/// The type of `key`, or `None` for an unknown key.
pub fn key_type(key: &str) -> Option<ValueType> {
    if is_service_switch(key) {
        return Some(ValueType::Bool);
    }
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t)
}

/// One `key value` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfEntry {
    /// The key.
    pub key: String,
    /// The value, quotes removed.
    pub value: String,
    /// Where the key is written.
    pub key_span: Span,
    /// Where the value is written.
    pub value_span: Span,
}

/// The model of PIKT.conf.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PiktConf {
    /// The valid entries in file order.
    pub entries: Vec<ConfEntry>,
}

impl PiktConf {
    /// Reads PIKT.conf `file` (an original text: PIKT.conf is not preprocessed).
    pub fn parse(map: &SourceMap, file: FileId) -> (PiktConf, Vec<Diagnostic>) {
        let text = &map.get(file).text;
        let mut conf = PiktConf::default();
        let mut diags = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(entry) = parse_line(line, offset, file, &mut diags) {
                match conf.entries.iter().find(|e| e.key == entry.key) {
                    Some(first) => diags.push(
                        Diagnostic::error(format!("duplicate key `{}`", entry.key), entry.key_span)
                            .with_label("given again here")
                            .with_note(format!("first given at {}", map.location(first.key_span))),
                    ),
                    None => conf.entries.push(entry),
                }
            }
            offset += line.len();
        }
        (conf, diags)
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    }

    /// The value of a yes/no key.
    pub fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(parse_bool)
    }

    /// The value of a dir key.
    pub fn dir(&self, key: &str) -> Option<PathBuf> {
        self.get(key).map(PathBuf::from)
    }

    /// The value of a number key.
    pub fn number(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(|v| v.parse().ok())
    }

    /// `verbose_log` (default no).
    pub fn verbose_log(&self) -> bool {
        self.flag("verbose_log").unwrap_or(false)
    }

    /// `nicecmd` (default `/usr/bin/nice`).
    pub fn nicecmd(&self) -> &str {
        self.get("nicecmd").unwrap_or("/usr/bin/nice")
    }

    /// `smtp_relay` as host and port.
    pub fn smtp_relay(&self) -> Option<(String, u16)> {
        self.get("smtp_relay").and_then(split_host_port)
    }

    /// `mail_from`.
    pub fn mail_from(&self) -> Option<&str> {
        self.get("mail_from")
    }

    /// `mail_to`: the recipients of alert mail sent through the SMTP relay
    /// (empty when not given).
    pub fn mail_to(&self) -> Vec<String> {
        self.get("mail_to").map_or_else(Vec::new, split_addresses)
    }

    /// The predefined macros the `NAMEcmd` keys give: `(NAME, value)`.
    pub fn command_macros(&self) -> Vec<(&'static str, &str)> {
        COMMAND_MACROS
            .iter()
            .filter_map(|(key, name)| self.get(key).map(|value| (*name, value)))
            .collect()
    }

    /// What `=pikttest` expands to under `piktc -T`.
    pub fn pikttest_substitution(&self) -> &str {
        self.get("pikttest_substitution")
            .unwrap_or(DEFAULT_PIKTTEST_SUBSTITUTION)
    }

    /// `piktd_run_limit`: seconds an alert run started by piktd may take.
    pub fn piktd_run_limit(&self) -> Option<u64> {
        self.number("piktd_run_limit")
    }

    /// `ssh_config`: the ssh client configuration piktc uses (`ssh -F`).
    pub fn ssh_config(&self) -> Option<PathBuf> {
        self.get("ssh_config").map(PathBuf::from)
    }

    /// `host_timeout`: seconds piktc gives one host (at least 1).
    pub fn host_timeout(&self) -> Option<u64> {
        self.number("host_timeout").filter(|&s| s > 0)
    }

    /// `piktc_jobs`: how many hosts piktc works on at once (at least 1).
    pub fn piktc_jobs(&self) -> Option<u64> {
        self.number("piktc_jobs").filter(|&n| n > 0)
    }

    /// `host_piktdir`: the other hosts' installation roots, in the order
    /// written: `(None, DIR)` for every host, `(Some(NAME), DIR)` for the
    /// hosts a systems.cfg name denotes.
    pub fn host_piktdirs(&self) -> Vec<(Option<String>, PathBuf)> {
        self.get("host_piktdir")
            .map(|v| v.split_whitespace().filter_map(split_host_dir).collect())
            .unwrap_or_default()
    }

    /// `smtp_timeout`: seconds the SMTP relay may take to connect or to
    /// answer one command (the whole conversation: four times that).
    pub fn smtp_timeout(&self) -> Option<u64> {
        self.number("smtp_timeout").filter(|&s| s > 0)
    }
}

fn parse_line(
    line: &str,
    offset: usize,
    file: FileId,
    diags: &mut Vec<Diagnostic>,
) -> Option<ConfEntry> {
    let body = strip_comment(line.trim_end_matches(['\n', '\r']));
    let key_start = body.len() - body.trim_start().len();
    let rest = &body[key_start..];
    if rest.is_empty() || rest.starts_with('#') {
        return None;
    }
    let key_len = rest.find([' ', '\t']).unwrap_or(rest.len());
    let key = &rest[..key_len];
    let key_span = Span::new(file, offset + key_start, offset + key_start + key_len);
    let after = &rest[key_len..];
    let value_start = key_start + key_len + (after.len() - after.trim_start().len());
    let raw_value = after.trim();
    let value_span = Span::new(
        file,
        offset + value_start,
        offset + value_start + raw_value.len(),
    );
    let Some(kind) = key_type(key) else {
        let mut diag = Diagnostic::warning(
            format!("unknown PIKT.conf key `{key}`; it is ignored"),
            key_span,
        );
        if let Some(s) = did_you_mean(key, KEYS.iter().map(|(k, _)| *k)) {
            diag = diag.with_help(format!("did you mean `{s}`?"));
        }
        diags.push(diag);
        return None;
    };
    let value = unquote(raw_value);
    if let Err(help) = check_value(value, kind) {
        let diag = if raw_value.is_empty() {
            Diagnostic::error(format!("`{key}` needs a value"), key_span)
        } else {
            Diagnostic::error(
                format!("invalid value `{raw_value}` for `{key}`"),
                value_span,
            )
        };
        diags.push(diag.with_help(help));
        return None;
    }
    if let Some(why) = superseded(key) {
        diags.push(
            Diagnostic::warning(format!("`{key}` does nothing in pikt"), key_span)
                .with_note(format!("it {why}"))
                .with_help("the line may be removed (every PIKT.conf key: docs/config-format.md, pikt-config(5))"),
        );
    }
    Some(ConfEntry {
        key: key.to_string(),
        value: value.to_string(),
        key_span,
        value_span,
    })
}

/// Cuts a `//` comment that starts the line or follows a blank.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(found) = line.get(i..).and_then(|s| s.find("//")) {
        let at = i + found;
        if at == 0 || bytes.get(at - 1).is_some_and(|b| *b == b' ' || *b == b'\t') {
            return &line[..at];
        }
        i = at + 2;
    }
    line
}

fn unquote(value: &str) -> &str {
    if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

/// `Err(help)` when `value` does not fit `kind`.
fn check_value(value: &str, kind: ValueType) -> Result<(), String> {
    let ok = match kind {
        ValueType::Number => {
            !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit())
                && value.parse::<u64>().is_ok()
        }
        ValueType::Bool => parse_bool(value).is_some(),
        ValueType::Text => !value.is_empty(),
        ValueType::Dir | ValueType::File => is_absolute_path(value),
        ValueType::HostDirs => {
            let words: Vec<&str> = value.split_whitespace().collect();
            let defaults = words.iter().filter(|w| !w.contains('=')).count();
            !words.is_empty() && defaults <= 1 && words.iter().all(|w| split_host_dir(w).is_some())
        }
        ValueType::Encryption => value == "0" || value == "1",
        ValueType::HostPort => split_host_port(value).is_some(),
        ValueType::Address => is_address(value),
        ValueType::Addresses => {
            let list = split_addresses(value);
            !list.is_empty() && list.iter().all(|a| is_address(a))
        }
    };
    if ok {
        return Ok(());
    }
    Err(match kind {
        ValueType::Number => "expected a number".into(),
        ValueType::Bool => "expected `yes` or `no`".into(),
        ValueType::Text => "expected a value after the key".into(),
        ValueType::Dir => "expected an absolute directory path without `..`".into(),
        ValueType::Encryption => "expected `0` (none) or `1` (Blowfish)".into(),
        ValueType::HostPort => "expected `host:port` with a port from 1 to 65535".into(),
        ValueType::Address => "expected a mail address such as `pikt@example.org`".into(),
        ValueType::Addresses => {
            "expected mail addresses such as `root@example.org ops@example.org`".into()
        }
        ValueType::File => "expected an absolute file path without `..`".into(),
        ValueType::HostDirs => "expected absolute paths: one `DIR` for every host and `NAME=DIR` for the hosts of a systems.cfg name, such as `/etc/pikt oldhosts=/usr/local/pikt`".into(),
    })
}

fn is_absolute_path(value: &str) -> bool {
    value.starts_with('/') && !value.split('/').any(|c| c == "..")
}

/// One word of `host_piktdir`: `DIR` or `NAME=DIR`.
fn split_host_dir(word: &str) -> Option<(Option<String>, PathBuf)> {
    let (name, dir) = match word.split_once('=') {
        Some((name, dir)) => (Some(name), dir),
        None => (None, word),
    };
    let name_ok = name.is_none_or(crate::stanza::is_identifier);
    (name_ok && is_absolute_path(dir)).then(|| (name.map(str::to_string), PathBuf::from(dir)))
}

/// A mail address SMTP can carry as it is: printable ASCII (no SMTPUTF8,
/// no control character that could end a command), an `@`, no `<`, `>` or
/// `,`.
fn is_address(value: &str) -> bool {
    value.contains('@')
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | ','))
}

/// The addresses of a `mail_to` value: separated by blanks or commas.
fn split_addresses(value: &str) -> Vec<String> {
    value
        .split([' ', '\t', ','])
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

fn split_host_port(value: &str) -> Option<(String, u16)> {
    let (host, port) = value.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty() && !host.contains([' ', '\t'])).then(|| (host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn parse(text: &str) -> (SourceMap, PiktConf, Vec<Diagnostic>) {
        crate::testing::parse_named("PIKT.conf", text, PiktConf::parse)
    }

    #[test]
    fn keys_values_and_comments() {
        let text = "// identity\nuid 4711\nprivate_key \"s3cret words\"\nmaster http://m.example.org // the master\n# old style comment\nverbose_log YES\nsmtp_relay 127.0.0.1:2525\nmail_from pikt@h1\nmail_to \"a@x.org, b@y.org c@z.org\"\ninstall_service no\n";
        let (_, conf, diags) = parse(text);
        assert!(!diags.iter().any(Diagnostic::is_error), "{diags:?}");
        let warned: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            warned,
            [
                "`uid` does nothing in pikt",
                "`private_key` does nothing in pikt",
                "`master` does nothing in pikt",
                "`install_service` does nothing in pikt"
            ]
        );
        assert_eq!(conf.number("uid"), Some(4711));
        assert_eq!(conf.get("private_key"), Some("s3cret words"));
        assert_eq!(conf.get("master"), Some("http://m.example.org"));
        assert!(conf.verbose_log());
        assert_eq!(conf.smtp_relay(), Some(("127.0.0.1".into(), 2525)));
        assert_eq!(conf.mail_from(), Some("pikt@h1"));
        assert_eq!(conf.mail_to(), ["a@x.org", "b@y.org", "c@z.org"]);
        assert_eq!(conf.flag("install_service"), Some(false));
    }

    #[test]
    fn unknown_key_with_suggestion() {
        let (map, _, diags) = parse("verbos_log yes\n");
        assert_eq!(
            render(&map, &diags[0]),
            "warning: unknown PIKT.conf key `verbos_log`; it is ignored\n --> PIKT.conf:1:1\n  |\n1 | verbos_log yes\n  | ^^^^^^^^^^\n  = help: did you mean `verbose_log`?\n"
        );
    }

    #[test]
    fn piktc_svc_keys_warn_and_name_their_replacement() {
        let (map, conf, diags) =
            parse("private_key \"CHANGE_ME\"\nall_services no\ntcp_only yes\n");
        assert_eq!(conf.get("private_key"), Some("CHANGE_ME"));
        assert_eq!(diags.len(), 3);
        assert!(diags.iter().all(|d| !d.is_error()));
        let first = render(&map, &diags[0]);
        assert!(
            first.contains("warning: `private_key` does nothing in pikt"),
            "{first}"
        );
        assert!(first.contains("OpenSSH"), "{first}");
        assert!(render(&map, &diags[1]).contains("authorized_keys"));
        assert!(render(&map, &diags[2]).contains("over ssh"));
        for key in [
            "pscmd",
            "backup_extension",
            "verbose_log",
            "homdir",
            "nicecmd",
        ] {
            assert_eq!(superseded(key), None, "{key}");
        }
    }

    #[test]
    fn command_keys_name_macros() {
        let (_, conf, diags) =
            parse("pscmd /usr/local/bin/ps\ncatcmd \"/bin/cat -v\"\npikttest_substitution Test\n");
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            conf.command_macros(),
            [("cat", "/bin/cat -v"), ("ps", "/usr/local/bin/ps")]
        );
        assert_eq!(conf.pikttest_substitution(), "Test");
        assert_eq!(PiktConf::default().pikttest_substitution(), "test");
        for (key, _) in COMMAND_MACROS {
            assert_eq!(key_type(key), Some(ValueType::Text), "{key}");
        }
    }

    #[test]
    fn bad_values_and_duplicates() {
        let (map, conf, diags) = parse(
            "uid abc\nsmtp_relay host:0\nlogdir var/log\ngid 1\ngid 2\nmaster\nmail_to root\n",
        );
        let messages: Vec<&str> = diags
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(
            messages,
            [
                "invalid value `abc` for `uid`",
                "invalid value `host:0` for `smtp_relay`",
                "invalid value `var/log` for `logdir`",
                "duplicate key `gid`",
                "`master` needs a value",
                "invalid value `root` for `mail_to`"
            ]
        );
        let bad_dir = diags.iter().find(|d| d.message.contains("logdir"));
        assert_eq!(
            map.location(bad_dir.and_then(|d| d.span).unwrap_or_default()),
            "PIKT.conf:3:8"
        );
        assert_eq!(conf.number("gid"), Some(1));
    }

    #[test]
    fn piktc_keys_for_remote_hosts() {
        let (_, conf, diags) = parse(
            "ssh_config /etc/pikt/etc/ssh_config
host_timeout 90
piktc_jobs 8
host_piktdir /opt/pikt old=/usr/local/pikt moscow=/srv/pikt
",
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            conf.ssh_config(),
            Some(PathBuf::from("/etc/pikt/etc/ssh_config"))
        );
        assert_eq!(conf.host_timeout(), Some(90));
        assert_eq!(conf.piktc_jobs(), Some(8));
        assert_eq!(
            conf.host_piktdirs(),
            [
                (None, PathBuf::from("/opt/pikt")),
                (Some("old".into()), PathBuf::from("/usr/local/pikt")),
                (Some("moscow".into()), PathBuf::from("/srv/pikt")),
            ]
        );
        let (_, _, diags) = parse(
            "ssh_config ssh.conf
host_piktdir /a /b
piktc_jobs x
",
        );
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "invalid value `ssh.conf` for `ssh_config`",
                "invalid value `/a /b` for `host_piktdir`",
                "invalid value `x` for `piktc_jobs`",
            ]
        );
        for bad in ["x=rel/dir", "-x=/a", "/a/../b"] {
            let (_, _, diags) = parse(&format!("host_piktdir {bad}\n"));
            assert_eq!(diags.len(), 1, "{bad}");
        }
    }
}
