//! The language server's reuse of earlier work (files whose text did not
//! change are not parsed again) gives exactly the diagnostics of a fresh
//! server: random edit sequences over a three-file project, compared after
//! every edit with a server that starts from nothing.

use lsp_server::{Message, Notification, Request, RequestId};
use mcfg::lsp::text::path_to_uri;
use mcfg::lsp::Server;
use proptest::prelude::*;
use serde_json::{json, Value};

const FILES: [(&str, &str); 3] = [
    (
        "schemas.mcfg",
        "schema Serving {\n  replicas: int(>= 1) = 1\n  batch_size: int = 32\n  device: \"cpu\" | \"gpu\" = \"cpu\"\n}\n",
    ),
    (
        "base.mcfg",
        "import \"./schemas.mcfg\" as s\n\nenvironments {\n  dev\n  prod\n}\n\nabstract config base: s.Serving {\n  replicas = 2\n  env prod { replicas = 8 }\n}\n",
    ),
    (
        "svc.mcfg",
        "import \"./base.mcfg\" as b\nimport \"./schemas.mcfg\" as s\n\nconfig svc: s.Serving extends b.base {\n  batch_size = 64\n  device = \"gpu\"\n}\n",
    ),
];

/// Lines an edit may put in place of another: fine, wrong types, unknown
/// names, broken syntax, new declarations.
const LINES: [&str; 10] = [
    "  replicas = 3",
    "  batch_size = \"big\"",
    "  batchsize = 4",
    "  replicas = 0",
    "  device = \"tpu\"",
    "config {",
    "}",
    "  env staging { replicas = 1 }",
    "config extra: s.Serving { replicas = 5 }",
    "",
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
        c.id += 1;
        c.server.handle(Message::Request(Request::new(
            RequestId::from(c.id),
            "initialize".into(),
            json!({ "rootUri": path_to_uri(root), "capabilities": {}, "initializationOptions": { "stdCacheDir": cache } }),
        )));
        c
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
}

fn open(c: &mut Client, uri: &str, text: &str) -> Vec<(String, Value)> {
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": text } }),
    )
}

fn apply(text: &str, line: usize, new: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let i = line % (lines.len() + 1);
    if i == lines.len() {
        lines.push(new);
    } else {
        lines[i] = new;
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_diagnostics_equal_a_fresh_servers(
        edits in proptest::collection::vec((0usize..3, 0usize..16, 0usize..LINES.len()), 1..8)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("cache");
        let root = dir.path().join("p");
        std::fs::create_dir_all(&root).unwrap();
        for (rel, text) in FILES {
            std::fs::write(root.join(rel), text).unwrap();
        }
        let uris: Vec<String> = FILES.iter().map(|(rel, _)| path_to_uri(&root.join(rel))).collect();
        let mut texts: Vec<String> = FILES.iter().map(|(_, t)| (*t).to_owned()).collect();
        let mut live = Client::start(&root, &cache);
        for (uri, text) in uris.iter().zip(&texts) {
            open(&mut live, uri, text);
        }
        for (version, (file, line, new)) in edits.into_iter().enumerate() {
            texts[file] = apply(&texts[file], line, LINES[new]);
            let got = live.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uris[file], "version": version + 2 }, "contentChanges": [{ "text": texts[file] }] }),
            );
            let mut fresh = Client::start(&root, &cache);
            let mut want = Vec::new();
            for (uri, text) in uris.iter().zip(&texts) {
                want = open(&mut fresh, uri, text);
            }
            prop_assert_eq!(&got, &want, "after editing {} to\n{}", FILES[file].0, texts[file]);
            prop_assert_eq!(got.len(), 3);
        }
    }
}
