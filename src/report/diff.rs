//! `mcfg diff` (CLI.md "Machine-readable reports"): the leaves whose value
//! differs between two environments (`--env A --env B`), or between a git
//! revision of the sources and the working tree (`--against REV`).
//!
//! Paths are leaves (lists, and maps' entries one by one, as the layers hold
//! them); `locations[i]` is the assignment that holds on side `i` (`null` for
//! a schema default or an unset leaf). Configs are compared in source order,
//! leaves in tree order; a leaf, config or environment that exists on one side
//! only is listed with `null` on the other. Only emitted configs are compared
//! unless a config is named.

pub mod sweep;

use indexmap::IndexMap;
use serde::Serialize;

use super::lookup::{self, dotted, Loc};
use super::query::QueryError;
use crate::eval::inspect::inspect;
use crate::eval::{value_equal, LayerCache, Value};
use crate::merge::{Layers, NodeId, ROOT};
use crate::resolve::{ConfigId, EnvId, Program};

/// A leaf of one (config, environment): its value and where it was set.
#[derive(Debug, Clone)]
pub struct LeafInfo {
    /// `None` when evaluation failed.
    pub value: Option<Value>,
    /// The assignment that holds (`None` for a default or an unset leaf).
    pub location: Option<Loc>,
    /// `invariant`, `distinct` or `runtime` when the field (or an ancestor) carries the marker.
    pub marker: Option<&'static str>,
    /// Nothing set the leaf, or an `unset` holds: it is not in the artifact.
    pub absent: bool,
}

/// Every leaf of one (config, environment), by dotted path, in tree order.
pub type Snapshot = IndexMap<String, LeafInfo>;

/// Per config, per environment (`None` without environments): its leaves.
pub type ProgramSnapshot = IndexMap<String, IndexMap<Option<String>, Snapshot>>;

/// One difference.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    pub config: String,
    /// Only in `--against` reports: the environment (`null` without environments).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<serde_json::Value>,
    pub path: String,
    pub values: [serde_json::Value; 2],
    pub locations: [Option<Loc>; 2],
    /// The values in mcfg syntax for people.
    #[serde(skip)]
    pub shown: [String; 2],
    /// `invariant`, `distinct` or `runtime` (shown in the human and Markdown reports).
    #[serde(skip)]
    pub marker: Option<&'static str>,
}

impl Difference {
    /// The environment column of a table: its name, or `-` without environments.
    pub(crate) fn env_cell(&self) -> &str {
        self.env
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .unwrap_or("-")
    }
}

/// `diff --env A --env B`.
#[derive(Debug, Clone, Serialize)]
pub struct EnvDiff {
    pub envs: [String; 2],
    pub differences: Vec<Difference>,
}

/// `diff --against REV`.
#[derive(Debug, Clone, Serialize)]
pub struct AgainstDiff {
    pub against: String,
    pub differences: Vec<Difference>,
}

/// The leaves of config `cid` in `env`.
pub fn snapshot(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    cid: ConfigId,
    env: Option<EnvId>,
) -> Snapshot {
    let insp = inspect(prog, cache, cid, env);
    let sources = &prog.project.sources;
    let mut out = Snapshot::new();
    for id in insp.layers.leaves_below(ROOT) {
        let info = LeafInfo {
            value: lookup::leaf_value(&insp, id),
            location: lookup::assigned_at(sources, &insp.layers, id),
            marker: marker_of(prog, &insp.layers, id),
            absent: insp.layers.is_absent(id),
        };
        out.insert(dotted(&insp.layers.path_of(id)), info);
    }
    out
}

fn marker_of(prog: &Program<'_>, layers: &Layers<'_>, mut id: NodeId) -> Option<&'static str> {
    loop {
        let node = layers.node(id);
        if let Some((o, i)) = node.field {
            if let Some((_, f)) = prog.obj(o).fields.get_index(i as usize) {
                if f.markers.invariant.is_some() {
                    return Some("invariant");
                }
                if f.markers.distinct.is_some() {
                    return Some("distinct");
                }
                if f.markers.runtime.is_some() {
                    return Some("runtime");
                }
            }
        }
        if id == ROOT {
            return None;
        }
        id = node.parent;
    }
}

/// The configs a diff compares: the named one, or every emitted config.
pub fn configs_to_compare(
    prog: &Program<'_>,
    config: Option<&str>,
) -> Result<Vec<ConfigId>, QueryError> {
    if let Some(name) = config {
        return Ok(vec![lookup::find_config(prog, name)?]);
    }
    Ok(prog
        .configs
        .ids()
        .filter(|&c| {
            let c = &prog.configs[c];
            c.is_emitted() && !c.broken
        })
        .collect())
}

/// Every leaf whose value differs between environments `a` and `b`.
pub fn diff_envs(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    envs: [&str; 2],
    config: Option<&str>,
) -> Result<EnvDiff, QueryError> {
    if !prog.has_envs() {
        return Err(QueryError::NoEnvs {
            command: "diff --env",
        });
    }
    let a = lookup::find_env(prog, Some(envs[0]))?;
    let b = lookup::find_env(prog, Some(envs[1]))?;
    let mut differences = Vec::new();
    for cid in configs_to_compare(prog, config)? {
        let name = prog.configs[cid].name.to_string();
        let sa = snapshot(prog, cache, cid, a);
        let sb = snapshot(prog, cache, cid, b);
        compare(&name, None, &sa, &sb, &mut differences);
    }
    Ok(EnvDiff {
        envs: [envs[0].to_owned(), envs[1].to_owned()],
        differences,
    })
}

/// Snapshots of every emitted config in every environment (`env`: only that one).
pub fn snapshot_program(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    config: Option<&str>,
    env: Option<&str>,
) -> ProgramSnapshot {
    let mut out = ProgramSnapshot::new();
    let Ok(configs) = configs_to_compare(prog, config) else {
        return out;
    };
    let slots: Vec<Option<EnvId>> = match env {
        Some(name) => match lookup::find_env(prog, Some(name)) {
            Ok(slot) => vec![slot],
            Err(_) => Vec::new(),
        },
        None => prog.env_slots(),
    };
    for cid in configs {
        let per_env = out.entry(prog.configs[cid].name.to_string()).or_default();
        for &e in &slots {
            let name = prog.env_name(e).map(str::to_owned);
            per_env.insert(name, snapshot(prog, cache, cid, e));
        }
    }
    out
}

/// Every leaf that changed between `old` (at `rev`) and `new` (the working tree).
pub fn diff_against(rev: &str, old: &ProgramSnapshot, new: &ProgramSnapshot) -> AgainstDiff {
    let empty_envs = IndexMap::new();
    let empty = Snapshot::new();
    let mut configs: Vec<&String> = new.keys().collect();
    configs.extend(old.keys().filter(|c| !new.contains_key(*c)));
    let mut differences = Vec::new();
    for config in configs {
        let o = old.get(config).unwrap_or(&empty_envs);
        let n = new.get(config).unwrap_or(&empty_envs);
        let mut envs: Vec<&Option<String>> = n.keys().collect();
        envs.extend(o.keys().filter(|e| !n.contains_key(*e)));
        for env in envs {
            let env_json = env
                .as_deref()
                .map_or(serde_json::Value::Null, serde_json::Value::from);
            compare(
                config,
                Some(env_json),
                o.get(env).unwrap_or(&empty),
                n.get(env).unwrap_or(&empty),
                &mut differences,
            );
        }
    }
    AgainstDiff {
        against: rev.to_owned(),
        differences,
    }
}

fn compare(
    config: &str,
    env: Option<serde_json::Value>,
    a: &Snapshot,
    b: &Snapshot,
    out: &mut Vec<Difference>,
) {
    let mut paths: Vec<&String> = a.keys().collect();
    paths.extend(b.keys().filter(|p| !a.contains_key(*p)));
    for path in paths {
        let (la, lb) = (a.get(path), b.get(path));
        // An absent leaf is no value at all, not `null` (LANGUAGE.md §9.1).
        let (pa, pb) = (la.filter(|l| !l.absent), lb.filter(|l| !l.absent));
        let va = pa.and_then(|l| l.value.as_ref());
        let vb = pb.and_then(|l| l.value.as_ref());
        let same = match (va, vb) {
            (Some(x), Some(y)) => value_equal(x, y) && x.type_name() == y.type_name(),
            (None, None) => pa.is_some() == pb.is_some(),
            _ => false,
        };
        if same {
            continue;
        }
        let json = |v: Option<&Value>| v.map_or(serde_json::Value::Null, Value::to_json);
        let shown = |l: Option<&LeafInfo>, v: Option<&Value>| match (l, v) {
            (None, _) => "(absent)".to_owned(),
            (Some(_), None) => "(failed)".to_owned(),
            (Some(_), Some(v)) => lookup::show(v),
        };
        out.push(Difference {
            config: config.to_owned(),
            env: env.clone(),
            path: path.clone(),
            values: [json(va), json(vb)],
            locations: [
                la.and_then(|l| l.location.clone()),
                lb.and_then(|l| l.location.clone()),
            ],
            shown: [shown(pa, va), shown(pb, vb)],
            marker: la.or(lb).and_then(|l| l.marker),
        });
    }
}

fn where_(loc: Option<&Loc>) -> String {
    loc.map_or_else(|| "(default)".to_owned(), Loc::short)
}

/// `diff --env` as an aligned table; `@invariant`/`@distinct` fields marked.
pub fn render_env_diff(report: &EnvDiff) -> String {
    if report.differences.is_empty() {
        return format!(
            "no differences between `{}` and `{}`\n",
            report.envs[0], report.envs[1]
        );
    }
    let [a, b] = &report.envs;
    let mut rows = vec![vec![
        "path".to_owned(),
        a.clone(),
        b.clone(),
        format!("set in {a}"),
        format!("set in {b}"),
    ]];
    for d in &report.differences {
        let mark = d.marker.map(|m| format!(" [{m}]")).unwrap_or_default();
        rows.push(vec![
            format!("{}.{}{mark}", d.config, d.path),
            d.shown[0].clone(),
            d.shown[1].clone(),
            side(d, 0),
            side(d, 1),
        ]);
    }
    let mut out = lookup::table(&rows);
    out.push_str(&summary(report.differences.len()));
    out
}

/// `diff --against` as an aligned table.
pub fn render_against(report: &AgainstDiff) -> String {
    if report.differences.is_empty() {
        return format!("no value changed since {}\n", report.against);
    }
    let mut rows = vec![vec![
        "path".to_owned(),
        "env".to_owned(),
        format!("at {}", report.against),
        "now".to_owned(),
        "set at rev".to_owned(),
        "set now".to_owned(),
    ]];
    for d in &report.differences {
        rows.push(vec![
            format!("{}.{}", d.config, d.path),
            d.env_cell().to_owned(),
            d.shown[0].clone(),
            d.shown[1].clone(),
            side(d, 0),
            side(d, 1),
        ]);
    }
    let mut out = lookup::table(&rows);
    out.push_str(&summary(report.differences.len()));
    out
}

/// Where side `i` of a difference was set: the `unset` that removed it, or
/// `-` when nothing set it there.
fn side(d: &Difference, i: usize) -> String {
    if d.shown[i] == "(absent)" && d.locations[i].is_none() {
        "-".to_owned()
    } else {
        where_(d.locations[i].as_ref())
    }
}

fn summary(n: usize) -> String {
    format!("{n} difference{}\n", if n == 1 { "" } else { "s" })
}
