//! The preprocessor must never panic, whatever the config text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pikt_preproc::testing::fuzz_preprocess(data);
});
