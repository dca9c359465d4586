//! `mcfg drift` (CLI.md "Machine-readable reports"): a deployed artifact
//! compared with what the sources compile to for one (config, environment).
//!
//! Both sides are flattened to leaf paths (objects are walked, lists and
//! empty objects are leaves) in artifact form; numbers compare by value
//! (`1 == 1.0`), so a deployed `0.2` equals `200ms`. Each difference is
//! `changed` (both sides have the path), `missing` (only the sources have it)
//! or `extra` (only the deployed file has it). `changed` and `missing` carry
//! the location of the assignment that owns the expected value (a schema
//! default included). Order: expected paths in artifact order, then extras
//! in the deployed file's order.

use indexmap::IndexMap;
use serde::Serialize;

use super::lookup::{self, Loc};
use super::query::QueryError;
use crate::ast::Name;
use crate::eval::inspect::inspect;
use crate::eval::LayerCache;
use crate::merge::{Layers, NodeId, Slot, ROOT};
use crate::resolve::Program;
use crate::source::SourceMap;
use crate::types::{Ty, TyId};

/// One difference between the deployed artifact and the sources.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum DriftDiff {
    Changed {
        path: String,
        expected: serde_json::Value,
        /// `null` when `secret`: a deployed file holds resolved secrets, and
        /// the report says that one differs, never what it is.
        deployed: serde_json::Value,
        location: Option<Loc>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        secret: bool,
    },
    Missing {
        path: String,
        expected: serde_json::Value,
        location: Option<Loc>,
    },
    Extra {
        path: String,
        /// `null` when `secret` (a key below a map of secrets).
        deployed: serde_json::Value,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        secret: bool,
    },
}

/// The `drift` report.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    pub config: String,
    pub env: Option<String>,
    pub differences: Vec<DriftDiff>,
}

/// Compares `deployed` with config `config` in `env` as the sources compile it.
pub fn drift(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    config: &str,
    env: Option<&str>,
    deployed: &serde_json::Value,
) -> Result<Drift, QueryError> {
    let cid = lookup::find_config(prog, config)?;
    let slot = lookup::find_env(prog, env)?;
    if prog.has_envs() && slot.is_none() {
        return Err(super::history::needs_env("drift", prog));
    }
    let insp = inspect(prog, cache, cid, slot);
    let Some(value) = lookup::node_value(&insp, ROOT) else {
        return Err(QueryError::Broken {
            config: config.to_owned(),
        });
    };
    let mut expected = IndexMap::new();
    flatten(&value.to_json(), "", &mut expected);
    let mut live = IndexMap::new();
    flatten(deployed, "", &mut live);
    let sources = &prog.project.sources;
    let mut differences = Vec::new();
    for (path, want) in &expected {
        let location = owner(sources, &insp.layers, path);
        match live.get(path) {
            Some(got) if json_equal(want, got) => {}
            Some(got) => {
                let secret = secret_at(prog, &insp.layers, path);
                differences.push(DriftDiff::Changed {
                    path: path.clone(),
                    expected: want.clone(),
                    deployed: if secret {
                        serde_json::Value::Null
                    } else {
                        got.clone()
                    },
                    location,
                    secret,
                });
            }
            None => differences.push(DriftDiff::Missing {
                path: path.clone(),
                expected: want.clone(),
                location,
            }),
        }
    }
    for (path, got) in &live {
        if !expected.contains_key(path) {
            let secret = secret_at(prog, &insp.layers, path);
            differences.push(DriftDiff::Extra {
                path: path.clone(),
                deployed: if secret {
                    serde_json::Value::Null
                } else {
                    got.clone()
                },
                secret,
            });
        }
    }
    Ok(Drift {
        config: config.to_owned(),
        env: env.map(str::to_owned),
        differences,
    })
}

/// Leaf paths of a JSON value: objects are walked; lists and `{}` are leaves.
fn flatten(v: &serde_json::Value, prefix: &str, out: &mut IndexMap<String, serde_json::Value>) {
    match v {
        serde_json::Value::Object(map) if !map.is_empty() => {
            for (k, child) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(child, &path, out);
            }
        }
        _ => {
            out.insert(prefix.to_owned(), v.clone());
        }
    }
}

/// Equality in artifact form with numbers compared by value.
pub fn json_equal(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_equal(a, b))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Whether the field at a dotted path (or the map or list holding it) is
/// declared with a type that holds secrets.
fn secret_at(prog: &Program<'_>, layers: &Layers<'_>, path: &str) -> bool {
    let mut cur: NodeId = ROOT;
    for key in path.split('.') {
        match &layers.node(cur).slot {
            Slot::Obj(children) => match children.get(&Name::from(key)) {
                Some(&next) => cur = next,
                None => break,
            },
            Slot::Leaf(_) => break,
        }
    }
    layers
        .node(cur)
        .ty
        .is_some_and(|t| holds_secret(prog, t, 0))
}

fn holds_secret(prog: &Program<'_>, ty: TyId, depth: usize) -> bool {
    match &prog.ty(ty).ty {
        Ty::Secret => true,
        Ty::List(e) | Ty::Map(e) if depth < 64 => holds_secret(prog, *e, depth + 1),
        _ => false,
    }
}

/// The location owning the expected value at a dotted path: the leaf at the
/// path, or the leaf (a map) that holds it.
fn owner(sources: &SourceMap, layers: &Layers<'_>, path: &str) -> Option<Loc> {
    let mut cur: NodeId = ROOT;
    for key in path.split('.') {
        match &layers.node(cur).slot {
            Slot::Obj(children) => cur = *children.get(&Name::from(key))?,
            Slot::Leaf(_) => break,
        }
    }
    lookup::owned_at(sources, layers, cur)
}

/// A deployed value as the human report shows it (never a secret's value).
fn shown(v: &serde_json::Value, secret: bool) -> String {
    if secret {
        "(a secret; differs)".to_owned()
    } else {
        lookup::show_json(v)
    }
}

/// The report as people read it: one line per difference, exit status elsewhere.
pub fn render_human(d: &Drift) -> String {
    let env = d
        .env
        .as_deref()
        .map(|e| format!(" in env {e}"))
        .unwrap_or_default();
    if d.differences.is_empty() {
        return format!(
            "{}{env}: the deployed artifact matches the sources\n",
            d.config
        );
    }
    let mut rows = vec![vec![
        "kind".to_owned(),
        "path".to_owned(),
        "expected".to_owned(),
        "deployed".to_owned(),
        "set at".to_owned(),
    ]];
    let loc = |l: &Option<Loc>| l.as_ref().map_or(String::new(), Loc::short);
    for diff in &d.differences {
        rows.push(match diff {
            DriftDiff::Changed {
                path,
                expected,
                deployed,
                location,
                secret,
            } => vec![
                "changed".into(),
                path.clone(),
                lookup::show_json(expected),
                shown(deployed, *secret),
                loc(location),
            ],
            DriftDiff::Missing {
                path,
                expected,
                location,
            } => vec![
                "missing".into(),
                path.clone(),
                lookup::show_json(expected),
                "-".into(),
                loc(location),
            ],
            DriftDiff::Extra {
                path,
                deployed,
                secret,
            } => vec![
                "extra".into(),
                path.clone(),
                "-".into(),
                shown(deployed, *secret),
                String::new(),
            ],
        });
    }
    let n = d.differences.len();
    let mut out = format!(
        "{}{env}: {n} difference{}\n",
        d.config,
        if n == 1 { "" } else { "s" }
    );
    out.push_str(&lookup::table(&rows));
    out
}
