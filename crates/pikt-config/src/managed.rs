//! What programs.cfg and files.cfg have in common: managed files with an
//! option block and exact content (reference §1.10, §1.11).
//!
//! ```text
//! <name>   [path "<filepath>"]
//!          [mode <octal> uid <n> gid <n>]
//!          <content line>
//!          ...
//! ```
//!
//! The option block is the rest of the name line plus the leading body lines
//! whose first word is `path`, `mode`, `uid` or `gid`; each such line holds
//! `key value` pairs. Content starts at the first other line; everything
//! after the first whitespace character of a content line is kept byte for
//! byte (blank lines inside the content are kept, trailing ones dropped).
//!
//! A path must be absolute and free of `.`/`..` components. A name that
//! starts with `/` is its own path.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::stanza::{dedup_stanzas, read_stanzas, BodyLine, Stanza, StanzaRules};
use crate::words::{split_words, Word};

/// The option keywords.
pub const OPTION_KEYS: [&str; 4] = ["path", "mode", "uid", "gid"];

/// Which file is being read, with its defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedRules {
    /// "program" or "file", for messages.
    pub what: &'static str,
    /// Where items without a path go (programs: prgdir); `None` makes `path`
    /// mandatory (files).
    pub default_dir: Option<PathBuf>,
    /// Default permission bits.
    pub default_mode: u32,
}

/// One managed file as rendered for a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedItem {
    /// The stanza identifier.
    pub name: String,
    /// Where it is written.
    pub name_span: Span,
    /// Where the file is installed.
    pub path: PathBuf,
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// The content, each line ending with a newline.
    pub content: String,
}

/// Reads the preprocessed programs.cfg or files.cfg `file`.
pub fn parse_managed(
    map: &SourceMap,
    file: FileId,
    rules: &ManagedRules,
) -> (Vec<ManagedItem>, Vec<Diagnostic>) {
    let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::EXACT);
    let stanzas = dedup_stanzas(map, stanzas, rules.what, &mut diags);
    let mut items: Vec<ManagedItem> = Vec::new();
    let mut paths: HashMap<PathBuf, Span> = HashMap::new();
    for stanza in &stanzas {
        let Some(item) = parse_item(map, stanza, rules, &mut diags) else {
            continue;
        };
        if let Some(first) = paths.get(&item.path) {
            diags.push(same_path(map, &item, *first));
            continue;
        }
        paths.insert(item.path.clone(), item.name_span);
        items.push(item);
    }
    (items, diags)
}

/// "two items install `path`" at `item`, noting the first.
pub fn same_path(map: &SourceMap, item: &ManagedItem, first: Span) -> Diagnostic {
    Diagnostic::error(
        format!("`{}` is installed twice", item.path.display()),
        item.name_span,
    )
    .with_label(format!("`{}` installs it again", item.name))
    .with_note(format!(
        "first installed by the stanza at {}",
        map.location(first)
    ))
}

#[derive(Default)]
struct Options {
    path: Option<(String, Span)>,
    mode: Option<u32>,
    uid: Option<u32>,
    gid: Option<u32>,
    seen: HashMap<String, Span>,
}

fn parse_item(
    map: &SourceMap,
    stanza: &Stanza,
    rules: &ManagedRules,
    diags: &mut Vec<Diagnostic>,
) -> Option<ManagedItem> {
    let mut opts = Options::default();
    let mut ok = option_line(
        map,
        &stanza.head.raw,
        stanza.head.span,
        &mut opts,
        diags,
        true,
    );
    let mut content_start = 0;
    for line in &stanza.body {
        if !is_option_line(line) {
            break;
        }
        ok &= option_line(
            map,
            line.content(),
            line.content_span(),
            &mut opts,
            diags,
            false,
        );
        content_start += 1;
    }
    let path = item_path(stanza, rules, &opts, diags);
    if !ok {
        return None;
    }
    let content = stanza
        .body
        .get(content_start..)
        .unwrap_or(&[])
        .iter()
        .map(|l| format!("{}\n", l.content()))
        .collect();
    Some(ManagedItem {
        name: stanza.name.clone(),
        name_span: stanza.name_span,
        path: path?,
        mode: opts.mode.unwrap_or(rules.default_mode),
        uid: opts.uid.unwrap_or(0),
        gid: opts.gid.unwrap_or(0),
        content,
    })
}

fn is_option_line(line: &BodyLine) -> bool {
    let first = line.content().split_whitespace().next().unwrap_or("");
    OPTION_KEYS.contains(&first)
}

/// Reads `key value` pairs; returns false when anything was wrong.
fn option_line(
    map: &SourceMap,
    text: &str,
    span: Span,
    opts: &mut Options,
    diags: &mut Vec<Diagnostic>,
    is_head: bool,
) -> bool {
    let (words, d) = split_words(text, span);
    let mut ok = d.is_empty();
    diags.extend(d);
    let mut rest = words.as_slice();
    while let Some((key, after)) = rest.split_first() {
        if !OPTION_KEYS.contains(&key.text.as_str()) {
            let message = if is_head {
                format!("unexpected `{}` after the stanza name", key.text)
            } else {
                format!("unknown option `{}`", key.text)
            };
            diags.push(Diagnostic::error(message, key.span).with_help(
                "the name line and the option lines hold `path \"<file>\"`, `mode <octal>`, `uid <n>` and `gid <n>`; content starts on the next line",
            ));
            return false;
        }
        let Some((value, after)) = after.split_first() else {
            diags.push(Diagnostic::error(
                format!("`{}` needs a value", key.text),
                key.span,
            ));
            return false;
        };
        if let Some(first) = opts.seen.get(&key.text) {
            diags.push(
                Diagnostic::error(format!("duplicate option `{}`", key.text), key.span)
                    .with_note(format!("first given at {}", map.location(*first))),
            );
            ok = false;
        } else {
            opts.seen.insert(key.text.clone(), key.span);
            ok &= option_value(key, value, opts, diags);
        }
        rest = after;
    }
    ok
}

fn option_value(key: &Word, value: &Word, opts: &mut Options, diags: &mut Vec<Diagnostic>) -> bool {
    let parsed = match key.text.as_str() {
        "path" => {
            opts.path = Some((value.unquoted().to_string(), value.span));
            Ok(())
        }
        "mode" => parse_mode(value).map(|m| opts.mode = Some(m)),
        "uid" => parse_id(value, "uid").map(|n| opts.uid = Some(n)),
        _ => parse_id(value, "gid").map(|n| opts.gid = Some(n)),
    };
    match parsed {
        Ok(()) => true,
        Err(diag) => {
            diags.push(diag);
            false
        }
    }
}

/// An octal permission: 1 to 4 octal digits, at most 7777.
fn parse_mode(word: &Word) -> Result<u32, Diagnostic> {
    let text = word.text.as_str();
    let ok =
        !text.is_empty() && text.len() <= 4 && text.bytes().all(|b| (b'0'..=b'7').contains(&b));
    match u32::from_str_radix(text, 8) {
        Ok(m) if ok => Ok(m),
        _ => Err(
            Diagnostic::error(format!("invalid mode `{text}`"), word.span)
                .with_help("a mode is an octal number such as `644` or `0755`"),
        ),
    }
}

/// A numeric uid or gid (`4294967295` is chown's "unchanged", so refused).
fn parse_id(word: &Word, what: &str) -> Result<u32, Diagnostic> {
    match word.text.parse::<u32>() {
        Ok(n) if n != u32::MAX && word.text.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(
            Diagnostic::error(format!("invalid {what} `{}`", word.text), word.span)
                .with_help(format!("the {what} is a number, e.g. `{what} 0`")),
        ),
    }
}

/// Where the item goes: `path`, else a `/`-name, else the default dir.
fn item_path(
    stanza: &Stanza,
    rules: &ManagedRules,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Option<PathBuf> {
    let (text, span) = match &opts.path {
        Some((p, s)) => (p.clone(), *s),
        None if stanza.name.starts_with('/') => (stanza.name.clone(), stanza.name_span),
        None => match &rules.default_dir {
            Some(dir) if is_clean_relative(&stanza.name) => return Some(dir.join(&stanza.name)),
            Some(_) => {
                diags.push(
                    Diagnostic::error(
                        format!("invalid {} name `{}`", rules.what, stanza.name),
                        stanza.name_span,
                    )
                    .with_help("a relative name may not contain `.` or `..` components"),
                );
                return None;
            }
            None => {
                diags.push(
                    Diagnostic::error(format!("{} `{}` has no path", rules.what, stanza.name), stanza.name_span)
                        .with_help("add `path \"/full/path\"` after the name, or use the full path as the name"),
                );
                return None;
            }
        },
    };
    let path = PathBuf::from(&text);
    if is_clean_absolute(&path) {
        Some(path)
    } else {
        diags.push(
            Diagnostic::error(format!("invalid path `{text}`"), span).with_help(
                "paths are absolute (`/...`), with no `.` or `..` components and no trailing `/`",
            ),
        );
        None
    }
}

fn is_clean_absolute(path: &Path) -> bool {
    let text = path.as_os_str().as_encoded_bytes();
    path.is_absolute()
        && text.len() > 1
        && !text.ends_with(b"/")
        && !text.contains(&0)
        && path
            .components()
            .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
        && !has_dot_component(text)
}

fn is_clean_relative(name: &str) -> bool {
    !name.is_empty()
        && !name.ends_with('/')
        && !has_dot_component(name.as_bytes())
        && !name.contains("//")
}

/// `Path::components` hides `.` components, so look at the bytes.
fn has_dot_component(text: &[u8]) -> bool {
    text.split(|&b| b == b'/').any(|c| c == b"." || c == b"..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pikt_source::render;

    fn programs() -> ManagedRules {
        ManagedRules {
            what: "program",
            default_dir: Some(PathBuf::from("/pikt/lib/programs")),
            default_mode: 0o755,
        }
    }

    fn files() -> ManagedRules {
        ManagedRules {
            what: "file",
            default_dir: None,
            default_mode: 0o640,
        }
    }

    fn parse(text: &str, rules: &ManagedRules) -> (SourceMap, Vec<ManagedItem>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let id = map.add(
            if rules.default_dir.is_some() {
                "programs.cfg"
            } else {
                "files.cfg"
            },
            text,
        );
        let (items, diags) = parse_managed(&map, id, rules);
        (map, items, diags)
    }

    #[test]
    fn program_defaults_and_exact_content() {
        let (_, items, diags) = parse(
            "check.sh\n\t#!/bin/sh\n\t  echo hi\n\n\texit 0\n\n",
            &programs(),
        );
        assert!(diags.is_empty(), "{diags:?}");
        let p = &items[0];
        assert_eq!(p.path, PathBuf::from("/pikt/lib/programs/check.sh"));
        assert_eq!((p.mode, p.uid, p.gid), (0o755, 0, 0));
        assert_eq!(p.content, "#!/bin/sh\n  echo hi\n\nexit 0\n");
    }

    #[test]
    fn options_on_the_name_line_and_option_lines() {
        let text =
            "motd path \"/etc/motd\"\n\tmode 644 uid 0\n\tgid 12\n\tWelcome\n/etc/issue\n\tHello\n";
        let (_, items, diags) = parse(text, &files());
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(items[0].path, PathBuf::from("/etc/motd"));
        assert_eq!((items[0].mode, items[0].uid, items[0].gid), (0o644, 0, 12));
        assert_eq!(items[0].content, "Welcome\n");
        assert_eq!(items[1].path, PathBuf::from("/etc/issue"));
        assert_eq!(items[1].mode, 0o640);
    }

    #[test]
    fn file_without_path_is_an_error() {
        let (map, items, diags) = parse("motd\n\tWelcome\n", &files());
        assert!(items.is_empty());
        assert_eq!(
            render(&map, &diags[0]),
            "error: file `motd` has no path\n --> files.cfg:1:1\n  |\n1 | motd\n  | ^^^^\n  = help: add `path \"/full/path\"` after the name, or use the full path as the name\n"
        );
    }

    #[test]
    fn bad_mode_uid_and_path() {
        let (map, items, diags) = parse(
            "a path \"/x\" mode 0855\nb path \"rel/x\"\nc path \"/x/../y\" uid root\n",
            &files(),
        );
        assert!(items.is_empty());
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "invalid mode `0855`",
                "invalid path `rel/x`",
                "invalid uid `root`",
                "invalid path `/x/../y`"
            ]
        );
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "files.cfg:1:18"
        );
    }

    #[test]
    fn two_items_with_one_path() {
        let (map, items, diags) = parse("a path \"/etc/x\"\nb path \"/etc/x\"\n", &files());
        assert_eq!(items.len(), 1);
        assert_eq!(
            render(&map, &diags[0]),
            "error: `/etc/x` is installed twice\n --> files.cfg:2:1\n  |\n2 | b path \"/etc/x\"\n  | ^ `b` installs it again\n  = note: first installed by the stanza at files.cfg:1:1\n"
        );
    }

    #[test]
    fn text_after_the_name_must_be_options() {
        let (_, _, diags) = parse("a echo hi\n", &programs());
        assert_eq!(diags[0].message, "unexpected `echo` after the stanza name");
    }
}
