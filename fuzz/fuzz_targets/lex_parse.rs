//! The lexer and parser must never panic, whatever the text and mode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pikt_lang::{parse_program, ParseMode};
use pikt_source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for mode in [ParseMode::Alarms, ParseMode::Standalone, ParseMode::Statements] {
        let mut map = SourceMap::new();
        let file = map.add("fuzz.pikt", text.as_ref());
        let _ = parse_program(&map, file, mode);
    }
});
