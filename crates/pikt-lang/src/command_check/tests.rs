use pikt_source::SourceMap;

use crate::{parse_program, ParseMode};

/// The warnings of `script` (a standalone script), as `line:col message`.
fn warnings(script: &str) -> Vec<String> {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", script);
    let (_, diags) = parse_program(&map, file, ParseMode::Standalone);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    diags
        .iter()
        .map(|d| {
            let span = d.span.unwrap_or_default();
            let (line, col) = map.get(file).line_col(span.start);
            format!("{line}:{col} {} [{}]", d.message, map.slice(span))
        })
        .collect()
}

const INPUT: &str = "init\n    input proc \"ps -eo user,comm\"\n    dat $user 1\n    dat $proc 2\n";

fn with_rule(rule: &str) -> String {
    format!("{INPUT}rule\n{rule}")
}

#[test]
fn the_seeds_commands_are_not_reported() {
    let script = with_rule(
        "    exec wait \"echo 'host: $inline' | mailx -s 'host: $inline' root\"\n    set $arcspool = \"/var/mail/\" . $user\n    do #system(\"cp $arcspool /arc/$user.\" . $text(#now()))\n    do #popen(KILL, \"ps -eo pid,user,comm\", \"r\")\n    if #read(KILL) > 0\n        do #split($readline)\n        exec wait \"kill -9 $1\"\n    fi\n",
    );
    assert_eq!(warnings(&script), Vec::<String>::new());
}

#[test]
fn input_data_outside_quotes_is_reported() {
    let got = warnings(&with_rule(
        "    exec wait \"logger $inline\"\n    exec \"logger '$inline'\"\n",
    ));
    assert_eq!(
        got,
        ["6:23 data read from input is split into words in a command [$inline]"]
    );
}

#[test]
fn taint_follows_assignments_keys_and_functions() {
    let script = with_rule(
        "    set #count[$inline] += 1\n    set $line = $lower($inline)\nend\n    foreach #keys($k, #count)\n        exec \"echo $k\"\n        set $copy = $k\n    endforeach\n    do #system(\"echo \" . $copy)\n    do #system(\"echo \" . $line)\n    do #system(\"echo \" . $command(\"date\"))\n    set $fine = $hostname() . \" \" . $date()\n    do #system(\"echo $fine\")\n    exec \"echo \" . %copy\n",
    );
    assert_eq!(
        warnings(&script),
        [
            "10:20 data read from input is split into words in a command [$k]",
            "13:26 data read from input is split into words in a command [$copy]",
            "14:26 data read from input is split into words in a command [$line]",
            "15:26 data read from input is split into words in a command [$command(\"date\")]",
            "18:20 data read from input is split into words in a command [%copy]",
        ]
    );
}

#[test]
fn fields_split_at_blanks_hold_no_blank() {
    let script = "init\n    input file \"x\"\n    seps \":\"\n    dat $gecos 5\nrule\n    exec \"finger $gecos\"\n    do #split($inline)\n    exec \"kill $2\"\n";
    assert_eq!(
        warnings(script),
        ["6:18 data read from input is split into words in a command [$gecos]"]
    );
    // Split at commas, a field may hold blanks; so may every field of a
    // script that splits anywhere at other characters.
    let script = "init\n    input file \"x\"\nrule\n    do #split($inline)\n    exec \"kill $2\"\n    do #split($inline, \",\")\n    exec \"echo $3\"\n";
    assert_eq!(
        warnings(script),
        [
            "5:16 data read from input is split into words in a command [$2]",
            "7:16 data read from input is split into words in a command [$3]",
        ]
    );
}

#[test]
fn the_opt_out_silences_and_must_stand_in_the_command() {
    let got = warnings(&with_rule(
        "    exec wait \"logger \" . $shellcode($inline)\n    set $c = $shellcode(\"ls | wc\")\n",
    ));
    assert_eq!(
        got,
        ["7:14 `$shellcode` outside a command does nothing [$shellcode(\"ls | wc\")]"]
    );
}

#[test]
fn a_command_that_is_a_value_is_reported() {
    let got = warnings("begin\n    set $cmd = \"ls | wc\"\n    exec $cmd\n    do #system(\"  $cmd\")\n    exec \"ls $cmd\"\n");
    assert_eq!(
        got,
        [
            "3:10 the command is a value [$cmd]",
            "4:19 the command is a value [$cmd]"
        ]
    );
}
