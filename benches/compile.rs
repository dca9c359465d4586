//! Criterion benchmarks of the compiler phases on generated projects.
//!
//! The workload mirrors `/work/shared/bench/gen_mcfg.py`: one schema file with
//! three environments, an abstract base config and N models that each inherit
//! it, override eight fields and set three fields per environment. Phases:
//! `parse` (one file's text → AST; `parse_section9` on a text written with
//! the constructs of LANGUAGE.md §9), `resolve_merge` (program + layer cache),
//! `compile` (load + resolve + evaluate + checks, the whole front end) and
//! `emit` (artifact values → JSON bytes).
//!
//! Run: `cargo bench --bench compile` (about 3 minutes on 2 cores).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use mcfg::compile::{self, Compilation};
use mcfg::diagnostics::Diagnostics;
use mcfg::eval::{self, LayerCache};
use mcfg::loader::{self, MemoryFs, Project};
use mcfg::resolve::{ConfigId, EnvId, Program};
use mcfg::source::FileId;
use mcfg::{emit, syntax};

type Group<'c> = criterion::BenchmarkGroup<'c, criterion::measurement::WallTime>;

/// Project sizes (number of models; each emits three artifacts).
const SIZES: [usize; 3] = [100, 1_000, 10_000];

const SCHEMA: &str = r#"environments {
  dev
  staging
  prod
}

schema Hyperparameters {
  learning_rate: float(> 0, <= 1) = 0.001
  epochs: int(>= 1, <= 1000) = 10
  batch_size: int(>= 1, <= 4096) = 32
  optimizer: "adam" | "sgd" | "adamw" = "adam"
  dropout: float(>= 0, < 1) = 0.1
  weight_decay: float(>= 0) = 0.0
  warmup_steps: int(>= 0) = 0
  seed: int = 42
}

schema Serving {
  batch_size: int(>= 1, <= 4096) = 16
  timeout_ms: int(> 0) = 1000
  replicas: int(>= 1) = 1
  device: "cpu" | "gpu" = "cpu"
  max_queue: int(>= 0) = 100
  port: int(>= 1, <= 65535) = 8080
}

schema Model {
  name: string
  "env": string
  owner: string
  version: int(>= 1)
  description: string
  artifact_uri: string
  hyperparameters: Hyperparameters
  serving: Serving
  features: list[string]
  thresholds: map[float(>= 0, <= 1)]
  flags: {
    enable_cache: bool = true
    canary: bool = false
  }
  check serving.device != "cpu" or serving.batch_size <= 64 : "cpu serving needs batch_size <= 64"
}

abstract config base: Model {
  name = "base"
  "env" = env
  owner = "ml-platform"
  version = 1
  description = "default model"
  artifact_uri = "s3://bucket-${env}/${self.owner}/${self.name}"
  features = ["age", "country", "device_type"]
  thresholds {
    precision = 0.5
    recall = 0.5
  }
}
"#;

/// The source of model `i` (deterministic).
fn model(i: usize, out: &mut String) {
    let opt = ["adam", "sgd", "adamw"][i % 3];
    let device = if i % 4 == 0 { "gpu" } else { "cpu" };
    let _ = writeln!(out, "config model_{i:05} extends base {{");
    let _ = writeln!(out, "  name = \"model_{i:05}\"");
    let _ = writeln!(out, "  owner = \"team-{}\"", i % 17);
    let _ = writeln!(out, "  version = {}", 1 + i % 9);
    let _ = writeln!(
        out,
        "  hyperparameters.learning_rate = 0.{:04}",
        1 + i % 999
    );
    let _ = writeln!(out, "  hyperparameters.epochs = {}", 1 + i % 500);
    let _ = writeln!(out, "  hyperparameters.optimizer = \"{opt}\"");
    let _ = writeln!(out, "  serving.device = \"{device}\"");
    let _ = writeln!(out, "  serving.batch_size = {}", 1 + i % 64);
    let _ = writeln!(out, "  features = [\"f{i}\", \"g{}\"]", i % 13);
    let _ = writeln!(out, "  thresholds.f1 = 0.{}", 1 + i % 9);
    let _ = writeln!(
        out,
        "  env dev {{ serving.replicas = 1; flags.canary = true; serving.timeout_ms = {} }}",
        100 + i % 50
    );
    let _ = writeln!(
        out,
        "  env staging {{ serving.replicas = 2; serving.max_queue = {}; flags.enable_cache = false }}",
        i % 1000
    );
    let _ = writeln!(
        out,
        "  env prod {{ serving.replicas = {}; serving.port = {}; hyperparameters.seed = {i} }}",
        2 + i % 8,
        8000 + i % 1000
    );
    out.push_str("}\n\n");
}

/// The one-file project text with `n` models.
fn project_text(n: usize) -> String {
    let mut out = String::with_capacity(SCHEMA.len() + n * 600);
    out.push_str(SCHEMA);
    out.push('\n');
    for i in 0..n {
        model(i, &mut out);
    }
    out
}

fn fs_for(text: &str) -> (MemoryFs, Vec<PathBuf>) {
    let mut fs = MemoryFs::new();
    fs.insert("proj/main.mcfg", text.as_bytes().to_vec());
    (fs, vec![PathBuf::from("proj/main.mcfg")])
}

fn load(fs: &MemoryFs, inputs: &[PathBuf]) -> (Project, Diagnostics) {
    let mut diags = Diagnostics::new();
    let project = loader::load(&mut diags, fs, inputs, Path::new("proj"));
    (project, diags)
}

fn compiled(text: &str) -> Compilation {
    let (fs, inputs) = fs_for(text);
    let (project, diags) = load(&fs, &inputs);
    let c = compile::compile_project(project, diags);
    assert!(
        !c.has_errors(),
        "benchmark project has errors: {:?}",
        c.diags.first()
    );
    c
}

/// Every emitted (config, environment) of a program.
fn tasks(prog: &Program<'_>) -> Vec<(ConfigId, Option<EnvId>)> {
    let slots = prog.env_slots();
    let mut out = Vec::new();
    for (i, c) in prog.configs.iter_ids() {
        if c.is_emitted() && !c.broken {
            out.extend(slots.iter().map(|&e| (i, e)));
        }
    }
    out
}

/// The source of model `i` written with the constructs of LANGUAGE.md §9:
/// `is` tests, list and map comprehensions, `all`/`any`, `unset`, `:=` and
/// a policy test (deterministic; parsed only, never compiled).
fn model_section9(i: usize, out: &mut String) {
    let _ = writeln!(out, "config model_{i:05} extends base {{");
    let _ = writeln!(out, "  name = \"model_{i:05}\"");
    let _ = writeln!(
        out,
        "  devices = [{{ kind = \"a100\", gpus = {} }}, {{ kind = \"t4\", gpus = 1 }}]",
        1 + i % 8
    );
    let _ = writeln!(
        out,
        "  gpus = [d.gpus * 2 for d in devices if d.kind == \"a100\" and d.gpus is int]"
    );
    let _ = writeln!(
        out,
        "  traffic := {{ current = {}, next = {} }}",
        90 - i % 10,
        10 + i % 10
    );
    let _ = writeln!(
        out,
        "  weights = {{ k = v / 100 for k, v in traffic if v > 0 }}"
    );
    let _ = writeln!(
        out,
        "  ok = all(v in values(traffic): v >= 1) and not any(d in devices: d.gpus is string | list[int])"
    );
    let _ = writeln!(
        out,
        "  device = if serving.device is \"gpu\" | \"cpu\" then serving.device else \"cpu\""
    );
    let _ = writeln!(
        out,
        "  env prod {{ unset serving.canary; serving.replicas := {} }}",
        2 + i % 8
    );
    out.push_str("}\n");
    let _ = writeln!(out, "test \"model_{i:05} serves\" in prod {{");
    let _ = writeln!(
        out,
        "  assert all(c in [model_{i:05}]: c.serving.replicas >= 2) : \"replicas\""
    );
    out.push_str("}\n\n");
}

/// The one-file §9-heavy text with `n` models.
fn section9_text(n: usize) -> String {
    let mut out = String::with_capacity(SCHEMA.len() + n * 900);
    out.push_str(SCHEMA);
    out.push('\n');
    for i in 0..n {
        model_section9(i, &mut out);
    }
    out
}

fn bench_parse(g: &mut Group<'_>, texts: &[(usize, String)]) {
    for (n, text) in texts {
        let s9 = section9_text(*n);
        g.throughput(Throughput::Bytes(s9.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse_section9", n), &s9, |b, text| {
            assert!(
                syntax::parse(FileId(0), text).is_ok(),
                "the benchmark text parses"
            );
            b.iter(|| syntax::parse(FileId(0), text).map_or(0, |f| f.decls.len()));
        });
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", n), text, |b, text| {
            assert!(
                syntax::parse(FileId(0), text).is_ok(),
                "the benchmark text parses"
            );
            b.iter(|| syntax::parse(FileId(0), text).map_or(0, |f| f.decls.len()));
        });
    }
}

fn bench_phases(g: &mut Group<'_>, n: usize, text: &str) {
    g.throughput(Throughput::Elements(n as u64));
    let (fs, inputs) = fs_for(text);
    let (project, _) = load(&fs, &inputs);
    // Name resolution, the layer cache and the layers of every (config, env).
    g.bench_with_input(
        BenchmarkId::new("resolve_merge", n),
        &project,
        |b, project| {
            b.iter(|| {
                let mut diags = Diagnostics::new();
                let prog = Program::build(&mut diags, project);
                let mut d = Vec::new();
                let cache = LayerCache::build(&prog, &mut d);
                tasks(&prog)
                    .into_iter()
                    .map(|(cid, env)| cache.layers_for(&prog, cid, env, &mut d).nodes.len())
                    .sum::<usize>()
            });
        },
    );
    // Evaluation and checks of every (config, env), sequentially, on a built program.
    let mut diags = Diagnostics::new();
    let prog = Program::build(&mut diags, &project);
    let mut d = Vec::new();
    let cache = LayerCache::build(&prog, &mut d);
    let all = tasks(&prog);
    g.bench_with_input(BenchmarkId::new("evaluate_check", n), &all, |b, all| {
        b.iter(|| {
            all.iter()
                .filter(|&&(cid, env)| {
                    eval::evaluate(&prog, &cache, cid, env, true)
                        .value
                        .is_some()
                })
                .count()
        });
    });
    // The whole front end (load from memory, resolve, evaluate in parallel, cross-env checks).
    g.bench_with_input(
        BenchmarkId::new("compile", n),
        &(fs, inputs),
        |b, (fs, inputs)| {
            b.iter(|| {
                let (project, diags) = load(fs, inputs);
                compile::compile_project(project, diags).artifacts.len()
            });
        },
    );
    let artifacts = compiled(text).artifacts;
    assert_eq!(artifacts.len(), 3 * n);
    g.bench_with_input(
        BenchmarkId::new("emit_json", n),
        &artifacts,
        |b, artifacts| {
            b.iter(|| {
                artifacts
                    .iter()
                    .map(|a| emit::json::to_bytes(&a.value.to_json()).len())
                    .sum::<usize>()
            });
        },
    );
}

fn benches(c: &mut Criterion) {
    let texts: Vec<(usize, String)> = SIZES.iter().map(|&n| (n, project_text(n))).collect();
    let mut g = c.benchmark_group("phase");
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    bench_parse(&mut g, &texts);
    for (n, text) in &texts {
        bench_phases(&mut g, *n, text);
    }
    g.finish();
}

criterion_group!(compile_phases, benches);
criterion_main!(compile_phases);
