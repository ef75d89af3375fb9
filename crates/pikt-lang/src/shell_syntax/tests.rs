use pikt_source::{FileId, SourceMap};

use super::*;
use crate::{parse_program, ParseMode};

/// The context after `text`.
fn context_after(text: &str) -> ShellContext {
    let mut scanner = ShellScanner::new();
    scanner.feed(text);
    scanner.context()
}

#[test]
fn quotes_decide_the_context() {
    use ShellContext::*;
    for (text, expected) in [
        ("echo ", Words),
        ("echo '", SingleQuoted),
        ("echo 'a b", SingleQuoted),
        ("echo 'a' ", Words),
        ("echo \"", DoubleQuoted),
        ("echo \"it's ", DoubleQuoted),
        ("echo \"a\" '", SingleQuoted),
        ("echo 'say \"", SingleQuoted),
        ("echo \\'", Words),
        ("echo \"\\\"", DoubleQuoted),
        ("echo 'a\\'", Words),
        ("echo '=host: ", SingleQuoted),
        ("echo 'x' | mailx -s '", SingleQuoted),
    ] {
        assert_eq!(context_after(text), expected, "after {text:?}");
    }
}

#[test]
fn expansions_nest() {
    use ShellContext::*;
    for (text, expected) in [
        ("echo $(", Words),
        ("echo \"$(", Words),
        ("echo \"$(cat '", SingleQuoted),
        ("echo \"$(cat ') ", SingleQuoted),
        ("echo \"$(cat 'x') ", DoubleQuoted),
        ("echo $(ls) ", Words),
        ("echo $(ls (a) ", Words),
        ("echo `", Words),
        ("echo \"`", Words),
        ("echo \"`ls` ", DoubleQuoted),
        ("echo ${x:-", Word),
        ("echo \"${x:-", DoubleQuoted),
        ("echo ${x:-a} ", Words),
        ("echo $((", Arithmetic),
        ("echo $((1 + (2 * ", Arithmetic),
        ("echo $((1 + (2 * 3)) ", Arithmetic),
        ("echo $((1)) ", Words),
        ("echo \"$((1)) ", DoubleQuoted),
    ] {
        assert_eq!(context_after(text), expected, "after {text:?}");
    }
}

#[test]
fn unsplit_words() {
    use ShellContext::*;
    for (text, expected) in [
        ("X=", Word),
        ("X=a", Word),
        ("env X=", Word),
        ("X=a ", Words),
        ("a=b=", Word),
        ("1X=", Words),
        ("echo >", Word),
        ("echo > ", Word),
        ("echo >>", Word),
        ("echo 2>&1 ", Words),
        ("echo >/tmp/", Word),
        ("echo >/tmp/x ", Words),
        ("cat <", Word),
        ("case ", Word),
        ("case x in ", Words),
        ("echo case ", Word),
    ] {
        assert_eq!(context_after(text), expected, "after {text:?}");
    }
}

#[test]
fn comments_start_at_words() {
    use ShellContext::*;
    assert_eq!(context_after("# "), Comment);
    assert_eq!(context_after("ls # it's "), Comment);
    assert_eq!(context_after("ls # it's\necho '"), SingleQuoted);
    assert_eq!(context_after("echo a#b "), Words);
    assert_eq!(context_after("echo $# "), Words);
    assert_eq!(context_after("echo '#' "), Words);
}

#[test]
fn here_documents() {
    use ShellContext::*;
    assert_eq!(context_after("cat <<EOF\n"), HereDoc);
    assert_eq!(context_after("cat <<EOF\nit's "), HereDoc);
    assert_eq!(context_after("cat <<EOF\nx\nEOF\necho '"), SingleQuoted);
    assert_eq!(context_after("cat <<'EOF'\n"), QuotedHereDoc);
    assert_eq!(context_after("cat <<\"E\"OF\n"), QuotedHereDoc);
    assert_eq!(context_after("cat <<\\EOF\n"), QuotedHereDoc);
    assert_eq!(context_after("cat <<'EOF'\nx\nEOF\n"), Words);
    assert_eq!(context_after("cat <<-EOF\n\t\tx\n\tEOF\n"), Words);
    assert_eq!(context_after("cat <<EOF\n EOF\n"), HereDoc);
    assert_eq!(context_after("cat <<"), HereDocDelimiter);
    assert_eq!(context_after("cat << "), HereDocDelimiter);
    assert_eq!(context_after("cat <<A <<'B'\na\nA\n"), QuotedHereDoc);
    assert_eq!(context_after("cat <<A <<'B'\na\nA\nb\nB\n"), Words);
    // The body starts at the next newline, after the rest of the line.
    assert_eq!(context_after("cat <<EOF | tr a b '"), SingleQuoted);
}

#[test]
fn a_value_after_a_dollar_or_backslash_needs_a_fixup() {
    let mut scanner = ShellScanner::new();
    scanner.feed("echo $");
    assert_eq!(scanner.before_data(Some('H')), Fixup::EscapeLast);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo \\");
    assert_eq!(scanner.before_data(Some('a')), Fixup::DropLast);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo \\");
    assert_eq!(scanner.before_data(None), Fixup::None);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo \"\\");
    assert_eq!(scanner.before_data(Some('a')), Fixup::AppendBackslash);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo \"\\");
    assert_eq!(scanner.before_data(Some('$')), Fixup::DropLast);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo '\\");
    assert_eq!(scanner.before_data(Some('a')), Fixup::None);
    let mut scanner = ShellScanner::new();
    scanner.feed("echo $(");
    assert_eq!(scanner.before_data(Some('l')), Fixup::None);
    assert_eq!(scanner.context(), ShellContext::Words);
}

#[test]
fn references_keep_the_context() {
    // After a reference written for a value, the text goes on where it was.
    for (before, after) in [
        ("echo '", ShellContext::SingleQuoted),
        ("echo \"", ShellContext::DoubleQuoted),
        ("echo ", ShellContext::Words),
        ("X=", ShellContext::Word),
        ("cat <<EOF\n", ShellContext::HereDoc),
    ] {
        let mut scanner = ShellScanner::new();
        scanner.feed(before);
        let mut text = String::new();
        assert!(write_reference(scanner.context(), "PIKT_DATA_1", &mut text));
        scanner.feed(&text);
        scanner.data_written();
        assert_eq!(scanner.context(), after, "after {before:?}{text}");
    }
    let mut text = String::new();
    assert!(!write_reference(
        ShellContext::QuotedHereDoc,
        "PIKT_DATA_1",
        &mut text
    ));
    assert!(text.is_empty());
}

#[test]
fn deep_nesting_is_bounded() {
    // Frames beyond the bound are not kept (the context stays where it
    // was): no stack or memory grows with the text.
    let text = "$(".repeat(100) + "'";
    assert_eq!(context_after(&text), ShellContext::SingleQuoted);
    for text in ["$(".repeat(100_000), "\"`".repeat(100_000)] {
        let mut scanner = ShellScanner::new();
        scanner.feed(&text);
        assert!(scanner.frames.len() <= MAX_FRAMES);
    }
}

/// The pieces of the first `exec` command of `script`.
fn exec_pieces(script: &str) -> Vec<String> {
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", script);
    let (program, diags) = parse_program(&map, file, ParseMode::Standalone);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let stmt = &program.scripts[0].begin.as_ref().unwrap()[0];
    let crate::ast::StmtKind::Exec { command, .. } = &stmt.kind else {
        panic!("not an exec: {stmt:?}");
    };
    command_pieces(command)
        .into_iter()
        .map(|piece| match piece {
            CommandPiece::Code(code) => format!("code {code:?}"),
            CommandPiece::Data(e) => format!("data {}", map.slice(e.span)),
            CommandPiece::Spliced(e) => format!("spliced {}", map.slice(e.span)),
        })
        .collect()
}

#[test]
fn literal_text_is_code_and_values_are_data() {
    assert_eq!(
        exec_pieces("begin\n    exec wait \"echo '$x' | mail $y[1]\"\n"),
        [
            "code \"echo '\"",
            "data $x",
            "code \"' | mail \"",
            "data $y[1]"
        ]
    );
    assert_eq!(
        exec_pieces("begin\n    exec \"cp \" . $f . \" /x\" . #n\n"),
        ["code \"cp \"", "data $f", "code \" /x\"", "data #n"]
    );
    assert_eq!(exec_pieces("begin\n    exec $cmd\n"), ["data $cmd"]);
    assert_eq!(
        exec_pieces("begin\n    exec \"rm \" . $squote($f) . \" $dquote($g)\"\n"),
        [
            "code \"rm \"",
            "code \"'\"",
            "data $f",
            "code \"'\"",
            "code \" \"",
            "code \"\\\"\"",
            "data $g",
            "code \"\\\"\""
        ]
    );
    assert_eq!(
        exec_pieces("begin\n    exec \"ls \" . $shellcode($opts . \" | wc\")\n"),
        ["code \"ls \"", "spliced $opts . \" | wc\""]
    );
}

#[test]
fn a_long_concatenation_does_not_recurse() {
    let chain = vec!["$x"; 2_000].join(" . ");
    let mut map = SourceMap::new();
    let file = map.add("t.pikt", format!("begin\n    exec {chain}\n"));
    let (program, _) = parse_program(&map, file, ParseMode::Standalone);
    if let Some(stmt) = program
        .scripts
        .first()
        .and_then(|s| s.begin.as_ref())
        .and_then(|b| b.first())
    {
        if let crate::ast::StmtKind::Exec { command, .. } = &stmt.kind {
            assert_eq!(command_pieces(command).len(), 2_000);
        }
    }
    let _ = FileId(0);
}
