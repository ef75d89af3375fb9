//! The fish completion script (`PROGRAM.fish`, for
//! `/usr/share/fish/vendor_completions.d/`). fish matches what it prints
//! against the word being completed itself.

use std::fmt::Write as _;

use super::{banner, Model};

/// `text` in single quotes for fish.
fn fish_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', r"\\").replace('\'', r"\'"))
}

/// The script for `model`'s program.
pub fn script(model: &Model) -> String {
    let f = format!("__{}", model.program);
    let mut out = banner(model, "fish");
    out.push('\n');
    let _ = writeln!(
        out,
        "# What a word opens (`value` or `words`) and what it names."
    );
    let _ = writeln!(out, "function {f}_opens\n    switch $argv[1]");
    for opener in &model.openers {
        let spellings: Vec<String> = opener.spellings.iter().map(|s| fish_quote(s)).collect();
        let _ = writeln!(
            out,
            "        case {}\n            echo {} {}",
            spellings.join(" "),
            if opener.words { "words" } else { "value" },
            opener.action.word()
        );
    }
    out.push_str("        case '*'\n            return 1\n    end\nend\n\n");
    let site: Vec<String> = model.site_options.iter().map(|s| fish_quote(s)).collect();
    let _ = write!(
        out,
        r#"# A word as the program gets it: ~/ as $HOME/.
function {f}_word
    string replace -r -- '^~/' "$HOME/" $argv[1]
end

# KIND CURRENT SITE...: paths, or names from `piktc --complete KIND`,
# next to this program when it was named by a path.
function {f}_values
    set -l kind $argv[1]
    set -l cur $argv[2]
    set -l site $argv[3..-1]
    switch $kind
        case @none
            return 1
        case @path
            __fish_complete_path $cur
        case @dir
            __fish_complete_directories $cur ''
        case '*'
            set -l piktc piktc
            set -l program (commandline -opc)[1]
            if string match -q -- '*/*' $program
                set piktc (string replace -r -- '/[^/]*$' '' ({f}_word $program))/piktc
            end
            command $piktc --complete $kind $site 2>/dev/null
    end
end

function {f}_flags
    printf '%s\t%s\n' \
"#
    );
    let lines: Vec<String> = model
        .offered
        .iter()
        .map(|(spelling, help)| format!("        {} {}", fish_quote(spelling), fish_quote(help)))
        .collect();
    out.push_str(&lines.join(" \\\n"));
    out.push_str("\nend\n\n");
    let site_list = site.join(" ");
    let (script_local, script_skip, script_dashdash, script_operand, script_at_cursor, operand) =
        if model.script_operand {
            (
                "    set -l script ''\n",
                "        switch $script\n            case args\n                continue\n            case file\n                set script args\n                continue\n        end\n",
                "        if test $word = --\n            set script file\n            set slot ''\n            continue\n        end\n",
                "        set script args # the script file: every later word is its own\n",
                "    else if test -n \"$script\"\n        FN_values @path $cur $site\n",
                "        FN_values @path $cur $site\n",
            )
        } else {
            (
                "",
                "",
                "",
                "",
                "",
                "        test -z \"$cur\"; and FN_flags\n",
            )
        };
    let body = format!(
        r#"function FN_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l slot ''
    set -l kind ''
    set -l opener ''
    set -l site
{script_local}    for word in $tokens[2..-1]
{script_skip}        if test "$slot" = value
            if contains -- $opener {site_list}
                set -a site $opener (FN_word $word)
            end
            set slot ''
            continue
        end
        if string match -qr -- '^--[^=]*=' $word
            set -l parts (string split -m1 = -- $word)
            if contains -- $parts[1] {site_list}
                set -a site $parts[1] (FN_word $parts[2])
            end
            set slot ''
            continue
        end
{script_dashdash}        if string match -qr -- '^(-.|\+[[:alpha:]])' $word
            set opener $word
            set -l opens (string split ' ' -- (FN_opens $word))
            set slot $opens[1]
            set kind $opens[2]
            continue
        end
        if string match -qr -- '^\+.' $word; and test "$slot" != words
            set slot ''
            continue
        end
        if test "$slot" = words
            continue
        end
{script_operand}    end
    if test "$slot" = value
        FN_values $kind $cur $site
{script_at_cursor}    else if string match -qr -- '^--[^=]*=' $cur
        # --name=VALUE: complete the value after `=`.
        set -l parts (string split -m1 = -- $cur)
        set -l opens (string split ' ' -- (FN_opens $parts[1]))
        if test "$opens[1]" = value
            for candidate in (FN_values $opens[2] $parts[2] $site)
                printf '%s=%s\n' $parts[1] $candidate
            end
        end
    else if string match -qr -- '^[-+]' $cur
        FN_flags
    else if test "$slot" = words
        FN_values $kind $cur $site
    else
{operand}    end
end

complete -c {program} -f -a '(FN_complete)'
"#,
        program = model.program,
    );
    out.push_str(&body.replace("FN", &f));
    out
}
