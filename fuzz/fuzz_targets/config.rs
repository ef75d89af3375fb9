//! The stanza reader and every config-file parser must never panic, whatever
//! the text; every diagnostic they make must render (its span lies in the
//! text); and piktd.conf must read back as piktc writes it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use pikt_config::alarms::AlarmsFile;
use pikt_config::alerts::AlertsFile;
use pikt_config::defines::DefinesFile;
use pikt_config::files::FilesFile;
use pikt_config::macros::MacrosFile;
use pikt_config::objects::ObjectsFile;
use pikt_config::pikt_conf::PiktConf;
use pikt_config::piktd_conf::{PiktdConf, PiktdEntry, Reader};
use pikt_config::programs::ProgramsFile;
use pikt_config::stanza::{read_stanzas, StanzaRules};
use pikt_config::systems::Systems;
use pikt_config::timing::TimingSpec;
use pikt_source::{render, Diagnostic, FileId, SourceMap};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut map = SourceMap::new();
    let file = map.add("fuzz.cfg", text.as_ref());
    let mut diags: Vec<Diagnostic> = Vec::new();
    for rules in [StanzaRules::PLAIN, StanzaRules::MACROS, StanzaRules::EXACT] {
        diags.extend(read_stanzas(&map, file, rules).1);
    }
    diags.extend(Systems::parse(&map, file).1);
    diags.extend(DefinesFile::parse(&map, file).1);
    diags.extend(MacrosFile::parse(&map, file).1);
    diags.extend(AlertsFile::parse(&map, file).1);
    diags.extend(AlarmsFile::parse(&map, file).1);
    diags.extend(ObjectsFile::parse(&map, file).1);
    diags.extend(ProgramsFile::parse(&map, file, Path::new("/pikt/lib/programs")).1);
    diags.extend(FilesFile::parse(&map, file).1);
    diags.extend(PiktConf::parse(&map, file).1);
    diags.extend(PiktdConf::read(&map, file, Reader::Piktd).1);
    if let Some(line) = text.lines().next() {
        let mut one = SourceMap::new();
        let id = one.add("timing", line);
        if let Err(diag) = TimingSpec::parse_str(line, id) {
            let _ = render(&one, &diag);
        }
    }
    for diag in &diags {
        let _ = render(&map, diag);
    }
    piktd_conf_reads_back(&mut map, file);
});

/// piktc's rewrite of a piktd.conf it accepts reads back without a problem,
/// with the same lines, and rewriting it again changes nothing.
fn piktd_conf_reads_back(map: &mut SourceMap, file: FileId) {
    let (conf, diags) = PiktdConf::parse(map, file);
    if !diags.is_empty() {
        return;
    }
    let written = conf.render();
    let again = map.add("piktd.conf", written.clone());
    let (reread, diags) = PiktdConf::parse(map, again);
    assert!(diags.is_empty(), "{written:?} read back with {diags:?}");
    assert_eq!(reread.render(), written);
    let keys = |c: &PiktdConf| -> Vec<String> { c.entries().map(|e| e.key().to_owned()).collect() };
    assert_eq!(keys(&reread), keys(&conf));
    let same = |a: &PiktdEntry, b: &PiktdEntry| {
        a.timing() == b.timing()
            && a.drift_minutes() == b.drift_minutes()
            && a.command() == b.command()
            && a.pikt_call() == b.pikt_call()
    };
    assert!(
        conf.entries().zip(reread.entries()).all(|(a, b)| same(a, b)),
        "{written:?} reads back differently"
    );
}
