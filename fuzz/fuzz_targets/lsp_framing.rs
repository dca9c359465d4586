//! Fuzz target: the language server's stdio framing (`lsp::framing`) on an
//! arbitrary byte stream: every frame read is a message or a -32700 answer,
//! reading always ends, and nothing panics.
#![no_main]

use std::io::BufReader;

use libfuzzer_sys::fuzz_target;
use mcfg::lsp::framing::{parse_error, read_frame, Frame};

fuzz_target!(|data: &[u8]| {
    let mut r = BufReader::new(data);
    let mut frames = 0usize;
    while let Ok(Some(frame)) = read_frame(&mut r) {
        frames += 1;
        assert!(frames <= data.len() + 1, "more frames than bytes");
        if let Frame::Bad(why) = frame {
            let _ = parse_error(&why).to_string();
        }
    }
});
