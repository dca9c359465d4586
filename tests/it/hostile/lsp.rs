//! Finding 11: The language server's framing: a malformed frame is answered with
//! -32700 and the server goes on; requests after `shutdown` are -32600; a
//! change to a document never opened is ignored.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

/// The JSON bodies of the frames in `out`.
fn bodies(mut out: &str) -> Vec<serde_json::Value> {
    let mut got = Vec::new();
    while let Some(i) = out.find("Content-Length: ") {
        let rest = &out[i + 16..];
        let end = rest.find("\r\n").expect("header end");
        let len: usize = rest[..end].parse().expect("length");
        let body = &rest[end + 4..end + 4 + len];
        got.push(serde_json::from_str(body).expect("json body"));
        out = &rest[end + 4 + len..];
    }
    got
}

#[test]
fn malformed_frames_are_parse_errors_and_the_server_goes_on() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().display().to_string();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let input = [
        frame("{not json"),
        frame("[1, 2]"),
        frame(&deep),
        frame(&format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"rootUri":"file://{root}","capabilities":{{}}}}}}"#
        )),
        frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#),
        frame(&format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"file://{root}/never.mcfg","version":2}},"contentChanges":[{{"text":"config x {{ broken"}}]}}}}"#
        )),
        frame(r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#),
        frame(r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{}}"#),
        frame(r#"{"jsonrpc":"2.0","method":"exit"}"#),
    ]
    .concat();
    let bin = std::env::var_os("MCFG_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_mcfg").into());
    let mut child = Command::new(bin)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mcfg lsp runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut out = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut out)
        .expect("read");
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    let status = child.wait().expect("wait");
    writer.join().expect("writer");
    assert_eq!(status.code(), Some(0), "{err}");
    let got = bodies(&out);
    let errors: Vec<&serde_json::Value> = got.iter().filter(|m| m["id"].is_null()).collect();
    assert_eq!(errors.len(), 3, "{got:?}");
    for e in &errors {
        assert_eq!(e["error"]["code"], -32700, "{e}");
    }
    let by_id = |id: i64| got.iter().find(|m| m["id"] == id).expect("response");
    assert!(by_id(1)["result"]["capabilities"].is_object(), "{got:?}");
    assert_eq!(by_id(2)["result"], serde_json::Value::Null);
    assert_eq!(by_id(3)["error"]["code"], -32600, "{got:?}");
    // The never-opened document was not created (nothing published for it).
    assert!(!out.contains("never.mcfg"), "{out}");
    assert!(err.contains("which is not open: ignored"), "{err}");
}
