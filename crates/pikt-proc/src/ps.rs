//! `ps -eo FIELDS` output made from a snapshot, and the parser for such option strings.
//!
//! Scripts written for PIKT read `=ps -eo user,comm | =behead(1) | ...`. [`ps_lines`]
//! prints what procps-ng 4 `ps` prints for the same fields (header line, column widths,
//! alignment, how an overlong value pushes the next column), so such scripts keep
//! working on the native table. Deliberate differences, all where `ps` loses
//! information:
//!
//! * no value is ever truncated: `ps` cuts user names longer than the column to
//!   `verylon+`, and a COMMAND or args column that is not the last to its width; here
//!   the full value is printed and pushes the following columns right, as `ps` does
//!   for numbers;
//! * zombies are left out unless [`PsOptions::include_zombies`] is set: they are
//!   already dead and cannot be killed, and counting them makes kill loops spin;
//! * STAT never shows `L` (pages locked in memory): that needs `/proc/PID/status`,
//!   which costs six times the rest of the snapshot;
//! * text is printed as `ps` does in a UTF-8 locale (control characters as `?`); in the
//!   C locale `ps` would also print every non-ASCII byte as `?`.

use crate::table::Process;

/// What a column shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PsKind {
    /// `user`: the effective user's name (never truncated).
    User,
    /// `uid`: the effective uid.
    Uid,
    /// `pid`: the process id.
    Pid,
    /// `ppid`: the parent's process id.
    Ppid,
    /// `comm`: the command name (15 bytes at most, cut by the kernel).
    Comm,
    /// `stat`: state letter plus `<`, `N`, `s`, `l`, `+` flags.
    Stat,
    /// `state`/`s`: the state letter alone.
    State,
    /// `args`: the full command line; `[comm]` when it is empty; zombies end in ` <defunct>`.
    Args,
}

impl PsKind {
    fn right_aligned(self) -> bool {
        matches!(self, Self::Uid | Self::Pid | Self::Ppid)
    }

    fn default_width(self, pid_width: usize) -> usize {
        match self {
            Self::User => 8,
            Self::Uid => 5,
            Self::Pid | Self::Ppid => pid_width,
            Self::Comm => 15,
            Self::Stat => 4,
            Self::State => 1,
            Self::Args => 27,
        }
    }
}

/// One `ps` output column: what it shows, its header text, and an explicit width
/// (`user:12`), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsField {
    /// What the column shows.
    pub kind: PsKind,
    /// The header text; `ps` prints no header line when every column's header is empty.
    pub header: String,
    /// The width given as `name:N`; `None` for `ps`'s default width.
    pub width: Option<usize>,
}

impl PsField {
    /// A column with `ps`'s own header for the canonical field name.
    pub fn new(kind: PsKind) -> Self {
        let header = match kind {
            PsKind::User => "USER",
            PsKind::Uid => "UID",
            PsKind::Pid => "PID",
            PsKind::Ppid => "PPID",
            PsKind::Comm | PsKind::Args => "COMMAND",
            PsKind::Stat => "STAT",
            PsKind::State => "S",
        };
        Self {
            kind,
            header: header.to_string(),
            width: None,
        }
    }

    fn column_width(&self, pid_width: usize) -> usize {
        let default = self.kind.default_width(pid_width);
        self.width
            .unwrap_or_else(|| default.max(self.header.chars().count()))
    }
}

/// Field names `ps -o` accepts, each with its kind and header (checked against procps-ng 4).
const FIELD_NAMES: &[(&str, PsKind, &str)] = &[
    ("user", PsKind::User, "USER"),
    ("euser", PsKind::User, "EUSER"),
    ("uname", PsKind::User, "USER"),
    ("uid", PsKind::Uid, "UID"),
    ("euid", PsKind::Uid, "EUID"),
    ("pid", PsKind::Pid, "PID"),
    ("tgid", PsKind::Pid, "TGID"),
    ("ppid", PsKind::Ppid, "PPID"),
    ("comm", PsKind::Comm, "COMMAND"),
    ("ucmd", PsKind::Comm, "CMD"),
    ("ucomm", PsKind::Comm, "COMMAND"),
    ("stat", PsKind::Stat, "STAT"),
    ("state", PsKind::State, "S"),
    ("s", PsKind::State, "S"),
    ("args", PsKind::Args, "COMMAND"),
    ("cmd", PsKind::Args, "CMD"),
    ("command", PsKind::Args, "COMMAND"),
];

/// How [`ps_lines_with`] lays out its output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PsOptions {
    /// Also list zombies (state `Z`), as `ps` does.
    pub include_zombies: bool,
    /// Width of PID columns: procps uses the number of digits of
    /// `/proc/sys/kernel/pid_max` (5 for 32768, 7 for 4194304).
    pub pid_width: usize,
}

impl Default for PsOptions {
    fn default() -> Self {
        Self {
            include_zombies: false,
            pid_width: 5,
        }
    }
}

impl PsOptions {
    /// Zombies left out, PID width from this host's `pid_max` (5 if unreadable).
    pub fn for_this_host() -> Self {
        let pid_width = std::fs::read_to_string("/proc/sys/kernel/pid_max")
            .ok()
            .map(|text| text.trim().len())
            .filter(|&digits| digits > 0)
            .unwrap_or(5);
        Self {
            pid_width,
            ..Self::default()
        }
    }
}

/// Whether any of `fields` shows the command line, so the snapshot must be taken with
/// `want_args` (without it an args column shows `[comm]` for every process).
pub fn needs_args(fields: &[PsField]) -> bool {
    fields.iter().any(|field| field.kind == PsKind::Args)
}

/// The lines `ps -eo FIELDS` prints for `processes`, header first (unless every header
/// is empty), zombies left out, PID width from this host. See the module docs for the
/// differences from `ps`.
pub fn ps_lines(processes: &[Process], fields: &[PsField]) -> Vec<String> {
    ps_lines_with(processes, fields, &PsOptions::for_this_host())
}

/// [`ps_lines`] with explicit options.
pub fn ps_lines_with(
    processes: &[Process],
    fields: &[PsField],
    options: &PsOptions,
) -> Vec<String> {
    let mut lines = Vec::with_capacity(processes.len().saturating_add(1));
    if fields.iter().any(|field| !field.header.is_empty()) {
        let headers: Vec<String> = fields.iter().map(|field| field.header.clone()).collect();
        lines.push(layout_row(fields, &headers, options.pid_width));
    }
    for process in processes {
        if process.is_dead() && !options.include_zombies {
            continue;
        }
        let cells: Vec<String> = fields
            .iter()
            .map(|field| cell(process, field.kind))
            .collect();
        lines.push(layout_row(fields, &cells, options.pid_width));
    }
    lines
}

/// Lays out one row the way procps does. Each column has a nominal place: it starts one
/// space after the previous column's nominal end. A value longer than its column is
/// printed whole and pushes the rest of the row right; later columns then use their
/// padding to get back to their nominal place. The last column gets no trailing spaces.
fn layout_row(fields: &[PsField], cells: &[String], pid_width: usize) -> String {
    let mut row = String::new();
    let mut position = 0usize;
    let mut nominal_end = 0usize;
    for (index, (field, text)) in fields.iter().zip(cells).enumerate() {
        if index > 0 {
            row.push(' ');
            position = position.saturating_add(1);
            nominal_end = nominal_end.saturating_add(1);
        }
        nominal_end = nominal_end.saturating_add(field.column_width(pid_width));
        let length = text.chars().count();
        let padding = nominal_end.saturating_sub(position.saturating_add(length));
        let is_last = index.saturating_add(1) == fields.len();
        if field.kind.right_aligned() {
            push_spaces(&mut row, padding);
            row.push_str(text);
        } else {
            row.push_str(text);
            if !is_last {
                push_spaces(&mut row, padding);
            }
        }
        position = position.saturating_add(length).saturating_add(padding);
    }
    row
}

fn push_spaces(row: &mut String, count: usize) {
    row.extend(std::iter::repeat_n(' ', count));
}

fn cell(process: &Process, kind: PsKind) -> String {
    match kind {
        PsKind::User => printable(&process.user),
        PsKind::Uid => process.uid.to_string(),
        PsKind::Pid => process.pid.to_string(),
        PsKind::Ppid => process.ppid.to_string(),
        PsKind::Comm => printable(&process.comm),
        PsKind::Stat => stat_text(process),
        PsKind::State => process.state.to_string(),
        PsKind::Args => args_text(process),
    }
}

/// `ps`'s STAT: the state letter, then `<` high priority, `N` low priority, `s` session
/// leader, `l` multi-threaded, `+` in the terminal's foreground process group.
fn stat_text(process: &Process) -> String {
    let mut text = process.state.to_string();
    if process.nice < 0 {
        text.push('<');
    }
    if process.nice > 0 {
        text.push('N');
    }
    if i64::from(process.session) == i64::from(process.pid) {
        text.push('s');
    }
    if process.threads > 1 {
        text.push('l');
    }
    if process.pgrp == process.tpgid {
        text.push('+');
    }
    text
}

/// `ps`'s args: the command line, `[comm]` when it is empty, ` <defunct>` for zombies.
fn args_text(process: &Process) -> String {
    let args = process.args.as_deref().unwrap_or_default();
    let mut text = if args.is_empty() {
        format!("[{}]", printable(&process.comm))
    } else {
        printable(&args.replace('\n', " "))
    };
    if process.state == 'Z' {
        text.push_str(" <defunct>");
    }
    text
}

/// As `ps` shows text: control characters and undecodable bytes become `?`.
fn printable(text: &str) -> String {
    text.chars()
        .map(|ch| {
            if ch.is_control() || ch == char::REPLACEMENT_CHARACTER {
                '?'
            } else {
                ch
            }
        })
        .collect()
}

/// Parses the options of a `ps` command that lists every process with chosen columns,
/// as PIKT scripts write them: `-eo user,comm`, `-e -o pid,user,comm`, `ax -o ...`,
/// `axo ...`, `-A -o ...`, optionally after a leading `ps` or `/bin/ps`.
///
/// Fields are `name[:width][=header]` separated by commas, `-o` may repeat, `=` with an
/// empty header (or `--no-headers`, BSD `h`) suppresses the header line. `w`/`ww`
/// are accepted and change nothing (nothing is truncated anyway).
///
/// Errors name the offending option or field in backticks.
pub fn parse_ps_args(args: &str) -> Result<Vec<PsField>, String> {
    let words: Vec<&str> = args.split_whitespace().map(unquote).collect();
    let mut parser = PsArgs::default();
    let mut rest = words.as_slice();
    if let Some((first, after)) = rest.split_first() {
        if first.rsplit('/').next() == Some("ps") {
            rest = after;
        }
    }
    while let Some((word, after)) = rest.split_first() {
        rest = after;
        let value_used = parser.option(word, rest.first().copied())?;
        if value_used {
            rest = rest.get(1..).unwrap_or_default();
        }
    }
    parser.finish()
}

/// Strips one pair of matching quotes around a word, as a shell would.
fn unquote(word: &str) -> &str {
    for quote in ['\'', '"'] {
        if let Some(inner) = word
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    word
}

#[derive(Default)]
struct PsArgs {
    every_process: bool,
    bsd_a: bool,
    bsd_x: bool,
    no_headers: bool,
    fields: Vec<PsField>,
}

impl PsArgs {
    /// Handles one word; returns whether it consumed `next` as its value.
    fn option(&mut self, word: &str, next: Option<&str>) -> Result<bool, String> {
        if let Some(long) = word.strip_prefix("--") {
            return self.long_option(long, next);
        }
        let (cluster, unix_style) = match word.strip_prefix('-') {
            Some(cluster) => (cluster, true),
            None => (word, false),
        };
        if cluster.is_empty() {
            return Err(format!("unsupported `ps` option `{word}`"));
        }
        for (index, letter) in cluster.char_indices() {
            match (letter, unix_style) {
                ('e' | 'A', true) => self.every_process = true,
                ('a', false) => self.bsd_a = true,
                ('x', false) => self.bsd_x = true,
                ('h', false) => self.no_headers = true,
                ('w', _) => {}
                ('o', _) => {
                    let glued = cluster.get(index.saturating_add(1)..).unwrap_or_default();
                    return self.format_value(glued, next);
                }
                _ => {
                    let dash = if unix_style { "-" } else { "" };
                    return Err(format!(
                        "unsupported `ps` option `{dash}{letter}` in `{word}`"
                    ));
                }
            }
        }
        Ok(false)
    }

    fn long_option(&mut self, long: &str, next: Option<&str>) -> Result<bool, String> {
        match long.split_once('=') {
            Some(("format", list)) => self.format_value(list, None),
            _ if long == "format" => self.format_value("", next),
            _ if matches!(
                long,
                "no-headers" | "no-heading" | "noheaders" | "noheading"
            ) =>
            {
                self.no_headers = true;
                Ok(false)
            }
            _ => Err(format!("unsupported `ps` option `--{long}`")),
        }
    }

    /// `-o LIST` or `-oLIST`: takes the glued text, or else the next word.
    fn format_value(&mut self, glued: &str, next: Option<&str>) -> Result<bool, String> {
        let (list, used_next) = if glued.is_empty() {
            (
                next.ok_or("`-o` needs a field list, e.g. `-o user,comm`")?,
                true,
            )
        } else {
            (glued, false)
        };
        for item in list.split(',') {
            self.fields.push(parse_field(item, list)?);
        }
        Ok(used_next)
    }

    fn finish(mut self) -> Result<Vec<PsField>, String> {
        let lists_every_process = self.every_process || (self.bsd_a && self.bsd_x);
        if !lists_every_process {
            return Err("`ps` lists every process only with `-e`, `-A` or `ax`; other selections are not supported".to_string());
        }
        if self.fields.is_empty() {
            return Err("no output fields: give them with `-o`, e.g. `-eo user,comm`".to_string());
        }
        if self.no_headers {
            for field in &mut self.fields {
                field.header.clear();
            }
        }
        Ok(self.fields)
    }
}

/// One `name[:width][=header]` item of a `-o` list.
fn parse_field(item: &str, list: &str) -> Result<PsField, String> {
    let (spec, header) = match item.split_once('=') {
        Some((spec, header)) => (spec, Some(header)),
        None => (item, None),
    };
    let (name, width) = match spec.split_once(':') {
        Some((name, width)) => (name, Some(parse_width(width, item)?)),
        None => (spec, None),
    };
    if name.is_empty() {
        return Err(format!("empty `ps` field in `{list}`"));
    }
    let lower = name.to_ascii_lowercase();
    let Some(&(_, kind, default_header)) = FIELD_NAMES.iter().find(|(known, _, _)| *known == lower)
    else {
        return Err(format!(
            "unsupported `ps` field `{name}` (supported: user, uid, pid, ppid, comm, stat, state, args, and their aliases)"
        ));
    };
    Ok(PsField {
        kind,
        header: header.unwrap_or(default_header).to_string(),
        width,
    })
}

fn parse_width(width: &str, item: &str) -> Result<usize, String> {
    match width.parse::<usize>() {
        Ok(value) if (1..=4096).contains(&value) => Ok(value),
        _ => Err(format!(
            "bad column width `{width}` in `{item}` (give 1 to 4096)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn process(pid: u32, user: &str, comm: &str) -> Process {
        Process {
            pgrp: pid as i32,
            session: 1,
            args: Some(format!("/usr/sbin/{comm} -d")),
            ..crate::testing::process(pid, user, comm)
        }
    }

    fn fields(names: &[PsKind]) -> Vec<PsField> {
        names.iter().copied().map(PsField::new).collect()
    }

    fn lines(processes: &[Process], fields: &[PsField]) -> Vec<String> {
        ps_lines_with(processes, fields, &PsOptions::default())
    }

    #[test]
    fn user_comm_looks_like_ps() {
        let table = [process(10, "chico", "imapd"), process(11, "root", "sshd")];
        assert_eq!(
            lines(&table, &fields(&[PsKind::User, PsKind::Comm])),
            ["USER     COMMAND", "chico    imapd", "root     sshd"]
        );
    }

    #[test]
    fn pid_user_comm_right_aligns_numbers() {
        let table = [process(7, "chico", "imapd"), process(25147, "root", "bash")];
        assert_eq!(
            lines(&table, &fields(&[PsKind::Pid, PsKind::User, PsKind::Comm])),
            [
                "  PID USER     COMMAND",
                "    7 chico    imapd",
                "25147 root     bash"
            ]
        );
    }

    #[test]
    fn long_user_names_are_never_truncated() {
        let table = [process(7, "verylongname", "imapd")];
        assert_eq!(
            lines(&table, &fields(&[PsKind::User, PsKind::Comm])),
            ["USER     COMMAND", "verylongname imapd"]
        );
    }

    #[test]
    fn an_overlong_value_pushes_and_later_padding_absorbs_it() {
        // Checked against procps-ng 4.0.2: `ps -o pid:3,uid` and `ps -o pid:3,comm,uid`.
        let mut bash = process(25147, "root", "bash");
        bash.uid = 0;
        let table = [bash];
        let mut narrow_pid = PsField::new(PsKind::Pid);
        narrow_pid.width = Some(3);
        let uid = PsField::new(PsKind::Uid);
        assert_eq!(
            lines(&table, &[narrow_pid.clone(), uid.clone()]),
            ["PID   UID", "25147   0"]
        );
        assert_eq!(
            lines(&table, &[narrow_pid, PsField::new(PsKind::Comm), uid]),
            ["PID COMMAND           UID", "25147 bash              0"]
        );
    }

    #[test]
    fn every_column_kind_renders() {
        let mut leader = process(300, "root", "sshd");
        leader.session = 300;
        leader.pgrp = 300;
        leader.tpgid = 300;
        leader.threads = 4;
        leader.nice = -5;
        leader.uid = 0;
        let all = fields(&[
            PsKind::User,
            PsKind::Uid,
            PsKind::Pid,
            PsKind::Ppid,
            PsKind::Comm,
            PsKind::Stat,
            PsKind::State,
            PsKind::Args,
        ]);
        assert_eq!(
            lines(&[leader], &all),
            [
                "USER       UID   PID  PPID COMMAND         STAT S COMMAND",
                "root         0   300     1 sshd            S<sl+ S /usr/sbin/sshd -d",
            ]
        );
    }

    #[test]
    fn zombies_are_left_out_unless_asked() {
        let mut zombie = process(12, "chico", "imapd");
        zombie.state = 'Z';
        zombie.args = Some(String::new());
        let table = [process(10, "chico", "imapd"), zombie];
        let columns = fields(&[PsKind::Pid, PsKind::Stat, PsKind::Args]);
        assert_eq!(
            lines(&table, &columns),
            ["  PID STAT COMMAND", "   10 S    /usr/sbin/imapd -d"]
        );
        let with_zombies = PsOptions {
            include_zombies: true,
            ..PsOptions::default()
        };
        assert_eq!(
            ps_lines_with(&table, &columns, &with_zombies),
            [
                "  PID STAT COMMAND",
                "   10 S    /usr/sbin/imapd -d",
                "   12 Z    [imapd] <defunct>"
            ]
        );
    }

    #[test]
    fn kernel_threads_show_their_name_in_brackets() {
        let mut kthreadd = process(2, "root", "kthreadd");
        kthreadd.args = Some(String::new());
        kthreadd.kernel_thread = true;
        assert_eq!(
            lines(&[kthreadd], &fields(&[PsKind::Args])),
            ["COMMAND", "[kthreadd]"]
        );
    }

    #[test]
    fn control_characters_print_as_question_marks() {
        let mut odd = process(5, "root", "tab\tx");
        odd.args = Some("sh -c a\tb\nc é".to_string());
        assert_eq!(
            lines(&[odd], &fields(&[PsKind::Comm, PsKind::Args])),
            ["COMMAND         COMMAND", "tab?x           sh -c a?b c é"]
        );
    }

    #[test]
    fn pid_width_follows_pid_max() {
        let wide = PsOptions {
            include_zombies: false,
            pid_width: 7,
        };
        assert_eq!(
            ps_lines_with(
                &[process(4_194_000, "root", "x")],
                &fields(&[PsKind::Pid, PsKind::Comm]),
                &wide
            ),
            ["    PID COMMAND", "4194000 x"]
        );
    }

    #[test]
    fn empty_headers_drop_the_header_line() {
        let fields = parse_ps_args("-eo pid=,user=").unwrap();
        assert_eq!(
            lines(&[process(7, "chico", "imapd")], &fields),
            ["    7 chico"]
        );
        let one_header = parse_ps_args("-eo pid=,comm").unwrap();
        assert_eq!(
            lines(&[process(7, "chico", "imapd")], &one_header),
            ["      COMMAND", "    7 imapd"]
        );
    }

    #[test]
    fn custom_headers_widen_their_column() {
        let fields = parse_ps_args("-eo pid=PROCESSIDX,comm=C").unwrap();
        assert_eq!(
            lines(&[process(1, "root", "init")], &fields),
            ["PROCESSIDX C", "         1 init"]
        );
    }

    #[test]
    fn needs_args_only_for_args_columns() {
        assert!(!needs_args(&parse_ps_args("-eo user,comm").unwrap()));
        assert!(needs_args(&parse_ps_args("-eo pid,cmd").unwrap()));
    }

    #[test]
    fn ps_argument_parsing_never_panics_on_noise() {
        let alphabet = "-eoaxhw,=:AO ps/'\"userpidcomm0123é".as_bytes();
        for seed in 0..20_000u64 {
            let text = crate::table::tests::noise(seed, alphabet, (seed % 40) as usize);
            let text = String::from_utf8_lossy(&text);
            if let Ok(fields) = parse_ps_args(&text) {
                let output = lines(&[process(1, "root", "x")], &fields);
                assert!(!output.is_empty(), "{text}");
            }
        }
    }

    fn kinds(args: &str) -> Result<Vec<PsKind>, String> {
        parse_ps_args(args).map(|fields| fields.into_iter().map(|field| field.kind).collect())
    }

    #[test]
    fn the_usual_spellings_parse() {
        let user_comm = Ok(vec![PsKind::User, PsKind::Comm]);
        for args in [
            "-eo user,comm",
            "-e -o user,comm",
            "-o user,comm -e",
            "-A -o user,comm",
            "-Ao user,comm",
            "-eouser,comm",
            "ax -o user,comm",
            "axo user,comm",
            "axww -o user,comm",
            "ps -eo user,comm",
            "/bin/ps -eo user,comm",
            "  -eo   'user,comm'  ",
            "-e --format user,comm",
            "-e --format=user,comm",
            "-eo user -o comm",
        ] {
            assert_eq!(kinds(args), user_comm, "{args}");
        }
        assert_eq!(
            kinds("-eo pid,user,comm"),
            Ok(vec![PsKind::Pid, PsKind::User, PsKind::Comm])
        );
    }

    #[test]
    fn aliases_keep_their_own_headers() {
        let fields =
            parse_ps_args("-eo euser,euid,tgid,ucmd,s,cmd,command,uname,ucomm,state,args").unwrap();
        let headers: Vec<&str> = fields.iter().map(|field| field.header.as_str()).collect();
        assert_eq!(
            headers,
            [
                "EUSER", "EUID", "TGID", "CMD", "S", "CMD", "COMMAND", "USER", "COMMAND", "S",
                "COMMAND"
            ]
        );
        assert_eq!(fields[5].kind, PsKind::Args);
    }

    #[test]
    fn widths_and_no_headers_parse() {
        let fields = parse_ps_args("-eo user:32,comm --no-headers").unwrap();
        assert_eq!(fields[0].width, Some(32));
        assert!(fields.iter().all(|field| field.header.is_empty()));
        let bsd = parse_ps_args("axho user,comm").unwrap();
        assert!(bsd.iter().all(|field| field.header.is_empty()));
    }

    #[test]
    fn bad_options_are_named() {
        let cases = [
            ("-o user,comm", "`ps` lists every process only with `-e`, `-A` or `ax`; other selections are not supported"),
            ("x -o user,comm", "`ps` lists every process only with `-e`, `-A` or `ax`; other selections are not supported"),
            ("-e", "no output fields: give them with `-o`, e.g. `-eo user,comm`"),
            ("-e -o", "`-o` needs a field list, e.g. `-o user,comm`"),
            ("-ef", "unsupported `ps` option `-f` in `-ef`"),
            ("aux", "unsupported `ps` option `u` in `aux`"),
            ("-", "unsupported `ps` option `-`"),
            ("-e --sort=pid -o pid", "unsupported `ps` option `--sort=pid`"),
            ("-eo user,pcpu", "unsupported `ps` field `pcpu` (supported: user, uid, pid, ppid, comm, stat, state, args, and their aliases)"),
            ("-eo user,,comm", "empty `ps` field in `user,,comm`"),
            ("-eo user:x", "bad column width `x` in `user:x` (give 1 to 4096)"),
            ("-eo user:0", "bad column width `0` in `user:0` (give 1 to 4096)"),
            ("", "`ps` lists every process only with `-e`, `-A` or `ax`; other selections are not supported"),
        ];
        for (args, message) in cases {
            assert_eq!(parse_ps_args(args), Err(message.to_string()), "{args}");
        }
    }
}
