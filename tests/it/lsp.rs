//! The language server, driven in process through `Server::handle` (and once
//! through `Connection::memory()`), plus the end-to-end client in
//! `tests/lsp_e2e.py` against the real binary.

#![allow(clippy::unwrap_used)] // reason: test helpers outside `#[test]` fns; a failure is the test failing

use std::path::{Path, PathBuf};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use mcfg::lsp::text::path_to_uri;
use mcfg::lsp::Server;
use serde_json::{json, Value};

/// A test client around an in-process server.
struct Client {
    server: Server,
    next_id: i32,
    /// Every `publishDiagnostics` received, in order: (uri, diagnostics).
    published: Vec<(String, Vec<Value>)>,
    _dir: Option<tempfile::TempDir>,
    /// Where the server writes the standard library's read-only copies.
    cache: tempfile::TempDir,
    root: PathBuf,
}

impl Client {
    fn start(root: &Path, capabilities: Value) -> Client {
        let mut c = Client {
            server: Server::new(),
            next_id: 0,
            published: Vec::new(),
            _dir: None,
            cache: tempfile::tempdir().unwrap(),
            root: root.to_path_buf(),
        };
        let options = json!({ "stdCacheDir": c.cache.path() });
        let init = c.request(
            "initialize",
            json!({ "processId": null, "rootUri": path_to_uri(root), "capabilities": capabilities, "initializationOptions": options }),
        );
        assert_eq!(init["capabilities"]["hoverProvider"], json!(true));
        c.notify("initialized", json!({}));
        c
    }

    /// A client on a fresh temporary copy of `files` (relative path, text).
    fn with_files(files: &[(&str, &str)]) -> Client {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let mut c = Client::start(dir.path(), json!({}));
        c._dir = Some(dir);
        c
    }

    /// A client on a temporary copy of `examples/ranking`.
    fn ranking() -> Client {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ranking");
        let mut files = Vec::new();
        for rel in [
            "models/ranker.mcfg",
            "schemas/model.mcfg",
            "schemas/serving.mcfg",
        ] {
            files.push((rel, std::fs::read_to_string(src.join(rel)).unwrap()));
        }
        let refs: Vec<(&str, &str)> = files.iter().map(|(r, t)| (*r, t.as_str())).collect();
        Client::with_files(&refs)
    }

    fn uri(&self, rel: &str) -> String {
        path_to_uri(&self.root.join(rel))
    }

    fn text(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    fn send(&mut self, msg: Message) -> Vec<Message> {
        let out = self.server.handle(msg);
        for m in &out {
            if let Message::Notification(n) = m {
                if n.method == "textDocument/publishDiagnostics" {
                    let uri = n.params["uri"].as_str().unwrap().to_owned();
                    let list = n.params["diagnostics"].as_array().unwrap().clone();
                    self.published.push((uri, list));
                }
            }
        }
        out
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let out = self.send(Message::Request(Request::new(
            id.clone(),
            method.into(),
            params,
        )));
        let resp = out
            .into_iter()
            .find_map(|m| match m {
                Message::Response(r) if r.id == id => Some(r),
                _ => None,
            })
            .expect("a response");
        assert!(resp.error.is_none(), "{:?}", resp.error);
        resp.result.unwrap_or(Value::Null)
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.into(),
            params,
        )));
    }

    fn open(&mut self, rel: &str, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": text } }),
        );
    }

    fn open_disk(&mut self, rel: &str) {
        let text = self.text(rel);
        self.open(rel, &text);
    }

    fn change(&mut self, rel: &str, text: &str) {
        let uri = self.uri(rel);
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// The last diagnostics published for `rel`.
    fn diags(&self, rel: &str) -> Vec<Value> {
        let uri = self.uri(rel);
        self.published
            .iter()
            .rev()
            .find(|(u, _)| *u == uri)
            .map(|(_, d)| d.clone())
            .unwrap_or_else(|| panic!("nothing published for {rel}"))
    }

    fn at(&mut self, method: &str, rel: &str, pos: Value) -> Value {
        let uri = self.uri(rel);
        self.request(
            method,
            json!({ "textDocument": { "uri": uri }, "position": pos }),
        )
    }
}

/// The (line, ASCII column) of the `nth` occurrence of `needle` in `text`, plus `shift` columns.
fn pos(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let off = text.match_indices(needle).nth(nth).expect("needle").0 + shift;
    let line = text[..off].matches('\n').count();
    let col = off - text[..off].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": col })
}

/// The 0-based line holding the first `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    let off = text.find(needle).expect("needle");
    text[..off].matches('\n').count() as u64
}

fn hover_text(v: &Value) -> String {
    v["contents"]["value"].as_str().unwrap_or("").to_owned()
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

const SCHEMAS: &str = "schema Serving {\n  endpoint: string @distinct\n  name: string\n}\n";
const MAIN: &str = "import \"./schemas.mcfg\" as s\n\nenvironments {\n  staging\n  prod\n}\n\nconfig svc: s.Serving {\n  name = \"svc\"\n  endpoint = \"https://same.example.com\"\n}\n";

#[test]
fn diagnostics_carry_code_severity_help_and_related_information() {
    let mut c = Client::with_files(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", MAIN)]);
    c.open("main.mcfg", MAIN);
    let diags = c.diags("main.mcfg");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    let d = &diags[0];
    assert_eq!(d["code"], "mcfg::distinct");
    assert_eq!(d["source"], "mcfg");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"]["line"], line_of(MAIN, "endpoint ="));
    assert!(d["message"]
        .as_str()
        .unwrap()
        .contains("help: give `endpoint` its own value"));
    let related = d["relatedInformation"].as_array().unwrap();
    let marker = related
        .iter()
        .find(|r| r["message"] == "declared @distinct here")
        .expect("a label on the marker");
    assert_eq!(marker["location"]["uri"], c.uri("schemas.mcfg"));
    assert_eq!(marker["location"]["range"]["start"]["line"], 1);
    // The imported file is published too, with nothing to report.
    assert!(c.diags("schemas.mcfg").is_empty());
}

#[test]
fn editing_an_imported_file_rechecks_the_files_that_import_it() {
    let mut c = Client::with_files(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", MAIN)]);
    c.open("main.mcfg", MAIN);
    c.open("schemas.mcfg", SCHEMAS);
    // Rename `name` in the (unsaved) schema: main's assignment becomes unknown.
    c.change(
        "schemas.mcfg",
        &SCHEMAS.replace("name:", "title:").replace(" @distinct", ""),
    );
    let diags = c.diags("main.mcfg");
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    // Sorted by place: the config name (missing `title`), then the unknown `name`.
    assert_eq!(
        codes,
        ["mcfg::missing-field", "mcfg::unknown-field"],
        "{diags:#?}"
    );
    assert_eq!(diags[1]["range"]["start"]["line"], line_of(MAIN, "name ="));
    // Undo: every diagnostic is cleared with an empty list.
    c.change("schemas.mcfg", &SCHEMAS.replace(" @distinct", ""));
    assert!(c.diags("main.mcfg").is_empty());
    assert!(c.diags("schemas.mcfg").is_empty());
}

#[test]
fn hover_on_an_assignment_shows_the_value_in_every_environment() {
    let mut c = Client::ranking();
    c.open_disk("models/ranker.mcfg");
    let text = c.text("models/ranker.mcfg");
    let h = c.at(
        "textDocument/hover",
        "models/ranker.mcfg",
        pos(&text, "serving.timeout = 80ms", 0, 10),
    );
    let h = hover_text(&h);
    let line80 = line_of(&text, "serving.timeout = 80ms") + 1;
    let line50 = line_of(&text, "serving.timeout = 50ms") + 1;
    assert!(
        h.contains("**serving.timeout**: `duration(>= 10ms, <= 30s)` `@runtime`"),
        "{h}"
    );
    assert!(h.contains("Per-request deadline"), "{h}");
    assert!(h.contains("Values in `reranker`"), "{h}");
    assert!(
        h.contains(&format!("- dev: `80ms` — models/ranker.mcfg:{line80}")),
        "{h}"
    );
    assert!(
        h.contains(&format!("- staging: `80ms` — models/ranker.mcfg:{line80}")),
        "{h}"
    );
    assert!(
        h.contains(&format!("- prod: `50ms` — models/ranker.mcfg:{line50}")),
        "{h}"
    );
}

#[test]
fn hover_on_a_schema_field_shows_values_in_the_configs_using_it() {
    let mut c = Client::ranking();
    c.open_disk("schemas/serving.mcfg");
    let text = c.text("schemas/serving.mcfg");
    let h = c.at(
        "textDocument/hover",
        "schemas/serving.mcfg",
        pos(&text, "batch_size:", 0, 2),
    );
    let h = hover_text(&h);
    let ranker = c.text("models/ranker.mcfg");
    let line128 = line_of(&ranker, "batch_size = 128") + 1;
    let default_line = line_of(&text, "batch_size:") + 1;
    assert!(h.contains("**batch_size**: `int(>= 1, <= 512)`"), "{h}");
    assert!(h.contains("Requests grouped into one forward pass."), "{h}");
    assert!(h.contains("Values in `ranker`"), "{h}");
    assert!(
        h.contains(&format!(
            "- `serving.batch_size` dev: `32` — schemas/serving.mcfg:{default_line} (default)"
        )),
        "{h}"
    );
    assert!(
        h.contains(&format!(
            "- `serving.batch_size` prod: `128` — models/ranker.mcfg:{line128}"
        )),
        "{h}"
    );
    // The std Experiment config does not use Serving.
    assert!(!h.contains("ranker_ab"), "{h}");
}

fn target(loc: &Value) -> (String, u64) {
    assert!(loc.is_object(), "no location: {loc}");
    (
        loc["uri"].as_str().unwrap().to_owned(),
        loc["range"]["start"]["line"].as_u64().unwrap(),
    )
}

#[test]
fn definition_of_every_kind_of_name() {
    let mut c = Client::ranking();
    c.open_disk("models/ranker.mcfg");
    c.open_disk("schemas/model.mcfg");
    let ranker = c.text("models/ranker.mcfg");
    let model = c.text("schemas/model.mcfg");
    let serving = c.text("schemas/serving.mcfg");
    let r = "models/ranker.mcfg";
    // A config's schema through an import alias.
    let d = c.at(
        "textDocument/definition",
        r,
        pos(&ranker, "m.RankingModel", 0, 3),
    );
    assert_eq!(
        target(&d),
        (
            c.uri("schemas/model.mcfg"),
            line_of(&model, "schema RankingModel")
        )
    );
    // A config's parent.
    let d = c.at(
        "textDocument/definition",
        r,
        pos(&ranker, "extends base", 0, 9),
    );
    assert_eq!(
        target(&d),
        (c.uri(r), line_of(&ranker, "abstract config base"))
    );
    // An import path: the file.
    let d = c.at(
        "textDocument/definition",
        r,
        pos(&ranker, "../schemas/model.mcfg", 0, 4),
    );
    assert_eq!(target(&d), (c.uri("schemas/model.mcfg"), 0));
    // A field type, and the alias part of it.
    let m = "schemas/model.mcfg";
    let d = c.at(
        "textDocument/definition",
        m,
        pos(&model, "serving.Serving", 0, 9),
    );
    assert_eq!(
        target(&d),
        (
            c.uri("schemas/serving.mcfg"),
            line_of(&serving, "schema Serving")
        )
    );
    let d = c.at(
        "textDocument/definition",
        m,
        pos(&model, "serving.Serving", 0, 2),
    );
    assert_eq!(target(&d), (c.uri("schemas/serving.mcfg"), 0));
    // An assignment key in an env block: the schema field it sets.
    let d = c.at(
        "textDocument/definition",
        r,
        pos(&ranker, "serving.batch_size = 128", 0, 9),
    );
    assert_eq!(
        target(&d),
        (
            c.uri("schemas/serving.mcfg"),
            line_of(&serving, "batch_size:")
        )
    );
    // Inside a block: `thresholds { spam = … }` leads to the `thresholds` map field for `thresholds`.
    let d = c.at(
        "textDocument/definition",
        r,
        pos(&ranker, "thresholds {", 0, 2),
    );
    assert_eq!(target(&d), (c.uri(m), line_of(&model, "thresholds:")));
    // A type of the standard library: its read-only copy in the cache folder.
    let d = c.at("textDocument/definition", m, pos(&model, "ml.SemVer", 0, 4));
    let (uri, line) = target(&d);
    let copy = mcfg::lsp::text::uri_to_path(&uri).unwrap();
    assert!(
        copy.starts_with(c.cache.path()) && copy.ends_with("std/ml.mcfg"),
        "{uri}"
    );
    let std_text = std::fs::read_to_string(&copy).unwrap();
    assert_eq!(std_text, mcfg::stdlib::module("std/ml").unwrap());
    assert_eq!(line, line_of(&std_text, "type SemVer"));
    assert!(std::fs::metadata(&copy).unwrap().permissions().readonly());
}

#[test]
fn completion_of_fields_envs_markers_and_module_names() {
    let mut c = Client::ranking();
    let r = "models/ranker.mcfg";
    let text = c.text(r);
    // A half-typed path in an env block: the document does not parse.
    let typed = text.replace(
        "env prod { serving.timeout = 50ms }",
        "env prod { serving. }",
    );
    c.open(r, &typed);
    assert_eq!(c.diags(r)[0]["code"], "mcfg::syntax");
    let items = c.at(
        "textDocument/completion",
        r,
        pos(&typed, "serving. }", 0, 8),
    );
    let got = labels(&items);
    assert!(
        got.contains(&"batch_size".to_owned()) && got.contains(&"endpoint".to_owned()),
        "{got:?}"
    );
    let batch = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "batch_size")
        .unwrap();
    assert_eq!(batch["detail"], "int(>= 1, <= 512)");
    assert_eq!(
        batch["documentation"],
        "Requests grouped into one forward pass."
    );
    // Top-level fields inside a block of the config body.
    let typed = text.replace(
        "  hyperparameters.epochs = 4\n",
        "  hyperparameters {\n    e\n  }\n",
    );
    c.change(r, &typed);
    let got = labels(&c.at("textDocument/completion", r, pos(&typed, "{\n    e", 0, 7)));
    assert_eq!(got, ["learning_rate", "epochs", "dropout"]);
    // Built-in functions and names where a value starts (§9.5, §9.6).
    let typed = text.replace(
        "  hyperparameters.epochs = 4\n",
        "  hyperparameters.epochs = di\n",
    );
    c.change(r, &typed);
    let got = labels(&c.at("textDocument/completion", r, pos(&typed, "= di\n", 0, 4)));
    for want in ["div", "all", "any", "sum", "envs", "self"] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
    // Environments after `env `.
    let typed = text.replace("  env prod { serving.timeout = 50ms }", "  env st");
    c.change(r, &typed);
    let got = labels(&c.at("textDocument/completion", r, pos(&typed, "env st\n", 0, 6)));
    assert_eq!(got, ["dev", "staging", "prod"]);
    // Markers after `@`, in a schema.
    let s = "schemas/serving.mcfg";
    let serving = c.text(s).replace("api_key: secret?", "api_key: secret? @");
    c.open(s, &serving);
    let got = labels(&c.at(
        "textDocument/completion",
        s,
        pos(&serving, "secret? @", 0, 9),
    ));
    assert_eq!(got, ["invariant", "distinct", "runtime", "deprecated"]);
    // Names of a module after its alias.
    let serving = c.text(s).replace("port: ml.Port", "port: ml.");
    c.change(s, &serving);
    let got = labels(&c.at(
        "textDocument/completion",
        s,
        pos(&serving, "port: ml.", 0, 9),
    ));
    for want in ["Probability", "Port", "SemVer", "FeatureFlag", "Experiment"] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
}

#[test]
fn positions_count_utf16_units_unless_the_client_takes_utf8() {
    let text = "config c {\n  label = \"é😀\"; n = 1 / 0\n}\n";
    for (caps, col) in [
        (json!({}), 21),
        (
            json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }),
            24,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.mcfg"), text).unwrap();
        let mut c = Client::start(dir.path(), caps);
        c.open("main.mcfg", text);
        let diags = c.diags("main.mcfg");
        assert_eq!(diags[0]["code"], "mcfg::arithmetic", "{diags:#?}");
        // `  label = "` 11, é 1 (2 bytes), 😀 2 (4 bytes), `"; n = ` 7, then `1`.
        assert_eq!(
            diags[0]["range"]["start"],
            json!({ "line": 1, "character": col })
        );
        // Hover on `n`, addressed in the same encoding.
        let h = c.at(
            "textDocument/hover",
            "main.mcfg",
            json!({ "line": 1, "character": col - 4 }),
        );
        assert!(hover_text(&h).starts_with("**n**"), "{h}");
    }
}

#[test]
fn a_broken_document_still_gets_answers() {
    let mut c = Client::ranking();
    let r = "models/ranker.mcfg";
    for garbage in [
        "config {{{{ = = @@ \"".to_owned(),
        "[".repeat(100_000),
        format!(
            "config c {{ x = {}1{} }}",
            "(".repeat(5000),
            ")".repeat(5000)
        ),
        "\u{0}\u{feff}é\r\r\n}".to_owned(),
    ] {
        c.open(r, &garbage);
        assert!(!c.diags(r).is_empty());
        let h = c.at(
            "textDocument/hover",
            r,
            json!({ "line": 0, "character": 3 }),
        );
        assert!(h.is_null() || h.is_object());
        let items = c.at(
            "textDocument/completion",
            r,
            json!({ "line": 0, "character": 7 }),
        );
        assert!(items.is_array());
        let d = c.at(
            "textDocument/definition",
            r,
            json!({ "line": 99, "character": 99 }),
        );
        assert!(d.is_null());
        let f = c.request("textDocument/formatting", json!({ "textDocument": { "uri": c.uri(r) }, "options": { "tabSize": 2, "insertSpaces": true } }));
        assert!(f.is_null());
    }
    // After the garbage, the real text works again.
    c.open_disk(r);
    assert!(c.diags(r).is_empty(), "{:#?}", c.diags(r));
}

#[test]
fn serves_a_memory_connection_until_exit() {
    let (server, client) = Connection::memory();
    let worker = std::thread::spawn(move || mcfg::lsp::serve(&server));
    let dir = tempfile::tempdir().unwrap();
    let send = |m: Message| client.sender.send(m).unwrap();
    send(Message::Request(Request::new(
        1.into(),
        "initialize".into(),
        json!({ "rootUri": path_to_uri(dir.path()), "capabilities": {} }),
    )));
    let Message::Response(r) = client.receiver.recv().unwrap() else {
        panic!("expected the initialize response");
    };
    assert_eq!(
        r.result.unwrap()["capabilities"]["positionEncoding"],
        "utf-16"
    );
    send(Message::Request(Request::new(
        2.into(),
        "shutdown".into(),
        json!(null),
    )));
    let Message::Response(r) = client.receiver.recv().unwrap() else {
        panic!("expected the shutdown response");
    };
    assert_eq!(r.id, 2.into());
    send(Message::Notification(Notification::new(
        "exit".into(),
        json!(null),
    )));
    assert!(worker.join().unwrap().is_ok());
}

#[test]
fn end_to_end_with_the_real_binary() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_e2e.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_mcfg"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ranking"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "lsp_e2e.py failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_vscode_extension_files_agree_with_each_other_and_the_server() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let read = |rel: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(rel)).unwrap())
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    let manifest = read("package.json");
    let grammar = read("syntaxes/mcfg.tmLanguage.json");
    let langconf = read("language-configuration.json");
    let contributes = &manifest["contributes"];
    assert_eq!(contributes["languages"][0]["id"], "mcfg");
    assert_eq!(contributes["languages"][0]["extensions"], json!([".mcfg"]));
    assert_eq!(
        contributes["grammars"][0]["scopeName"],
        grammar["scopeName"]
    );
    assert_eq!(
        contributes["grammars"][0]["path"],
        "./syntaxes/mcfg.tmLanguage.json"
    );
    assert_eq!(langconf["comments"]["lineComment"], "//");
    // Bundled: the client is a build-time dependency, esbuild writes `main`.
    assert!(manifest["devDependencies"]["vscode-languageclient"].is_string());
    assert_eq!(manifest["main"], "./dist/extension.js");
    assert!(manifest["scripts"]["bundle"]
        .as_str()
        .unwrap()
        .contains("--outfile=dist/extension.js"));
    // Artifacts under build/ are validated with the schema the extension serves.
    let validation = &contributes["jsonValidation"][0];
    assert_eq!(validation["url"], "mcfg-schema:/artifacts.schema.json");
    assert!(validation["fileMatch"]
        .as_array()
        .unwrap()
        .contains(&json!("!**/manifest.json")));
    // Every `#name` the grammar includes exists in its repository.
    let text = std::fs::read_to_string(dir.join("syntaxes/mcfg.tmLanguage.json")).unwrap();
    for (i, _) in text.match_indices("\"include\": \"#") {
        let rest = &text[i + "\"include\": \"#".len()..];
        let name = &rest[..rest.find('"').unwrap()];
        assert!(
            grammar["repository"][name].is_object(),
            "missing rule {name}"
        );
    }
    let js = std::fs::read_to_string(dir.join("extension.js")).unwrap();
    assert!(js.contains("args: [\"lsp\"]") && js.contains("vscode-languageclient/node"));
    assert!(js.contains("registerTextDocumentContentProvider(\"mcfg-schema\""));
    assert!(js.contains("[\"schema\", \"-q\", \".\"]"));
}

#[test]
fn closing_a_document_and_changes_on_disk_are_seen() {
    let mut c = Client::with_files(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", MAIN)]);
    let fixed = MAIN.replace(
        "endpoint = ",
        "env prod { endpoint = \"https://p\" }\n  endpoint = ",
    );
    c.open("main.mcfg", &fixed);
    assert!(
        c.diags("main.mcfg").is_empty(),
        "{:#?}",
        c.diags("main.mcfg")
    );
    // Closing the unsaved document: the disk's text (with its error) counts again.
    let uri = c.uri("main.mcfg");
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(c.diags("main.mcfg")[0]["code"], "mcfg::distinct");
    // A file changed on disk by another tool.
    std::fs::write(c.root.join("main.mcfg"), &fixed).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri, "type": 2 }] }),
    );
    assert!(c.diags("main.mcfg").is_empty());
}

#[test]
fn a_burst_of_changes_is_compiled_once_and_requests_see_the_latest_text() {
    let mut c = Client::with_files(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", MAIN)]);
    let uri = c.uri("main.mcfg");
    let open = Message::Notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": MAIN } }),
    ));
    let change = |v: i32, text: &str| {
        Message::Notification(Notification::new(
            "textDocument/didChange".into(),
            json!({ "textDocument": { "uri": uri, "version": v }, "contentChanges": [{ "text": text }] }),
        ))
    };
    let typed = MAIN.replace("name = \"svc\"", "name = \"svc\"\n  nme = 1");
    // `endpoint` is one line lower in version 3 than in version 1.
    let at = pos(&typed, "endpoint =", 0, 1);
    let hover = Message::Request(Request::new(
        RequestId::from(99),
        "textDocument/hover".into(),
        json!({ "textDocument": { "uri": uri }, "position": at }),
    ));
    let out = c.server.handle_batch([
        open,
        change(2, "garbage {"),
        change(3, &typed),
        hover,
        change(4, MAIN),
    ]);
    let kinds: Vec<String> = out
        .iter()
        .map(|m| match m {
            Message::Notification(n) => format!("{} {}", n.method, n.params["uri"]),
            Message::Response(r) => format!("response {:?}", r.id),
            Message::Request(r) => r.method.clone(),
        })
        .collect();
    // One compilation before the hover (2 files published), one at the end.
    assert_eq!(kinds.len(), 5, "{kinds:#?}");
    assert!(kinds[2].starts_with("response"), "{kinds:#?}");
    let Message::Notification(first) = &out[0] else {
        panic!("{kinds:?}")
    };
    let codes: Vec<&Value> = first.params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["code"])
        .collect();
    assert_eq!(first.params["uri"], uri);
    assert_eq!(
        codes,
        [&json!("mcfg::unknown-field"), &json!("mcfg::distinct")]
    );
    // The hover ran on the text of version 3.
    let Message::Response(r) = &out[2] else {
        panic!("{kinds:?}")
    };
    let h = hover_text(r.result.as_ref().unwrap());
    assert!(h.starts_with("**endpoint**: `string` `@distinct`"), "{h}");
    // The last compilation is of version 4: only the distinct error is left.
    let Message::Notification(last) = &out[3] else {
        panic!("{kinds:?}")
    };
    assert_eq!(last.params["diagnostics"][0]["code"], "mcfg::distinct");
    assert_eq!(last.params["diagnostics"].as_array().unwrap().len(), 1);
}

#[test]
fn formatting_returns_one_edit_with_the_canonical_layout() {
    let messy = "config a {\n      x=1\n  y   =  \"s\"   // keep me\n}\n";
    let mut c = Client::with_files(&[("main.mcfg", messy)]);
    c.open("main.mcfg", messy);
    let params = json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = c.request("textDocument/formatting", params.clone());
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits:#}");
    assert_eq!(
        edits[0]["newText"],
        "config a {\n  x = 1\n  y = \"s\" // keep me\n}\n"
    );
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    // Already canonical: no edit.
    let clean = "config a {\n  x = 1\n}\n";
    c.open("main.mcfg", clean);
    assert!(c.request("textDocument/formatting", params).is_null());
}

#[test]
fn hover_shows_an_unset_value_as_absent_with_its_unset() {
    let main = "environments {\n  dev\n  prod\n}\n\nschema S {\n  canary: int? = 10\n}\n\nconfig svc: S {\n  canary = 20\n  env prod {\n    unset canary\n  }\n}\n";
    let mut c = Client::with_files(&[("main.mcfg", main)]);
    c.open("main.mcfg", main);
    let h = c.at(
        "textDocument/hover",
        "main.mcfg",
        pos(main, "canary = 20", 0, 2),
    );
    let h = hover_text(&h);
    let set = line_of(main, "canary = 20") + 1;
    let unset = line_of(main, "unset canary") + 1;
    assert!(h.contains(&format!("- dev: `20` — main.mcfg:{set}")), "{h}");
    assert!(
        h.contains(&format!("- prod: (absent) — main.mcfg:{unset}")) && h.contains("(unset)"),
        "{h}"
    );
}

#[test]
fn hover_shows_a_declared_leaf_without_value_as_required_like_explain() {
    let main = "environments {\n  dev\n  prod\n}\n\nconfig svc {\n  endpoint: string\n  env prod {\n    endpoint = \"https://x\"\n  }\n}\n";
    let mut c = Client::with_files(&[("main.mcfg", main)]);
    c.open("main.mcfg", main);
    let h = c.at(
        "textDocument/hover",
        "main.mcfg",
        pos(main, "endpoint: string", 0, 2),
    );
    let h = hover_text(&h);
    assert!(h.contains("- dev: (required, no value)"), "{h}");
    assert!(h.contains("- prod: `\"https://x\"`"), "{h}");
    assert!(!h.contains("(absent)"), "{h}");
}
