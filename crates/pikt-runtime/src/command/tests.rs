use super::*;

/// A command of code and data pieces: `Ok` code, `Err` data (a value).
fn build(pieces: &[Result<&str, &str>]) -> CommandLine {
    let mut line = CommandLine::new();
    for piece in pieces {
        match piece {
            Ok(code) => line.code(code),
            Err(value) => line.data(value).unwrap(),
        }
    }
    line
}

fn parts(line: &CommandLine) -> (&str, Vec<&str>, &str) {
    (
        line.text(),
        line.values().iter().map(String::as_str).collect(),
        line.shown(),
    )
}

#[test]
fn the_seeds_page_command_is_shown_as_it_was() {
    let inline = "    404 chico imapd";
    let line = build(&[
        Ok("echo 'moscow: "),
        Err(inline),
        Ok("' | mailx -s 'moscow: "),
        Err(inline),
        Ok("' root"),
    ]);
    assert_eq!(
        parts(&line),
        (
            "echo 'moscow: '\"${PIKT_DATA_1}\"'' | mailx -s 'moscow: '\"${PIKT_DATA_2}\"'' root",
            vec![inline, inline],
            "echo 'moscow:     404 chico imapd' | mailx -s 'moscow:     404 chico imapd' root",
        )
    );
    assert!(line.as_shell(CommandUse::Exec).shown_exact);
}

#[test]
fn hostile_values_stay_data_in_every_context() {
    let hostile = "';id;'$(id)`id`\"|&\n";
    let line = build(&[Ok("echo '"), Err(hostile), Ok("'")]);
    assert_eq!(line.text(), "echo ''\"${PIKT_DATA_1}\"''");
    assert_eq!(line.shown(), "echo ''\\'';id;'\\''$(id)`id`\"|&\n'");
    let line = build(&[Ok("echo \""), Err(hostile), Ok("\"")]);
    assert_eq!(line.text(), "echo \"${PIKT_DATA_1}\"");
    assert_eq!(line.shown(), "echo \"';id;'\\$(id)\\`id\\`\\\"|&\n\"");
    let line = build(&[Ok("kill -9 "), Err(hostile)]);
    assert_eq!(line.text(), "kill -9 \"${PIKT_DATA_1}\" ");
    assert_eq!(line.values(), ["';id;'$(id)`id`\"|&"]);
    assert_eq!(line.shown(), "kill -9 ''\\'';id;'\\''$(id)`id`\"|&' ");
}

#[test]
fn outside_quotes_a_value_is_split_at_blanks_only() {
    let line = build(&[Ok("ls "), Err("-l  /tmp/*\t x"), Ok(" end")]);
    assert_eq!(
        parts(&line),
        (
            "ls \"${PIKT_DATA_1}\" \"${PIKT_DATA_2}\" \"${PIKT_DATA_3}\" end",
            vec!["-l", "/tmp/*", "x"],
            "ls -l '/tmp/*' x end",
        )
    );
    // Joined to the code around it, as the shell joins them.
    let line = build(&[Ok("cp pre"), Err(" a b "), Ok(".bak")]);
    assert_eq!(
        line.text(),
        "cp pre \"${PIKT_DATA_1}\" \"${PIKT_DATA_2}\" .bak"
    );
    let line = build(&[Ok("cp pre"), Err("a b"), Ok(".bak")]);
    assert_eq!(
        line.text(),
        "cp pre\"${PIKT_DATA_1}\" \"${PIKT_DATA_2}\".bak"
    );
    assert_eq!(line.shown(), "cp prea b.bak");
    // Blanks alone separate; nothing makes no word.
    assert_eq!(build(&[Ok("a"), Err("  "), Ok("b")]).text(), "a b");
    assert_eq!(build(&[Ok("a"), Err(""), Ok("b")]).text(), "ab");
}

#[test]
fn unsplit_words_get_one_reference() {
    let line = build(&[Ok("X="), Err("a b"), Ok(" cmd >"), Err("/tmp/x y")]);
    assert_eq!(line.text(), "X=\"${PIKT_DATA_1}\" cmd >\"${PIKT_DATA_2}\"");
    assert_eq!(line.shown(), "X='a b' cmd >'/tmp/x y'");
}

#[test]
fn arithmetic_takes_whole_numbers_only() {
    let line = build(&[Ok("echo $(( "), Err(" -12 "), Ok(" + 1 ))")]);
    assert_eq!(line.text(), "echo $(( ${PIKT_DATA_1} + 1 ))");
    let mut line = CommandLine::of_code("echo $((");
    assert_eq!(
        line.data("a[$(id)]"),
        Err(DataRefused::NotANumber("a[$(id)]".into()))
    );
    assert_eq!(
        line.data("1.5").unwrap_err().to_string(),
        "the value `1.5` stands in an arithmetic expansion and is not a whole number"
    );
}

#[test]
fn values_are_refused_where_the_shell_expands_nothing() {
    let mut line = CommandLine::of_code("cat <<'EOF'\n");
    assert_eq!(
        line.data("x\nEOF\nid"),
        Err(DataRefused::NoPlace(ShellContext::QuotedHereDoc))
    );
    let mut line = CommandLine::of_code("cat <<");
    assert!(line.data("EOF").is_err());
    let mut line = CommandLine::of_code("echo ");
    assert_eq!(line.data("a\0b"), Err(DataRefused::Nul));
    // A here-document with an unquoted delimiter expands values; a value
    // line is never the delimiter line.
    let line = build(&[Ok("cat <<EOF\n"), Err("EOF"), Ok("\nEOF\n")]);
    assert_eq!(line.text(), "cat <<EOF\n${PIKT_DATA_1}\nEOF\n");
    assert_eq!(line.shown(), "cat <<EOF\nEOF\nEOF\n");
}

#[test]
fn a_dollar_or_backslash_before_a_value_stays_literal() {
    let line = build(&[Ok("echo $"), Err("HOME")]);
    assert_eq!(line.text(), "echo \\$\"${PIKT_DATA_1}\"");
    assert_eq!(line.shown(), "echo \\$HOME");
    let line = build(&[Ok("echo \\"), Err("x")]);
    assert_eq!(line.text(), "echo \"${PIKT_DATA_1}\"");
    let line = build(&[Ok("echo \"\\"), Err("x"), Ok("\"")]);
    assert_eq!(line.text(), "echo \"\\\\${PIKT_DATA_1}\"");
    let line = build(&[Ok("echo \"\\"), Err("$x"), Ok("\"")]);
    assert_eq!(line.text(), "echo \"${PIKT_DATA_1}\"");
}

#[test]
fn values_in_backquotes_comments_or_here_documents_are_not_shown_exactly() {
    let line = build(&[Ok("echo `echo "), Err("a"), Ok("`")]);
    assert_eq!(line.text(), "echo `echo \"${PIKT_DATA_1}\"`");
    assert!(!line.as_shell(CommandUse::Exec).shown_exact);
    let line = build(&[Ok("true # "), Err("x\nid")]);
    assert!(!line.as_shell(CommandUse::Exec).shown_exact);
    // In place, `EOF` would be the delimiter line.
    let line = build(&[Ok("cat <<EOF\n"), Err("EOF"), Ok("\nEOF\n")]);
    assert!(!line.as_shell(CommandUse::Exec).shown_exact);
    let line = build(&[Ok("echo $(echo "), Err("a"), Ok(")")]);
    assert!(line.as_shell(CommandUse::Exec).shown_exact);
}

#[test]
fn environment_names_follow_the_values() {
    let line = build(&[Ok("echo "), Err("a b"), Ok(" '"), Err("c"), Ok("'")]);
    let shell = line.as_shell(CommandUse::Exec);
    let env: Vec<(String, &str)> = shell.environment().collect();
    assert_eq!(
        env,
        [
            ("PIKT_DATA_1".to_string(), "a"),
            ("PIKT_DATA_2".to_string(), "b"),
            ("PIKT_DATA_3".to_string(), "c"),
        ]
    );
}
