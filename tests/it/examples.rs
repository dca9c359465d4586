//! Every project under `examples/` compiles without diagnostics.

use std::path::{Path, PathBuf};

use mcfg::compile::compile_paths;
use mcfg::loader::RealFs;

fn example(dir: &str) -> mcfg::compile::Compilation {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(dir);
    compile_paths(&RealFs, &[path], None).expect("example loads")
}

fn value(comp: &mcfg::compile::Compilation, config: &str, env: &str) -> serde_json::Value {
    let a = comp
        .artifacts
        .iter()
        .find(|a| a.config == config && a.env.as_deref() == Some(env))
        .unwrap_or_else(|| panic!("no artifact {env}/{config}"));
    a.value.to_json()
}

#[test]
fn ranking_example_compiles_clean() {
    let comp = example("ranking");
    assert!(comp.diags.is_empty(), "{:#?}", comp.diags);
    assert_eq!(comp.envs, ["dev", "staging", "prod"]);
    // 4 emitted configs x 3 environments.
    assert_eq!(comp.artifacts.len(), 12);
}

#[test]
fn ranking_example_resolves_environment_overrides() {
    let comp = example("ranking");
    let prod = value(&comp, "ranker", "prod");
    assert_eq!(prod["serving"]["replicas"], 8);
    assert_eq!(prod["serving"]["device"], "gpu");
    assert_eq!(
        prod["serving"]["endpoint"],
        "https://rank.example.com/ranker"
    );
    assert_eq!(prod["thresholds"]["spam"], 0.95);
    assert_eq!(prod["diversity"]["enabled"], true);
    let dev = value(&comp, "ranker", "dev");
    assert_eq!(
        dev["serving"]["endpoint"],
        "https://dev.rank.example.com/ranker"
    );
    assert_eq!(dev["thresholds"]["spam"], 0.9);
    assert_eq!(dev["serving"]["api_key"], serde_json::Value::Null);
    assert_eq!(
        dev["features"],
        serde_json::json!(["query_len", "doc_age", "ctr_7d", "clicks_30d"])
    );
    // Late binding: max_queue follows prod's batch_size override.
    assert_eq!(
        value(&comp, "reranker", "prod")["serving"]["max_queue"],
        512
    );
    assert_eq!(value(&comp, "reranker", "dev")["serving"]["max_queue"], 128);
    // Durations are written in seconds.
    assert_eq!(value(&comp, "reranker", "prod")["serving"]["timeout"], 0.05);
    assert_eq!(value(&comp, "ranker_ab", "dev")["traffic"]["current"], 50.0);
}

#[test]
fn every_example_project_checks_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "corpus"))
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    for dir in dirs {
        let comp = compile_paths(&RealFs, std::slice::from_ref(&dir), None).expect("example loads");
        assert!(!comp.has_errors(), "{}: {:#?}", dir.display(), comp.diags);
        assert!(
            !comp.artifacts.is_empty(),
            "{} emits nothing",
            dir.display()
        );
    }
}

#[test]
fn the_readme_tour_compiles_clean() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let blocks: Vec<&str> = readme
        .split("```mcfg\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap_or(""))
        .collect();
    assert!(!blocks.is_empty(), "the README has an mcfg tour");
    for block in blocks {
        let mut fs = mcfg::loader::MemoryFs::new();
        fs.insert("main.mcfg", block);
        let comp = compile_paths(&fs, &[PathBuf::from(".")], None).expect("loads");
        assert!(comp.diags.is_empty(), "{block}\n{:#?}", comp.diags);
        // ranker in four environments.
        assert_eq!(
            comp.artifacts
                .iter()
                .filter(|a| a.config == "ranker")
                .count(),
            4
        );
    }
}
