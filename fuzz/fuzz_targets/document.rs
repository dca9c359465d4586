//! Fuzz target: the one JSON/YAML document reader (`mcfg::document`) as
//! `drift`, `check-runtime` and `import` call it, on arbitrary text. Any
//! panic, stack overflow or runaway allocation is a bug: bad input must become
//! a located error within the limits of docs/limits.md.
//!
//! The first byte picks the caller:
//! - `0`: a deployed artifact or runtime update (`report::document::read`:
//!   core schema, dotted keys checked for duplicates);
//! - `1`: the YAML 1.1 reading of values files, keys left as written;
//! - otherwise: `import` of the rest as a base file, and, when the rest holds
//!   a line `---8<---`, of the text after it as an overlay (as child configs
//!   or env blocks, Hydra reading on or off by the first byte's bits). A
//!   successful import must print text the mcfg parser accepts or refuses
//!   with a diagnostic; neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcfg::document::{Options, Schema};
use mcfg::import::{ImportOptions, OverlayStyle, Yaml11};
use mcfg::source::{FileId, SourceFile, SourceMap};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match mode {
        0 => {
            if let Err(e) = mcfg::report::document::read(text, FileId(0)) {
                // The error's span lies inside the text.
                assert!(e.span.end as usize <= text.len());
            }
        }
        1 => {
            let opts = Options {
                schema: Schema::Yaml11,
                dotted_paths: false,
            };
            if let Err(e) = mcfg::document::read(text, FileId(0), opts) {
                assert!(e.span.end as usize <= text.len());
            }
        }
        _ => import(mode, text),
    }
});

fn import(mode: u8, text: &str) {
    let mut sources = SourceMap::new();
    let mut inputs = Vec::new();
    let (base, overlay) = match text.split_once("\n---8<---\n") {
        Some((b, o)) => (b, Some(o)),
        None => (text, None),
    };
    inputs.push(sources.add(SourceFile::new("base.yaml", base)));
    if let Some(o) = overlay {
        inputs.push(sources.add(SourceFile::new("prod.yaml", o)));
    }
    let opts = ImportOptions {
        config_name: "fuzzed".to_owned(),
        yaml11_strings: if mode & 2 == 0 { Yaml11::Yes } else { Yaml11::No },
        overlays: if mode & 4 == 0 {
            OverlayStyle::Children
        } else {
            OverlayStyle::EnvBlocks
        },
        hydra: mode & 8 != 0,
    };
    if let Ok(out) = mcfg::import::import(&mut sources, &inputs, &opts) {
        let _ = mcfg::syntax::parse(FileId(0), &out);
    }
}
