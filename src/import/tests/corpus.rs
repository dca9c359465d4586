//! Every original of `shared/corpus` imports faithfully, alone and layered.
//!
//! The corpus is the repository's copy at `<manifest dir>/tests/data/corpus`.

use std::fs;
use std::path::{Path, PathBuf};

use super::{check_layered, input, run, OverlayStyle};

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus");
    assert!(
        dir.is_dir(),
        "the corpus is missing: expected it at {} (part of the repository)",
        dir.display()
    );
    dir
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        {
            out.push(path);
        }
    }
}

/// The originals, as paths relative to the corpus folder.
fn originals() -> Vec<(String, String)> {
    let root = corpus_dir();
    let mut cases: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("original").is_dir())
        .collect();
    cases.sort();
    let mut files = Vec::new();
    for case in cases {
        walk(&case.join("original"), &mut files);
    }
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// Originals that cannot be imported, with the documented reason.
const EXPECTED_FAILURES: &[(&str, &str)] = &[];

#[test]
fn every_original_imports_faithfully() {
    let files = originals();
    assert!(
        files.len() >= 150,
        "only {} corpus originals found",
        files.len()
    );
    for (name, text) in &files {
        if let Some((_, reason)) = EXPECTED_FAILURES.iter().find(|(f, _)| f == name) {
            let err = run(&[input(name, text)], OverlayStyle::Children).unwrap_err();
            assert!(err.message().contains(reason), "{name}: {err}");
            continue;
        }
        check_layered(&[(name.clone(), text.clone())]);
    }
}

fn read(rel: &str) -> (String, String) {
    let path = corpus_dir().join(rel);
    (rel.to_owned(), fs::read_to_string(&path).unwrap())
}

#[test]
fn layered_corpus_files_import_faithfully() {
    let stacks: &[&[&str]] = &[
        &[
            "helm-vllm-production-stack/original/helm/values.yaml",
            "helm-vllm-production-stack/original/tests/assets/values-06-session-routing.yaml",
            "helm-vllm-production-stack/original/tests/assets/values-04-multiple-models.yaml",
        ],
        &[
            "helm-iter8-kserve-release/original/charts/release/values.yaml",
            "helm-iter8-kserve-release/original/docs-snippets/blue-green/1-initial.yaml",
            "helm-iter8-kserve-release/original/docs-snippets/blue-green/2-candidate.yaml",
            "helm-iter8-kserve-release/original/docs-snippets/blue-green/3-weights-30-70.yaml",
        ],
        &[
            "helm-kuberay-raycluster/original/helm-chart/ray-cluster/values.yaml",
            "helm-kuberay-raycluster/original/helm-chart/ray-cluster/ci/ci-values.yaml",
        ],
        &[
            "helm-gateway-inferencepool/original/config/charts/inferencepool/values.yaml",
            "helm-gateway-inferencepool/original/readme-snippets/values-ha.yaml",
            "helm-gateway-inferencepool/original/readme-snippets/values-custom-env.yaml",
            "helm-gateway-inferencepool/original/readme-snippets/values-custom-plugins.yaml",
        ],
        &[
            "omegaconf-dinov2/original/dinov2/configs/ssl_default_config.yaml",
            "omegaconf-dinov2/original/dinov2/configs/train/vitl14.yaml",
            "omegaconf-dinov2/original/dinov2/configs/train/vitg14.yaml",
        ],
        &[
            "gpt-neox-yaml-union/original/configs/125M.yml",
            "gpt-neox-yaml-union/original/configs/local_setup.yml",
            "gpt-neox-yaml-union/original/configs/eleutherai_cluster.yml",
        ],
        &[
            "flagd-multi-source/original/config/samples/example_flags.flagd.json",
            "flagd-multi-source/original/config/samples/example_flags_secondary.flagd.json",
        ],
        &[
            "hydra-lightning-template/original/configs/trainer/default.yaml",
            "hydra-lightning-template/original/configs/trainer/ddp.yaml",
        ],
    ];
    for stack in stacks {
        let files: Vec<(String, String)> = stack.iter().map(|rel| read(rel)).collect();
        check_layered(&files);
    }
}

#[test]
fn corpus_imports_are_deterministic() {
    let files: Vec<_> = ["helm-vllm-production-stack/original/helm/values.yaml"]
        .iter()
        .chain(&["helm-vllm-production-stack/original/tests/assets/values-09-kvaware-routing.yaml"])
        .map(|rel| read(rel))
        .collect();
    let inputs: Vec<_> = files.iter().map(|(n, t)| input(n, t)).collect();
    let first = run(&inputs, OverlayStyle::EnvBlocks).unwrap();
    for _ in 0..3 {
        assert_eq!(run(&inputs, OverlayStyle::EnvBlocks).unwrap(), first);
    }
}

#[test]
fn corpus_comments_are_carried_over() {
    let (name, text) = read("gpt-neox-yaml-union/original/configs/125M.yml");
    let out = run(&[input(&name, &text)], OverlayStyle::Children).unwrap();
    assert!(
        out.contains("  // model settings\n  num_layers = 12\n"),
        "{out}"
    );
    let (name, text) = read("helm-vllm-production-stack/original/helm/values.yaml");
    let out = run(&[input(&name, &text)], OverlayStyle::Children).unwrap();
    assert!(out.matches("// -- ").count() > 20, "{out}");
}
