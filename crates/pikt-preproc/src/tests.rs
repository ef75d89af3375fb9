//! Tests of the public API: what pikt-config relies on.

use std::path::Path;

use pikt_source::{render, SourceMap, Span};

use crate::testing::{fuzz_preprocess, read_macros, FakeHost};
use crate::{
    parse_bool, preprocess, BranchKind, DefineSource, Defines, FileKind, HostFacts, MacroDef,
    MacroError, MacroTable, Options, Preprocessed,
};

struct Run {
    map: SourceMap,
    out: Preprocessed,
}

impl Run {
    fn text(&self) -> &str {
        &self.map.get(self.out.file).text
    }

    fn errors(&self) -> String {
        self.out
            .diagnostics
            .iter()
            .map(|d| render(&self.map, d))
            .collect()
    }
}

fn run_with(
    input: &str,
    kind: FileKind,
    defines: &mut Defines,
    table: Option<&MacroTable>,
    host: &FakeHost,
) -> Run {
    let facts = HostFacts::new("moscow", ["linux", "mailserver"]);
    let mut map = SourceMap::new();
    let file = map.add("alarms.cfg", input);
    let mut opts = Options::new(&facts, defines, kind, "/cfg");
    opts.macros = table;
    let out = preprocess(&mut map, file, &mut opts, host);
    Run { map, out }
}

fn run(input: &str) -> Run {
    run_with(
        input,
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &FakeHost::new(),
    )
}

fn table(macros_cfg: &str) -> (SourceMap, MacroTable) {
    let facts = HostFacts::new("moscow", ["linux"]);
    let mut defines = Defines::new();
    defines.declare("debug", true);
    let mut map = SourceMap::new();
    let file = map.add("macros.cfg", macros_cfg);
    let mut opts = Options::new(&facts, &mut defines, FileKind::Macros, "/cfg");
    let out = preprocess(&mut map, file, &mut opts, &FakeHost::new());
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    let mut table = MacroTable::with_predefined(Path::new("/pikt/"), "moscow");
    assert!(read_macros(&map, out.file, &mut table).is_empty());
    (map, table)
}

/// Preprocesses `input` with the macros of `macros_cfg`, in one source map.
fn expand(macros_cfg: &str, input: &str) -> Run {
    let (mut map, table) = table(macros_cfg);
    let facts = HostFacts::new("moscow", ["linux"]);
    let mut defines = Defines::new();
    let file = map.add("alarms.cfg", input);
    let mut opts = Options::new(&facts, &mut defines, FileKind::Alarms, "/cfg");
    opts.macros = Some(&table);
    let out = preprocess(&mut map, file, &mut opts, &FakeHost::new());
    Run { map, out }
}

#[test]
fn plain_text_passes_through_as_one_exact_segment() {
    let r = run("a\n\tb c\n\nd\n");
    assert_eq!(r.text(), "a\n\tb c\n\nd\n");
    assert!(r.out.diagnostics.is_empty());
    let at = r.map.location(Span::new(r.out.file, 4, 5));
    assert_eq!(at, "alarms.cfg:2:3");
}

#[test]
fn output_positions_map_back_through_removed_lines_and_comments() {
    let r = run("#if linux\n\tx = 1 // c\n#endif\n/* gone\n */\ny\n");
    assert_eq!(r.text(), "\tx = 1\ny\n");
    let y = r.text().find('y').unwrap();
    assert_eq!(
        r.map.location(Span::new(r.out.file, y, y + 1)),
        "alarms.cfg:6:1"
    );
}

#[test]
fn macro_expansion_maps_body_text_to_macros_cfg_with_a_note() {
    let r = expand(
        "m(A)\n\tset #x = (A)\n\tdo #f()\n",
        "S\n\tbegin\n\t\t=m(42)\n",
    );
    assert_eq!(r.text(), "S\n\tbegin\n\t\tset #x = 42\n\t\tdo #f()\n");
    let text = r.text().to_string();
    let f = text.find("#f").unwrap();
    let diag = pikt_source::Diagnostic::error("bad call", Span::new(r.out.file, f, f + 2));
    assert_eq!(
        render(&r.map, &diag),
        "error: bad call\n --> macros.cfg:3:5\n  |\n3 | \tdo #f()\n  | \t   ^^\n  = note: in expansion of macro `=m` at alarms.cfg:3:3\n"
    );
    // The argument maps to the call site, without a note.
    let arg = text.find("42").unwrap();
    let resolved = r.map.resolve(Span::new(r.out.file, arg, arg + 2));
    assert_eq!(r.map.location(resolved.span), "alarms.cfg:3:6");
    assert!(resolved.notes.is_empty());
}

#[test]
fn macro_body_directives_are_decided_when_macros_cfg_is_preprocessed() {
    let body = "k(P)\n\tkill (P)\n#ifdef debug\n\tlog (P)\n#endifdef\n";
    let r = expand(body, "\t=k(x)\n");
    assert_eq!(r.text(), "\tkill x\n\tlog x\n");
}

#[test]
fn predefined_macros_and_their_redefinition() {
    let mut t = MacroTable::with_predefined(Path::new("/opt/pikt/"), "paris");
    assert_eq!(t.get("piktdir").unwrap().body, "/opt/pikt");
    assert_eq!(t.get("pikthostname").unwrap().body, "paris");
    assert_eq!(t.get("pikt").unwrap().body, "/opt/pikt/bin/pikt");
    assert_eq!(t.get("hstdir").unwrap().body, "/opt/pikt/var/history");
    assert!(t.is_predefined("prgdir"));
    assert_eq!(
        t.insert(MacroDef::simple("piktdir", "x")),
        Err(MacroError::Predefined)
    );
    assert_eq!(
        t.insert(MacroDef::simple("pikthostname", "x")),
        Err(MacroError::Predefined)
    );
    assert_eq!(t.insert(MacroDef::simple("prgdir", "/p")), Ok(()));
    assert!(!t.is_predefined("prgdir"));
    assert_eq!(t.get("prgdir").unwrap().body, "/p");
    assert_eq!(
        t.insert(MacroDef::simple("prgdir", "/q")),
        Err(MacroError::Duplicate { previous: None })
    );
    assert_eq!(t.len(), 15);
    assert!(t.set_predefined("objdir", "/srv/objects"));
    assert_eq!(t.get("objdir").unwrap().body, "/srv/objects");
    assert!(t.is_predefined("objdir"));
    assert!(!t.set_predefined("prgdir", "/x"), "replaced by macros.cfg");
    assert!(!t.set_predefined("nosuch", "/x"));
}

#[test]
fn define_precedence_directive_over_command_line_over_defines_cfg() {
    let mut d = Defines::new();
    assert_eq!(d.get("pikttest"), Some(false));
    assert_eq!(d.source("pikttest"), Some(DefineSource::Builtin));
    d.set_command_line("debug", true);
    d.declare("debug", false);
    assert_eq!(d.get("debug"), Some(true));
    d.set_directive("debug", false);
    assert_eq!(d.get("debug"), Some(false));
    d.set_command_line("debug", true);
    assert_eq!(
        d.get("debug"),
        Some(false),
        "a directive outranks the command line"
    );
    d.declare("verbose", true);
    d.set_command_line("verbose", false);
    assert_eq!(d.get("verbose"), Some(false));
    assert!(!d.is_declared("nosuch"));
    let names: Vec<&str> = d.iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["debug", "pikttest", "verbose"]);
}

#[test]
fn bool_spellings() {
    for t in ["TRUE", "true", "YES", "yes", "ON", "on", "1", "True"] {
        assert_eq!(parse_bool(t), Some(true), "{t}");
    }
    for f in ["FALSE", "false", "NO", "no", "OFF", "off", "0"] {
        assert_eq!(parse_bool(f), Some(false), "{f}");
    }
    assert_eq!(parse_bool("maybe"), None);
}

#[test]
fn define_directives_change_the_callers_defines() {
    let mut d = Defines::new();
    d.declare("debug", false);
    let r = run_with(
        "#define debug\n",
        FileKind::Alarms,
        &mut d,
        None,
        &FakeHost::new(),
    );
    assert!(r.out.diagnostics.is_empty());
    assert_eq!(d.get("debug"), Some(true));
    assert_eq!(d.source("debug"), Some(DefineSource::Directive));
}

#[test]
fn defines_cfg_declares_stanzas_while_preprocessing() {
    let mut d = Defines::new();
    d.set_command_line("verbose", true);
    let input = "debug TRUE\nverbose no\nquiet\n\tyes\n#ifdef quiet\nloud off\n#endifdef\n";
    let r = run_with(input, FileKind::Defines, &mut d, None, &FakeHost::new());
    assert!(r.out.diagnostics.is_empty(), "{}", r.errors());
    assert_eq!(d.get("debug"), Some(true));
    assert_eq!(
        d.get("verbose"),
        Some(true),
        "command line wins over defines.cfg"
    );
    assert_eq!(d.get("quiet"), Some(true));
    assert_eq!(d.get("loud"), Some(false));
}

#[test]
fn host_facts_truth() {
    let mut h = HostFacts::new("moscow", ["linux"]);
    h.known.insert("solaris".into());
    assert!(h.is_true("moscow") && h.is_true("linux") && !h.is_true("solaris"));
    assert!(h.is_known("solaris") && !h.is_known("atlantis"));
}

#[test]
fn explain_records_the_selecting_branches() {
    let mut d = Defines::new();
    d.declare("debug", true);
    let input = "a\n#if solaris\nno\n#elif linux\n#ifdef debug\nb\n#endifdef\n#endif\nc\n";
    let r = run_with(input, FileKind::Alarms, &mut d, None, &FakeHost::new());
    assert_eq!(r.text(), "a\nb\nc\n");
    assert_eq!(r.out.explain.line_count(), 3);
    assert!(r.out.explain.branches(0).is_empty());
    let b = r.out.explain.branches(1);
    assert_eq!(b.len(), 2);
    assert_eq!(b[0].kind, BranchKind::If);
    assert_eq!(b[0].directive, "#elif linux");
    assert_eq!(b[0].opener, "#if solaris");
    assert_eq!(r.map.location(b[0].span), "alarms.cfg:4:1");
    assert_eq!(r.map.location(b[0].opener_span), "alarms.cfg:2:1");
    assert_eq!(b[1].kind, BranchKind::IfDef);
    assert_eq!(b[1].directive, "#ifdef debug");
    assert!(r.out.explain.branches(2).is_empty());
    assert!(r.out.explain.branches(99).is_empty());
}

#[test]
fn commands_get_the_set_environment() {
    let host = FakeHost::new().command("gen", "x\n", true);
    let mut opts_env = Defines::new();
    let r = run_with(
        "#set A = \"1\"\n#include [gen]\n",
        FileKind::Alarms,
        &mut opts_env,
        None,
        &host,
    );
    assert_eq!(r.text(), "x\n");
    assert_eq!(
        host.ran.borrow()[0],
        ("gen".to_string(), vec![("A".to_string(), "1".to_string())])
    );
}

#[test]
fn include_reads_relative_to_the_including_file_and_the_config_dir() {
    let host = FakeHost::new()
        .file("/cfg/alarms/a.cfg", "#include \"b.cfg\"\n")
        .file("/cfg/alarms/b.cfg", "B\n")
        .file("/abs/c.cfg", "C\n");
    let r = run_with(
        "#include <alarms/a.cfg>\n#include \"/abs/c.cfg\"\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    assert_eq!(r.text(), "B\nC\n", "{}", r.errors());
    assert_eq!(
        r.map.location(Span::new(r.out.file, 0, 1)),
        "alarms/b.cfg:1:1"
    );
    assert_eq!(
        r.map.location(Span::new(r.out.file, 2, 3)),
        "/abs/c.cfg:1:1"
    );
}

#[test]
fn include_depth_is_limited() {
    let host = FakeHost::new().file("/cfg/loop.cfg", "x\n");
    let mut host = host;
    for i in 0..40 {
        host.files.insert(
            format!("/cfg/d{i}.cfg").into(),
            format!("#include \"d{}.cfg\"\n", i + 1),
        );
    }
    let r = run_with(
        "#include \"d0.cfg\"\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    let errors = r.errors();
    assert!(
        errors.starts_with("error: includes nested deeper than 32 files\n --> d31.cfg:1:1\n"),
        "{errors}"
    );
    assert_eq!(r.out.diagnostics.len(), 1);
}

#[test]
fn fix_state_does_not_carry_into_included_files() {
    let host = FakeHost::new().file("/cfg/inc.cfg", "inc // stripped\n");
    let r = run_with(
        "#fix\n#include \"inc.cfg\"\nkept // here\n#unfix\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    assert_eq!(r.text(), "inc\nkept // here\n");
}

#[test]
fn conditions_may_span_included_files() {
    let host = FakeHost::new().file("/cfg/open.cfg", "#if linux\n");
    let r = run_with(
        "#include \"open.cfg\"\nx\n#endif\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    assert_eq!(r.text(), "x\n");
    assert!(r.out.diagnostics.is_empty());
}

#[test]
fn escaped_macro_reference_keeps_text_and_drops_backslash() {
    let r = expand("m M\n", "=m \\=m a\\=b \\=\n");
    assert_eq!(r.text(), "M =m a=b \\=\n");
}

#[test]
fn nested_arguments_are_expanded_after_substitution() {
    let r = expand("f(A) <(A)>\ng G\n", "=f(=g)\n");
    assert_eq!(r.text(), "<G>\n");
}

#[test]
fn parameter_marks_only_match_declared_names() {
    let r = expand("f(AB) (AB) (A) (B) (ab)\n", "=f(x)\n");
    assert_eq!(r.text(), "x (A) (B) (ab)\n");
}

#[test]
fn zero_parameter_macro_leaves_parentheses_alone() {
    let r = expand("ps /bin/ps\n", "=ps(x)\n");
    assert_eq!(r.text(), "/bin/ps(x)\n");
}

#[test]
fn systems_cfg_never_expands_macros() {
    let (_, table) = table("x y\n");
    let r = run_with(
        "a =x =undefined\n",
        FileKind::Systems,
        &mut Defines::new(),
        Some(&table),
        &FakeHost::new(),
    );
    assert_eq!(r.text(), "a =x =undefined\n");
    assert!(r.out.diagnostics.is_empty());
}

#[test]
fn expansion_growth_is_bounded() {
    let mut macros = String::from("m0 x\n");
    for i in 1..30 {
        macros.push_str(&format!("m{i} =m{p} =m{p} =m{p} =m{p}\n", p = i - 1));
    }
    let r = expand(&macros, "=m29\n");
    let errors = r.errors();
    assert!(
        errors.contains("macro expansion of this line grows beyond 1048576 bytes"),
        "{errors}"
    );
    assert!(r.text().len() < 3 << 20);
}

#[test]
fn long_files_are_handled_in_linear_time() {
    let (_, table) = table("ps /bin/ps\n");
    let line = "\tif $x =~ \"=ps\" // comment\n#if linux\n\tlive\n#endif\n";
    let input = line.repeat(25_000);
    let start = std::time::Instant::now();
    let r = run_with(
        &input,
        FileKind::Alarms,
        &mut Defines::new(),
        Some(&table),
        &FakeHost::new(),
    );
    assert!(r.out.diagnostics.is_empty());
    assert_eq!(r.text().lines().count(), 50_000);
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn fuzz_entry_survives_hostile_inputs() {
    let inputs: [&[u8]; 14] = [
        b"",
        b"\0",
        b"#if\n#if (((((\n#elif\n#else\n#else\n#endifdef\n",
        b"/*",
        b"#include \"self.cfg\"\n#include \"inc.cfg\"\n#include [echo x]\n",
        b"a\0=a(=a(=a(\n=n(=n(=n(1)))) =m\n",
        b"m(A) (A)(A)(A)\n\0=m(=m(=m(=m(x))))\n",
        b"\xff\xfe#if \xff\n\\#\\=\\/\\//\n",
        b"#setdef debug = ! ! [true]\n#echo \"${\n#set \xc3\xa9 = 1\n",
        b"#verbatim [echo x]\n#fix\n#fix\n#unfix\n#unfix\n#indent\n",
        b"=\n==\n=(\n\\\n#\n# \n#\t\n",
        b"x(A,B) (A\n\0=x(\"(\",')')\n=x(,,,,)\n",
        b"#if a|||b&&&c!!!\n#ifdef !!!! debug\n#endifdef\n",
        b"\r\n#if\r\n#endif\r\n\t=pikt\r\n",
    ];
    for input in inputs {
        let (map, out) = fuzz_preprocess(input);
        let text = &map.get(out.file).text;
        for offset in 0..=text.len() {
            let _ = map.resolve(Span::new(out.file, offset, offset));
        }
    }
    // Pseudo-random bytes from a small alphabet of syntax characters.
    let alphabet = b"#ifdefelsendincludeverbatim=()[]<>\"'!|&/*\\ \t\nabcm,0";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..300 {
        let mut input = Vec::new();
        for _ in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let _ = fuzz_preprocess(&input);
    }
}

#[test]
fn real_host_reads_files_and_runs_commands() {
    use crate::{PreprocHost, RealHost};
    let host = RealHost::default();
    let out = host
        .run_command("printf \"$X\"; exit 3", &[("X".into(), "hi".into())])
        .unwrap();
    assert_eq!(out.stdout, "hi");
    assert!(!out.success);
    assert_eq!(
        host.read_file(Path::new("/nonexistent/x"))
            .unwrap_err()
            .kind(),
        std::io::ErrorKind::NotFound
    );
    assert_eq!(
        host.run_pikt("x").unwrap_err().kind(),
        std::io::ErrorKind::Unsupported
    );
}

#[test]
fn indent_levels_nest_and_reach_included_lines() {
    let host = FakeHost::new().file("/cfg/inc.cfg", "inc\n");
    let r = run_with(
        "#indent\na\n#indent\n#include \"inc.cfg\"\n#unindent\nb\n#unindent\nc\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    assert_eq!(r.text(), "\ta\n\t\tinc\n\tb\nc\n");
    assert!(r.out.diagnostics.is_empty());
}

#[test]
fn include_command_exit_status_does_not_matter() {
    let host = FakeHost::new().command("test -f x && cat x", "partial\n", false);
    let r = run_with(
        "#include [test -f x && cat x]\n",
        FileKind::Alarms,
        &mut Defines::new(),
        None,
        &host,
    );
    assert_eq!(r.text(), "partial\n");
    assert!(r.out.diagnostics.is_empty());
}

#[test]
fn set_environment_does_not_leak_into_the_next_file() {
    let host = FakeHost::new().command("c", "", true);
    let mut defines = Defines::new();
    let _ = run_with("#set A = 1\n", FileKind::Alarms, &mut defines, None, &host);
    let _ = run_with("#exec [c]\n", FileKind::Alarms, &mut defines, None, &host);
    assert_eq!(host.ran.borrow()[0], ("c".to_string(), Vec::new()));
}

// ----- bounds on hostile input (issue 9) -----------------------------------

#[test]
fn deep_nesting_is_one_error_and_explain_stays_linear() {
    // 100 000 nested blocks, each with a line: once quadratic in time and
    // memory (every line copied the whole stack).
    let depth = 100_000;
    let mut input = String::new();
    for _ in 0..depth {
        input.push_str("#if linux\nline\n");
    }
    input.push_str(&"#endif\n".repeat(depth));
    let r = run(&input);
    assert_eq!(r.out.diagnostics.len(), 1, "{}", r.errors());
    assert!(r.errors().contains("nested deeper than 64"));
    assert!(r.errors().contains("alarms.cfg:129:1"), "{}", r.errors());
    // Every branch is recorded once, not once per line.
    assert_eq!(r.out.explain.line_count(), depth);
    assert_eq!(r.out.explain.nodes.len(), depth);
    assert_eq!(r.out.explain.branches(depth - 1).len(), depth);
}

#[test]
fn explain_stacks_share_their_outer_branches() {
    let input = "#if linux\na\n#if mailserver\nb\n#else\nc\n#endif\nd\n#endif\n";
    let r = run(input);
    assert_eq!(r.text(), "a\nb\nd\n");
    assert_eq!(
        r.out.explain.nodes.len(),
        2,
        "the outer branch is recorded once"
    );
    let inner: Vec<&str> = r
        .out
        .explain
        .branches(1)
        .iter()
        .map(|b| b.directive.as_str())
        .collect();
    assert_eq!(inner, ["#if linux", "#if mailserver"]);
    assert_eq!(r.out.explain.branches(2).len(), 1);
}

#[test]
fn the_expansion_of_a_whole_file_is_bounded() {
    // Each line stays under the line bound, but together they would add
    // far more than the file's bound: that stops it, with one error.
    let macros: String = std::iter::once("m0 xxxxxxxxxx\n".to_string())
        .chain((1..4).map(|i| format!("m{i} {}\n", format!("=m{} ", i - 1).repeat(10))))
        .collect();
    let input = "=m3\n".repeat(2000);
    let r = expand(&macros, &input);
    let errors: Vec<&str> = r
        .out
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        errors,
        ["macro expansion adds more than 16 MiB to this file; the rest of the file is not expanded"]
    );
    let text = r.text();
    assert!(text.len() < crate::MAX_TOTAL_EXPANSION_BYTES + input.len());
    assert!(
        text.ends_with("=m3\n=m3\n"),
        "later lines are passed on as written"
    );
}

#[test]
fn a_parameter_used_many_times_is_counted_each_time() {
    // One reference, a 2 KiB argument used 1000 times: 2 MiB, over the
    // line bound although body and argument are small.
    let macros = format!("q(A) {}\n", "(A)".repeat(1000));
    let input = format!("=q({})\n", "y".repeat(2048));
    let r = expand(&macros, &input);
    assert!(
        r.errors().contains("grows beyond 1048576 bytes"),
        "{}",
        r.errors()
    );
    assert_eq!(r.text(), input);
}

#[test]
fn thousands_of_errors_are_capped_and_counted() {
    let r = run(&"#endif\n".repeat(5000));
    assert_eq!(r.out.diagnostics.len(), crate::MAX_DIAGNOSTICS + 1);
    let last = r.out.diagnostics.last().map(|d| d.message.clone());
    assert_eq!(
        last.as_deref(),
        Some("4000 more problems in `alarms.cfg` are not shown (the first 1000 are)")
    );
    assert!(r.out.has_errors());
}

#[test]
fn control_characters_in_config_text_pass_through_as_data() {
    let r = run("a\u{0}b\x1b[2J\r\n#if linux\nc\u{9b}\n#endif\n");
    assert!(r.out.diagnostics.is_empty(), "{}", r.errors());
    assert_eq!(r.text(), "a\u{0}b\x1b[2J\r\nc\u{9b}\n");
}
