//! The zsh completion function (`_PROGRAM`, for `/usr/share/zsh/vendor-completions/`).

use std::fmt::Write as _;

use super::{banner, sh_quote, Model};

/// The file `_PROGRAM` for `model`'s program.
pub fn script(model: &Model) -> String {
    let f = format!("_{}", model.program);
    let mut out = format!("#compdef {}\n", model.program);
    out.push_str(&banner(model, "zsh"));
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
            "        ({}) slot={} kind={} ;;",
            spellings.join("|"),
            if opener.words { "words" } else { "value" },
            opener.action.word()
        );
    }
    out.push_str("        (*) return 1 ;;\n    esac\n}\n\n");
    let site: Vec<String> = model.site_options.iter().map(|s| sh_quote(s)).collect();
    let _ = write!(
        out,
        r#"# A word as the program gets it: quotes removed, ~/ as $HOME/ (in REPLY).
{f}_word() {{
    REPLY=${{(Q)1}}
    [[ $REPLY == '~/'* ]] && REPLY=$HOME/${{REPLY#'~/'}}
}}

# Keeps --piktdir and --host for `piktc --complete`.
{f}_site() {{
    case $1 in
        ({site}) {f}_word "$2"; site+=("$1" "$REPLY") ;;
    esac
}}

{f}_values() {{
    case $1 in
        (@none) return 1 ;;
        (@path) _files ;;
        (@dir) _files -/ ;;
        (*)
            # Names from `piktc --complete KIND`, next to this program when it was named by a path.
            local piktc=piktc
            local -a names
            if [[ $words[1] == */* ]]; then
                {f}_word "$words[1]"
                piktc=${{REPLY:h}}/piktc
            fi
            names=(${{(f)"$(command "$piktc" --complete "$1" "${{site[@]}}" 2>/dev/null)"}})
            compadd -a names
            ;;
    esac
}}

{f}_flags() {{
    local -a flags
    flags=(
"#,
        site = if site.is_empty() {
            "''".to_string()
        } else {
            site.join("|")
        }
    );
    for (spelling, help) in &model.offered {
        let _ = writeln!(
            out,
            "        {}",
            sh_quote(&format!("{}:{help}", spelling.replace(':', r"\:")))
        );
    }
    out.push_str("    )\n    _describe -t options option flags\n}\n\n");
    let (script_local, script_skip, script_dashdash, script_operand, script_at_cursor, operand) =
        if model.script_operand {
            (
                " script=",
                "        case $script in\n            (args) continue ;;\n            (file) script=args; continue ;;\n        esac\n",
                "            (--) script=file slot=; continue ;;\n",
                "        script=args # the script file: every later word is its own\n",
                "    if [[ -n $script ]]; then\n        FN_values @path\n        return\n    fi\n",
                "    FN_values @path\n",
            )
        } else {
            ("", "", "", "", "", "    [[ -z $PREFIX ]] && FN_flags\n")
        };
    let body = format!(
        r#"FN() {{
    local slot= kind= opener= word REPLY{script_local}
    local -a site
    local -i i
    for (( i = 2; i < CURRENT; i++ )); do
        word=$words[i]
{script_skip}        if [[ $slot == value ]]; then
            FN_site "$opener" "$word"
            slot=
            continue
        fi
        case $word in
            (--*=*) FN_site "${{word%%=*}}" "${{word#*=}}"; slot=; continue ;;
{script_dashdash}            (-?*|+[[:alpha:]]*) opener=$word; FN_opens "$word" || slot=; continue ;;
            (+?*) [[ $slot != words ]] && {{ slot=; continue }} ;;
        esac
        [[ $slot == words ]] && continue
{script_operand}    done
    if [[ $slot == value ]]; then
        FN_values "$kind"
        return
    fi
{script_at_cursor}    if [[ $PREFIX == --*=* ]]; then
        # --name=VALUE: complete the value after `=`.
        FN_opens "${{PREFIX%%=*}}" && [[ $slot == value ]] || return 1
        compset -P '*='
        FN_values "$kind"
        return
    fi
    if [[ $PREFIX == [-+]* ]]; then
        FN_flags
        return
    fi
    if [[ $slot == words ]]; then
        FN_values "$kind"
        return
    fi
{operand}}}

FN "$@"
"#
    );
    out.push_str(&body.replace("FN", &f));
    out
}
