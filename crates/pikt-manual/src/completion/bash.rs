//! The bash completion script (for `/usr/share/bash-completion/completions/`).
//!
//! It uses bash-completion's `_filedir` for paths when that is loaded
//! (quoting, `~`), and `compgen` otherwise.

use std::fmt::Write as _;

use super::{banner, sh_quote, Model};

/// The script for `model`'s program.
pub fn script(model: &Model) -> String {
    let f = format!("_{}", model.program);
    let mut out = banner(model, "bash");
    out.push('\n');
    let _ = writeln!(
        out,
        "# What a word opens: a value or a selector's words, and what they name."
    );
    let _ = writeln!(out, "{f}_opens() {{\n    case $1 in");
    for opener in &model.openers {
        let spellings: Vec<String> = opener.spellings.iter().map(|s| sh_quote(s)).collect();
        let _ = writeln!(
            out,
            "        {}) slot={} kind={} ;;",
            spellings.join(" | "),
            if opener.words { "words" } else { "value" },
            opener.action.word()
        );
    }
    out.push_str("        *) return 1 ;;\n    esac\n}\n\n");

    let site: Vec<String> = model.site_options.iter().map(|s| sh_quote(s)).collect();
    let _ = write!(
        out,
        r#"# A word as the program gets it: one level of quotes removed, ~/ as $HOME/.
{f}_word() {{
    local w=$1
    case $w in
        \"*\" | \'*\') w=${{w:1:${{#w}}-2}} ;;
    esac
    [[ $w == "~/"* ]] && w=$HOME/${{w:2}}
    printf '%s' "$w"
}}

# Keeps --piktdir and --host for `piktc --complete`.
{f}_site() {{
    case $1 in
        {site}) site+=("$1" "$({f}_word "$2")") ;;
    esac
}}

# Names from `piktc --complete KIND`, next to this program when it was named by a path.
{f}_names() {{
    local piktc=piktc name
    if [[ ${{COMP_WORDS[0]}} == */* ]]; then
        piktc=$({f}_word "${{COMP_WORDS[0]}}")
        piktc=${{piktc%/*}}/piktc
    fi
    while IFS= read -r name; do
        [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
    done < <(command "$piktc" --complete "$1" "${{site[@]}}" 2>/dev/null)
}}

{f}_values() {{
    case $1 in
        @none) ;;
        @path | @dir)
            if declare -F _filedir >/dev/null; then
                if [[ $1 == @dir ]]; then _filedir -d; else _filedir; fi
            else
                compopt -o filenames 2>/dev/null
                local what=-f
                [[ $1 == @dir ]] && what=-d
                mapfile -t COMPREPLY < <(compgen "$what" -- "$cur")
            fi
            ;;
        *) {f}_names "$1" ;;
    esac
}}

{f}_flags() {{
    local flag
    for flag in \
"#,
        site = if site.is_empty() {
            "''".to_string()
        } else {
            site.join(" | ")
        }
    );
    for (spelling, _) in &model.offered {
        let _ = writeln!(out, "        {} \\", sh_quote(spelling));
    }
    out.push_str(
        r#"        ; do
        [[ $flag == "$cur"* ]] && COMPREPLY+=("$flag")
    done
}

"#,
    );
    let (script_local, script_skip, script_dashdash, script_operand, script_at_cursor, operand) =
        if model.script_operand {
            (
                " script=",
                "        case $script in\n            args) continue ;;\n            file) script=args; continue ;;\n        esac\n",
                "            --) script=file slot=; continue ;;\n",
                "        script=args # the script file: every later word is its own\n",
                "    elif [[ -n $script ]]; then\n        FN_values @path\n",
                "        FN_values @path\n",
            )
        } else {
            ("", "", "", "", "", "        [[ -z $cur ]] && FN_flags\n")
        };
    let body = format!(
        r#"FN() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} slot= kind= opener= word i{script_local}
    local -a site=()
    COMPREPLY=()
    # bash splits `--name=VALUE` at `=`: complete the value after it.
    [[ $cur == = ]] && cur=
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
{script_skip}        if [[ $slot == value ]]; then
            [[ $word == = ]] && continue
            FN_site "$opener" "$word"
            slot=
            continue
        fi
        case $word in
            --*=*) FN_site "${{word%%=*}}" "${{word#*=}}"; slot=; continue ;;
{script_dashdash}            -?* | +[[:alpha:]]*) opener=$word; FN_opens "$word" || slot=; continue ;;
            +?*) [[ $slot != words ]] && {{ slot=; continue; }} ;;
        esac
        [[ $slot == words ]] && continue
{script_operand}    done
    if [[ $slot == value ]]; then
        FN_values "$kind"
{script_at_cursor}    elif [[ $cur == [-+]* ]]; then
        FN_flags
    elif [[ $slot == words ]]; then
        FN_values "$kind"
    else
{operand}    fi
}}

complete -F FN {program}
"#,
        program = model.program,
    );
    out.push_str(&body.replace("FN", &f));
    out
}
