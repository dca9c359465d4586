//! The language server's reuse of earlier work (files whose text did not
//! change are not parsed again; configs whose inputs did not change are not
//! evaluated again, their diagnostics are moved to the new positions) gives
//! exactly the results of a fresh server: random edit sequences over a
//! four-file project with inheritance, schemas extending schemas,
//! environments extending environments and cross-config references (also
//! through imports), compared after every edit with a server that starts
//! from nothing — the diagnostics, a hover on every line and the inlay hints
//! (the per-environment values) of every document.

#![allow(clippy::unwrap_used)] // reason: test helpers outside `#[test]` fns; a failure is the test failing

use lsp_server::{Message, Notification, Request, RequestId};
use mcfg::lsp::text::path_to_uri;
use mcfg::lsp::Server;
use proptest::prelude::*;
use serde_json::{json, Value};

const FILES: [(&str, &str); 4] = [
    (
        "schemas.mcfg",
        "schema Serving {\n  replicas: int(>= 1) = 1\n  batch_size: int = 32\n  device: \"cpu\" | \"gpu\" = \"cpu\"\n  check device == \"gpu\" or batch_size <= 64 : \"CPU serving supports batch_size <= 64\"\n}\n\nschema GpuServing extends Serving {\n  device = \"gpu\"\n  memory: float(> 0, <= 1) = 0.9\n}\n",
    ),
    (
        "base.mcfg",
        "import \"./schemas.mcfg\" as s\n\nenvironments {\n  dev\n  prod\n  prod_eu extends prod\n}\n\nabstract config base: s.Serving {\n  replicas = 2\n  env prod { replicas = 8 }\n}\n\nconfig shared: s.GpuServing {\n  batch_size = 16\n  env prod_eu { memory = 0.5 }\n}\n",
    ),
    (
        "svc.mcfg",
        "import \"./base.mcfg\" as b\nimport \"./schemas.mcfg\" as s\n\nconfig svc: s.Serving extends b.base {\n  batch_size = 64\n  device = \"gpu\"\n  env prod_eu { replicas = 4 }\n}\n\nconfig mirror: s.Serving {\n  replicas = svc.replicas - 1\n  batch_size = b.shared.batch_size * 2\n}\n",
    ),
    (
        "edge.mcfg",
        "import \"./svc.mcfg\" as v\nimport \"./schemas.mcfg\" as s\n\nconfig edge: s.GpuServing {\n  replicas = v.mirror.replicas + 1\n  memory = if env == \"prod\" then 0.8 else 0.4\n}\n\nconfig lone: s.Serving {\n  batch_size = 8\n}\n",
    ),
];

/// Lines an edit may put in place of a line of a config or schema body:
/// values, among them values that break a check only through a reference
/// (`replicas = 1` in `svc` gives `mirror` 0; `batch_size = 40` in `shared`
/// gives `mirror` 80 on a CPU) or a parent (`replicas = 0` in `base`), and
/// wrong types.
const VALUES: [&str; 10] = [
    "  replicas = 1",
    "  replicas = 3",
    "  replicas = 0",
    "  batch_size = 40",
    "  batch_size = 8",
    "  batch_size = \"big\"",
    "  device = \"cpu\"",
    "  device = \"tpu\"",
    "  memory = 2.0",
    "  replicas = svc.replicas + 2",
];

/// Lines an edit may put in place of any line: unknown names, broken
/// syntax, new declarations and environments, blank lines.
const LINES: [&str; 8] = [
    "  batchsize = 4",
    "config {",
    "}",
    "  env prod { replicas = 1 }",
    "  env staging { replicas = 1 }",
    "config extra: s.Serving { replicas = 5 }",
    "",
    "  staging",
];

struct Client {
    server: Server,
    id: i32,
}

impl Client {
    fn start(root: &std::path::Path, cache: &std::path::Path) -> Client {
        let mut c = Client {
            server: Server::new(),
            id: 0,
        };
        c.request(
            "initialize",
            json!({ "rootUri": path_to_uri(root), "capabilities": {}, "initializationOptions": { "stdCacheDir": cache } }),
        );
        c
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let out = self.server.handle(Message::Request(Request::new(
            RequestId::from(self.id),
            method.into(),
            params,
        )));
        match out.into_iter().next() {
            Some(Message::Response(r)) => r.result.unwrap_or(Value::Null),
            other => panic!("no response to {method}: {other:?}"),
        }
    }

    /// Sends a notification; the diagnostics it published, by URI.
    fn notify(&mut self, method: &str, params: Value) -> Vec<(String, Value)> {
        let out = self.server.handle(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
        out.into_iter()
            .filter_map(|m| match m {
                Message::Notification(n) if n.method == "textDocument/publishDiagnostics" => {
                    Some((
                        n.params["uri"].as_str().unwrap_or("").to_owned(),
                        n.params["diagnostics"].clone(),
                    ))
                }
                _ => None,
            })
            .collect()
    }

    /// A hover on every line (at the third column, inside most keys) and the
    /// inlay hints of every document.
    fn views(&mut self, uris: &[String], texts: &[String]) -> Vec<Value> {
        let mut out = Vec::new();
        for (uri, text) in uris.iter().zip(texts) {
            let lines = text.lines().count() as u32;
            for line in 0..lines {
                out.push(self.request(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": 3 } }),
                ));
            }
            out.push(self.request(
                "textDocument/inlayHint",
                json!({ "textDocument": { "uri": uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": lines + 1, "character": 0 } } }),
            ));
        }
        out
    }
}

fn open(c: &mut Client, uri: &str, text: &str) -> Vec<(String, Value)> {
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": text } }),
    )
}

/// `text` with its `line`-th line (modulo, one past the end appends) replaced
/// by `new`; with `in_body`, the `line`-th of the lines inside a body
/// (indented) instead, when there is one.
fn apply(text: &str, line: usize, in_body: bool, new: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let body: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("  "))
        .collect();
    let i = if in_body && !body.is_empty() {
        body[line % body.len()]
    } else {
        line % (lines.len() + 1)
    };
    if i == lines.len() {
        lines.push(new);
    } else {
        lines[i] = new;
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// A temporary project of `FILES` and a live server with every file open.
fn project() -> (tempfile::TempDir, Vec<String>, Client) {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let root = dir.path().join("p");
    std::fs::create_dir_all(&root).unwrap();
    for (rel, text) in FILES {
        std::fs::write(root.join(rel), text).unwrap();
    }
    let uris: Vec<String> = FILES
        .iter()
        .map(|(rel, _)| path_to_uri(&root.join(rel)))
        .collect();
    let mut live = Client::start(&root, &cache);
    for (uri, (_, text)) in uris.iter().zip(FILES) {
        let published = open(&mut live, uri, text);
        assert!(
            published.iter().all(|(_, d)| d == &json!([])),
            "{published:?}"
        );
    }
    (dir, uris, live)
}

fn change(c: &mut Client, uri: &str, version: usize, text: &str) -> Vec<(String, Value)> {
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Three edits in four change a value in a body, the others any line.
    #[test]
    fn incremental_results_equal_a_fresh_servers(
        edits in proptest::collection::vec((0usize..4, 0usize..64, 0usize..4, 0usize..VALUES.len().max(LINES.len())), 1..8)
    ) {
        let (dir, uris, mut live) = project();
        let root = dir.path().join("p");
        let cache = dir.path().join("cache");
        let mut texts: Vec<String> = FILES.iter().map(|(_, t)| (*t).to_owned()).collect();
        for (version, (file, line, kind, new)) in edits.into_iter().enumerate() {
            let in_body = kind > 0;
            let new = if in_body { VALUES[new % VALUES.len()] } else { LINES[new % LINES.len()] };
            texts[file] = apply(&texts[file], line, in_body, new);
            let got = change(&mut live, &uris[file], version + 2, &texts[file]);
            let mut fresh = Client::start(&root, &cache);
            let mut want = Vec::new();
            for (uri, text) in uris.iter().zip(&texts) {
                want = open(&mut fresh, uri, text);
            }
            prop_assert_eq!(&got, &want, "after editing {} to\n{}", FILES[file].0, texts[file]);
            prop_assert_eq!(got.len(), 4);
            let got = live.views(&uris, &texts);
            let want = fresh.views(&uris, &texts);
            prop_assert_eq!(&got, &want, "hovers after editing {} to\n{}", FILES[file].0, texts[file]);
        }
    }
}

/// An edit of one config's value evaluates that config and the configs that
/// read it, and reuses the others; the error a reference brings shows in the
/// config that holds the reference and leaves with the edit.
#[test]
fn an_edit_re_evaluates_only_the_configs_that_read_it() {
    let (_dir, uris, mut live) = project();
    let svc = FILES[2].1.replace("{ replicas = 4 }", "{ replicas = 1 }");
    assert_ne!(svc, FILES[2].1);
    let published = change(&mut live, &uris[2], 2, &svc);
    // `svc`, `mirror` (reads svc) and `edge` (reads mirror) again; `base`
    // (an abstract parent) and `shared`, `lone` reused.
    assert_eq!(live.server.reused_configs(), 2, "{published:?}");
    let edge = &published.iter().find(|(u, _)| u == &uris[3]).unwrap().1;
    let mirror = &published.iter().find(|(u, _)| u == &uris[2]).unwrap().1;
    assert_eq!(edge, &json!([]));
    assert_eq!(mirror.as_array().unwrap().len(), 1, "{mirror}");
    assert_eq!(mirror[0]["code"], json!("mcfg::constraint"), "{mirror}");
    assert!(
        mirror[0]["message"].as_str().unwrap().contains("prod_eu"),
        "{mirror}"
    );
    // A line above every config of `svc.mcfg` moves them all; nothing in
    // `svc` changes, so everything is reused, at the new positions.
    let moved = format!("// moved\n{svc}");
    let published = change(&mut live, &uris[2], 3, &moved);
    assert_eq!(live.server.reused_configs(), 5);
    let mirror2 = &published.iter().find(|(u, _)| u == &uris[2]).unwrap().1;
    assert_eq!(
        mirror2[0]["range"]["start"]["line"].as_u64().unwrap(),
        mirror[0]["range"]["start"]["line"].as_u64().unwrap() + 1
    );
    let published = change(&mut live, &uris[2], 4, FILES[2].1);
    assert!(
        published.iter().all(|(_, d)| d == &json!([])),
        "{published:?}"
    );
}

/// The diagnostics a fresh server publishes for `texts`.
fn fresh_diagnostics(
    dir: &tempfile::TempDir,
    uris: &[String],
    texts: &[&str],
) -> Vec<(String, Value)> {
    let mut fresh = Client::start(&dir.path().join("p"), &dir.path().join("cache"));
    let mut want = Vec::new();
    for (uri, text) in uris.iter().zip(texts) {
        want = open(&mut fresh, uri, text);
    }
    want
}

/// An edit of a parent config in another file re-evaluates its children,
/// which are not edited: `replicas = 0` in `base` (base.mcfg) breaks `svc`
/// (svc.mcfg) in `prod`, and the error leaves when the parent is fixed.
#[test]
fn an_edit_of_a_parent_in_another_file_re_evaluates_its_children() {
    let (dir, uris, mut live) = project();
    let base = FILES[1]
        .1
        .replace("env prod { replicas = 8 }", "env prod { replicas = 0 }");
    assert_ne!(base, FILES[1].1);
    let got = change(&mut live, &uris[1], 2, &base);
    let texts = [FILES[0].1, base.as_str(), FILES[2].1, FILES[3].1];
    assert_eq!(got, fresh_diagnostics(&dir, &uris, &texts));
    let errors: usize = got.iter().map(|(_, d)| d.as_array().unwrap().len()).sum();
    assert!(errors > 0, "the child's error is published: {got:?}");
    // `svc` (child of `base`), `mirror` and `edge` (which read it) again.
    assert!(live.server.reused_configs() <= 3, "{got:?}");
    let got = change(&mut live, &uris[1], 3, FILES[1].1);
    assert!(got.iter().all(|(_, d)| d == &json!([])), "{got:?}");
}
