//! `mcfg test` (LANGUAGE.md §9.9, CLI.md): the report, exit status, name
//! filters, `--set`, message formats and `--junit` XML, with exact output.

use std::path::Path;
use std::process::{Command, Output};

use super::ops::{mcfg, stderr, stdout};

const SRC: &str = r#"environments {
  dev
  prod
  prod_eu extends prod
}
schema Serving {
  device: "cpu" | "gpu" = "cpu"
  replicas: int = 1
}
config ranker: Serving {
  env prod { device = "gpu" }
}
config reranker: Serving {
  env prod { replicas = 2 }
}

test "prod serves on gpu" in prod, prod_eu {
  assert all(c in [ranker, reranker]: c.device == "gpu") : "every model on gpu"
}
test "ranker & reranker <agree>" {
  assert ranker.replicas == reranker.replicas
}
test "dev is small" in dev {
  assert ranker.replicas <= 2
}
"#;

fn project(src: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.mcfg"), src).expect("write");
    dir
}

#[test]
fn report_has_one_line_per_test_and_environment_and_a_summary() {
    let dir = project(SRC);
    let out = mcfg(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "test \"prod serves on gpu\" in prod ... FAILED\n\
         test \"prod serves on gpu\" in prod_eu ... FAILED\n\
         test \"ranker & reranker <agree>\" in dev ... ok\n\
         test \"ranker & reranker <agree>\" in prod ... FAILED\n\
         test \"ranker & reranker <agree>\" in prod_eu ... FAILED\n\
         test \"dev is small\" in dev ... ok\n\
         \n\
         2 passed, 4 failed\n"
    );
    // For people: one diagnostic per assert listing the environments where
    // it fails the same way.
    let err = stderr(&out);
    assert_eq!(err.matches("mcfg::test-failed").count(), 2, "{err}");
    assert!(
        err.contains("assert failed: every model on gpu (envs `prod`, `prod_eu`)"),
        "{err}"
    );
    assert!(err.ends_with("2 errors, 0 warnings\n"), "{err}");
}

#[test]
fn passing_tests_exit_0_and_json_lists_the_environments_of_one_failure() {
    let fixed = SRC
        .replace("env prod { replicas = 2 }", "env prod { device = \"gpu\" }")
        .replace(
            "assert ranker.replicas == reranker.replicas",
            "assert ranker.replicas == reranker.replicas\n  assert ranker.device == \"cpu\"",
        );
    let dir = project(&fixed);
    let out = mcfg(dir.path(), &["--message-format", "json", "test"]);
    assert_eq!(out.status.code(), Some(1));
    let diags: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON diagnostic per line"))
        .collect();
    // One diagnostic for the assert, listing where it fails (`env` the first).
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0]["env"], "prod");
    assert_eq!(diags[0]["envs"], serde_json::json!(["prod", "prod_eu"]));
    assert!(diags.iter().all(|d| d["code"] == "mcfg::test-failed"
        && d["line"] == 22
        && d["help"]
            == "the assert is `ranker.device == \"cpu\"`; here `ranker.device` = \"gpu\""));
    assert!(stdout(&out).ends_with("\n4 passed, 2 failed\n"));

    let passing = fixed.replace("\n  assert ranker.device == \"cpu\"", "");
    let dir = project(&passing);
    let out = mcfg(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("\n6 passed, 0 failed\n"));
    assert_eq!(stderr(&out), "");
}

#[test]
fn name_filters_select_tests_by_substring() {
    let dir = project(SRC);
    let out = mcfg(dir.path(), &["test", ".", "small"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "test \"dev is small\" in dev ... ok\n\n1 passed, 0 failed; 2 filtered out\n"
    );
    // `--filter` for a text that is also a file name; several filters add up.
    std::fs::write(dir.path().join("gpu"), "").expect("write");
    let out = mcfg(
        dir.path(),
        &["test", "main.mcfg", "--filter", "gpu", "small"],
    );
    assert_eq!(
        stdout(&out),
        "test \"prod serves on gpu\" in prod ... FAILED\n\
         test \"prod serves on gpu\" in prod_eu ... FAILED\n\
         test \"dev is small\" in dev ... ok\n\
         \n\
         1 passed, 2 failed; 1 filtered out\n"
    );
}

#[test]
fn set_overrides_apply_to_the_values_tests_read() {
    let dir = project(SRC);
    let out = mcfg(
        dir.path(),
        &[
            "test",
            "--set",
            "prod:reranker.device=\"gpu\"",
            "--set",
            "reranker.replicas=1",
            "--filter",
            "gpu",
            "agree",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).ends_with("\n5 passed, 0 failed; 1 filtered out\n"));
}

#[test]
fn tests_never_run_in_check_or_build_and_errors_stop_them() {
    let dir = project(SRC);
    let out = mcfg(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = mcfg(dir.path(), &["build", "-o", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let art = std::fs::read_to_string(dir.path().join("out/prod/ranker.json")).expect("artifact");
    assert_eq!(art, "{\n  \"device\": \"gpu\",\n  \"replicas\": 1\n}\n");

    let broken = SRC.replace("replicas: int = 1", "replicas: int = \"one\"");
    let dir = project(&broken);
    let out = mcfg(dir.path(), &["test"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("mcfg::type-mismatch"));
    assert!(stderr(&out).ends_with("mcfg: no tests ran: the sources have errors\n"));
}

#[test]
fn undeclared_environments_and_configs_are_compile_errors() {
    let bad = SRC
        .replace("in prod, prod_eu", "in prod, prd_eu")
        .replace("ranker.replicas <= 2", "rankr.replicas <= 2");
    let dir = project(&bad);
    let out = mcfg(dir.path(), &["--message-format", "json", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let diags: Vec<serde_json::Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let summary: Vec<(String, i64, String)> = diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["line"].as_i64().unwrap(),
                d["help"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "mcfg::unknown-env".into(),
                17,
                "did you mean `prod_eu`?".into()
            ),
            (
                "mcfg::unresolved-name".into(),
                24,
                "did you mean `ranker`?".into()
            ),
        ]
    );
}

#[test]
fn sarif_keeps_stdout_one_log_and_the_report_goes_to_stderr() {
    let dir = project(SRC);
    let out = mcfg(dir.path(), &["--message-format", "sarif", "test"]);
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one SARIF log");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r["ruleId"] == "mcfg::test-failed"));
    assert!(stderr(&out).ends_with("\n2 passed, 4 failed\n"));
}

const JUNIT_CHECK: &str = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
print(root.get("tests"), root.get("failures"), root.get("errors"))
for suite in root:
    assert suite.tag == "testsuite"
    print(suite.get("name"), suite.get("tests"), suite.get("failures"))
    for case in suite:
        assert case.tag == "testcase"
        kids = [k.tag for k in case]
        print(" ", case.get("classname"), "|", case.get("name"), "|", kids)
        for k in case:
            print("   ", k.get("type"), "|", k.get("message"), "|", k.text.splitlines()[0])
"#;

#[test]
fn junit_xml_is_well_formed_escaped_and_complete() {
    let dir = project(&format!(
        "{SRC}test \"errors\" in dev {{\n  assert ranker.replicas / 0 == 1\n}}\n"
    ));
    let out = mcfg(dir.path(), &["test", "--junit", "report/junit.xml"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "no report folder: {}",
        stderr(&out)
    );
    std::fs::create_dir(dir.path().join("report")).expect("mkdir");
    let out = mcfg(dir.path(), &["test", "--junit", "report/junit.xml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = dir.path().join("report/junit.xml");
    let text = std::fs::read_to_string(&xml).expect("junit written");
    assert!(
        text.contains("name=\"ranker &amp; reranker &lt;agree&gt; [dev]\""),
        "{text}"
    );
    let parsed = Command::new("python3")
        .args(["-c", JUNIT_CHECK])
        .arg(&xml)
        .output()
        .expect("python3 runs");
    assert_eq!(
        String::from_utf8_lossy(&parsed.stdout),
        "7 4 1\n\
         main.mcfg 7 4\n\
         \x20 main.mcfg | prod serves on gpu [prod] | ['failure']\n\
         \x20   mcfg::test-failed | assert failed: every model on gpu | main.mcfg:18:3: mcfg::test-failed: assert failed: every model on gpu\n\
         \x20 main.mcfg | prod serves on gpu [prod_eu] | ['failure']\n\
         \x20   mcfg::test-failed | assert failed: every model on gpu | main.mcfg:18:3: mcfg::test-failed: assert failed: every model on gpu\n\
         \x20 main.mcfg | ranker & reranker <agree> [dev] | []\n\
         \x20 main.mcfg | ranker & reranker <agree> [prod] | ['failure']\n\
         \x20   mcfg::test-failed | assert failed: `ranker.replicas == reranker.replicas` | main.mcfg:21:3: mcfg::test-failed: assert failed: `ranker.replicas == reranker.replicas`\n\
         \x20 main.mcfg | ranker & reranker <agree> [prod_eu] | ['failure']\n\
         \x20   mcfg::test-failed | assert failed: `ranker.replicas == reranker.replicas` | main.mcfg:21:3: mcfg::test-failed: assert failed: `ranker.replicas == reranker.replicas`\n\
         \x20 main.mcfg | dev is small [dev] | []\n\
         \x20 main.mcfg | errors [dev] | ['error']\n\
         \x20   mcfg::arithmetic | division by zero | main.mcfg:27:10: mcfg::arithmetic: division by zero\n",
        "{}",
        String::from_utf8_lossy(&parsed.stderr)
    );
    // Same sources, same bytes.
    let again = mcfg(dir.path(), &["test", "--junit", "report/junit.xml"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&xml).expect("junit"), text);
}

#[test]
fn ranking_example_policies_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = mcfg(root, &["test", "examples/ranking"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).ends_with("\n7 passed, 0 failed\n"),
        "{}",
        stdout(&out)
    );
    // Breaking a policy fails it, pointing at the assignment: a prod override.
    let out = mcfg(
        root,
        &[
            "test",
            "examples/ranking",
            "--set",
            "prod:reranker.serving.replicas=2",
            "gpu",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "test \"prod serves every model on gpu\" in prod ... FAILED\n\n0 passed, 1 failed; 3 filtered out\n"
    );
    assert!(
        stderr(&out).contains("`reranker.serving.replicas` set here"),
        "{}",
        stderr(&out)
    );
}

// ----- the language server: diagnostics on save, a "run test" lens

struct Lsp {
    server: mcfg::lsp::Server,
    id: i32,
    uri: String,
    _dir: tempfile::TempDir,
}

impl Lsp {
    fn send(&mut self, msg: lsp_server::Message) -> Vec<lsp_server::Message> {
        self.server.handle(msg)
    }

    fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.id += 1;
        let req = lsp_server::Request::new(self.id.into(), method.into(), params);
        let out = self.send(lsp_server::Message::Request(req));
        match out.into_iter().next() {
            Some(lsp_server::Message::Response(r)) => {
                assert!(r.error.is_none(), "{:?}", r.error);
                r.result.unwrap_or_default()
            }
            other => panic!("no response: {other:?}"),
        }
    }

    /// Sends a notification; the codes published for the document.
    fn notify(&mut self, method: &str, params: serde_json::Value) -> Vec<serde_json::Value> {
        let note = lsp_server::Notification::new(method.into(), params);
        let uri = self.uri.clone();
        self.send(lsp_server::Message::Notification(note))
            .into_iter()
            .filter_map(|m| match m {
                lsp_server::Message::Notification(n) if n.params["uri"] == uri.as_str() => {
                    n.params["diagnostics"].as_array().cloned()
                }
                _ => None,
            })
            .flatten()
            .collect()
    }
}

fn lsp_on(src: &str) -> Lsp {
    let dir = project(src);
    let uri = mcfg::lsp::text::path_to_uri(&dir.path().join("main.mcfg"));
    let mut lsp = Lsp {
        server: mcfg::lsp::Server::new(),
        id: 0,
        uri,
        _dir: dir,
    };
    let root = mcfg::lsp::text::path_to_uri(lsp._dir.path());
    let init = lsp.request(
        "initialize",
        serde_json::json!({ "processId": null, "rootUri": root, "capabilities": {} }),
    );
    assert_eq!(
        init["capabilities"]["codeLensProvider"]["resolveProvider"],
        false
    );
    assert_eq!(
        init["capabilities"]["executeCommandProvider"]["commands"],
        serde_json::json!(["mcfg.runTest"])
    );
    lsp
}

#[test]
fn the_language_server_shows_failing_asserts_on_save_and_offers_run_test_lenses() {
    let mut lsp = lsp_on(SRC);
    let doc =
        serde_json::json!({ "uri": lsp.uri, "languageId": "mcfg", "version": 1, "text": SRC });
    let opened = lsp.notify(
        "textDocument/didOpen",
        serde_json::json!({ "textDocument": doc }),
    );
    assert_eq!(
        opened,
        Vec::<serde_json::Value>::new(),
        "tests do not run while typing"
    );

    let saved = lsp.notify(
        "textDocument/didSave",
        serde_json::json!({ "textDocument": { "uri": lsp.uri }, "text": SRC }),
    );
    let shown: Vec<(String, u64, String)> = saved
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (
                "mcfg::test-failed".into(),
                17,
                "assert failed: every model on gpu".into()
            ),
            (
                "mcfg::test-failed".into(),
                20,
                "assert failed: `ranker.replicas == reranker.replicas`".into()
            ),
        ]
    );
    assert!(saved.iter().all(|d| d["message"]
        .as_str()
        .unwrap()
        .contains("environments `prod`, `prod_eu`")));

    let lenses = lsp.request(
        "textDocument/codeLens",
        serde_json::json!({ "textDocument": { "uri": lsp.uri } }),
    );
    let lenses = lenses.as_array().unwrap();
    assert_eq!(lenses.len(), 3);
    assert_eq!(
        lenses[2]["range"]["start"],
        serde_json::json!({"line": 22, "character": 5})
    );
    assert_eq!(lenses[2]["command"]["title"], "▶ run test");
    let command = lenses[0]["command"].clone();
    assert_eq!(
        command["arguments"],
        serde_json::json!([lsp.uri, "prod serves on gpu"])
    );
    let result = lsp.request(
        "workspace/executeCommand",
        serde_json::json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(
        result,
        serde_json::json!({"passed": 0, "failed": 2, "report":
            "test \"prod serves on gpu\" in prod ... FAILED\ntest \"prod serves on gpu\" in prod_eu ... FAILED\n0 passed, 2 failed; 2 filtered out\n"})
    );

    // The next edit recompiles without running the tests again.
    let fixed = SRC.replace("env prod { replicas = 2 }", "env prod { device = \"gpu\" }");
    let changed = lsp.notify(
        "textDocument/didChange",
        serde_json::json!({ "textDocument": { "uri": lsp.uri, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    assert_eq!(changed, Vec::<serde_json::Value>::new());
    let saved = lsp.notify(
        "textDocument/didSave",
        serde_json::json!({ "textDocument": { "uri": lsp.uri } }),
    );
    assert_eq!(
        saved,
        Vec::<serde_json::Value>::new(),
        "every test passes now"
    );
}

// ----- blame: values held by a build's `--set` overrides

#[test]
fn blame_with_a_manifest_blames_override_held_values_on_the_override() {
    let dir = project(SRC);
    let d = dir.path();
    super::ops::git(d, &["init", "-q"], "2026-11-20T10:00:00Z");
    super::ops::git(d, &["add", "-A"], "2026-11-20T10:00:00Z");
    super::ops::git(d, &["commit", "-qm", "models"], "2026-11-20T10:00:00Z");
    let src = SRC.replace("env prod { replicas = 2 }", "env prod { replicas = 3 }");
    std::fs::write(d.join("main.mcfg"), src).expect("write");
    super::ops::git(d, &["commit", "-qam", "scale"], "2026-11-22T09:30:00Z");
    let out = mcfg(
        d,
        &[
            "build",
            "-o",
            "out",
            "--set",
            "prod:reranker.replicas=6",
            "--set",
            "dev:reranker.device=\"gpu\"",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let blame = |extra: &[&str]| {
        let mut args = vec!["blame", "reranker", "--env", "prod"];
        args.extend_from_slice(extra);
        mcfg(d, &args)
    };
    let plain = blame(&[]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let with = blame(&["--manifest", "out/manifest.json"]);
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    let rows = |o: &Output| -> Vec<String> {
        stdout(o)
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    };
    let hash = |o: &Output, row: usize| rows(o)[row].split(' ').nth(2).unwrap_or("").to_owned();
    // Without the manifest the replicas are the second commit's; with it, the
    // override's (it applies in prod only); the dev-only override holds nothing here.
    let (first, second) = (hash(&plain, 1), hash(&plain, 2));
    assert_ne!(first, second);
    assert_eq!(
        rows(&plain),
        [
            "path value commit author date set at".to_owned(),
            format!("device \"cpu\" {first} A. Person 2026-11-20 main.mcfg:7:27 (default)"),
            format!("replicas 3 {second} A. Person 2026-11-22 main.mcfg:14:25"),
        ]
    );
    let manifest = std::fs::read_to_string(d.join("out/manifest.json")).expect("manifest");
    let line = manifest
        .lines()
        .position(|l| l.contains("\"prod:reranker.replicas=6\""))
        .expect("the override is recorded")
        + 1;
    assert_eq!(
        rows(&with),
        [
            "path value commit author date set at".to_owned(),
            format!("device \"cpu\" {first} A. Person 2026-11-20 main.mcfg:7:27 (default)"),
            format!(
                "replicas 6 --set out/manifest.json:{line}:14 (--set prod:reranker.replicas=6)"
            ),
        ]
    );
    let json = blame(&["--manifest", "out/manifest.json", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(
        v["leaves"][1],
        serde_json::json!({"path": "replicas", "value": 6, "op": "set",
            "location": {"file": "out/manifest.json", "line": line, "column": 14},
            "from": "--set", "commit": null, "author": null, "date": null, "subject": null,
            "uncommitted": false, "set_by": "prod:reranker.replicas=6"})
    );
    assert!(v["leaves"][0].get("set_by").is_none());
    // A file that is not a manifest stops the command.
    let bad = blame(&["--manifest", "main.mcfg"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("main.mcfg:1:1: not a valid mcfg manifest: expected value"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn the_language_server_lists_tests_in_the_outline() {
    let mut lsp = lsp_on(SRC);
    let doc =
        serde_json::json!({ "uri": lsp.uri, "languageId": "mcfg", "version": 1, "text": SRC });
    lsp.notify(
        "textDocument/didOpen",
        serde_json::json!({ "textDocument": doc }),
    );
    // Tests are in the outline, with their environments.
    let outline = lsp.request(
        "textDocument/documentSymbol",
        serde_json::json!({ "textDocument": { "uri": lsp.uri } }),
    );
    let tests: Vec<(String, String)> = outline
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == 12)
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["detail"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        tests,
        [
            (
                "prod serves on gpu".to_owned(),
                "in prod, prod_eu".to_owned()
            ),
            ("ranker & reranker <agree>".to_owned(), String::new()),
            ("dev is small".to_owned(), "in dev".to_owned()),
        ]
    );
}
