//! The real-world corpus (`tests/data/corpus`, a copy of the shared corpus with its provenance): every translated case under
//! `examples/corpus/<case>/` builds with `mcfg build` and reproduces the real tool's merged
//! values listed in its `compare.toml`; `mcfg import` reads every corpus original; the
//! constraints the translations add do reject bad inputs.
//!
//! Values compare by meaning: object key order is ignored, `1` equals `1.0`, a bool is never
//! a number, arrays are ordered; a key on one side only is a difference (`null` is not absent).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Every translated case; `cases_are_all_listed_and_documented` keeps this in step with the folders.
const CASES: &[&str] = &[
    "flagd-multi-source",
    "gpt-neox-yaml-union",
    "helm-gateway-inferencepool",
    "helm-iter8-kserve-release",
    "helm-kuberay-raycluster",
    "helm-vllm-production-stack",
    "hydra-audiocraft-musicgen",
    "hydra-lightning-template",
    "kustomize-kubeflow-model-registry",
    "omegaconf-dinov2",
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/corpus")
}

/// `<CARGO_MANIFEST_DIR>/tests/data/corpus`, or a clear failure.
fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    assert!(
        dir.join("README.md").is_file(),
        "the corpus is missing: expected it at {} (part of the repository)",
        dir.display()
    );
    dir
}

fn mcfg(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mcfg"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("mcfg runs")
}

/// One `[[artifact]]` of a compare.toml.
#[derive(Debug)]
struct Artifact {
    output: String,
    /// Optional JSON pointer (RFC 6901) into the output: a config is always an object, so
    /// a tool that prints a list (Kustomize) is compared with one field of the artifact.
    pointer: Option<String>,
    expected: String,
}

/// A parsed compare.toml.
#[derive(Debug, Default)]
struct Compare {
    corpus: String,
    args: Vec<String>,
    artifacts: Vec<Artifact>,
}

/// A TOML string literal (basic string, the escapes compare.toml needs).
fn toml_string(text: &str) -> Option<String> {
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    Some(inner.replace("\\\"", "\"").replace("\\\\", "\\"))
}

/// An `[[artifact]]` being read: output, pointer, expected.
type Pending = (Option<String>, Option<String>, Option<String>);

/// The small TOML subset compare.toml uses: `key = "string"`, `args = ["a", "b"]`,
/// `[[artifact]]` tables of strings (`output`, `expected`, optional `pointer`), `#` comments.
fn parse_compare(text: &str) -> Compare {
    let mut c = Compare::default();
    let mut in_artifact = false;
    let mut pending: Pending = (None, None, None);
    let flush = |c: &mut Compare, p: &mut Pending| {
        if let (Some(output), Some(expected)) = (p.0.take(), p.2.take()) {
            c.artifacts.push(Artifact {
                output,
                pointer: p.1.take(),
                expected,
            });
        }
        p.1 = None;
    };
    for raw in text.lines() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[artifact]]" {
            flush(&mut c, &mut pending);
            in_artifact = true;
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("compare.toml: cannot read line `{raw}`"));
        let (key, value) = (key.trim(), value.trim());
        match (in_artifact, key) {
            (false, "corpus") => c.corpus = toml_string(value).expect("corpus is a string"),
            (false, "args") => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .expect("args is a list");
                c.args = inner
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| toml_string(s).expect("args holds strings"))
                    .collect();
            }
            (true, "output") => pending.0 = toml_string(value),
            (true, "pointer") => pending.1 = toml_string(value),
            (true, "expected") => pending.2 = toml_string(value),
            _ => panic!("compare.toml: unexpected key `{key}`"),
        }
    }
    flush(&mut c, &mut pending);
    c
}

/// Differences between `got` and `want` by meaning, as `path: message` lines.
fn differences(got: &Value, want: &Value, path: &str, out: &mut Vec<String>) {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => {
            let same = match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => x == y,
                _ => a.as_f64() == b.as_f64(),
            };
            if !same {
                out.push(format!("{path}: got {a}, expected {b}"));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(g) => differences(g, v, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing, expected {v}")),
                }
            }
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{path}.{k}: not expected"));
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (g, w)) in a.iter().zip(b).enumerate() {
                differences(g, w, &format!("{path}[{i}]"), out);
            }
        }
        _ if got == want => {}
        _ => out.push(format!("{path}: got {got}, expected {want}")),
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Builds `examples/corpus/<case>` and compares every artifact its compare.toml lists.
fn check_case(case: &str) {
    let corpus = corpus_dir();
    let dir = examples_dir().join(case);
    let compare = parse_compare(
        &std::fs::read_to_string(dir.join("compare.toml")).expect("case has compare.toml"),
    );
    assert!(
        !compare.artifacts.is_empty(),
        "{case}: compare.toml lists no artifact"
    );
    let out = tempfile::tempdir().expect("temp dir");
    let build_dir = out.path().join("build");
    let mut args = vec![
        "build".to_owned(),
        dir.display().to_string(),
        "-o".to_owned(),
        build_dir.display().to_string(),
    ];
    args.extend(compare.args.iter().cloned());
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = mcfg(&argv);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{case}: mcfg build failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let case_corpus = corpus.join(&compare.corpus);
    let mut failures = Vec::new();
    for a in &compare.artifacts {
        let whole = read_json(&build_dir.join(&a.output));
        let got = match &a.pointer {
            Some(p) => whole
                .pointer(p)
                .unwrap_or_else(|| panic!("{case}: {} has nothing at {p}", a.output))
                .clone(),
            None => whole,
        };
        let want = read_json(&case_corpus.join(&a.expected));
        let mut diffs = Vec::new();
        differences(&got, &want, "", &mut diffs);
        if !diffs.is_empty() {
            diffs.truncate(20);
            failures.push(format!(
                "{} vs {}:\n  {}",
                a.output,
                a.expected,
                diffs.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{case}:\n{}", failures.join("\n"));
}

macro_rules! corpus_cases {
    ($($name:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check_case($case);
            }
        )*
    };
}

corpus_cases! {
    flagd_multi_source => "flagd-multi-source",
    gpt_neox_yaml_union => "gpt-neox-yaml-union",
    helm_gateway_inferencepool => "helm-gateway-inferencepool",
    helm_iter8_kserve_release => "helm-iter8-kserve-release",
    helm_kuberay_raycluster => "helm-kuberay-raycluster",
    helm_vllm_production_stack => "helm-vllm-production-stack",
    hydra_audiocraft_musicgen => "hydra-audiocraft-musicgen",
    hydra_lightning_template => "hydra-lightning-template",
    kustomize_kubeflow_model_registry => "kustomize-kubeflow-model-registry",
    omegaconf_dinov2 => "omegaconf-dinov2",
}

#[test]
fn cases_are_all_listed_and_documented() {
    let mut found: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/corpus exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(found, CASES);
    let corpus = corpus_dir();
    for case in CASES {
        let dir = examples_dir().join(case);
        assert!(dir.join("README.md").is_file(), "{case}: README.md missing");
        assert!(
            corpus.join(case).join("CASE.md").is_file(),
            "{case}: not in the corpus"
        );
    }
    assert!(examples_dir().join("README.md").is_file());
}

#[test]
fn compare_toml_parser_reads_the_format() {
    let c = parse_compare(
        "corpus = \"x\"   # folder\nargs = [\"--env\", \"prod\"]\n\n[[artifact]]\noutput = \"a/b.json\"\nexpected = \"expected/b.json\"\n[[artifact]]\noutput = \"c.json\"\npointer = \"/items\"  # list\nexpected = \"e/c.json\"\n",
    );
    assert_eq!(c.corpus, "x");
    assert_eq!(c.args, ["--env", "prod"]);
    assert_eq!(c.artifacts.len(), 2);
    assert_eq!(c.artifacts[1].output, "c.json");
    assert_eq!(c.artifacts[0].expected, "expected/b.json");
    assert_eq!(c.artifacts[0].pointer, None);
    assert_eq!(c.artifacts[1].pointer.as_deref(), Some("/items"));
}

#[test]
fn comparison_is_by_meaning() {
    let mut d = Vec::new();
    differences(
        &serde_json::json!({"b": 1, "a": [1.0, "x"]}),
        &serde_json::json!({"a": [1, "x"], "b": 1.0}),
        "",
        &mut d,
    );
    assert!(d.is_empty(), "{d:?}");
    differences(
        &serde_json::json!({"a": true, "n": null}),
        &serde_json::json!({"a": 1}),
        "",
        &mut d,
    );
    assert_eq!(d, [".a: got true, expected 1", ".n: not expected"]);
}

/// Every YAML/JSON data file of the corpus (originals and the synthetic input).
fn corpus_data_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            ) {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    for case in CASES {
        for sub in ["original", "synthetic"] {
            let dir = corpus_dir().join(case).join(sub);
            if dir.is_dir() {
                walk(&dir, &mut files);
            }
        }
    }
    files
}

#[test]
fn import_reads_every_corpus_original_and_the_result_compiles() {
    let files = corpus_data_files();
    assert!(files.len() > 150, "only {} corpus files found", files.len());
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut failures = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let out_file = tmp.path().join(format!("f{i}/imported.mcfg"));
        std::fs::create_dir_all(out_file.parent().expect("parent")).expect("mkdir");
        let file_arg = file.display().to_string();
        let out_arg = out_file.display().to_string();
        let run = mcfg(&["import", &file_arg, "--name", "imported", "-o", &out_arg]);
        if run.status.code() != Some(0) {
            failures.push(format!(
                "{file_arg}: import failed: {}",
                String::from_utf8_lossy(&run.stderr)
            ));
            continue;
        }
        let dir_arg = out_file.parent().expect("parent").display().to_string();
        let check = mcfg(&["check", &dir_arg]);
        if check.status.code() != Some(0) {
            failures.push(format!(
                "{file_arg}: imported text does not compile:\n{}",
                String::from_utf8_lossy(&check.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn import_layers_overlays_through_the_cli() {
    let corpus = corpus_dir().join("omegaconf-dinov2/original/dinov2/configs");
    let base = corpus.join("ssl_default_config.yaml").display().to_string();
    let variant = corpus.join("train/vitl16_short.yaml").display().to_string();
    let run = mcfg(&["import", &base, &variant, "--name", "dinov2"]);
    assert_eq!(run.status.code(), Some(0));
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.contains("config dinov2 {"), "{text}");
    assert!(
        text.contains("config dinov2_vitl16_short extends dinov2 {\n  student {\n    block_chunks = 4\n  }\n}"),
        "{text}"
    );
    let env = mcfg(&[
        "import",
        &base,
        &variant,
        "--name",
        "dinov2",
        "--overlay",
        "env",
    ]);
    assert_eq!(env.status.code(), Some(0));
    let text = String::from_utf8_lossy(&env.stdout);
    assert!(text.contains("environments {"), "{text}");
    assert!(text.contains("env vitl16_short {"), "{text}");
}

#[test]
fn import_errors_are_located_diagnostics_and_exit_1() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let bad = tmp.path().join("dup.yaml");
    std::fs::write(&bad, "a: 1\nb:\n  c: 2\n  c: 3\n").expect("write");
    let arg = bad.display().to_string();
    let run = mcfg(&["import", &arg]);
    assert_eq!(run.status.code(), Some(1));
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        err.contains(&format!("{arg}:4:3]")) && err.contains("mcfg::duplicate"),
        "{err}"
    );
    // The same error honours `--message-format json`: one located object.
    let run = mcfg(&["import", &arg, "--message-format", "json"]);
    assert_eq!(run.status.code(), Some(1));
    let line = String::from_utf8_lossy(&run.stderr).trim().to_owned();
    let d: Value = serde_json::from_str(&line).expect("one JSON diagnostic");
    assert_eq!(d["code"], "mcfg::duplicate");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(4), Some(3))
    );
    assert!(run.stdout.is_empty(), "nothing is written on an error");
    // YAML 1.1 reads `on` as true, YAML 1.2 as a string.
    let yes = tmp.path().join("yes.yaml");
    std::fs::write(&yes, "flag: on\n").expect("write");
    let arg = yes.display().to_string();
    let y11 = mcfg(&["import", &arg]);
    assert!(String::from_utf8_lossy(&y11.stdout).contains("flag = true"));
    let y12 = mcfg(&["import", &arg, "--yaml12"]);
    assert!(String::from_utf8_lossy(&y12.stdout).contains("flag = \"on\""));
}

/// Copies `examples/corpus/<case>` to a temporary folder, appends `extra` to `file`, and
/// runs `mcfg check --message-format json` on the copy.
fn check_with(case: &str, file: &str, extra: &str) -> (Option<i32>, String) {
    check_edited(case, file, &|text| format!("{text}\n{extra}"))
}

/// Like `check_with`, with `from` replaced once by `to` in `file` (which must contain it).
fn check_replaced(case: &str, file: &str, from: &str, to: &str) -> (Option<i32>, String) {
    check_edited(case, file, &|text| {
        assert!(text.contains(from), "{file} has no `{from}`");
        text.replacen(from, to, 1)
    })
}

/// Copies `examples/corpus/<case>` to a temporary folder with `file` passed through `edit`,
/// and runs `mcfg check --message-format json` on the copy.
fn check_edited(case: &str, file: &str, edit: &dyn Fn(&str) -> String) -> (Option<i32>, String) {
    let src = examples_dir().join(case);
    let tmp = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&src)
        .expect("case folder")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some("mcfg") {
            let mut text = std::fs::read_to_string(&path).expect("read source");
            if entry.file_name().to_str() == Some(file) {
                text = edit(&text);
            }
            std::fs::write(tmp.path().join(entry.file_name()), text).expect("write source");
        }
    }
    let dir = tmp.path().display().to_string();
    let out = mcfg(&["check", "--message-format", "json", &dir]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn vllm_rejects_the_synthetic_bad_routing_logic() {
    // synthetic/values-bad-routing-logic.yaml: routerSpec.routingLogic: bogus (Helm: schema error).
    let (code, err) = check_with(
        "helm-vllm-production-stack",
        "stack.mcfg",
        "config bad extends chart_defaults {\n  routerSpec { routingLogic = \"bogus\" }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    // `routingLogic` is a typed enum field now, not an open map key with a check.
    assert_eq!(err.matches("\"severity\":\"error\"").count(), 1, "{err}");
    assert!(err.contains("\"code\":\"mcfg::type-mismatch\""), "{err}");
    assert!(
        err.contains("`routerSpec.routingLogic` expects \\\"roundrobin\\\" | \\\"session\\\""),
        "{err}"
    );
    // A rule values.schema.json cannot state: session routing without a session header.
    let (code, err) = check_with(
        "helm-vllm-production-stack",
        "stack.mcfg",
        "config bad extends s06_session_routing {\n  routerSpec.sessionKey = \"\"\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("session routing needs routerSpec.sessionKey"),
        "{err}"
    );
}

#[test]
fn vllm_router_types_catch_a_typo_and_a_wrong_port() {
    // With `routerSpec` an open `map[any]`, a typo'd key was one more key in the values.
    let (code, err) = check_with(
        "helm-vllm-production-stack",
        "stack.mcfg",
        "config bad extends s06_session_routing {\n  routerSpec.sesionKey = \"x-user\"\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::unknown-field\""), "{err}");
    assert!(err.contains("did you mean `sessionKey`?"), "{err}");
    // A reply port outside 1..65535 breaks `ml.Port`'s refinement.
    let (code, err) = check_with(
        "helm-vllm-production-stack",
        "stack.mcfg",
        "config bad extends s09_kvaware_routing {\n  routerSpec.lmcacheControllerReplyPort = 90001\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::constraint\""), "{err}");
    assert!(err.contains("lmcacheControllerReplyPort"), "{err}");
}

#[test]
fn flagd_default_variant_must_name_a_variant() {
    // Flag definitions were `map[any]`; `FlagDefinition` checks each stored flag.
    let (code, err) = check_replaced(
        "flagd-multi-source",
        "flagd.mcfg",
        "defaultVariant = \"on\"",
        "defaultVariant = \"onn\"",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::check-failed\""), "{err}");
    assert!(
        err.contains("defaultVariant must name one of the flag's variants"),
        "{err}"
    );
}

#[test]
fn kuberay_rejects_replicas_above_max_replicas() {
    let (code, err) = check_with(
        "helm-kuberay-raycluster",
        "raycluster.mcfg",
        "config bad extends chart_defaults {\n  worker.replicas = 9\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("worker group needs 0 <= minReplicas <= replicas <= maxReplicas"),
        "{err}"
    );
    // The bound is a check of the `WorkerGroup` schema, so it holds for every entry of
    // `additionalWorkerGroups` (`map[WorkerGroup]`), not only for groups named in a check.
    let (code, err) = check_with(
        "helm-kuberay-raycluster",
        "raycluster.mcfg",
        "config bad extends chart_defaults {\n  additionalWorkerGroups.smallGroup.replicas = 9\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.matches("\"severity\":\"error\"").count(), 1, "{err}");
    assert!(
        err.contains("worker group needs 0 <= minReplicas <= replicas <= maxReplicas"),
        "{err}"
    );
    // A typo'd key in a worker group is an unknown field (the groups were open maps).
    let (code, err) = check_with(
        "helm-kuberay-raycluster",
        "raycluster.mcfg",
        "config bad extends chart_defaults {\n  worker.maxReplica = 9\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::unknown-field\""), "{err}");
    assert!(err.contains("did you mean `maxReplicas`?"), "{err}");
}

#[test]
fn iter8_rollout_stages_may_not_change_the_iter8_version() {
    let (code, err) = check_with(
        "helm-iter8-kserve-release",
        "release.mcfg",
        "config drift: CanaryRelease extends canary {\n  env final { iter8Version = \"v1.2\" }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::invariant\""), "{err}");
    // Blue-green versions are typed (`WeightedVersion`, `weight` absent until set).
    let version = |v: &str, weight: &str| {
        format!(
            "{{ metadata.labels {{ \"app.kubernetes.io/version\" = \"{v}\" }}, modelFormat = \"sklearn\", runtime = \"kserve-mlserver\", storageUri = \"gs://seldon-models/sklearn/mms/lr_model\"{weight} }}"
        )
    };
    let skew = format!(
        "config skew: BlueGreenRelease extends blue_green {{\n  env final {{ application.versions = [{}, {}] }}\n}}\n",
        version("v0", ", weight = 30"),
        version("v1", ", weight = 60")
    );
    let (code, err) = check_with("helm-iter8-kserve-release", "release.mcfg", &skew);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("blue-green weights must add up to 100"),
        "{err}"
    );
    // One weight set, the other left to the template's 50: 30 + 50 is not 100.
    let half = format!(
        "config half: BlueGreenRelease extends blue_green {{\n  env final {{ application.versions = [{}, {}] }}\n}}\n",
        version("v0", ", weight = 30"),
        version("v1", "")
    );
    let (code, err) = check_with("helm-iter8-kserve-release", "release.mcfg", &half);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("blue-green weights must add up to 100"),
        "{err}"
    );
    // A typo'd key in a version is an unknown field (the versions were open maps).
    let typo = format!(
        "config typo: BlueGreenRelease extends blue_green {{\n  env final {{ application.versions = [{}] }}\n}}\n",
        version("v0", ", wieght = 100")
    );
    let (code, err) = check_with("helm-iter8-kserve-release", "release.mcfg", &typo);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::unknown-field\""), "{err}");
    assert!(err.contains("did you mean `weight`?"), "{err}");
}

#[test]
fn lightning_eval_requires_a_checkpoint() {
    // eval.yaml's `ckpt_path: ???` is a required field of the eval schema.
    let (code, err) = check_with(
        "hydra-lightning-template",
        "lightning.mcfg",
        "config eval_no_ckpt: s.EvalJob extends groups {\n  task_name = \"eval\"\n  tags = [\"dev\"]\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::missing-field\""), "{err}");
    assert!(err.contains("ckpt_path"), "{err}");
}

#[test]
fn lightning_train_is_typed_and_catches_a_typo_in_an_env_block() {
    // `train` was structural: `trainer.max_epoch = 3` in `env debug` added a key Lightning
    // rejects at run time (`Trainer.__init__() got an unexpected keyword argument`).
    let (code, err) = check_with(
        "hydra-lightning-template",
        "lightning.mcfg",
        "config bad extends train {\n  env debug { trainer.max_epoch = 3 }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::unknown-field\""), "{err}");
    assert!(err.contains("did you mean `max_epochs`?"), "{err}");
    // min_epochs above max_epochs: one check failure, in the environment that breaks it.
    let (code, err) = check_with(
        "hydra-lightning-template",
        "lightning.mcfg",
        "config bad extends train {\n  env debug { trainer.min_epochs = 5 }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.matches("\"severity\":\"error\"").count(), 1, "{err}");
    assert!(
        err.contains("trainer.min_epochs must not exceed trainer.max_epochs"),
        "{err}"
    );
}

#[test]
fn musicgen_rejects_heads_that_do_not_divide_the_width() {
    let (code, err) = check_with(
        "hydra-audiocraft-musicgen",
        "musicgen.mcfg",
        "config bad extends musicgen {\n  env debug { transformer_lm.num_heads = 3 }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("transformer_lm.dim must be a multiple of transformer_lm.num_heads"),
        "{err}"
    );
    assert!(
        err.contains("\"env\":\"debug\"") || err.contains("env `debug`"),
        "{err}"
    );
}

#[test]
fn neox_union_in_one_block_reports_the_duplicate_key() {
    // GPT-NeoX raises on a key defined by two files (expected/...error.json: `vocab_file`).
    // Written as one block, the union of local_setup.yml and eleutherai_cluster.yml is a
    // duplicate assignment.
    let configs = corpus_dir().join("gpt-neox-yaml-union/original/configs");
    let body = |file: &str| {
        let arg = configs.join(file).display().to_string();
        let out = mcfg(&["import", &arg, "--name", "x"]);
        assert_eq!(out.status.code(), Some(0));
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let start = text.find("config x {\n").expect("config") + "config x {\n".len();
        let end = text.rfind('}').expect("end");
        text[start..end].to_owned()
    };
    let src = format!(
        "config union {{\n{}{}}}\n",
        body("local_setup.yml"),
        body("eleutherai_cluster.yml")
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("union.mcfg"), src).expect("write");
    let dir = tmp.path().display().to_string();
    let out = mcfg(&["check", "--message-format", "json", &dir]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::duplicate\""), "{err}");
    assert!(err.contains("vocab_file"), "{err}");
}

#[test]
fn dinov2_rejects_crops_that_do_not_tile_into_patches() {
    let (code, err) = check_with(
        "omegaconf-dinov2",
        "dinov2.mcfg",
        "config bad extends train_vitl14 {\n  crops.global_crops_size = 225\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("crops.global_crops_size must be a multiple of student.patch_size"),
        "{err}"
    );
}

#[test]
fn neox_local_and_cluster_runs_never_share_a_checkpoint_folder() {
    let (code, err) = check_with(
        "gpt-neox-yaml-union",
        "neox.mcfg",
        "config bad: s.RunGuard extends neox_125M_guard {\n  env cluster { save = \"checkpoints\" }\n}\n",
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("\"code\":\"mcfg::distinct\""), "{err}");
}

/// The policies the ports' teams would write (`policy.mcfg`) hold, and a
/// policy the values break fails. (An empty `sessionKey` with session
/// routing is refused by the schema already, before tests run.)
#[test]
fn corpus_policies_pass_and_catch_a_broken_value() {
    for (case, passed) in [
        ("hydra-lightning-template", 9),
        ("helm-vllm-production-stack", 2),
    ] {
        let dir = examples_dir().join(case);
        let run = mcfg(&["test", &dir.display().to_string()]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(0), "{case}: {stdout}");
        assert!(
            stdout.contains(&format!("{passed} passed, 0 failed")),
            "{case}: {stdout}"
        );
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let src = examples_dir().join("helm-vllm-production-stack");
    for f in ["schema.mcfg", "stack.mcfg", "policy.mcfg"] {
        let text = std::fs::read_to_string(src.join(f)).expect("case file");
        let text = text.replace("sessionKey != \"\"", "sessionKey == \"\"");
        std::fs::write(tmp.path().join(f), text).expect("write");
    }
    let run = mcfg(&["test", &tmp.path().display().to_string()]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("1 passed, 1 failed"), "{stdout}");
    assert!(String::from_utf8_lossy(&run.stderr).contains("mcfg::test-failed"));
}
