//! The interpreter must never panic, whatever the script, with every effect
//! faked and every limit set low (statements, time, processor time, memory,
//! output, input line length), so that loops end and nothing grows without
//! bound: a limit reached is a run-time error, never a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pikt_lang::{parse_program, ParseMode};
use pikt_runtime::testing::TestHost;
use pikt_runtime::{run, Limits, RunConfig, ScriptToRun};
use pikt_source::SourceMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut map = SourceMap::new();
    let file = map.add("fuzz.pikt", text.as_ref());
    let (program, diagnostics) = parse_program(&map, file, ParseMode::Standalone);
    if diagnostics.iter().any(|d| d.is_error()) {
        return;
    }
    let config = RunConfig {
        limits: Limits {
            max_statements: Some(20_000),
            max_duration: Some(std::time::Duration::from_millis(200)),
            max_cpu: Some(std::time::Duration::from_millis(200)),
            max_memory: Some(16 << 20),
            max_output: Some(1 << 20),
            max_line: 64 << 10,
        },
        ..RunConfig::default()
    };
    let scripts: Vec<ScriptToRun<'_>> = program
        .scripts
        .iter()
        .map(|script| ScriptToRun { script, name: "fuzz" })
        .collect();
    let mut fakes = TestHost::at(956_639_822);
    let _ = run(&scripts, &map, &config, &mut fakes.host());
});
