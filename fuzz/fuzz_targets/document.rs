//! Fuzz target: the JSON/YAML document reader of `drift` and `check-runtime`
//! (`report::document::read`) and the importer (`import::import`) on
//! arbitrary text. Any panic, stack overflow or runaway allocation is a
//! bug: bad input must become a located error within the limits of
//! docs/limits.md.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcfg::source::FileId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = mcfg::report::document::read(text, FileId(0)) {
        // The error's span lies inside the text.
        assert!(e.span.end as usize <= text.len());
    }
});
