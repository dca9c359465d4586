//! `mcfg explain CONFIG.PATH` (CLI.md "Machine-readable reports"): a value
//! and every step applied to it, in order — schema default, parent body,
//! parent env blocks, own body, own env blocks (env inheritance included),
//! `+=` appends — with the source text, location and origin of each, and for
//! computed expressions the names they read with their values.
//!
//! Shapes (`--json`):
//! - one leaf in one environment: CLI.md's
//!   `{"config","env","path","value","steps":[{"op","text","file","line","column","from"}]}`;
//!   a step that reads other values adds `"reads":[{"name","value"}]`;
//! - a subtree: `"leaves":[{"path","value","steps"}]` in place of `steps`;
//! - without `--env` in a build with environments: `{"config","path","envs":[
//!   {"env","value","steps"|"leaves"}]}`, environments in declaration order.
//!
//! Every step applied is listed, overridden ones included; the last
//! `default`/`set` and the `append`s after it hold (LANGUAGE.md §5).

use serde::Serialize;

use super::lookup::{self, dotted, Loc};
use super::query::QueryError;
use crate::ast::{Expr, ExprKind, Name, Stmt, StrPart};
use crate::eval::inspect::{eval_at, inspect, Inspected};
use crate::eval::{LayerCache, Value};
use crate::merge::{NodeId, Op, Slot};
use crate::resolve::{ConfigId, EnvId, Program};

/// One step applied to a leaf.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub op: &'static str,
    /// The source text of the expression.
    pub text: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// `"Serving"`, `"base"`, `"base, env prod"`.
    pub from: String,
    /// Values the expression reads (computed expressions only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<Read>,
    /// Whether the step is part of the value that holds.
    #[serde(skip)]
    pub holds: bool,
    /// The source line the expression starts on.
    #[serde(skip)]
    pub source_line: String,
}

/// A name a computed expression reads, with its value.
#[derive(Debug, Clone, Serialize)]
pub struct Read {
    /// As written: `self.serving.batch_size`, `env`.
    pub name: String,
    /// `null` when it could not be determined (failed or another module's value).
    pub value: serde_json::Value,
}

/// One leaf with its steps.
#[derive(Debug, Clone, Serialize)]
pub struct LeafReport {
    pub path: String,
    pub value: serde_json::Value,
    /// The leaf has no value and is left out of the artifact (LANGUAGE.md §9.1).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
    pub steps: Vec<StepReport>,
    /// The value in mcfg syntax for people (`200ms`, `secret("…")`).
    #[serde(skip)]
    pub shown: String,
}

/// What `explain` found in one environment: one leaf, or every leaf of a subtree.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Body {
    Leaf { steps: Vec<StepReport> },
    Tree { leaves: Vec<LeafReport> },
}

/// The report for one environment.
#[derive(Debug, Clone, Serialize)]
pub struct EnvReport {
    pub env: Option<String>,
    pub value: serde_json::Value,
    /// The value is absent from the artifact (LANGUAGE.md §9.1).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub absent: bool,
    #[serde(flatten)]
    pub body: Body,
    #[serde(skip)]
    pub shown: String,
}

/// The whole `explain` report.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Explain {
    /// `--env E` (or a build without environments).
    One {
        config: String,
        env: Option<String>,
        path: String,
        value: serde_json::Value,
        #[serde(flatten)]
        body: Body,
        #[serde(skip)]
        shown: String,
    },
    /// Every environment side by side.
    All {
        config: String,
        path: String,
        envs: Vec<EnvReport>,
    },
}

/// Explains `target` (`svc.serving.replicas`) in `env`, or in every environment.
pub fn explain(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    target: &str,
    env: Option<&str>,
) -> Result<Explain, QueryError> {
    let (cid, path) = lookup::split_target(prog, target)?;
    let slot = lookup::find_env(prog, env)?;
    let config = prog.configs[cid].name.to_string();
    let slots = if slot.is_some() || !prog.has_envs() {
        vec![slot]
    } else {
        prog.env_slots()
    };
    let mut envs = Vec::new();
    for e in slots {
        envs.push(explain_env(prog, cache, cid, e, &path)?);
    }
    let path = dotted(&path);
    if envs.len() == 1 && (slot.is_some() || !prog.has_envs()) {
        let Some(one) = envs.pop() else {
            return Err(QueryError::NoEnvs { command: "explain" });
        };
        return Ok(Explain::One {
            config,
            env: one.env,
            path,
            value: one.value,
            body: one.body,
            shown: one.shown,
        });
    }
    Ok(Explain::All { config, path, envs })
}

fn explain_env(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    cid: ConfigId,
    env: Option<EnvId>,
    path: &[Name],
) -> Result<EnvReport, QueryError> {
    let insp = inspect(prog, cache, cid, env);
    let config = &prog.configs[cid].name;
    let id = lookup::find_node(&insp.layers, config, path)?;
    let value = lookup::node_value(&insp, id);
    let absent = insp.layers.is_absent(id);
    let shown = shown(prog, &insp, id, value.as_ref());
    let value = value.map_or(serde_json::Value::Null, |v| v.to_json());
    let body = match insp.layers.node(id).slot {
        Slot::Leaf(_) => Body::Leaf {
            steps: steps_of(prog, cache, &insp, id),
        },
        Slot::Obj(_) => Body::Tree {
            leaves: insp
                .layers
                .leaves_below(id)
                .into_iter()
                .map(|leaf| leaf_report(prog, cache, &insp, leaf))
                .collect(),
        },
    };
    Ok(EnvReport {
        env: prog.env_name(env).map(str::to_owned),
        value,
        absent,
        body,
        shown,
    })
}

fn leaf_report(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    insp: &Inspected<'_>,
    id: NodeId,
) -> LeafReport {
    let value = lookup::leaf_value(insp, id);
    let absent = insp.layers.is_absent(id);
    LeafReport {
        path: dotted(&insp.layers.path_of(id)),
        shown: shown(prog, insp, id, value.as_ref()),
        value: value.map_or(serde_json::Value::Null, |v| v.to_json()),
        absent,
        steps: steps_of(prog, cache, insp, id),
    }
}

/// A value as people read it: `(required, no value)` (a declared leaf
/// nothing set), `(absent)`, `(failed)` or mcfg syntax.
fn shown(prog: &Program<'_>, insp: &Inspected<'_>, id: NodeId, value: Option<&Value>) -> String {
    let absent = insp.layers.is_absent(id);
    match value {
        _ if absent
            && insp.layers.declaration(id).is_some()
            && crate::eval::is_required(prog, &insp.layers, id) =>
        {
            "(required, no value)".to_owned()
        }
        _ if absent => "(absent)".to_owned(),
        None => "(failed)".to_owned(),
        Some(v) => lookup::show(v),
    }
}

fn steps_of(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    insp: &Inspected<'_>,
    id: NodeId,
) -> Vec<StepReport> {
    let sources = &prog.project.sources;
    let Slot::Leaf(steps) = &insp.layers.node(id).slot else {
        return Vec::new();
    };
    let mut steps = steps.to_vec();
    steps.sort_by_key(|s| s.seq);
    let start = steps.iter().rposition(|s| s.op != Op::Append).unwrap_or(0);
    let parent = insp.layers.node(id).parent;
    // A declaration without a value (`path: TYPE`) comes first: it gives the
    // type, never the value.
    let declared = insp.layers.declared_at(id).map(|(d, origin)| {
        let Loc { file, line, column } = lookup::loc(sources, d.span);
        StepReport {
            op: "declare",
            text: sources.slice(d.span).to_owned(),
            file,
            line,
            column,
            from: lookup::origin_text(prog, origin),
            reads: Vec::new(),
            holds: false,
            source_line: sources.get(d.span.file).line_text(line).to_owned(),
        }
    });
    declared
        .into_iter()
        .chain(steps.iter().enumerate().map(|(i, step)| {
            let Loc { file, line, column } = lookup::loc(sources, step.expr.span);
            let source_line = sources.get(step.expr.span.file).line_text(line).to_owned();
            StepReport {
                op: step.op.as_str(),
                text: sources.slice(step.expr.span).to_owned(),
                file,
                line,
                column,
                from: lookup::origin_text(prog, step.origin),
                reads: reads_of(prog, cache, insp, parent, step.expr),
                holds: i >= start,
                source_line,
            }
        }))
        .collect()
}

/// The names an expression reads (`self.a.b`, `a.b`, `env`, `other.x`) with
/// their values, as evaluation looks them up (`eval::inspect::eval_at`).
fn reads_of(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    insp: &Inspected<'_>,
    scope: NodeId,
    expr: &Expr,
) -> Vec<Read> {
    let mut chains = Vec::new();
    collect_chains(expr, &mut chains);
    let sources = &prog.project.sources;
    let mut seen: Vec<(String, &Expr)> = Vec::new();
    for chain in chains {
        let name = sources.slice(chain.span).to_owned();
        if !seen.iter().any(|(n, _)| *n == name) {
            seen.push((name, chain));
        }
    }
    if seen.is_empty() {
        return Vec::new();
    }
    let exprs: Vec<&Expr> = seen.iter().map(|(_, e)| *e).collect();
    let values = eval_at(prog, cache, insp.config, insp.env, scope, &exprs);
    seen.into_iter()
        .zip(values)
        .map(|((name, _), v)| Read {
            name,
            value: v.map_or(serde_json::Value::Null, |v| v.to_json()),
        })
        .collect()
}

/// Whether `expr` is a `self…`, `name…` or `env` chain of field accesses.
fn is_chain(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::SelfRef | ExprKind::Name(_) | ExprKind::EnvRef => true,
        ExprKind::Field(base, _) => is_chain(base),
        _ => false,
    }
}

fn collect_chains<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
    if is_chain(expr) {
        out.push(expr);
        return;
    }
    match &expr.kind {
        ExprKind::Interp(parts) => {
            for p in parts {
                if let StrPart::Expr(e) = p {
                    collect_chains(e, out);
                }
            }
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            for e in items {
                collect_chains(e, out);
            }
        }
        ExprKind::Object(stmts) => collect_stmts(stmts, out),
        ExprKind::Field(base, _) | ExprKind::Unary(_, base) => collect_chains(base, out),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            collect_chains(a, out);
            collect_chains(b, out);
        }
        ExprKind::If(c, a, b) => {
            collect_chains(c, out);
            collect_chains(a, out);
            collect_chains(b, out);
        }
        _ => {}
    }
}

fn collect_stmts<'e>(stmts: &'e [Stmt], out: &mut Vec<&'e Expr>) {
    for s in stmts {
        match s {
            Stmt::Assign(a) => collect_chains(&a.value, out),
            Stmt::Block(b) => collect_stmts(&b.body, out),
            Stmt::Env(e) => collect_stmts(&e.body, out),
            Stmt::Declare(_) => {}
        }
    }
}

/// The report as people read it: one block per environment and leaf, each
/// step with `file:line:col`, its origin and the source line.
pub fn render_human(report: &Explain) -> String {
    let mut out = String::new();
    match report {
        Explain::One {
            config,
            env,
            path,
            body,
            shown,
            ..
        } => {
            let title = target_title(config, path);
            match env {
                Some(e) => out.push_str(&format!("{title} in env {e} = {shown}\n")),
                None => out.push_str(&format!("{title} = {shown}\n")),
            }
            render_body(&mut out, body);
        }
        Explain::All { config, path, envs } => {
            let title = target_title(config, path);
            out.push_str(&format!("{title}\n"));
            let rows: Vec<Vec<String>> = envs
                .iter()
                .map(|e| {
                    vec![
                        format!("  {}", e.env.as_deref().unwrap_or("")),
                        e.shown.clone(),
                    ]
                })
                .collect();
            out.push_str(&lookup::table(&rows));
            for e in envs {
                out.push_str(&format!(
                    "\nin env {} = {}\n",
                    e.env.as_deref().unwrap_or(""),
                    e.shown
                ));
                render_body(&mut out, &e.body);
            }
        }
    }
    out
}

fn target_title(config: &str, path: &str) -> String {
    if path.is_empty() {
        config.to_owned()
    } else {
        format!("{config}.{path}")
    }
}

fn render_body(out: &mut String, body: &Body) {
    match body {
        Body::Leaf { steps } => render_steps(out, steps, "  "),
        Body::Tree { leaves } => {
            for leaf in leaves {
                out.push_str(&format!("  {} = {}\n", leaf.path, leaf.shown));
                render_steps(out, &leaf.steps, "    ");
            }
        }
    }
}

fn render_steps(out: &mut String, steps: &[StepReport], indent: &str) {
    if steps.is_empty() {
        out.push_str(&format!("{indent}(never assigned)\n"));
    }
    for (i, s) in steps.iter().enumerate() {
        let holds = if s.holds { "  <- holds" } else { "" };
        out.push_str(&format!(
            "{indent}{}. {:<7} {}:{}:{}  ({}){holds}\n",
            i + 1,
            s.op,
            s.file,
            s.line,
            s.column,
            s.from
        ));
        out.push_str(&format!("{indent}     | {}\n", s.source_line.trim()));
        for r in &s.reads {
            out.push_str(&format!(
                "{indent}     reads {} = {}\n",
                r.name,
                lookup::show_json(&r.value)
            ));
        }
    }
}
