//! Fuzz target: arbitrary bytes → `syntax::parse` (after the UTF-8 check the
//! loader does). The parser must return an AST or a diagnostic, never panic,
//! overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcfg::source::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = mcfg::syntax::parse(FileId(0), text);
        let _ = mcfg::syntax::comments(FileId(0), text);
    }
});
