//! An LSP client for `mcfg lsp` over stdio: the real binary, `Content-Length`
//! framing, JSON-RPC ids. The feature tests in `lsp_features.rs` use it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{self, Child, ChildStdin, Command};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use mcfg::lsp::text::path_to_uri;
use serde_json::{json, Value};

/// How long any one answer may take before the test fails (instead of hanging).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A running `mcfg lsp` on a temporary project.
pub struct Stdio {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// The last `publishDiagnostics` list per URI.
    pub diags: Vec<(String, Vec<Value>)>,
    pub root: PathBuf,
    pub cache: PathBuf,
    _dir: tempfile::TempDir,
}

impl Stdio {
    /// Writes `files` (relative path, text) to a fresh folder and starts the
    /// server there with `XDG_CACHE_HOME` inside it.
    pub fn start(files: &[(&str, &str)]) -> Stdio {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        for (rel, text) in files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let cache = dir.path().join("cache");
        let mut child = Command::new(env!("CARGO_BIN_EXE_mcfg"))
            .arg("lsp")
            .current_dir(&root)
            .env("XDG_CACHE_HOME", &cache)
            .stdin(process::Stdio::piped())
            .stdout(process::Stdio::piped())
            .stderr(process::Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.unwrap()];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut s = Stdio {
            child,
            stdin,
            incoming,
            next_id: 0,
            diags: Vec::new(),
            root: canonical(&root),
            cache,
            _dir: dir,
        };
        let root_uri = s.uri("");
        let init = s.request(
            "initialize",
            json!({ "processId": null, "rootUri": root_uri.trim_end_matches('/'), "capabilities": {} }),
        );
        assert_eq!(init["serverInfo"]["name"], "mcfg");
        s.notify("initialized", json!({}));
        s
    }

    pub fn uri(&self, rel: &str) -> String {
        path_to_uri(&self.root.join(rel))
    }

    pub fn text(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        let msg = self
            .incoming
            .recv_timeout(TIMEOUT)
            .expect("the server answers in time");
        if msg["method"] == "textDocument/publishDiagnostics" {
            let uri = msg["params"]["uri"].as_str().unwrap().to_owned();
            let list = msg["params"]["diagnostics"].as_array().unwrap().clone();
            self.diags.push((uri, list));
        }
        msg
    }

    /// The whole answer to a request (`result` or `error`).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self.recv();
            if msg["id"] == id && msg.get("method").is_none() {
                return msg;
            }
        }
    }

    /// A request's result; fails the test on an error answer.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let msg = self.call(method, params);
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Opens `rel` with its text on disk.
    pub fn open(&mut self, rel: &str) -> String {
        let text = self.text(rel);
        self.open_text(rel, &text);
        text
    }

    pub fn open_text(&mut self, rel: &str, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": text } }),
        );
    }

    /// The last diagnostics published for `rel`, after a round trip.
    pub fn diagnostics(&mut self, rel: &str) -> Vec<Value> {
        // A round trip: every notification sent before it has been handled.
        self.call("mcfg/sync", Value::Null);
        let uri = self.uri(rel);
        self.diags
            .iter()
            .rev()
            .find(|(u, _)| *u == uri)
            .map(|(_, d)| d.clone())
            .unwrap_or_default()
    }

    /// A request at a position in `rel`.
    pub fn at(&mut self, method: &str, rel: &str, pos: Value) -> Value {
        let uri = self.uri(rel);
        self.request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": pos }),
        )
    }

    /// A request about the whole document `rel`, with `extra` parameters.
    pub fn doc(&mut self, method: &str, rel: &str, extra: Value) -> Value {
        let mut params = json!({ "textDocument": { "uri": self.uri(rel) } });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.request(method, params)
    }
}

impl Drop for Stdio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path with symbolic links resolved (the temporary folder may be one).
pub fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The (line, ASCII column) of the `nth` occurrence of `needle` in `text`, plus `shift` columns.
pub fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let off = text.match_indices(needle).nth(nth).expect("needle").0 + shift;
    let line = text[..off].matches('\n').count();
    let col = off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": col })
}

/// The 0-based line holding the first `needle`.
pub fn line_of(text: &str, needle: &str) -> u64 {
    let off = text.find(needle).expect("needle");
    text[..off].matches('\n').count() as u64
}
