//! Every language-server feature end to end: the real `mcfg lsp` over stdio
//! (`lsp_stdio::Stdio`), one small project.

use serde_json::{json, Value};

use crate::lsp_stdio::{line_of, pos, Stdio};

const SCHEMAS: &str = r#"/// A model server.
schema Serving {
  replicas: int(>= 1) = 1
  batch_size: int = 32
  device: "cpu" | "gpu" = "cpu"
  timeout: duration = 100ms @runtime
}
"#;

const MAIN: &str = r#"import "./schemas.mcfg" as s
import "std/ml" as ml

environments {
  dev
  staging
  prod
}

// Settings shared by
// every model server.
abstract config base: s.Serving {
  replicas = 1
  batch_size = max(len([1, 2, 3]), 2) * 8
  env staging { replicas = 2 }
  env prod { replicas = 8 }
}

config svc: s.Serving extends base {
  device = if replicas > 4 then "gpu" else "cpu"
  timeout = 50ms
}

config flag: ml.FeatureFlag {
  rollout = 10
  env prod { rollout = 50 }
}
"#;

fn start() -> Stdio {
    let mut c = Stdio::start(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", MAIN)]);
    c.open("main.mcfg");
    assert_eq!(c.diagnostics("main.mcfg"), Vec::<Value>::new());
    c
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn document_symbols_outline_the_file() {
    let mut c = start();
    let syms = c.doc("textDocument/documentSymbol", "main.mcfg", json!({}));
    assert_eq!(
        names(&syms),
        ["s", "ml", "environments", "base", "svc", "flag"]
    );
    assert_eq!(names(&syms[2]["children"]), ["dev", "staging", "prod"]);
    let base = &syms[3];
    assert_eq!(base["detail"], ": s.Serving");
    assert_eq!(base["kind"], 19); // Object
    assert_eq!(
        names(&base["children"]),
        ["replicas", "batch_size", "env staging", "env prod"]
    );
    assert_eq!(names(&base["children"][3]["children"]), ["replicas"]);
    assert_eq!(base["selectionRange"]["start"], pos(MAIN, "base: s", 0, 0));
    c.open("schemas.mcfg");
    let syms = c.doc("textDocument/documentSymbol", "schemas.mcfg", json!({}));
    assert_eq!(names(&syms), ["Serving"]);
    assert_eq!(
        names(&syms[0]["children"]),
        ["replicas", "batch_size", "device", "timeout"]
    );
    assert_eq!(syms[0]["children"][0]["detail"], "int(>= 1)");
}

#[test]
fn workspace_symbols_match_a_subsequence_across_files_and_std() {
    let mut c = start();
    // The project's `Serving` first, then the standard library's.
    let found = c.request("workspace/symbol", json!({ "query": "srv" }));
    assert_eq!(names(&found), ["Serving", "Serving"]);
    assert_eq!(found[0]["location"]["uri"], c.uri("schemas.mcfg"));
    assert_eq!(found[0]["containerName"], "schemas.mcfg");
    let std_uri = found[1]["location"]["uri"].as_str().unwrap();
    assert!(std_uri.ends_with("/std/ml.mcfg"), "{std_uri}");
    let found = c.request("workspace/symbol", json!({ "query": "featureflag" }));
    assert_eq!(names(&found), ["FeatureFlag"]);
    let uri = found[0]["location"]["uri"].as_str().unwrap();
    assert!(uri.ends_with("/std/ml.mcfg"), "{uri}");
    let all = c.request("workspace/symbol", json!({ "query": "" }));
    for n in ["dev", "prod", "base", "svc", "flag", "Serving", "Port"] {
        assert!(names(&all).iter().any(|x| x == n), "{n} in {all:#}");
    }
}

fn spans(locs: &Value, text: &str) -> Vec<(u64, String)> {
    let lines: Vec<&str> = text.lines().collect();
    locs.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let r = &l["range"];
            let line = r["start"]["line"].as_u64().unwrap();
            let (a, b) = (
                r["start"]["character"].as_u64().unwrap() as usize,
                r["end"]["character"].as_u64().unwrap() as usize,
            );
            (line, lines[line as usize][a..b].to_owned())
        })
        .collect()
}

#[test]
fn references_of_a_schema_a_field_an_environment_and_a_config() {
    let mut c = start();
    // The schema, from its use in `base: s.Serving`: declaration and both uses.
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "position": pos(MAIN, "s.Serving", 0, 3), "context": { "includeDeclaration": true } }),
    );
    let uris: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["location"].as_str().or(l["uri"].as_str()).unwrap())
        .collect();
    assert_eq!(uris.len(), 3, "{refs:#}");
    assert_eq!(uris[0], c.uri("schemas.mcfg"));
    assert_eq!(
        spans(&json!(refs.as_array().unwrap()[1..]), MAIN),
        [
            (line_of(MAIN, "base: s"), "Serving".to_owned()),
            (line_of(MAIN, "svc: s"), "Serving".to_owned())
        ]
    );
    // A field, from an assignment: every key that sets it and the name that
    // reads it in `svc` (declaration excluded).
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "position": pos(MAIN, "replicas = 1", 0, 2), "context": { "includeDeclaration": false } }),
    );
    let got = spans(&refs, MAIN);
    let lines: Vec<u64> = got.iter().map(|(l, _)| *l).collect();
    assert_eq!(
        lines,
        [
            "replicas = 1",
            "replicas = 2",
            "replicas = 8",
            "replicas > 4"
        ]
        .map(|n| line_of(MAIN, n))
    );
    assert!(got.iter().all(|(_, t)| t == "replicas"), "{got:?}");
    // An environment, from an `env` block.
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "position": pos(MAIN, "env prod", 0, 5), "context": { "includeDeclaration": true } }),
    );
    assert_eq!(
        spans(&refs, MAIN),
        [
            (line_of(MAIN, "  prod\n"), "prod".to_owned()),
            (line_of(MAIN, "env prod { replicas"), "prod".to_owned()),
            (line_of(MAIN, "env prod { rollout"), "prod".to_owned()),
        ]
    );
    // A config, from its declaration: the `extends` that names it.
    let refs = c.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "position": pos(MAIN, "config base", 0, 8), "context": { "includeDeclaration": false } }),
    );
    assert_eq!(
        spans(&refs, MAIN),
        [(line_of(MAIN, "extends base"), "base".to_owned())]
    );
}

/// The edits of a rename answer, as (uri, line, new text).
fn edits(edit: &Value) -> Vec<(String, u64, String)> {
    let mut out = Vec::new();
    for doc in edit["documentChanges"].as_array().unwrap() {
        for e in doc["edits"].as_array().unwrap() {
            out.push((
                doc["textDocument"]["uri"].as_str().unwrap().to_owned(),
                e["range"]["start"]["line"].as_u64().unwrap(),
                e["newText"].as_str().unwrap().to_owned(),
            ));
        }
    }
    out
}

#[test]
fn rename_a_field_across_files_and_refuse_bad_names_and_std() {
    let mut c = start();
    let at = json!({ "uri": c.uri("main.mcfg") });
    let prep = c.request(
        "textDocument/prepareRename",
        json!({ "textDocument": at, "position": pos(MAIN, "replicas > 4", 0, 1) }),
    );
    assert_eq!(prep["start"], pos(MAIN, "replicas > 4", 0, 0));
    let edit = c.request(
        "textDocument/rename",
        json!({ "textDocument": at, "position": pos(MAIN, "replicas = 2", 0, 0), "newName": "workers" }),
    );
    let got = edits(&edit);
    let schemas = c.uri("schemas.mcfg");
    let main = c.uri("main.mcfg");
    assert_eq!(
        got,
        [
            (schemas, line_of(SCHEMAS, "replicas:"), "workers".to_owned()),
            (
                main.clone(),
                line_of(MAIN, "replicas = 1"),
                "workers".to_owned()
            ),
            (
                main.clone(),
                line_of(MAIN, "replicas = 2"),
                "workers".to_owned()
            ),
            (
                main.clone(),
                line_of(MAIN, "replicas = 8"),
                "workers".to_owned()
            ),
            (main, line_of(MAIN, "replicas > 4"), "workers".to_owned()),
        ]
    );
    let bad = c.call(
        "textDocument/rename",
        json!({ "textDocument": at, "position": pos(MAIN, "replicas = 2", 0, 0), "newName": "two words" }),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let std = c.call(
        "textDocument/rename",
        json!({ "textDocument": at, "position": pos(MAIN, "ml.FeatureFlag", 0, 4), "newName": "Flag" }),
    );
    assert!(
        std["error"]["message"]
            .as_str()
            .unwrap()
            .contains("standard library"),
        "{std}"
    );
}

/// Decodes semantic tokens into (line, text, type name, modifiers).
fn decode(data: &Value, text: &str, legend: &Value) -> Vec<(u32, String, String, u64)> {
    let lines: Vec<&str> = text.lines().collect();
    let nums: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = Vec::new();
    for t in nums.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        let l = lines[line as usize];
        let s = &l[col as usize..(col + t[2]) as usize];
        let ty = legend["tokenTypes"][t[3] as usize].as_str().unwrap();
        out.push((line as u32, s.to_owned(), ty.to_owned(), t[4]));
    }
    out
}

#[test]
fn semantic_tokens_classify_every_kind_of_word() {
    let mut c = start();
    let init = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": c.uri(""), "capabilities": {} }),
    );
    let legend = init["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let toks = c.doc("textDocument/semanticTokens/full", "main.mcfg", json!({}));
    let got = decode(&toks["data"], MAIN, &legend);
    let find = |word: &str, nth: usize| {
        got.iter()
            .filter(|(_, s, _, _)| s == word)
            .nth(nth)
            .map(|(_, _, t, m)| (t.as_str(), *m))
            .unwrap_or_else(|| panic!("no token {word}: {got:?}"))
    };
    assert_eq!(find("import", 0), ("keyword", 0));
    assert_eq!(find("\"./schemas.mcfg\"", 0), ("string", 0));
    assert_eq!(find("s", 0), ("namespace", 1)); // declaration
    assert_eq!(find("s", 1), ("namespace", 0));
    assert_eq!(find("Serving", 0), ("struct", 0));
    assert_eq!(find("FeatureFlag", 0), ("struct", 0));
    assert_eq!(find("staging", 0), ("enumMember", 1));
    assert_eq!(find("staging", 1), ("enumMember", 0));
    assert_eq!(find("base", 0), ("variable", 1));
    assert_eq!(find("replicas", 0), ("property", 0));
    assert_eq!(find("replicas", 3), ("variable", 0)); // in `if replicas > 4`
    assert_eq!(find("max", 0), ("function", 2)); // defaultLibrary
    assert_eq!(find("len", 0), ("function", 2));
    assert_eq!(find("8", 0), ("number", 0));
    assert_eq!(find("50ms", 0), ("number", 0));
    assert_eq!(find("// Settings shared by", 0), ("comment", 0));
    assert_eq!(find("*", 0), ("operator", 0));
    assert_eq!(find("if", 0), ("keyword", 0));
    c.open("schemas.mcfg");
    let toks = c.doc(
        "textDocument/semanticTokens/full",
        "schemas.mcfg",
        json!({}),
    );
    let got = decode(&toks["data"], SCHEMAS, &legend);
    let find = |word: &str| {
        got.iter()
            .find(|(_, s, _, _)| s == word)
            .map(|(_, _, t, m)| (t.as_str(), *m))
            .unwrap_or_else(|| panic!("no token {word}: {got:?}"))
    };
    assert_eq!(find("/// A model server."), ("comment", 4)); // documentation
    assert_eq!(find("Serving"), ("struct", 1));
    assert_eq!(find("batch_size"), ("property", 1));
    assert_eq!(find("int"), ("type", 2));
    assert_eq!(find("@runtime"), ("decorator", 0));
    assert_eq!(find("\"gpu\""), ("string", 0));
    // A document that does not parse still gets its keywords, strings and numbers.
    c.open_text("broken.mcfg", "config x {\n  a = \"s${1 +}\" \n");
    let toks = c.doc("textDocument/semanticTokens/full", "broken.mcfg", json!({}));
    let got = decode(&toks["data"], "config x {\n  a = \"s${1 +}\" \n", &legend);
    let kinds: Vec<(String, String)> = got.into_iter().map(|(_, s, t, _)| (s, t)).collect();
    assert_eq!(
        kinds,
        [
            ("config", "keyword"),
            ("x", "variable"),
            ("a", "property"),
            ("=", "operator"),
            ("\"s", "string"),
            ("1", "number"),
            ("+", "operator"),
            ("}", "operator"),
            ("\"", "string"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
    );
}

const TYPOS: &str = r#"import "./schemas.mcfg" as s

environments {
  dev
  prod
}

config t: s.Serving {
  batchsize = 4
  env prd { replicas = 2 }
}
"#;

#[test]
fn code_actions_apply_each_did_you_mean_and_all_at_once() {
    let mut c = Stdio::start(&[("schemas.mcfg", SCHEMAS), ("main.mcfg", TYPOS)]);
    c.open("main.mcfg");
    let diags = c.diagnostics("main.mcfg");
    let codes: Vec<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(
        codes,
        ["mcfg::unknown-field", "mcfg::unknown-env"],
        "{diags:#?}"
    );
    let range = |line: u64| json!({ "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 30 } });
    let actions = c.doc(
        "textDocument/codeAction",
        "main.mcfg",
        json!({ "range": range(line_of(TYPOS, "batchsize")), "context": { "diagnostics": [diags[0]] } }),
    );
    let list = actions.as_array().unwrap();
    assert_eq!(list[0]["title"], "Replace `batchsize` with `batch_size`");
    assert_eq!(list[0]["kind"], "quickfix");
    assert_eq!(list[0]["diagnostics"][0]["code"], "mcfg::unknown-field");
    let fix = &list[0]["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(fix["newText"], "batch_size");
    assert_eq!(fix["range"]["start"], pos(TYPOS, "batchsize", 0, 0));
    assert_eq!(fix["range"]["end"], pos(TYPOS, "batchsize", 0, 9));
    // The fix-all action applies both suggestions; the result has no diagnostics.
    let all = list
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .expect("fix all");
    let mut fixed = TYPOS.to_owned();
    let mut edits: Vec<&Value> = all["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e["range"]["start"]["line"].as_u64()));
    for e in edits {
        let at = |p: &Value| {
            let line = p["line"].as_u64().unwrap() as usize;
            fixed.lines().take(line).map(|l| l.len() + 1).sum::<usize>()
                + p["character"].as_u64().unwrap() as usize
        };
        let (a, b) = (at(&e["range"]["start"]), at(&e["range"]["end"]));
        fixed.replace_range(a..b, e["newText"].as_str().unwrap());
    }
    assert!(
        fixed.contains("batch_size = 4") && fixed.contains("env prod {"),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": c.uri("main.mcfg"), "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    assert_eq!(c.diagnostics("main.mcfg"), Vec::<Value>::new());
}

#[test]
fn inlay_hints_show_the_values_that_differ_between_environments() {
    let mut c = start();
    let whole =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } });
    let hints = c.doc(
        "textDocument/inlayHint",
        "main.mcfg",
        json!({ "range": whole }),
    );
    let got: Vec<(u64, String)> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["position"]["line"].as_u64().unwrap(),
                h["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                line_of(MAIN, "replicas = 1"),
                "dev 1 · staging 2 · prod 8".to_owned()
            ),
            (
                line_of(MAIN, "device = if"),
                "dev \"cpu\" · staging \"cpu\" · prod \"gpu\"".to_owned()
            ),
            (
                line_of(MAIN, "rollout = 10"),
                "dev 10.0 · staging 10.0 · prod 50.0".to_owned()
            ),
        ]
    );
    // The hint sits at the end of the assignment.
    assert_eq!(hints[0]["position"], pos(MAIN, "replicas = 1", 0, 12));
    assert_eq!(hints[0]["paddingLeft"], true);
}

#[test]
fn folding_ranges_cover_blocks_imports_and_comment_runs() {
    let mut c = start();
    let folds = c.doc("textDocument/foldingRange", "main.mcfg", json!({}));
    let got: Vec<(u64, u64, Option<String>)> = folds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
                f["kind"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let l = |n: &str| line_of(MAIN, n);
    for want in [
        (l("environments"), l("  prod\n") + 1, None),
        (l("abstract config"), l("env prod { replicas") + 1, None),
        (l("config svc"), l("timeout = 50ms") + 1, None),
        (
            l("import \"./"),
            l("import \"std"),
            Some("imports".to_owned()),
        ),
        (l("// Settings"), l("// every"), Some("comment".to_owned())),
    ] {
        assert!(got.contains(&want), "{want:?} in {got:?}");
    }
    assert_eq!(got.len(), 6, "{got:?}");
}

#[test]
fn signature_help_for_built_ins_follows_the_argument() {
    let mut c = start();
    let typing = "config t {\n  x = join([\"a\", \"b\"], \n}\n";
    c.open_text("t.mcfg", typing);
    let sig = c.at(
        "textDocument/signatureHelp",
        "t.mcfg",
        pos(typing, ", \n", 0, 2),
    );
    let s = &sig["signatures"][0];
    assert_eq!(s["label"], "join(items: list[string | int], sep: string)");
    assert_eq!(sig["activeParameter"], 1);
    let [a, b] = [
        s["parameters"][1]["label"][0].as_u64().unwrap(),
        s["parameters"][1]["label"][1].as_u64().unwrap(),
    ];
    assert_eq!(
        &s["label"].as_str().unwrap()[a as usize..b as usize],
        "sep: string"
    );
    let sig = c.at(
        "textDocument/signatureHelp",
        "t.mcfg",
        pos(typing, "\"a\"", 0, 0),
    );
    assert_eq!(sig["activeParameter"], 0);
    // Outside a call: nothing.
    let none = c.at(
        "textDocument/signatureHelp",
        "t.mcfg",
        pos(typing, "x =", 0, 1),
    );
    assert!(none.is_null(), "{none}");
}

fn hover(c: &mut Stdio, needle: &str, shift: usize) -> String {
    let h = c.at(
        "textDocument/hover",
        "main.mcfg",
        pos(MAIN, needle, 0, shift),
    );
    h["contents"]["value"].as_str().unwrap_or("").to_owned()
}

#[test]
fn hover_and_definition_on_names_inside_expressions() {
    let mut c = start();
    // `replicas` in `if replicas > 4`: svc's own (inherited) field, per environment.
    let h = hover(&mut c, "replicas > 4", 1);
    assert!(h.starts_with("**replicas**: `int(>= 1)`"), "{h}");
    assert!(h.contains("- dev: `1`") && h.contains("- prod: `8`"), "{h}");
    // A built-in call.
    let h = hover(&mut c, "len([1", 1);
    assert!(h.contains("len(x: string | list | map)"), "{h}");
    // Definition of `replicas` in the expression: every place that sets it.
    let d = c.at(
        "textDocument/definition",
        "main.mcfg",
        pos(MAIN, "replicas > 4", 0, 1),
    );
    let lines: Vec<u64> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            line_of(MAIN, "replicas = 1"),
            line_of(MAIN, "replicas = 2"),
            line_of(MAIN, "replicas = 8")
        ]
    );
}

#[test]
fn definition_into_the_standard_library_opens_a_read_only_copy() {
    let mut c = start();
    let d = c.at(
        "textDocument/definition",
        "main.mcfg",
        pos(MAIN, "ml.FeatureFlag", 0, 4),
    );
    let uri = d["uri"].as_str().unwrap();
    let path = mcfg::lsp::text::uri_to_path(uri).unwrap();
    assert!(
        path.starts_with(crate::lsp_stdio::canonical(&c.cache).join("mcfg")),
        "{uri}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, mcfg::stdlib::module("std/ml").unwrap());
    assert_eq!(
        d["range"]["start"]["line"],
        line_of(&text, "schema FeatureFlag")
    );
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
    // In the copy, hover works; its edits are not part of the project.
    c.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "mcfg", "version": 1, "text": text } }),
    );
    let h = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": pos(&text, "rollout: Percent", 0, 10) }),
    );
    let h = h["contents"]["value"].as_str().unwrap();
    assert!(
        h.contains("**schema Percent**") || h.contains("type Percent"),
        "{h}"
    );
    assert_eq!(c.diagnostics("main.mcfg"), Vec::<Value>::new());
}

#[test]
fn typed_dispatch_rejects_bad_parameters_and_unknown_methods() {
    let mut c = start();
    // `position` must be an object with `line` and `character`.
    let bad = c.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": c.uri("main.mcfg") }, "position": "top" }),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("textDocument/hover"),
        "{bad}"
    );
    let unknown = c.call("textDocument/teleport", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    // Still serving afterwards; a notification with bad parameters is ignored.
    c.notify("textDocument/didChange", json!({ "textDocument": 7 }));
    let h = hover(&mut c, "replicas = 1", 1);
    assert!(h.starts_with("**replicas**"), "{h}");
}

#[test]
fn incremental_sync_applies_range_edits() {
    let mut c = start();
    let init = c.request(
        "initialize",
        json!({ "processId": null, "rootUri": c.uri(""), "capabilities": {} }),
    );
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    // `replicas = 1` → `replicas = 0`: below `int(>= 1)`.
    let at = pos(MAIN, "replicas = 1", 0, 11);
    let end = pos(MAIN, "replicas = 1", 0, 12);
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": c.uri("main.mcfg"), "version": 2 },
                "contentChanges": [{ "range": { "start": at, "end": end }, "text": "0" }] }),
    );
    let diags = c.diagnostics("main.mcfg");
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "mcfg::constraint");
    assert_eq!(
        diags[0]["range"]["start"]["line"],
        line_of(MAIN, "replicas = 1")
    );
}
