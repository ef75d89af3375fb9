//! What the lowering decides, checked on small scripts.

use pikt_lang::{parse_program, ParseMode};
use pikt_source::SourceMap;

use super::{lower, Assign, Cond, Dyn, Num, Pattern, Piece, Plan, StmtKind, Text, Val};

/// The plan of a standalone script.
fn plan(text: &str) -> Plan {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", text);
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    lower(&program.scripts[0])
}

fn begin(text: &str) -> Plan {
    plan(&format!("begin\n{text}"))
}

#[test]
fn concatenation_chains_and_interpolation_become_one_flat_list() {
    let p = begin("    set $a = \"x\"\n    set $b = $a . \" \" . \"y$a\" . 5 . ($a . \"z\")\n");
    let StmtKind::Assign(Assign::Text {
        value: Val::Text(Text::Concat(parts, _)),
        aside,
        ..
    }) = &p.begin[1].kind
    else {
        panic!("{:?}", p.begin[1]);
    };
    assert!(!aside);
    let kinds: Vec<String> = parts
        .iter()
        .map(|p| match p {
            Text::Lit(s) => format!("lit {s}"),
            Text::Var(..) => "var".to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["var", "lit  y", "var", "lit 5", "var", "lit z"]);
}

#[test]
fn self_appends_write_in_place() {
    let p = begin("    set $r = \"\"\n    set $r = $r . \"a\" . $r\n    set $r .= \"b\"\n    set $r = \"c\" . $r\n");
    assert!(matches!(
        &p.begin[1].kind,
        StmtKind::Assign(Assign::Append {
            aside: true,
            needs_value: Some(_),
            ..
        })
    ));
    assert!(matches!(
        &p.begin[2].kind,
        StmtKind::Assign(Assign::Append {
            aside: false,
            needs_value: None,
            ..
        })
    ));
    assert!(matches!(
        &p.begin[3].kind,
        StmtKind::Assign(Assign::Text { aside: true, .. })
    ));
}

#[test]
fn numbers_update_in_place_and_constants_fold() {
    let p = begin("    set #n += 2 * 3\n    set #m = -1 + #n\n");
    let StmtKind::Assign(Assign::Update {
        value: Num::Const(c),
        ..
    }) = &p.begin[0].kind
    else {
        panic!("{:?}", p.begin[0]);
    };
    assert_eq!(*c, 6.0);
    assert!(matches!(
        &p.begin[1].kind,
        StmtKind::Assign(Assign::Num {
            value: Val::Num(Num::Add(..)),
            ..
        })
    ));
}

#[test]
fn literal_patterns_are_fixed_and_interpolated_ones_built() {
    let p = begin("    set $d = \"sshd\"\n    if \"a\" =~ \"^a\" . \"b?\"\n    fi\n    if \"a\" =~~ \"$d\"\n    fi\n");
    let site = |i: usize| match &p.begin[i].kind {
        StmtKind::If(arms, _) => match &arms[0].0 {
            Cond::Match(m) => (
                m.site,
                matches!(m.pattern, Pattern::Fixed(_)),
                m.folded,
                matches!(m.pattern, Pattern::Parts(_)),
            ),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(site(1), (0, true, false, false));
    assert_eq!(site(2), (1, false, true, true));
    assert_eq!(p.sizes.sites, 2);
}

#[test]
fn the_left_side_is_copied_only_when_the_right_side_can_change_it() {
    let p = begin("    do #split(\"a b\")\n    if $1 eq $2\n    fi\n    if $1 eq (\"\" . #split(\"c\"))\n    fi\n");
    let copy = |i: usize| match &p.begin[i].kind {
        StmtKind::If(arms, _) => match &arms[0].0 {
            Cond::CompareText(c) => c.copy_left,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert!(!copy(1));
    assert!(copy(2));
}

#[test]
fn a_split_whose_count_is_unused_is_lazy() {
    let p = begin("    do #split(\"a b\")\n    set #n = #split(\"a b\")\n");
    assert!(matches!(
        &p.begin[0].kind,
        StmtKind::Eval(Val::Num(Num::Split(s))) if !s.counted
    ));
    assert!(matches!(
        &p.begin[1].kind,
        StmtKind::Assign(Assign::Count { split, .. }) if !split.counted
    ));
    let p = begin("    set #n = #split(\"a b\") + 1\n");
    assert!(matches!(
        &p.begin[0].kind,
        StmtKind::Assign(Assign::Num { value: Val::Num(Num::Add(operands)), .. })
            if matches!(&operands[0], Num::Split(s) if s.counted)
    ));
}

#[test]
fn key_loops_copy_the_keys_only_when_the_body_removes_elements() {
    let p = begin("    set #a[1] = 1\n    foreach #keys($k, #a)\n        output $k\n    endforeach\n    foreach #keys($k, #a)\n        if 1\n            unset #a[$k]\n        fi\n    endforeach\n");
    let snapshot = |i: usize| match &p.begin[i].kind {
        StmtKind::ForKeys(f) => f.snapshot,
        other => panic!("{other:?}"),
    };
    assert!(!snapshot(1));
    assert!(snapshot(2));
}

#[test]
fn commands_keep_their_code_apart_from_their_values() {
    let p = begin("    set $u = \"x\"\n    exec wait \"kill \" . \"-9 \" . $u . \" ; echo $shellcode($u)\"\n    output $command(\"id \" . $u)\n");
    let StmtKind::Exec(exec) = &p.begin[1].kind else {
        panic!("{:?}", p.begin[1]);
    };
    let kinds: Vec<String> = exec
        .command
        .pieces
        .iter()
        .map(|piece| match piece {
            Piece::Code(code) => format!("code {code}"),
            Piece::Data(Text::Var(..), _) => "data var".to_string(),
            Piece::Spliced(Text::Var(..)) => "spliced var".to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["code kill -9 ", "data var", "code  ; echo ", "spliced var"]
    );
    let StmtKind::Output(output) = &p.begin[2].kind else {
        panic!("{:?}", p.begin[2]);
    };
    let Text::Dyn(call) = &output.message else {
        panic!("{:?}", output.message);
    };
    let Dyn::Call(call) = &**call else {
        panic!("{call:?}");
    };
    let command = call.command.as_ref().expect("the command argument");
    assert!(matches!(
        &command.pieces[..],
        [Piece::Code(code), Piece::Data(Text::Var(..), _)] if &**code == "id "
    ));
}
