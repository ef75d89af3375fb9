//! Parser unit tests. Expressions are compared in a compact s-expression
//! notation; errors by message and exact line, column and width.

use pikt_source::{Diagnostic, SourceMap};

use crate::ast::{
    CaseLabel, DatSpec, Expr, ExprKind, InputKind, LValue, Level, OutputTarget, Program, Script,
    Special, Status, StmtKind, StrPart, Symbols, UnaryOp, VarType,
};
use crate::builtins;
use crate::{parse_program, print_program, ParseMode};

fn parse(text: &str, mode: ParseMode) -> (Program, Vec<Diagnostic>, SourceMap) {
    let mut map = SourceMap::new();
    let id = map.add("t.pikt", text);
    let (program, diags) = parse_program(&map, id, mode);
    (program, diags, map)
}

/// Parses standalone text that must be free of diagnostics.
fn clean(text: &str) -> Script {
    let (program, diags, _) = parse(text, ParseMode::Standalone);
    assert!(diags.is_empty(), "{text}\n{diags:#?}");
    program.scripts.into_iter().next().unwrap()
}

/// The diagnostics of standalone text as `line:col+width message`.
fn problems(text: &str) -> Vec<String> {
    problems_in(text, ParseMode::Standalone)
}

/// Asserts that the first problem `text` has is `expected`.
fn assert_first_problem(text: &str, expected: &str) {
    let got = problems(text);
    assert_eq!(
        got.first().map(String::as_str),
        Some(expected),
        "{text}: {got:?}"
    );
}

fn problems_in(text: &str, mode: ParseMode) -> Vec<String> {
    let (_, diags, map) = parse(text, mode);
    diags
        .iter()
        .map(|d| match d.span {
            Some(span) => {
                let (line, col) = map.get(span.file).line_col(span.start);
                format!("{line}:{col}+{} {}", span.len(), d.message)
            }
            None => d.message.clone(),
        })
        .collect()
}

fn sexpr(expr: &Expr, symbols: &Symbols) -> String {
    let s = |e: &Expr| sexpr(e, symbols);
    match &expr.kind {
        ExprKind::Num(n) => format!("{n}"),
        ExprKind::Str(text) => format!("{text:?}"),
        ExprKind::Interp(parts) => {
            let parts: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(text) => format!("{text:?}"),
                    StrPart::Expr(e) => s(e),
                })
                .collect();
            format!("(interp {})", parts.join(" "))
        }
        ExprKind::Var(id) => symbols.display(*id),
        ExprKind::Index(id, i) => format!("([] {} {})", symbols.display(*id), s(i)),
        ExprKind::History(id) => format!("%{}", symbols.display(*id)),
        ExprKind::Previous(id) => format!("@{}", symbols.display(*id)),
        ExprKind::Special(Special::Inline) => "$inline".into(),
        ExprKind::Special(Special::Readline) => "$readline".into(),
        ExprKind::Field(n) => format!("${n}"),
        ExprKind::FieldExpr(e) => format!("($[] {})", s(e)),
        ExprKind::Call(b, args) => {
            let mut text = format!("({}", builtins::info(*b).display());
            for arg in args {
                text.push(' ');
                text.push_str(&s(arg));
            }
            text.push(')');
            text
        }
        ExprKind::Handle(id) => symbols.handle(*id).to_string(),
        ExprKind::Unary(op, e) => {
            let op = match op {
                UnaryOp::Not => "!".to_string(),
                UnaryOp::Neg => "neg".to_string(),
                UnaryOp::Plus => "pos".to_string(),
                UnaryOp::BitNot => "~".to_string(),
                UnaryOp::FileTest(c) => format!("-{c}"),
            };
            format!("({op} {})", s(e))
        }
        ExprKind::Binary(op, l, r) => {
            let text = crate::printer::print_expr(
                &Expr {
                    kind: ExprKind::Binary(
                        *op,
                        Box::new(Expr {
                            kind: ExprKind::Num(0.0),
                            span: l.span,
                        }),
                        Box::new(Expr {
                            kind: ExprKind::Num(0.0),
                            span: r.span,
                        }),
                    ),
                    span: expr.span,
                },
                symbols,
            );
            let op = text.trim_start_matches("0 ").trim_end_matches(" 0");
            format!("({op} {} {})", s(l), s(r))
        }
    }
}

/// The s-expression of `set #r = EXPR`'s value.
fn expr_of(expr_text: &str) -> String {
    let script = clean(&format!("begin set #r = {expr_text}"));
    let begin = script.begin.as_ref().unwrap();
    let StmtKind::Set(assign) = &begin[0].kind else {
        panic!("not a set")
    };
    sexpr(&assign.value, &script.symbols)
}

// ---------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------

#[test]
fn precedence_follows_the_table() {
    for (text, tree) in [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 - 2 - 3", "(- (- 1 2) 3)"),
        ("2 ** 3 ** 2", "(** 2 (** 3 2))"),
        ("-2 ** 2", "(** (neg 2) 2)"),
        ("2 ** -1", "(** 2 (neg 1))"),
        ("#a || #b && #c", "(|| #a (&& #b #c))"),
        ("#a | #b ^ #c & #d", "(| #a (^ #b (& #c #d)))"),
        ("#a == #b < #c", "(== #a (< #b #c))"),
        ("$a . $b eq $c", "(eq (. $a $b) $c)"),
        ("$a lt $b ne $c", "(ne (lt $a $b) $c)"),
        ("1 << 2 + 3", "(<< 1 (+ 2 3))"),
        ("#a < 1 << 2", "(< #a (<< 1 2))"),
        ("!#a == 1", "(== (! #a) 1)"),
        ("~#a * 2", "(* (~ #a) 2)"),
        ("#a % 3 / 2", "(/ (% #a 3) 2)"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("- -#a", "(neg (neg #a))"),
        ("+#a", "(pos #a)"),
    ] {
        assert_eq!(expr_of(text), tree, "{text}");
    }
}

#[test]
fn comparison_spellings_map_to_one_operator() {
    for (text, tree) in [
        ("#a <> #b", "(!= #a #b)"),
        ("#a != #b", "(!= #a #b)"),
        ("#a !> #b", "(<= #a #b)"),
        ("#a !< #b", "(>= #a #b)"),
        ("#a !>= #b", "(< #a #b)"),
        ("#a !<= #b", "(> #a #b)"),
        ("$a =~ $b", "(=~ $a $b)"),
        ("$a !~ $b", "(!~ $a $b)"),
        ("$a =~~ $b", "(=~~ $a $b)"),
        ("$a !~~ $b", "(!~~ $a $b)"),
        ("$a gt $b", "(gt $a $b)"),
        ("$a le $b", "(le $a $b)"),
        ("$a ge $b", "(ge $a $b)"),
    ] {
        assert_eq!(expr_of(text), tree, "{text}");
    }
}

#[test]
fn file_tests_are_unary_operators() {
    assert_eq!(
        expr_of("-e $f && !-d \"/tmp\""),
        "(&& (-e $f) (! (-d \"/tmp\")))"
    );
    assert_eq!(expr_of("-S $f . \"x\""), "(. (-S $f) \"x\")");
    assert_eq!(expr_of("#a -#b"), "(- #a #b)");
}

#[test]
fn primaries() {
    assert_eq!(expr_of("3.1416"), "3.1416");
    assert_eq!(expr_of("$1 . $[#i + 1]"), "(. $1 ($[] (+ #i 1)))");
    assert_eq!(expr_of("%r + @#y"), "(+ %#r @#y)");
    assert_eq!(
        expr_of("$inlin . $il . $rdlin . $rl"),
        "(. (. (. $inline $inline) $readline) $readline)"
    );
    assert_eq!(expr_of("#a[$k . \"x\"]"), "([] #a (. $k \"x\"))");
    assert_eq!(
        expr_of("#fopen(F, \"/x\", \"r\")"),
        "(#fopen F \"/x\" \"r\")"
    );
    assert_eq!(
        expr_of("#absval(#x) + #value(\"3\")"),
        "(+ (#abs #x) (#val \"3\"))"
    );
}

#[test]
fn strings_interpolate_with_spans_inside_the_string() {
    let text = "begin output \"$a[$k] #n $f($x) $1 $[#i] $pr$ \\$x\"";
    let script = clean(text.replace("$f(", "$lower(").as_str());
    let StmtKind::Output { message, .. } = &script.begin.as_ref().unwrap()[0].kind else {
        panic!()
    };
    assert_eq!(
        sexpr(message, &script.symbols),
        "(interp ([] $a $k) \" \" #n \" \" ($lower $x) \" \" $1 \" \" ($[] #i) \" \" $pr \"$ $x\")"
    );
    let ExprKind::Interp(parts) = &message.kind else {
        panic!()
    };
    let StrPart::Expr(index) = &parts[0] else {
        panic!()
    };
    assert_eq!((index.span.start, index.span.end), (14, 20));
    let ExprKind::Index(_, key) = &index.kind else {
        panic!()
    };
    assert_eq!((key.span.start, key.span.end), (17, 19));
}

#[test]
fn strings_without_interpolation_are_plain() {
    assert_eq!(expr_of("\"a \\$b # $ \\\\\""), "\"a $b # $ \\\\\"");
    assert_eq!(expr_of("\"x\\\n\t\ty\""), "\"xy\"");
}

#[test]
fn expressions_end_where_the_next_token_cannot_continue_them() {
    let script = clean("begin output log \"/f\" $inline output \"x\"");
    let begin = script.begin.unwrap();
    assert_eq!(begin.len(), 2);
    let StmtKind::Output {
        target: OutputTarget::Log(file),
        message,
    } = &begin[0].kind
    else {
        panic!()
    };
    assert!(matches!(&file.kind, ExprKind::Str(s) if s == "/f"));
    assert_eq!(message.kind, ExprKind::Special(Special::Inline));
}

// ---------------------------------------------------------------------
// Statements and outline
// ---------------------------------------------------------------------

#[test]
fn hello_world_on_one_line() {
    let (program, diags, _) = parse("Birth begin output \"Hello, world!\"\n", ParseMode::Alarms);
    assert!(diags.is_empty());
    let script = &program.scripts[0];
    assert_eq!(script.name.as_ref().unwrap().name, "Birth");
    assert_eq!(script.begin.as_ref().unwrap().len(), 1);
}

#[test]
fn alarm_files_hold_several_scripts() {
    let text = "A\n\tbegin\n\t\toutput \"a\"\nB\n\tend\n\t\tquit\nC\n";
    let (program, diags, _) = parse(text, ParseMode::Alarms);
    assert!(diags.is_empty(), "{diags:?}");
    let names: Vec<&str> = program
        .scripts
        .iter()
        .map(|s| s.name.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert!(program.scripts[1].end.is_some());
}

#[test]
fn a_keyword_in_column_one_is_not_a_script_name() {
    let text = "A\nbegin\nset #x = 1\n";
    let (program, diags, _) = parse(text, ParseMode::Alarms);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(program.scripts.len(), 1);
}

#[test]
fn statements_mode_takes_a_bare_statement_list_as_begin() {
    let (program, diags, _) = parse("set #x = 1 output \"#x\"", ParseMode::Statements);
    assert!(diags.is_empty());
    assert_eq!(program.scripts[0].begin.as_ref().unwrap().len(), 2);
    let (program, diags, _) = parse("begin quit end quit", ParseMode::Statements);
    assert!(diags.is_empty());
    assert!(program.scripts[0].end.is_some());
}

#[test]
fn init_section_with_every_statement() {
    let script = clean(
        "#!/usr/bin/pikt\ninit\n status testing\n level alert\n task \"t $x\"\n \
         input logfile \"/var/log/x\" \"/var/log/x.0\"\n filter \"grep \\$1\"\n \
         separators \":\"\n dat $a 1\n data #b $\n dat $c 3-10\n keys $a #b\nrule next\n",
    );
    let init = &script.init;
    assert_eq!(init.status.map(|s| s.0), Some(Status::Testing));
    assert_eq!(init.level.map(|l| l.0), Some(Level::Urgent));
    assert_eq!(init.task.as_ref().unwrap().0, "t $x");
    let input = init.input.as_ref().unwrap();
    assert_eq!(input.kind, InputKind::Logfile);
    assert_eq!(input.rotated.as_deref(), Some("/var/log/x.0"));
    assert_eq!(init.filter.as_ref().unwrap().0, "grep $1");
    assert_eq!(init.seps.as_ref().unwrap().0, ":");
    let specs: Vec<DatSpec> = init.dats.iter().map(|d| d.spec).collect();
    assert_eq!(
        specs,
        [
            DatSpec::Field(1),
            DatSpec::FromEnd(0),
            DatSpec::Columns(3, 10)
        ]
    );
    assert_eq!(init.keys, [init.dats[0].var, init.dats[1].var]);
    assert!(script.symbols.vars.iter().all(|v| v.is_dat));
}

#[test]
fn flow_control_forms() {
    let script = clean(
        "begin\n\
         for #i = 0 #i < 3 #i += 1 set #s += #i endfor\n\
         for set #j = 0 #j < 3 set #j += 1 break endfor\n\
         for $k in #keys(#a) continue endfor\n\
         foreach #keys($k, $b) cont endforeach\n\
         repeat set #i -= 1 until #i <= 0\n\
         while #i < 2 set #i += 1 endwhile\n\
         switch $x case \"a\" breakswitch case -1 breaksw default output \"d\" endsw\n\
         if #i elif #j elsif #k elseif #l else quit endif\n\
         die\n die \"bye\"\n pause 1\n",
    );
    let kinds: Vec<&StmtKind> = script
        .begin
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| &s.kind)
        .collect();
    assert!(matches!(kinds[0], StmtKind::For { .. }));
    assert!(matches!(kinds[1], StmtKind::For { .. }));
    assert!(matches!(kinds[2], StmtKind::ForKeys { .. }));
    assert!(matches!(kinds[3], StmtKind::ForKeys { .. }));
    assert!(matches!(kinds[4], StmtKind::Repeat { .. }));
    assert!(matches!(kinds[5], StmtKind::While { .. }));
    let StmtKind::Switch { cases, .. } = kinds[6] else {
        panic!()
    };
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].label, Some(CaseLabel::Str("a".into())));
    assert_eq!(cases[1].label, Some(CaseLabel::Num(-1.0)));
    assert_eq!(cases[2].label, None);
    let StmtKind::If { arms, otherwise } = kinds[7] else {
        panic!()
    };
    assert_eq!(arms.len(), 4);
    assert!(otherwise.is_some());
    assert_eq!(kinds[8], &StmtKind::Die(None));
    assert!(matches!(kinds[9], StmtKind::Die(Some(_))));
    let a = script.symbols.vars.iter().find(|v| v.name == "a").unwrap();
    assert!(a.is_array);
}

#[test]
fn output_targets_and_exec_forms() {
    let script = clean(
        "begin output \"a\" output mail \"b\" output print \"c\" output log \"f\" \"d\" \
         output log piktlog \"e\" output log syslog \"f\" output piktlog \"g\" output syslog \"h\" \
         exec \"x\" exec wait \"y\" doexec \"z\" doexec wait \"w\"",
    );
    let begin = script.begin.unwrap();
    let targets: Vec<&OutputTarget> = begin
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Output { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    assert!(matches!(
        targets[..],
        [
            OutputTarget::Stdout,
            OutputTarget::Mail,
            OutputTarget::Print,
            OutputTarget::Log(_),
            OutputTarget::PiktLog,
            OutputTarget::Syslog,
            OutputTarget::PiktLog,
            OutputTarget::Syslog
        ]
    ));
    let execs: Vec<(bool, bool)> = begin
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Exec { wait, force, .. } => Some((*wait, *force)),
            _ => None,
        })
        .collect();
    assert_eq!(
        execs,
        [(false, false), (true, false), (false, true), (true, true)]
    );
}

#[test]
fn statement_spans_cover_keyword_to_last_token_and_block_headers_only() {
    let text = "begin\n\tset #x = 1 + 2\n\tif #x > 1\n\t\tquit\n\tfi\n";
    let script = clean(text);
    let begin = script.begin.unwrap();
    let slice = |s: pikt_source::Span| &text[s.start as usize..s.end as usize];
    assert_eq!(slice(begin[0].span), "set #x = 1 + 2");
    assert_eq!(slice(begin[1].span), "if #x > 1");
}

// ---------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------

#[test]
fn variables_resolve_to_one_slot_per_sigil_and_name() {
    let script = clean("begin set $x = \"a\" set #x = 1 set $y = $x . \"$x #x\"");
    let names: Vec<String> = (0..script.symbols.vars.len())
        .map(|i| script.symbols.display(crate::ast::VarId(i as u32)))
        .collect();
    assert_eq!(names, ["$x", "#x", "$y"]);
}

#[test]
fn bare_history_resolves_to_the_numeric_variable_when_there_is_one() {
    let script = clean("begin if #defined(%n) output \"%n\" fi set #n = 1 set $s = @s");
    let n = script.symbols.vars.iter().find(|v| v.name == "n").unwrap();
    assert_eq!(n.ty, VarType::Num);
    assert!(n.in_history);
    let s = script.symbols.vars.iter().find(|v| v.name == "s").unwrap();
    assert!(s.in_previous && !s.in_history);
    assert_eq!(script.symbols.vars.len(), 2);
}

#[test]
fn handles_get_one_slot_each() {
    let script =
        clean("begin do #fopen(IN, \"x\", \"r\") do #read(IN) do #popen(P2, \"y\", \"r\")");
    assert_eq!(script.symbols.handles, ["IN", "P2"]);
}

#[test]
fn defined_and_unset_may_name_a_whole_array() {
    let script = clean("begin set #a[1] = 2 if #defined(#a) unset #a fi unset #a[1]");
    assert!(script.symbols.vars[0].is_array);
    let begin = script.begin.unwrap();
    assert!(matches!(begin[2].kind, StmtKind::Unset(LValue::Index(..))));
}

// ---------------------------------------------------------------------
// Errors, with exact positions
// ---------------------------------------------------------------------

#[test]
fn error_positions() {
    for (text, expected) in [
        ("begin fo bar", "1:7+2 unknown statement `fo`"),
        (
            "begin\n\t#fclose(F)",
            "2:2+7 a function call is not a statement",
        ),
        ("begin\n  #x = 1", "2:3+2 expected a statement, found `#x`"),
        ("begin do #fopne(F)", "1:10+6 unknown function `#fopne`"),
        (
            "begin do #fclose (F)",
            "1:17+1 space before the `(` of a function call",
        ),
        (
            "begin set #a [1] = 2",
            "1:13+1 space before the `[` of an array index",
        ),
        ("begin do #now(1)", "1:10+7 `#now` takes no arguments"),
        (
            "begin do #fopen(\"x\", \"y\", \"r\")",
            "1:17+3 `#fopen` needs a handle as its first argument",
        ),
        (
            "begin set #x = #length(F)",
            "1:24+1 handle `F` cannot be used here",
        ),
        (
            "begin set $pid = 1",
            "1:11+4 `$pid` cannot be a variable name",
        ),
        ("begin break", "1:7+5 `break` outside a loop"),
        ("begin next", "1:7+4 `next` outside a `rule` section"),
        (
            "begin breakswitch",
            "1:7+11 `breakswitch` outside a `switch`",
        ),
        (
            "begin set $inline = \"x\"",
            "1:11+7 cannot assign to `$inline`",
        ),
        ("begin set %x = 1", "1:11+2 cannot assign to `%x`"),
        ("begin set F = 1", "1:11+1 cannot assign to handle `F`"),
        ("begin set $1 = 1", "1:11+2 cannot assign to `$1`"),
        ("begin output \"abc", "1:14+4 unterminated string"),
        (
            "begin output \"$f(\"",
            "1:15+3 unclosed `(` in an interpolated string",
        ),
        ("begin if #x", "1:7+2 unclosed `if`"),
        (
            "begin set #x = ",
            "1:15+0 expected an expression, found the end of the file",
        ),
        (
            "rule quit begin quit",
            "1:11+5 `begin` section after the `rule` section",
        ),
        ("begin quit begin quit", "1:12+5 duplicate `begin` section"),
        ("begin fi", "1:7+2 `fi` without an open `if`"),
        ("begin do $split($x)", "1:10+6 unknown function `$split`"),
        (
            "begin output \"$task\"",
            "1:15+5 `$task` cannot be a variable name",
        ),
    ] {
        assert_first_problem(text, expected);
    }
}

#[test]
fn init_errors() {
    for (text, expected) in [
        ("init status on", "1:13+2 unknown status `on`"),
        ("init level high", "1:12+4 unknown level `high`"),
        ("init input pipe \"x\"", "1:12+4 unknown input kind `pipe`"),
        ("init dat $x 0", "1:13+1 invalid field or column number"),
        ("init dat $x 5-3", "1:13+3 empty column range"),
        (
            "init keys $x",
            "1:11+2 `keys` names `$x`, which is not a `dat` variable",
        ),
        (
            "init dat $x 1 dat $x 2",
            "1:19+2 `$x` is already bound by `dat`",
        ),
        (
            "init task 3",
            "1:11+1 expected a string after `task`, found `3`",
        ),
        (
            "init set #x = 1",
            "1:6+3 expected an `init` statement, found `set`",
        ),
        (
            "init dat $u 1 begin set $u = \"x\"",
            "1:25+2 cannot assign to `$u`",
        ),
        (
            "begin input file \"x\"",
            "1:7+5 `input` belongs in the `init` section",
        ),
        (
            "init status active status active",
            "1:20+13 duplicate `status`",
        ),
    ] {
        assert_first_problem(text, expected);
    }
}

#[test]
fn whole_script_errors() {
    assert_eq!(
        problems("begin set #a[1] = 1 set #b = #a"),
        ["1:30+2 `#a` is used both as a scalar and as an array"]
    );
    assert_eq!(
        problems("begin set #x = 1 set $x = \"a\" output %x"),
        ["1:38+2 `%x` is ambiguous"]
    );
    assert_eq!(
        problems("begin output @q"),
        ["1:14+2 `@q` refers to no variable"]
    );
    assert_eq!(
        problems("init rule quit"),
        ["1:6+4 `rule` sections never run: the script has no `input`"]
    );
}

#[test]
fn alarm_mode_errors() {
    assert_eq!(
        problems_in("\tbegin\nA\n\tbegin\n", ParseMode::Alarms),
        ["1:2+5 expected a script name in column 1, found `begin`"]
    );
    assert_eq!(
        problems_in("A\n\tset #x = 1\n", ParseMode::Alarms),
        ["2:2+3 expected a section (`init`, `begin`, `rule` or `end`), found `set`"]
    );
    assert_eq!(
        problems_in("A\n\tbegin\n\t\tif #x\nB\n\tbegin\n", ParseMode::Alarms),
        ["3:3+2 unclosed `if`"]
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let got = problems("begin\n\tfo\n\tset #x = \n\tif #y\n\t\tbreak\n\tfi\n\tdo #nope()\n");
    assert_eq!(
        got,
        [
            "2:2+2 unknown statement `fo`",
            "4:2+2 expected an expression, found `if`",
            "5:3+5 `break` outside a loop",
            "7:5+5 unknown function `#nope`",
        ]
    );
}

#[test]
fn a_broken_condition_keeps_the_blocks_balanced() {
    assert_eq!(
        problems("begin if #x + fi while ) endwhile"),
        [
            "1:15+2 expected an expression, found `fi`",
            "1:24+1 expected an expression, found `)`",
        ]
    );
}

#[test]
fn the_parser_gives_up_after_many_errors() {
    let text = "begin ".to_string() + &"break ".repeat(500);
    let got = problems(&text);
    assert_eq!(got.len(), super::MAX_ERRORS + 1);
    assert_eq!(got.last().unwrap(), "too many errors; stopped after 100");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let text = format!("begin set #x = {}1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(problems(&text), ["1:116+1 nested too deeply"]);
    let text = format!("begin {} quit {}", "if 1 ".repeat(3000), "fi ".repeat(3000));
    assert!(problems(&text)
        .iter()
        .any(|p| p.ends_with("nested too deeply")));
    let text = format!("begin set #x = {}1", "-".repeat(100_000));
    assert!(problems(&text)
        .iter()
        .any(|p| p.ends_with("nested too deeply")));
}

#[test]
fn garbage_never_panics_or_hangs() {
    // A small deterministic fuzz over the token alphabet.
    let alphabet = [
        "begin", "rule", "init", "if", "fi", "while", "endwhile", "for", "endfor", "set", "#x",
        "$y", "#a[", "]", "(", ")", "#fopen(", "F", ",", "\"s $z\"", "\"$f(\"", "=", "+=", "-e",
        "-", "%q", "@r", "$1", "$[", "switch", "case", "default", "endsw", "foreach", "#keys(",
        "in", "dat", "keys", "input", "proc", "\n", "Name\n", "?", "\\", "#", "/*", "eq", "**",
        "repeat", "until", "do", "output", "mail", "log", "3", "1.5",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..40 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            text.push(' ');
        }
        for mode in [
            ParseMode::Alarms,
            ParseMode::Standalone,
            ParseMode::Statements,
        ] {
            let (program, _, _) = parse(&text, mode);
            let _ = print_program(&program);
        }
    }
}
