//! What the operations reports (`explain`, `diff`, `drift`, `log`,
//! `check-runtime`) share: finding a config, an environment or a path by the
//! name the user typed, the assignment that holds a leaf, how a step's origin
//! is named (`"base, env prod"`), and how values are shown to people.
//!
//! Errors here are problems with the command (exit 2): a [`LookupError`],
//! which says which kind of name was wrong (and converts into the message
//! for the callers that only print it).

use serde::Serialize;

use crate::ast::Name;
use crate::eval::inspect::Inspected;
use crate::eval::value::{format_duration, format_float};
use crate::eval::Value;
use crate::merge::{Layers, NodeId, Op, Origin, Slot, Step, ROOT};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::{Location, SourceMap, Span};

/// A name on the command line that names nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// No config of that name; the closest one, if any.
    UnknownConfig {
        name: String,
        closest: Option<String>,
    },
    /// No environment of that name; the declared ones (empty: none declared).
    UnknownEnv { name: String, declared: Vec<String> },
    /// `CONFIG.PATH` with an empty key (`svc..x`, `svc.`).
    EmptyKey { target: String },
    /// The path goes below a value (`svc.port.x` where `port` is a number).
    BelowValue { path: String, key: String },
    /// No field of that path; the closest sibling, if any.
    UnknownField {
        config: String,
        path: String,
        closest: Option<String>,
    },
}

impl std::fmt::Display for LookupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let did_you_mean = |f: &mut std::fmt::Formatter<'_>, s: &Option<String>| match s {
            Some(s) => write!(f, " (did you mean `{s}`?)"),
            None => Ok(()),
        };
        match self {
            LookupError::UnknownConfig { name, closest } => {
                write!(f, "no config named `{name}`")?;
                did_you_mean(f, closest)
            }
            LookupError::UnknownEnv { name, declared } if declared.is_empty() => write!(
                f,
                "unknown environment `{name}`: the sources declare no environments"
            ),
            LookupError::UnknownEnv { name, declared } => write!(
                f,
                "unknown environment `{name}` (declared: {})",
                declared.join(", ")
            ),
            LookupError::EmptyKey { target } => {
                write!(f, "`{target}` is not a path: it has an empty key")
            }
            LookupError::BelowValue { path, key } => {
                write!(f, "`{path}` is a value, it has no field `{key}`")
            }
            LookupError::UnknownField {
                config,
                path,
                closest,
            } => {
                write!(f, "config `{config}` has no field `{path}`")?;
                did_you_mean(f, closest)
            }
        }
    }
}

impl std::error::Error for LookupError {}

/// The message, for callers whose errors are still text.
impl From<LookupError> for String {
    fn from(e: LookupError) -> String {
        e.to_string()
    }
}

/// The config named `name`.
pub fn find_config(prog: &Program<'_>, name: &str) -> Result<ConfigId, LookupError> {
    if let Some(i) = prog.configs.position(|c| &*c.name == name) {
        return Ok(i);
    }
    let names = prog.configs.iter().map(|c| &*c.name);
    Err(LookupError::UnknownConfig {
        name: name.to_owned(),
        closest: crate::suggest::closest(name, names).map(str::to_owned),
    })
}

/// The environment slot for `--env NAME`; `None` without `--env`.
///
/// Naming an environment in a build that declares none is an error.
pub fn find_env(prog: &Program<'_>, name: Option<&str>) -> Result<Option<EnvId>, LookupError> {
    let Some(name) = name else { return Ok(None) };
    if let Some(i) = prog.envs.position(|e| &*e.name == name) {
        return Ok(Some(i));
    }
    Err(LookupError::UnknownEnv {
        name: name.to_owned(),
        declared: prog.envs.iter().map(|e| e.name.to_string()).collect(),
    })
}

/// Splits `svc.serving.replicas` into the config and the path below it.
pub fn split_target(
    prog: &Program<'_>,
    target: &str,
) -> Result<(ConfigId, Vec<Name>), LookupError> {
    let mut parts = target.split('.');
    let config = parts.next().unwrap_or("");
    let cid = find_config(prog, config)?;
    let path: Vec<Name> = parts.map(Name::from).collect();
    if path.iter().any(|k| k.is_empty()) {
        return Err(LookupError::EmptyKey {
            target: target.to_owned(),
        });
    }
    Ok((cid, path))
}

/// The node at `path` in `layers`, or an error naming the first unknown key.
pub fn find_node(layers: &Layers<'_>, config: &str, path: &[Name]) -> Result<NodeId, LookupError> {
    let mut cur = ROOT;
    for (i, key) in path.iter().enumerate() {
        let Slot::Obj(children) = &layers.node(cur).slot else {
            return Err(LookupError::BelowValue {
                path: format!("{config}.{}", dotted(&path[..i])),
                key: key.to_string(),
            });
        };
        match children.get(key) {
            Some(&child) => cur = child,
            None => {
                return Err(LookupError::UnknownField {
                    config: config.to_owned(),
                    path: dotted(&path[..=i]),
                    closest: crate::suggest::closest(key, children.keys().map(|k| &**k))
                        .map(str::to_owned),
                });
            }
        }
    }
    Ok(cur)
}

/// Keys joined with dots.
pub fn dotted(keys: &[Name]) -> String {
    keys.iter().map(|k| &**k).collect::<Vec<_>>().join(".")
}

/// The step that holds a leaf: the last of its effective steps (an `Append`
/// after a `Set` holds), or `None` for a leaf nothing assigned.
pub fn holding<'l, 'a>(layers: &'l Layers<'a>, id: NodeId) -> Option<&'l Step<'a>> {
    layers.effective_steps(id).last()
}

/// The location of the assignment holding a leaf; `None` for a schema default
/// or an unset leaf (the `diff` convention).
pub fn assigned_at(sources: &SourceMap, layers: &Layers<'_>, id: NodeId) -> Option<Location> {
    holding(layers, id)
        .filter(|s| s.op != Op::Default)
        .map(|s| sources.location(s.expr.span))
}

/// The location owning a leaf's value, schema defaults included (`drift`).
pub fn owned_at(sources: &SourceMap, layers: &Layers<'_>, id: NodeId) -> Option<Location> {
    holding(layers, id).map(|s| sources.location(s.expr.span))
}

/// A leaf's value: what evaluation gave, or `null` for a leaf nothing set.
pub fn leaf_value(insp: &Inspected<'_>, id: NodeId) -> Option<Value> {
    match &insp.layers.node(id).slot {
        Slot::Leaf(steps) if steps.is_empty() => Some(Value::Null),
        _ => insp.value(id),
    }
}

/// A node's value: a leaf's (see [`leaf_value`]) or an object assembled from its leaves.
pub fn node_value(insp: &Inspected<'_>, id: NodeId) -> Option<Value> {
    match &insp.layers.node(id).slot {
        Slot::Leaf(_) => leaf_value(insp, id),
        Slot::Obj(children) => {
            let mut out = crate::map::with_capacity(children.len());
            for (k, &c) in children.iter() {
                if !insp.layers.is_absent(c) {
                    out.insert(k.clone(), node_value(insp, c)?);
                }
            }
            Some(Value::Object(out))
        }
    }
}

/// Where a step comes from, as `explain` names it: the schema (`"Serving"`),
/// a config body (`"base"`) or an env block (`"base, env prod"`).
pub fn origin_text(prog: &Program<'_>, origin: Origin) -> String {
    match origin {
        Origin::Schema(o) => prog.obj(o).name.as_deref().unwrap_or("schema").to_owned(),
        Origin::Config { config, env } => {
            let name = &prog.configs[config].name;
            match env.and_then(|e| prog.envs.get(e)) {
                Some(e) => format!("{name}, env {}", e.name),
                None => name.to_string(),
            }
        }
        Origin::Update => "runtime update".to_owned(),
        Origin::Override(_) => "--set".to_owned(),
    }
}

/// A location in JSON reports: `{"file", "line", "column"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl From<Location> for Loc {
    fn from(l: Location) -> Loc {
        Loc {
            file: l.file,
            line: l.line,
            column: l.column,
        }
    }
}

impl Loc {
    /// `file:line:col`.
    pub fn short(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The location of a span as a [`Loc`].
pub fn loc(sources: &SourceMap, span: Span) -> Loc {
    sources.location(span).into()
}

/// A value as a person reads it in mcfg syntax: `128`, `"gpu"`, `200ms`,
/// `secret("vault:…")` (the reference, never a resolved secret), lists and
/// objects in full up to about 80 characters.
pub fn show(v: &Value) -> String {
    let full = show_full(v);
    if full.chars().count() <= 80 {
        return full;
    }
    let cut: String = full.chars().take(77).collect();
    format!("{cut}…")
}

fn show_full(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Str(s) => quote(s),
        Value::Duration(ns) => format_duration(*ns),
        Value::Secret(r) => format!("secret({})", quote(r)),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show_full).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) if map.is_empty() => "{}".into(),
        Value::Object(map) => format!(
            "{{ {} }}",
            map.iter()
                .map(|(k, v)| format!("{k} = {}", show_full(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A JSON value as a person reads it (deployed artifacts, runtime updates).
pub fn show_json(v: &serde_json::Value) -> String {
    let s = v.to_string();
    if s.chars().count() <= 80 {
        return s;
    }
    let cut: String = s.chars().take(77).collect();
    format!("{cut}…")
}

/// Pads `cells` into aligned columns separated by two spaces (no trailing blanks).
pub fn table(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
