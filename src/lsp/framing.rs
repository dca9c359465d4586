//! The stdio transport of `mcfg lsp`: `Content-Length` framing read and
//! written here rather than by `lsp-server`'s stdio threads, which end the
//! server on the first body that is not a JSON-RPC message.
//!
//! A frame whose body is not JSON, is a JSON array (a batch, which LSP does
//! not use), nests deeper than serde_json's recursion limit (128), or is
//! not a request, notification or response is answered with a JSON-RPC
//! error `-32700` (parse error) carrying `id: null`, and the server reads
//! the next frame. A body larger than [`MAX_FRAME_BYTES`] is skipped unread
//! and answered the same way; a header block without `Content-Length` too.

use std::io::{self, BufRead, Read, Write};
use std::sync::mpsc;

use lsp_server::Message;
use serde_json::{json, Value as Json};

use super::Server;

/// Largest message body read (the document size limit of `files.rs`).
pub const MAX_FRAME_BYTES: u64 = crate::files::MAX_DOCUMENT_BYTES;
/// Longest header line.
const MAX_HEADER_LINE: u64 = 4096;

/// JSON-RPC "Parse error".
pub const PARSE_ERROR: i32 = -32700;

/// One frame read from the client.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A frame that is not a message, and why (answered with -32700).
    Bad(String),
}

/// Reads the next frame; `None` at the end of the input.
pub fn read_frame(r: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length: Option<u64> = None;
    let mut bad_header: Option<String> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = r
            .by_ref()
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue; // stray blank lines between frames
        }
        saw_header = true;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<u64>() {
                    Ok(len) => length = Some(len),
                    Err(_) => bad_header = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {} // Content-Type and others
            None => bad_header = Some("a header line without `:`".to_owned()),
        }
    }
    let Some(len) = length else {
        return Ok(Some(Frame::Bad(
            bad_header.unwrap_or_else(|| "a frame without Content-Length".to_owned()),
        )));
    };
    if len > MAX_FRAME_BYTES {
        io::copy(&mut r.by_ref().take(len), &mut io::sink())?;
        return Ok(Some(Frame::Bad(format!(
            "a message larger than {}",
            crate::files::size_name(MAX_FRAME_BYTES)
        ))));
    }
    let mut body = Vec::with_capacity(len as usize);
    r.by_ref().take(len).read_to_end(&mut body)?;
    if (body.len() as u64) < len {
        return Ok(None); // the client hung up mid-frame
    }
    Ok(Some(match parse_body(&body) {
        Ok(msg) => Frame::Message(msg),
        Err(why) => Frame::Bad(why),
    }))
}

/// A frame's body as a message.
pub fn parse_body(body: &[u8]) -> Result<Message, String> {
    let value: Json =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    match &value {
        Json::Object(_) => {}
        Json::Array(_) => return Err("JSON-RPC batches (arrays) are not supported".to_owned()),
        _ => return Err("the body is not a JSON-RPC object".to_owned()),
    }
    serde_json::from_value(value).map_err(|e| format!("not a JSON-RPC message: {e}"))
}

/// The answer to a frame that is not a message.
pub fn parse_error(why: &str) -> Json {
    json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": PARSE_ERROR, "message": format!("parse error: {why}") },
    })
}

/// Writes one framed message.
pub fn write_frame(w: &mut impl Write, body: &Json) -> io::Result<()> {
    let text = body.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{text}", text.len())?;
    w.flush()
}

/// A line on the server's log (stderr, which clients show as its output).
#[allow(clippy::print_stderr)] // reason: stderr is the language server's log channel
pub(super) fn log(line: &str) {
    eprintln!("mcfg lsp: {line}");
}

/// Serves stdin/stdout until `exit` or the end of the input.
pub fn run_stdio() -> io::Result<()> {
    let (tx, rx) = mpsc::channel::<Frame>();
    // The reader runs ahead so that a burst of changes is handled as one batch.
    let reader = std::thread::spawn(move || -> io::Result<()> {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        while let Some(frame) = read_frame(&mut input)? {
            if tx.send(frame).is_err() {
                break;
            }
        }
        Ok(())
    });
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut server = Server::new();
    while let Ok(first) = rx.recv() {
        let frames: Vec<Frame> = std::iter::once(first)
            .chain(rx.try_iter().take(super::transport::MAX_BATCH))
            .collect();
        let mut run: Vec<Message> = Vec::new();
        let flush = |server: &mut Server, run: &mut Vec<Message>, out: &mut io::StdoutLock<'_>| {
            for msg in server.handle_batch(std::mem::take(run)) {
                let body = serde_json::to_value(&msg).map_err(io::Error::other)?;
                write_frame(out, &body)?;
            }
            Ok::<(), io::Error>(())
        };
        for frame in frames {
            match frame {
                Frame::Message(m) => run.push(m),
                Frame::Bad(why) => {
                    flush(&mut server, &mut run, &mut out)?;
                    write_frame(&mut out, &parse_error(&why))?;
                }
            }
        }
        flush(&mut server, &mut run, &mut out)?;
        if server.exited() {
            // The reader may be blocked on stdin: it ends with the process.
            return Ok(());
        }
    }
    match reader.join() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::other("the reader thread panicked")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Result<String, String>> {
        let mut r = io::BufReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut r).expect("in memory") {
            out.push(match f {
                Frame::Message(m) => Ok(serde_json::to_string(&m).expect("json")),
                Frame::Bad(why) => Err(why),
            });
        }
        out
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn bad_bodies_are_reported_and_reading_goes_on() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let ok = r#"{"jsonrpc":"2.0","method":"exit"}"#;
        let input = [
            frame("{not json"),
            frame("[1, 2]"),
            frame(&deep),
            frame("42"),
            frame(r#"{"jsonrpc":"2.0"}"#),
            "X-Nothing: 1\r\n\r\n".to_owned(),
            frame(ok),
        ]
        .concat();
        let got = frames(input.as_bytes());
        assert_eq!(got.len(), 7, "{got:?}");
        assert!(got[..6].iter().all(Result::is_err), "{got:?}");
        assert!(got[1].as_ref().unwrap_err().contains("batches"));
        assert!(got[2].as_ref().unwrap_err().contains("recursion limit"));
        assert!(got[5]
            .as_ref()
            .unwrap_err()
            .contains("without Content-Length"));
        assert!(got[6].as_ref().is_ok_and(|m| m.contains("exit")));
    }

    #[test]
    fn a_frame_cut_short_ends_the_input() {
        assert!(frames(b"Content-Length: 10\r\n\r\n{}").is_empty());
        assert!(frames(b"").is_empty());
    }
}
