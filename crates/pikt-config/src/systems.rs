//! systems.cfg: hosts grouped by OS, host aliases, and host groups (reference §1.4).
//!
//! ```text
//! <osname>   hosts    <host> <host> ...
//! <host>     aliases  <alias> <alias> ...
//! <group>    members  <host|alias|group|osname> ...
//! ```
//!
//! All `hosts` stanzas come first, then `aliases`, then `members`. Every name
//! (OS, host, alias, group) lives in one namespace and is declared once.
//! Groups may contain groups declared anywhere in the file; a group that
//! contains itself, directly or through others, is an error.
//!
//! The model answers the two questions piktc asks: which names are true for a
//! host (its [`HostFacts`] for `#if`), and which hosts a `+H`/`-H` name denotes.

use std::collections::{BTreeMap, BTreeSet};

use pikt_preproc::HostFacts;
use pikt_source::{Diagnostic, FileId, SourceMap, Span};

use crate::stanza::{duplicate, is_identifier, read_stanzas, StanzaRules};
use crate::words::{did_you_mean, split_words, Word};

/// What a systems.cfg name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameKind {
    /// An operating system name (a `hosts` stanza).
    Os,
    /// A host.
    Host,
    /// An alias of a host.
    Alias,
    /// A group (a `members` stanza).
    Group,
}

impl NameKind {
    fn noun(self) -> &'static str {
        match self {
            NameKind::Os => "os name",
            NameKind::Host => "host",
            NameKind::Alias => "alias",
            NameKind::Group => "group",
        }
    }
}

/// One declared name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    /// What it is.
    pub kind: NameKind,
    /// Where it is declared.
    pub span: Span,
}

/// The model of systems.cfg.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Systems {
    /// Every name, with its kind and declaration.
    names: BTreeMap<String, Declared>,
    /// Hosts in declaration order.
    hosts: Vec<String>,
    /// host -> its OS name.
    os_of: BTreeMap<String, String>,
    /// host -> its aliases, in order.
    aliases_of: BTreeMap<String, Vec<String>>,
    /// alias -> its host.
    host_of_alias: BTreeMap<String, String>,
    /// os name -> its hosts, in order.
    os_hosts: BTreeMap<String, Vec<String>>,
    /// group -> its members as written, in order.
    members: BTreeMap<String, Vec<String>>,
}

/// The three stanza kinds in their required order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Hosts,
    Aliases,
    Members,
}

impl Section {
    fn keyword(self) -> &'static str {
        match self {
            Section::Hosts => "hosts",
            Section::Aliases => "aliases",
            Section::Members => "members",
        }
    }
}

const KEYWORDS: [&str; 3] = ["hosts", "aliases", "members"];

impl Systems {
    /// Reads the preprocessed systems.cfg `file`.
    pub fn parse(map: &SourceMap, file: FileId) -> (Systems, Vec<Diagnostic>) {
        let (stanzas, mut diags) = read_stanzas(map, file, StanzaRules::PLAIN);
        let mut builder = Builder {
            map,
            systems: Systems::default(),
            diags: Vec::new(),
            latest: None,
            group_spans: BTreeMap::new(),
            alias_heads: BTreeMap::new(),
        };
        for stanza in &stanzas {
            let mut words = Vec::new();
            for line in stanza.lines() {
                let (w, d) = split_words(line.content(), line.content_span());
                words.extend(w);
                diags.extend(d);
            }
            builder.stanza(&stanza.name, stanza.name_span, &words);
        }
        builder.check_members();
        diags.extend(builder.diags);
        (builder.systems, diags)
    }

    /// Every host, in declaration order.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// What `name` is, when it is declared.
    pub fn kind_of(&self, name: &str) -> Option<NameKind> {
        self.names.get(name).map(|d| d.kind)
    }

    /// Where `name` is declared.
    pub fn declared(&self, name: &str) -> Option<&Declared> {
        self.names.get(name)
    }

    /// Every declared name, sorted.
    pub fn names(&self) -> impl Iterator<Item = (&str, &Declared)> {
        self.names.iter().map(|(n, d)| (n.as_str(), d))
    }

    /// The OS name of `host`.
    pub fn os_of(&self, host: &str) -> Option<&str> {
        self.os_of.get(host).map(String::as_str)
    }

    /// The aliases of `host`.
    pub fn aliases_of(&self, host: &str) -> &[String] {
        self.aliases_of.get(host).map_or(&[], Vec::as_slice)
    }

    /// The members of `group` as written.
    pub fn members_of(&self, group: &str) -> &[String] {
        self.members.get(group).map_or(&[], Vec::as_slice)
    }

    /// The hosts `name` denotes, in declaration order: a host itself, the
    /// host of an alias, the hosts of an OS, or every host a group contains
    /// (recursively). `all` denotes every host. `None` for an unknown name.
    pub fn expand(&self, name: &str) -> Option<Vec<String>> {
        if name == "all" {
            return Some(self.hosts.clone());
        }
        self.kind_of(name)?;
        let mut found = BTreeSet::new();
        self.collect_hosts(name, &mut found, &mut BTreeSet::new());
        Some(self.in_host_order(&found))
    }

    fn collect_hosts<'s>(
        &'s self,
        name: &'s str,
        out: &mut BTreeSet<&'s str>,
        seen: &mut BTreeSet<&'s str>,
    ) {
        if !seen.insert(name) {
            return;
        }
        match self.kind_of(name) {
            Some(NameKind::Host) => {
                out.insert(name);
            }
            Some(NameKind::Alias) => {
                if let Some(host) = self.host_of_alias.get(name) {
                    out.insert(host);
                }
            }
            Some(NameKind::Os) => {
                out.extend(
                    self.os_hosts
                        .get(name)
                        .into_iter()
                        .flatten()
                        .map(String::as_str),
                );
            }
            Some(NameKind::Group) => {
                for member in self.members_of(name) {
                    self.collect_hosts(member, out, seen);
                }
            }
            None => {}
        }
    }

    fn in_host_order(&self, set: &BTreeSet<&str>) -> Vec<String> {
        self.hosts
            .iter()
            .filter(|h| set.contains(h.as_str()))
            .cloned()
            .collect()
    }

    /// Every name true for `host`: itself, its aliases, its OS, and every
    /// group containing any of those (transitively). `None` for a name that
    /// is not a registered host.
    pub fn classes_of(&self, host: &str) -> Option<BTreeSet<String>> {
        if self.kind_of(host) != Some(NameKind::Host) {
            return None;
        }
        let mut classes: BTreeSet<String> = BTreeSet::new();
        classes.insert(host.to_string());
        classes.extend(self.aliases_of(host).iter().cloned());
        if let Some(os) = self.os_of(host) {
            classes.insert(os.to_string());
        }
        // Grow to a fixed point: a group is true when any member is.
        loop {
            let before = classes.len();
            for (group, members) in &self.members {
                if !classes.contains(group) && members.iter().any(|m| classes.contains(m)) {
                    classes.insert(group.clone());
                }
            }
            if classes.len() == before {
                break;
            }
        }
        Some(classes)
    }

    /// The `#if` facts of `host` (see [`Systems::classes_of`]); every declared
    /// name is `known`. An unregistered host gets only its own name.
    pub fn facts(&self, host: &str) -> HostFacts {
        let classes = self.classes_of(host).unwrap_or_default();
        let mut facts = HostFacts::new(host, classes);
        facts.known.extend(self.names.keys().cloned());
        facts
    }

    /// Applies `+H`/`-H` selections in order, starting from nothing: `+H x`
    /// adds the hosts `x` denotes, `-H x` removes them. Unknown names are
    /// returned in the error list (as written).
    pub fn select(&self, selections: &[(bool, String)]) -> (Vec<String>, Vec<String>) {
        let mut chosen: BTreeSet<String> = BTreeSet::new();
        let mut unknown = Vec::new();
        for (add, name) in selections {
            match self.expand(name) {
                Some(hosts) if *add => chosen.extend(hosts),
                Some(hosts) => {
                    for h in hosts {
                        chosen.remove(&h);
                    }
                }
                None => unknown.push(name.clone()),
            }
        }
        let set: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
        (self.in_host_order(&set), unknown)
    }

    /// A suggestion for a misspelt name.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        did_you_mean(name, self.names.keys().map(String::as_str))
    }
}

struct Builder<'m> {
    map: &'m SourceMap,
    systems: Systems,
    diags: Vec<Diagnostic>,
    /// The latest section seen, with the span of its first stanza.
    latest: Option<(Section, Span)>,
    /// group -> (span of its identifier, members as words) for later checks.
    group_spans: BTreeMap<String, (Span, Vec<Word>)>,
    /// host -> span of the identifier of its `aliases` stanza.
    alias_heads: BTreeMap<String, Span>,
}

impl Builder<'_> {
    fn stanza(&mut self, name: &str, name_span: Span, words: &[Word]) {
        let Some((keyword, items)) = words.split_first() else {
            self.diags.push(
                Diagnostic::error(format!("stanza `{name}` has no keyword"), name_span)
                    .with_help("expected `hosts`, `aliases` or `members` after the name"),
            );
            return;
        };
        let section = match keyword.text.as_str() {
            "hosts" => Section::Hosts,
            "aliases" => Section::Aliases,
            "members" => Section::Members,
            other => {
                let mut diag = Diagnostic::error(
                    format!("unknown systems.cfg keyword `{other}`"),
                    keyword.span,
                )
                .with_label("expected `hosts`, `aliases` or `members`");
                if let Some(s) = did_you_mean(other, KEYWORDS) {
                    diag = diag.with_help(format!("did you mean `{s}`?"));
                }
                self.diags.push(diag);
                return;
            }
        };
        self.check_order(section, keyword);
        let items = self.valid_names(items);
        match section {
            Section::Hosts => self.hosts_stanza(name, name_span, &items),
            Section::Aliases => self.aliases_stanza(name, name_span, &items),
            Section::Members => self.members_stanza(name, name_span, items),
        }
    }

    /// hosts -> aliases -> members; going back is an error.
    fn check_order(&mut self, section: Section, keyword: &Word) {
        match self.latest {
            Some((latest, first)) if section < latest => {
                self.diags.push(
                    Diagnostic::error(
                        format!(
                            "`{}` stanza after `{}` stanzas",
                            section.keyword(),
                            latest.keyword()
                        ),
                        keyword.span,
                    )
                    .with_note(format!(
                        "the first `{}` stanza is at {}",
                        latest.keyword(),
                        self.map.location(first)
                    ))
                    .with_help(
                        "systems.cfg lists all `hosts` stanzas, then `aliases`, then `members`",
                    ),
                );
            }
            Some((latest, _)) if section == latest => {}
            _ => self.latest = Some((section, keyword.span)),
        }
    }

    fn valid_names(&mut self, items: &[Word]) -> Vec<Word> {
        let mut ok = Vec::new();
        for word in items {
            if is_identifier(&word.text) {
                ok.push(word.clone());
            } else {
                self.diags.push(
                    Diagnostic::error(format!("invalid name `{}`", word.text), word.span)
                        .with_help(
                        "names start with a letter and contain letters, digits, `-`, `_` and `.`",
                    ),
                );
            }
        }
        ok
    }

    /// Declares `name`; reports a clash with an earlier declaration.
    fn declare(&mut self, name: &str, span: Span, kind: NameKind) -> bool {
        if let Some(first) = self.systems.names.get(name) {
            let what = if first.kind == kind {
                format!("duplicate {} `{name}`", kind.noun())
            } else {
                format!(
                    "{} `{name}` is already declared as {} {}",
                    kind.noun(),
                    article(first.kind),
                    first.kind.noun()
                )
            };
            self.diags.push(
                Diagnostic::error(what, span)
                    .with_label("declared again here")
                    .with_note(format!(
                        "first declared at {}",
                        self.map.location(first.span)
                    )),
            );
            return false;
        }
        self.systems
            .names
            .insert(name.to_string(), Declared { kind, span });
        true
    }

    fn hosts_stanza(&mut self, os: &str, os_span: Span, hosts: &[Word]) {
        if !self.declare(os, os_span, NameKind::Os) {
            return;
        }
        let mut list = Vec::new();
        for host in hosts {
            if self.declare(&host.text, host.span, NameKind::Host) {
                self.systems.hosts.push(host.text.clone());
                self.systems.os_of.insert(host.text.clone(), os.to_string());
                list.push(host.text.clone());
            }
        }
        self.systems.os_hosts.insert(os.to_string(), list);
    }

    fn aliases_stanza(&mut self, host: &str, host_span: Span, aliases: &[Word]) {
        match self.systems.names.get(host).map(|d| d.kind) {
            Some(NameKind::Host) => {}
            Some(kind) => {
                self.diags.push(
                    Diagnostic::error(
                        format!("`{host}` is {} {}, not a host", article(kind), kind.noun()),
                        host_span,
                    )
                    .with_help("an `aliases` stanza is named after a registered host"),
                );
                return;
            }
            None => {
                let mut diag = Diagnostic::error(format!("unknown host `{host}`"), host_span)
                    .with_help("register the host in a `hosts` stanza before giving it aliases");
                if let Some(s) = self.systems.suggest(host) {
                    diag = diag.with_note(format!("did you mean `{s}`?"));
                }
                self.diags.push(diag);
                return;
            }
        }
        if let Some(first) = self.alias_heads.get(host) {
            self.diags.push(duplicate(
                self.map,
                "aliases stanza for host",
                host,
                host_span,
                *first,
            ));
            return;
        }
        self.alias_heads.insert(host.to_string(), host_span);
        let mut list = Vec::new();
        for alias in aliases {
            if self.declare(&alias.text, alias.span, NameKind::Alias) {
                self.systems
                    .host_of_alias
                    .insert(alias.text.clone(), host.to_string());
                list.push(alias.text.clone());
            }
        }
        self.systems.aliases_of.insert(host.to_string(), list);
    }

    fn members_stanza(&mut self, group: &str, group_span: Span, members: Vec<Word>) {
        if !self.declare(group, group_span, NameKind::Group) {
            return;
        }
        self.systems.members.insert(
            group.to_string(),
            members.iter().map(|w| w.text.clone()).collect(),
        );
        self.group_spans
            .insert(group.to_string(), (group_span, members));
    }

    /// After the whole file: unknown members and cycles.
    fn check_members(&mut self) {
        let groups: Vec<(String, Span, Vec<Word>)> = self
            .group_spans
            .iter()
            .map(|(g, (s, m))| (g.clone(), *s, m.clone()))
            .collect();
        for (group, _, members) in &groups {
            for member in members {
                if self.systems.names.contains_key(&member.text) {
                    continue;
                }
                let mut diag = Diagnostic::error(
                    format!("unknown name `{}` in members of `{group}`", member.text),
                    member.span,
                )
                .with_help(
                    "members are hosts, aliases, groups or os names declared in systems.cfg",
                );
                if let Some(s) = self.systems.suggest(&member.text) {
                    diag = diag.with_note(format!("did you mean `{s}`?"));
                }
                self.diags.push(diag);
            }
        }
        self.check_cycles(&groups);
    }

    /// Reports each cycle once, at the member that closes it.
    fn check_cycles(&mut self, groups: &[(String, Span, Vec<Word>)]) {
        let mut reported: BTreeSet<String> = BTreeSet::new();
        for (group, _, _) in groups {
            if reported.contains(group) {
                continue;
            }
            if let Some(path) = self.cycle_from(group) {
                reported.extend(path.iter().cloned());
                let last = path
                    .get(path.len().saturating_sub(2))
                    .cloned()
                    .unwrap_or_default();
                let span = groups
                    .iter()
                    .find(|(g, _, _)| *g == last)
                    .and_then(|(_, _, m)| m.iter().find(|w| w.text == *group))
                    .map_or_else(
                        || {
                            self.systems
                                .names
                                .get(group)
                                .map(|d| d.span)
                                .unwrap_or_default()
                        },
                        |w| w.span,
                    );
                self.diags.push(
                    Diagnostic::error(format!("group `{group}` contains itself"), span)
                        .with_note(format!("cycle: {}", path.join(" -> "))),
                );
            }
        }
    }

    /// A path group -> ... -> group through members, if there is one.
    fn cycle_from(&self, start: &str) -> Option<Vec<String>> {
        let mut path = vec![start.to_string()];
        let mut visited = BTreeSet::new();
        if self.dfs(start, start, &mut path, &mut visited) {
            Some(path)
        } else {
            None
        }
    }

    fn dfs(
        &self,
        start: &str,
        at: &str,
        path: &mut Vec<String>,
        visited: &mut BTreeSet<String>,
    ) -> bool {
        for member in self.systems.members_of(at) {
            if member == start {
                path.push(start.to_string());
                return true;
            }
            if self.systems.kind_of(member) == Some(NameKind::Group)
                && visited.insert(member.clone())
            {
                path.push(member.clone());
                if self.dfs(start, member, path, visited) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
}

fn article(kind: NameKind) -> &'static str {
    match kind {
        NameKind::Os | NameKind::Alias => "an",
        NameKind::Host | NameKind::Group => "a",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::parse_named;
    use pikt_source::render;

    const SYSTEMS: &str = "linux hosts moscow chicago\nsolaris hosts berlin\n\tparis\nmoscow aliases piktmaster\nmailserver members moscow paris\nnisserver members berlin\nservers members mailserver nisserver\n";

    fn parse(text: &str) -> (SourceMap, Systems, Vec<Diagnostic>) {
        parse_named("systems.cfg", text, Systems::parse)
    }

    #[test]
    fn hosts_aliases_groups_and_classes() {
        let (_, s, diags) = parse(SYSTEMS);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(s.hosts(), ["moscow", "chicago", "berlin", "paris"]);
        assert_eq!(s.os_of("paris"), Some("solaris"));
        let classes: Vec<String> = s
            .classes_of("moscow")
            .unwrap_or_default()
            .into_iter()
            .collect();
        assert_eq!(
            classes,
            ["linux", "mailserver", "moscow", "piktmaster", "servers"]
        );
        assert_eq!(
            s.expand("servers"),
            Some(vec!["moscow".into(), "berlin".into(), "paris".into()])
        );
        assert_eq!(s.expand("piktmaster"), Some(vec!["moscow".into()]));
        assert_eq!(s.expand("nowhere"), None);
        let facts = s.facts("chicago");
        assert!(
            facts.is_true("linux") && !facts.is_true("mailserver") && facts.is_known("mailserver")
        );
    }

    #[test]
    fn selections_add_and_remove_in_order() {
        let (_, s, _) = parse(SYSTEMS);
        let sel = [
            (true, "all".to_string()),
            (false, "mailserver".to_string()),
            (true, "bogus".to_string()),
        ];
        let (hosts, unknown) = s.select(&sel);
        assert_eq!(hosts, ["chicago", "berlin"]);
        assert_eq!(unknown, ["bogus"]);
    }

    #[test]
    fn hosts_after_members_is_an_error() {
        let (map, _, diags) = parse("linux hosts a\ng members a\nbsd hosts b\n");
        assert_eq!(
            render(&map, &diags[0]),
            "error: `hosts` stanza after `members` stanzas\n --> systems.cfg:3:5\n  |\n3 | bsd hosts b\n  |     ^^^^^\n  = note: the first `members` stanza is at systems.cfg:2:3\n  = help: systems.cfg lists all `hosts` stanzas, then `aliases`, then `members`\n"
        );
    }

    #[test]
    fn aliases_need_a_registered_host() {
        let (map, _, diags) = parse("linux hosts moscow\nmoskow aliases m\nlinux aliases l\n");
        assert_eq!(diags[0].message, "unknown host `moskow`");
        assert_eq!(diags[0].notes, ["did you mean `moscow`?"]);
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "systems.cfg:2:1"
        );
        assert_eq!(diags[1].message, "`linux` is an os name, not a host");
    }

    #[test]
    fn unknown_members_and_name_clashes() {
        let (map, _, diags) = parse("linux hosts a b a\ng members a zz\nlinux members a\n");
        let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "duplicate host `a`",
                "group `linux` is already declared as an os name",
                "unknown name `zz` in members of `g`"
            ]
        );
        assert_eq!(diags[0].notes, ["first declared at systems.cfg:1:13"]);
        assert_eq!(
            map.location(diags[2].span.unwrap_or_default()),
            "systems.cfg:2:13"
        );
    }

    #[test]
    fn group_cycles_are_reported_once() {
        let (map, s, diags) =
            parse("linux hosts a\ng1 members g2 a\ng2 members g3\ng3 members g1\n");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(diags[0].message, "group `g1` contains itself");
        assert_eq!(diags[0].notes, ["cycle: g1 -> g2 -> g3 -> g1"]);
        assert_eq!(
            map.location(diags[0].span.unwrap_or_default()),
            "systems.cfg:4:12"
        );
        // The model stays usable: expansion and classes terminate.
        assert_eq!(s.expand("g3"), Some(vec!["a".to_string()]));
        assert!(s.classes_of("a").unwrap_or_default().contains("g2"));
    }

    #[test]
    fn bad_keyword_and_missing_keyword() {
        let (_, _, diags) = parse("linux host a\nempty\n");
        assert_eq!(diags[0].message, "unknown systems.cfg keyword `host`");
        assert_eq!(diags[0].help.as_deref(), Some("did you mean `hosts`?"));
        assert_eq!(diags[1].message, "stanza `empty` has no keyword");
    }
}
