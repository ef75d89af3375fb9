//! The fast paths (text used where it lies, counting in place, lazy
//! fields, conditions without values) give what the general paths give.

use pikt_lang::{parse_program, ParseMode};
use pikt_source::SourceMap;

use crate::config::RunConfig;
use crate::run::{run, ScriptToRun};
use crate::testing::TestHost;

/// Standard output of a standalone script over `in.txt`, which must
/// not fail.
fn out(script: &str, input: &str) -> String {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", script);
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    let scripts: Vec<ScriptToRun<'_>> = program
        .scripts
        .iter()
        .map(|script| ScriptToRun { script, name: "T" })
        .collect();
    let mut host = TestHost::at(0);
    host.fs.put("in.txt", input);
    let report = run(&scripts, &map, &RunConfig::default(), &mut host.host());
    assert!(!report.failed(), "{:?}", report.errors);
    host.sinks.stdout.clone()
}

#[test]
fn counting_in_place_agrees_with_the_general_path() {
    let script = "init\n    input file \"in.txt\"\n    dat $u 1\n    dat $c 2\nbegin\n    set #s[\"x\"] = \"7\"\nrule\n    set #n[$u . \" \" . $c] += 1\n    set #d[$u] -= 2\n    set #f[$c] += 0.5\n    set #g[$u] += #n[$u . \" \" . $c]\nend\n    foreach #keys($k, #n)\n        output \"$k=\" . #n[$k]\n    endforeach\n    foreach #keys($k, #d)\n        output \"$k:\" . #d[$k] . \" \" . #g[$k]\n    endforeach\n    output #f[\"vi\"] . \" \" . #f[\"sh\"]\n";
    let input = "root sh\nann vi\nroot sh\nbob sh\nann vi\nroot vi\n";
    assert_eq!(
        out(script, input),
        "root sh=2\nann vi=2\nbob sh=1\nroot vi=1\nroot:-6 4\nann:-4 3\nbob:-2 1\n1.5 1.5\n"
    );
}

#[test]
fn in_place_operands_are_read_before_the_other_side_runs() {
    // The right side re-splits: `$1` must be the value it had before.
    let script = "begin\n    do #split(\"1 2\")\n    if $1 eq (\"\" . #split(\"7\"))\n        output \"before: $1\"\n    fi\n    do #split(\"ab c\")\n    if $1 =~ (\"^\" . #split(\"zz\") . \"$\")\n        output \"wrong\"\n    else\n        output \"kept: $1\"\n    fi\n";
    assert_eq!(out(script, ""), "before: 7\nkept: zz\n");
}

#[test]
fn matches_and_comparisons_on_every_kind_of_operand() {
    let script = "init\n    input file \"in.txt\"\n    dat $who 1\n    dat $what $\n    dat $col 1-3\nbegin\n    set $s = \"sshd\"\nrule\n    if $inline =~ \"sshd\\\\[[0-9]+\\\\]\" && $who ne \"x\"\n        output \"a $who $what $col\"\n    fi\n    if $what =~~ \"^$s$\" || $col eq \"bob\"\n        output \"b $who\"\n    fi\n    if $s !~ $what && #innum() >= 2\n        output \"c $what\"\n    fi\nend\n    do #split(\"q r\")\n    if $2 eq \"r\" && $s =~ \"^ss\"\n        output \"d\"\n    fi\n";
    let input = "ann sshd[12] SSHD\nbob cron cron\n";
    assert_eq!(
        out(script, input),
        "a ann SSHD ann\nb ann\nb bob\nc cron\nd\n"
    );
}

#[test]
fn numbers_in_text_print_as_integers_or_six_digits() {
    let script = "begin\n    set #big = 4000000000000000000\n    set #a[#big] = 1\n    set #a[12 / 4] = 1\n    output \"#big \" . -42 . \" \" . 2.5 . \" \" . 1/3\n    foreach #keys($k, #a)\n        output \"key $k\"\n    endforeach\n";
    assert_eq!(
        out(script, ""),
        "4000000000000000000 -42 2.5 0.333333\nkey 4000000000000000000\nkey 3\n"
    );
}

#[test]
fn a_field_count_waits_for_its_first_reading_but_keeps_its_value() {
    let script = "begin\n    set #n = #split(\"a b c\")\n    do #split(\"x\")\n    output \"#n $1\"\n    set #n = #split(\"a b\")\n    set #n = 7\n    do #split(\"x y z\")\n    output #n\n    set #n = #split(\"a b\")\n    unset #n\n    do #split(\"x\")\n    output #defined(#n)\n    set #n = #split(\"a b c\")\n    set #m = #split($[#n])\n    output \"#n #m $1\"\n    set #n = #split(\"p q\")\n    set #n += 1\n    output #n\n";
    assert_eq!(out(script, ""), "3 x\n7\n0\n3 1 c\n3\n");
}

#[test]
fn a_field_count_of_the_line_is_right_on_later_lines_and_in_history() {
    let script = "init\n    input file \"in.txt\"\nrule\n    set #n = #split($inline)\n    if #innum() > 1\n        output @n . \" #n $[#n]\"\n    fi\nend\n    output \"#n $1\"\n";
    assert_eq!(out(script, "a b\nc d e\nf\n"), "2 3 e\n3 1 f\n1 f\n");
}

#[test]
fn patterns_made_of_variables_follow_the_variables() {
    // Eleven patterns cycling through one site (more than it keeps), the
    // same variable set again to an old value, and another site built
    // from two variables that stay unchanged.
    let script = "begin\n    set #n = 0\n    set #m = 0\n    set $d = \"ss\"\n    set $e = \"hd\"\n    for #i = 1 #i <= 40 #i += 1\n        set $a = \"p\" . (#i % 11)\n        if \"p3\" =~ \"^$a$\"\n            set #n += 1\n        fi\n        if \"sshd\" =~~ \"^$d$e\"\n            set #m += 1\n        fi\n    endfor\n    set $a = \"p3\"\n    set $a = \"p3\"\n    if \"p3\" =~ \"^$a$\"\n        set #n += 1\n    fi\n    output \"#n #m\"\n";
    assert_eq!(out(script, ""), "5 40\n");
}

#[test]
fn a_field_count_owed_is_of_its_own_split_and_separators() {
    let script = "begin\n    set #n = #split(\"a:b:c\", \":\")\n    do #split(\"x y\")\n    output \"#n $2\"\n    set #n = #split(\"a b c d\")\n    do #split(\"p:q\", \":\")\n    output \"#n $2\"\n";
    assert_eq!(out(script, ""), "3 y\n4 q\n");
}

#[test]
fn fields_counted_from_the_end_are_found_without_counting() {
    let script = "init\n    input file \"in.txt\"\nrule\n    set #nf = #split($inline)\n    output \"[\" . $[#nf - 1] . \"][\" . $[#nf] . \"]\"\n";
    assert_eq!(
        out(script, "a b c\nx\n p  q \n"),
        "[b][c]\n[x][x]\n[p][q]\n"
    );
    // Once #nf holds a number of its own, it is that number.
    let script = "begin\n    set #nf = #split(\"a b c\")\n    set #nf = 1\n    output $[#nf - 0]\n    set #nf = #split(\"a b c\")\n    output $[#nf - 3]\n";
    assert_eq!(out(script, ""), "a\na b c\n");
}
