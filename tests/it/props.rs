//! Property tests (proptest, ≤ 64 cases each): resolution order through
//! inheritance chains against a reference model of LANGUAGE.md §5 (with
//! `unset`, `:=` and map `+=` of §9.2–§9.3), and the
//! JSON and YAML artifact round trips of generated values.

use std::fmt::Write as _;
use std::path::PathBuf;

use indexmap::IndexMap;
use mcfg::compile::{self, Compilation};
use mcfg::emit;
use mcfg::loader::MemoryFs;
use proptest::prelude::*;
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use serde_json::{Map, Number, Value};

/// Environments: `prod_eu extends prod`, so its blocks apply after prod's.
const ENVS: [(&str, &[&str]); 3] = [
    ("dev", &["dev"]),
    ("prod", &["prod"]),
    ("prod_eu", &["prod", "prod_eu"]),
];

fn compile_text(text: &str) -> Compilation {
    let mut fs = MemoryFs::new();
    fs.insert("p/main.mcfg", text.as_bytes().to_vec());
    compile::compile_paths(&fs, &[PathBuf::from("p/main.mcfg")], None).expect("inputs exist")
}

fn first_error(c: &Compilation) -> String {
    c.diags
        .first()
        .map(|d| format!("{}: {}", d.code, d.message))
        .unwrap_or_default()
}

/// What one block does to the list field `xs`, the int field `n`, the
/// optional field `o` and the map `m`.
#[derive(Debug, Clone)]
struct Block {
    /// `xs = …` (`xs := …` when `replace_xs`)
    set: Option<Vec<i64>>,
    replace_xs: bool,
    /// `xs += …` (after the `=` when both are present)
    append: Option<Vec<i64>>,
    /// `n = …`
    n: Option<i64>,
    /// `o = …` or `unset o` (LANGUAGE.md §9.1–§9.2).
    o: Option<Opt>,
    /// One change of `m` (§9.2–§9.3).
    m: Option<MapOp>,
}

#[derive(Debug, Clone)]
enum Opt {
    Set(i64),
    Unset,
}

#[derive(Debug, Clone)]
enum MapOp {
    /// `m := { r0 = …, r1 = … }`
    Replace(Vec<i64>),
    /// `m += { <fresh keys> = … }`
    Add(Vec<i64>),
    /// `m.s<k> = v`: config bodies only (an `env` block may not add a key).
    SetKey(u8, i64),
}

#[derive(Debug, Clone)]
struct Cfg {
    body: Block,
    /// One optional block per entry of `ENVS` (by own name).
    envs: Vec<Option<Block>>,
}

fn block(in_env: bool) -> impl Strategy<Value = Block> {
    let list = || prop::collection::vec(-50_i64..50, 0..4);
    let vals = || prop::collection::vec(-9_i64..9, 0..3);
    let opt = prop_oneof![(-9_i64..9).prop_map(Opt::Set), Just(Opt::Unset)];
    let map = prop_oneof![
        vals().prop_map(MapOp::Replace),
        vals().prop_map(MapOp::Add),
        (0_u8..3, -9_i64..9).prop_map(|(k, v)| MapOp::SetKey(k, v)),
    ]
    .prop_filter("env blocks add keys with += only", move |op| {
        !(in_env && matches!(op, MapOp::SetKey(..)))
    });
    (
        (prop::option::of(list()), any::<bool>()),
        prop::option::of(list()),
        prop::option::of(-1000_i64..1000),
        prop::option::of(opt),
        prop::option::of(map),
    )
        .prop_map(|((set, replace_xs), append, n, o, m)| Block {
            set,
            replace_xs,
            append,
            n,
            o,
            m,
        })
}

fn chain() -> impl Strategy<Value = Vec<Cfg>> {
    // Env blocks are rare enough that many chains have ancestors without
    // any: those configs take the shared-body path (eval/cache.rs), the
    // others the per-environment one.
    let cfg = (
        block(false),
        prop::collection::vec(prop::option::weighted(0.3, block(true)), 3),
    )
        .prop_map(|(body, envs)| Cfg { body, envs });
    prop::collection::vec(cfg, 1..=5)
}

fn list_lit(xs: &[i64]) -> String {
    let items: Vec<String> = xs.iter().map(i64::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// The keys a block's `m += …` adds: unique in the whole chain.
fn fresh_keys(cfg: usize, slot: usize, n: usize) -> Vec<String> {
    (0..n).map(|j| format!("a{cfg}_{slot}_{j}")).collect()
}

fn entries(keys: &[String], vals: &[i64]) -> String {
    let items: Vec<String> = keys
        .iter()
        .zip(vals)
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    format!("{{ {} }}", items.join(", "))
}

/// `slot` is 0 for a config body, 1 + the env's index for an env block.
fn render_block(b: &Block, cfg: usize, slot: usize, indent: &str, out: &mut String) {
    if let Some(xs) = &b.set {
        let op = if b.replace_xs { ":=" } else { "=" };
        let _ = writeln!(out, "{indent}xs {op} {}", list_lit(xs));
    }
    if let Some(xs) = &b.append {
        let _ = writeln!(out, "{indent}xs += {}", list_lit(xs));
    }
    if let Some(n) = b.n {
        let _ = writeln!(out, "{indent}n = {n}");
    }
    match &b.o {
        Some(Opt::Set(v)) => {
            let _ = writeln!(out, "{indent}o = {v}");
        }
        Some(Opt::Unset) => {
            let _ = writeln!(out, "{indent}unset o");
        }
        None => {}
    }
    match &b.m {
        Some(MapOp::Replace(vals)) => {
            let keys: Vec<String> = (0..vals.len()).map(|j| format!("r{j}")).collect();
            let _ = writeln!(out, "{indent}m := {}", entries(&keys, vals));
        }
        Some(MapOp::Add(vals)) => {
            let keys = fresh_keys(cfg, slot, vals.len());
            let _ = writeln!(out, "{indent}m += {}", entries(&keys, vals));
        }
        Some(MapOp::SetKey(k, v)) => {
            let _ = writeln!(out, "{indent}m.s{k} = {v}");
        }
        None => {}
    }
}

fn render_chain(chain: &[Cfg]) -> String {
    let mut src = String::from(
        "environments {\n  dev\n  prod\n  prod_eu extends prod\n}\n\n\
         schema S {\n  xs: list[int] = [7]\n  n: int = 0\n  \
         total: int = self.n + len(self.xs)\n  o: int? = 5\n  m: map[int]\n}\n\n",
    );
    for (i, c) in chain.iter().enumerate() {
        if i == 0 {
            src.push_str("config c0: S {\n");
        } else {
            let _ = writeln!(src, "config c{i} extends c{} {{", i - 1);
        }
        render_block(&c.body, i, 0, "  ", &mut src);
        for (e, ((name, _), b)) in ENVS.iter().zip(&c.envs).enumerate() {
            if let Some(b) = b {
                let _ = writeln!(src, "  env {name} {{");
                render_block(b, i, e + 1, "    ", &mut src);
                src.push_str("  }\n");
            }
        }
        src.push_str("}\n");
    }
    src
}

/// The model's state: the fields of `S`.
#[derive(Debug, Clone)]
struct State {
    xs: Vec<i64>,
    n: i64,
    o: Option<i64>,
    m: IndexMap<String, i64>,
}

fn apply(b: &Block, cfg: usize, slot: usize, st: &mut State) {
    if let Some(set) = &b.set {
        st.xs.clone_from(set);
    }
    if let Some(more) = &b.append {
        st.xs.extend(more);
    }
    if let Some(v) = b.n {
        st.n = v;
    }
    match &b.o {
        Some(Opt::Set(v)) => st.o = Some(*v),
        Some(Opt::Unset) => st.o = None,
        None => {}
    }
    match &b.m {
        Some(MapOp::Replace(vals)) => {
            st.m = vals
                .iter()
                .enumerate()
                .map(|(j, v)| (format!("r{j}"), *v))
                .collect();
        }
        Some(MapOp::Add(vals)) => {
            let keys = fresh_keys(cfg, slot, vals.len());
            st.m.extend(keys.into_iter().zip(vals.iter().copied()));
        }
        Some(MapOp::SetKey(k, v)) => {
            st.m.insert(format!("s{k}"), *v);
        }
        None => {}
    }
}

/// LANGUAGE.md §5: defaults, then the parent resolved for the environment,
/// then the config's body, then its env blocks for the environment's
/// ancestors in order; `unset` and `:=` per §9.2, `+=` on a map per §9.3.
fn model(chain: &[Cfg], upto: usize, env_path: &[&str]) -> State {
    let mut st = State {
        xs: vec![7],
        n: 0,
        o: Some(5),
        m: IndexMap::new(),
    };
    for (i, c) in chain[..=upto].iter().enumerate() {
        apply(&c.body, i, 0, &mut st);
        for step in env_path {
            let slot = ENVS.iter().position(|(name, _)| name == step).expect("env");
            if let Some(b) = &c.envs[slot] {
                apply(b, i, slot + 1, &mut st);
            }
        }
    }
    st
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn inheritance_chains_follow_the_resolution_order(chain in chain()) {
        let src = render_chain(&chain);
        let c = compile_text(&src);
        prop_assert!(!c.has_errors(), "{}\n{src}", first_error(&c));
        prop_assert_eq!(c.artifacts.len(), chain.len() * ENVS.len());
        for a in &c.artifacts {
            let idx: usize = a.config[1..].parse().expect("config index");
            let env = a.env.as_deref().expect("env");
            let (_, path) = ENVS.iter().find(|(name, _)| *name == env).expect("known env");
            let st = model(&chain, idx, path);
            let got = a.value.to_json();
            let mut want = serde_json::json!({
                "xs": st.xs,
                "n": st.n,
                "total": st.n + st.xs.len() as i64,
            });
            if let Some(o) = st.o {
                want["o"] = o.into();
            }
            want["m"] = Value::Object(st.m.iter().map(|(k, v)| (k.clone(), (*v).into())).collect());
            // Text equality: key order is part of the artifact.
            prop_assert_eq!(got.to_string(), want.to_string(), "{} in {}\n{}", a.config, env, src);
        }
    }
}

/// Generated JSON values that mcfg can write as literals: finite floats, any
/// strings, nested lists and objects (no null: a structural field's type comes
/// from its value).
fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof!["[a-z_][a-z0-9_]{0,6}", "[ -~]{1,6}", "\\PC{1,4}",];
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| Value::Number(i.into())),
        (prop::num::f64::POSITIVE
            | prop::num::f64::NEGATIVE
            | prop::num::f64::NORMAL
            | prop::num::f64::ZERO
            | prop::num::f64::SUBNORMAL)
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        (-1000.0_f64..1000.0).prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        "\\PC{0,12}".prop_map(Value::String),
        "[\\x00-\\x1f\"\\\\$${}\n\t\r ]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 1..4).prop_map(|kv| {
                let map: IndexMap<String, Value> = kv.into_iter().collect();
                Value::Object(map.into_iter().collect::<Map<String, Value>>())
            }),
        ]
    })
}

fn string_lit(s: &str, out: &mut String) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The mcfg literal of `v`.
fn literal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => {
                let _ = write!(out, "{i}");
            }
            (None, Some(f)) => {
                let _ = write!(out, "{f:?}");
            }
            (None, None) => unreachable!("no u64 beyond i64 is generated"),
        },
        Value::String(s) => string_lit(s, out),
        Value::Array(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(x, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, x)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string_lit(k, out);
                out.push_str(" = ");
                literal(x, out);
            }
            out.push('}');
        }
    }
}

/// `config c { v = <literal> }` compiled; returns the artifact value of `v`.
fn through_mcfg(v: &Value) -> Result<Value, String> {
    let mut src = String::from("config c {\n  v = ");
    literal(v, &mut src);
    src.push_str("\n}\n");
    let c = compile_text(&src);
    if c.has_errors() {
        return Err(format!("{}\n{src}", first_error(&c)));
    }
    let json = emit::json::to_bytes(&c.artifacts[0].value.to_json());
    let back: Value = serde_json::from_slice(&json).map_err(|e| e.to_string())?;
    Ok(back["v"].clone())
}

fn yaml_to_json(node: &YamlOwned) -> Value {
    match node {
        YamlOwned::Value(ScalarOwned::Null) => Value::Null,
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Value::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Value::Number((*i).into()),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => {
            Number::from_f64(f.into_inner()).map_or(Value::Null, Value::Number)
        }
        YamlOwned::Value(ScalarOwned::String(s)) => Value::String(s.clone()),
        YamlOwned::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        YamlOwned::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let key = match key {
                    YamlOwned::Value(ScalarOwned::String(key)) => key.clone(),
                    other => format!("<non-string key {other:?}>"),
                };
                out.insert(key, yaml_to_json(value));
            }
            Value::Object(out)
        }
        other => Value::String(format!("<unexpected YAML node {other:?}>")),
    }
}

/// Numbers compared by value (an integral float may come back as `2.0` or `2`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x == y || x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((ka, a), (kb, b))| ka == kb && same(a, b))
        }
        _ => a == b,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn json_artifacts_round_trip(v in json_value()) {
        let back = through_mcfg(&v).map_err(TestCaseError::fail)?;
        prop_assert!(same(&back, &v), "{v} came back as {back}");
    }

    #[test]
    fn yaml_artifacts_load_back_to_the_same_json(v in json_value()) {
        let doc = serde_json::json!({ "v": v });
        let yaml = String::from_utf8(emit::yaml::to_bytes(&doc)).expect("YAML is UTF-8");
        let docs = YamlOwned::load_from_str(&yaml).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(docs.len(), 1);
        let back = yaml_to_json(&docs[0]);
        prop_assert!(same(&back, &doc), "{doc} came back as {back}\n{yaml}");
    }
}
