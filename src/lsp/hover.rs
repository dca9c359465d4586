//! Hover: a field's type, refinements, markers and doc comment, and — the point
//! of it — its resolved value in every environment with the line that set it.
//!
//! On an assignment path inside config `C` the values are `C`'s; on a schema
//! field declaration they are those of the first few emitted configs that use
//! the field. Values come from `eval::inspect`; the place is the last effective
//! layering step of the node.

use std::fmt::Write as _;

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};

use crate::ast::{ConfigDecl, Key, Name, QualName};
use crate::eval::inspect::{inspect, Inspected};
use crate::eval::LayerCache;
use crate::merge::{NodeId, Op, Origin, ROOT};
use crate::resolve::{ConfigId, Item, Program};
use crate::types::{Field, ObjId, Ty, TyId};

use super::locate::{self, Target};
use super::Ctx;

/// How many configs a hover on a schema field lists.
const MAX_CONFIGS: usize = 4;

/// The hover at the cursor, if the cursor is on something it can describe.
pub(crate) fn hover(cx: &Ctx<'_>) -> Option<Hover> {
    let file = cx.comp.project().file(cx.file).ast.as_ref()?;
    let target = locate::target_at(file, cx.offset)?;
    let text = cx.comp.with_program(|prog, cache| match &target {
        Target::ConfigKey { config, path, .. } => config_key(cx, prog, cache, config, path),
        Target::FieldDecl { key } => field_decl(cx, prog, cache, key),
        Target::Qual { name, index } => qual(prog, cx, name, *index),
        Target::Import(imp) => Some(format!("import `{}`", imp.path)),
    })?;
    Some(markdown(text))
}

/// A hover showing Markdown.
pub(super) fn markdown(text: String) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: None,
    }
}

/// `**config ranker**: `RankingModel`` and its doc.
pub(super) fn config_text(prog: &Program<'_>, c: ConfigId, shown: &str) -> String {
    let config = &prog.configs[c];
    let mut out = format!("**config {shown}**");
    if let Some(s) = config.schema.and_then(|s| prog.obj(s).name.clone()) {
        let _ = write!(out, ": `{s}`");
    }
    if let Some(doc) = &config.decl.doc {
        let _ = write!(out, "\n\n{}", doc.trim());
    }
    out
}

/// The config declared by `decl`.
pub(super) fn config_id(prog: &Program<'_>, decl: &ConfigDecl) -> Option<ConfigId> {
    prog.configs.position(|c| std::ptr::eq(c.decl, decl))
}

/// Where a walk down a schema stops.
#[derive(Debug, Clone, Copy)]
pub(super) enum At {
    Obj(ObjId),
    Ty(TyId),
}

/// Follows `path` from schema `obj` through field types (and map values): the last
/// field met (`None` when the path ends in a map key) and where the walk ended.
pub(super) fn walk<'p, 'a>(
    prog: &'p Program<'a>,
    obj: ObjId,
    path: &[Name],
) -> Option<(Option<&'p Field<'a>>, At)> {
    let mut at = At::Obj(obj);
    let mut field = None;
    for key in path {
        let o = match at {
            At::Obj(o) => o,
            At::Ty(t) => match &prog.ty(t).ty {
                Ty::Object(o) => *o,
                Ty::Map(e) => {
                    at = At::Ty(*e);
                    field = None;
                    continue;
                }
                _ => return None,
            },
        };
        let f = prog.obj(o).fields.get(key)?;
        field = Some(f);
        at = At::Ty(f.ty);
    }
    Some((field, at))
}

/// The object type a walk ended at, if it is one.
pub(super) fn obj_of(prog: &Program<'_>, at: At) -> Option<ObjId> {
    match at {
        At::Obj(o) => Some(o),
        At::Ty(t) => match &prog.ty(t).ty {
            Ty::Object(o) => Some(*o),
            _ => None,
        },
    }
}

/// `int(>= 1, <= 512)`: a type with its refinements.
pub(super) fn type_text(prog: &Program<'_>, ty: TyId) -> String {
    let preds: Vec<String> = prog
        .ty(ty)
        .preds
        .iter()
        .map(|p| p.kind.to_string())
        .collect();
    if preds.is_empty() {
        prog.ty_name(ty)
    } else {
        format!("{}({})", prog.ty_name(ty), preds.join(", "))
    }
}

/// The header of a field: name, type, markers, default, doc.
fn field_header(prog: &Program<'_>, cx: &Ctx<'_>, shown: &str, f: &Field<'_>) -> String {
    let mut out = format!("**{shown}**: `{}`", type_text(prog, f.ty));
    let m = &f.markers;
    let mut marks: Vec<String> = Vec::new();
    if m.invariant.is_some() {
        marks.push("@invariant".into());
    }
    if m.distinct.is_some() {
        marks.push("@distinct".into());
    }
    if m.runtime.is_some() {
        marks.push("@runtime".into());
    }
    if let Some((_, msg)) = &m.deprecated {
        marks.push(format!("@deprecated({msg:?})"));
    }
    if !marks.is_empty() {
        let _ = write!(out, " `{}`", marks.join(" "));
    }
    if let Some(d) = f.default {
        let _ = write!(
            out,
            "\n\ndefault: `{}`",
            cx.comp.project().sources.slice(d.span)
        );
    }
    if let Some(doc) = &f.doc {
        let _ = write!(out, "\n\n{}", doc.trim());
    }
    out
}

/// One line per environment: `- dev: `64` — models/ranker.mcfg:12`.
fn value_line(cx: &Ctx<'_>, prog: &Program<'_>, ins: &Inspected<'_>, node: NodeId) -> String {
    let env = prog.env_name(ins.env).unwrap_or("value");
    let value = if ins.layers.is_absent(node) {
        // As `explain` shows it: a declared leaf (`PATH: TYPE`) nothing set.
        if ins.layers.declaration(node).is_some()
            && crate::eval::is_required(prog, &ins.layers, node)
        {
            "(required, no value)".to_owned()
        } else {
            "(absent)".to_owned()
        }
    } else {
        ins.value(node)
            .map_or_else(|| "(no value)".to_owned(), |v| format!("`{}`", v.short()))
    };
    let place = ins.layers.effective_steps(node).last().map(|s| {
        let how = match s.op {
            Op::Unset => " (unset)",
            Op::Replace => " (:=)",
            _ if matches!(s.origin, Origin::Schema(_)) => " (default)",
            _ => "",
        };
        format!(" — {}{how}", cx.place(s.expr.span))
    });
    format!("- {env}: {value}{}\n", place.unwrap_or_default())
}

pub(super) fn config_key(
    cx: &Ctx<'_>,
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    decl: &ConfigDecl,
    path: &[Name],
) -> Option<String> {
    let cid = config_id(prog, decl)?;
    let config = &prog.configs[cid];
    let shown = path.join(".");
    let mut header = config
        .schema
        .and_then(|s| walk(prog, s, path))
        .and_then(|(f, _)| f)
        .map(|f| field_header(prog, cx, &shown, f));
    let mut lines = String::new();
    if !config.broken {
        for env in prog.env_slots() {
            let ins = inspect(prog, cache, cid, env);
            let Some(node) = ins.layers.find(ROOT, path) else {
                continue;
            };
            if header.is_none() {
                header = Some(match ins.layers.node(node).ty {
                    Some(t) => format!("**{shown}**: `{}`", type_text(prog, t)),
                    None => format!("**{shown}**"),
                });
            }
            lines.push_str(&value_line(cx, prog, &ins, node));
        }
    }
    let mut out = header?;
    if !lines.is_empty() {
        let _ = write!(out, "\n\nValues in `{}`:\n{lines}", config.name);
    }
    Some(out)
}

fn field_decl(
    cx: &Ctx<'_>,
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    key: &Key,
) -> Option<String> {
    let is_it = |o: ObjId, i: u32| {
        prog.obj(o)
            .fields
            .get_index(i as usize)
            .is_some_and(|(_, f)| f.name_span == key.span)
    };
    let field = prog
        .objs
        .iter()
        .find_map(|o| o.fields.values().find(|f| f.name_span == key.span))?;
    let mut out = field_header(prog, cx, &key.name, field);
    let mut shown = 0;
    for (cid, c) in prog.configs.iter_ids() {
        if shown >= MAX_CONFIGS {
            out.push_str("\n…");
            break;
        }
        if c.broken || !c.is_emitted() || prog.project.file(c.file).is_std {
            continue;
        }
        let mut section = String::new();
        for env in prog.env_slots() {
            let ins = inspect(prog, cache, cid, env);
            let nodes: Vec<NodeId> = (0..ins.layers.nodes.len() as NodeId)
                .filter(|&n| ins.layers.node(n).field.is_some_and(|(o, i)| is_it(o, i)))
                .collect();
            if nodes.is_empty() {
                break;
            }
            for n in nodes {
                let path = ins.layers.path_of(n).join(".");
                let line = value_line(cx, prog, &ins, n);
                let _ = write!(
                    section,
                    "{}",
                    line.replacen("- ", &format!("- `{path}` "), 1)
                );
            }
        }
        if !section.is_empty() {
            shown += 1;
            let sep = if out.ends_with('\n') { "\n" } else { "\n\n" };
            let _ = write!(out, "{sep}Values in `{}`:\n{section}", c.name);
        }
    }
    Some(out)
}

fn qual(prog: &Program<'_>, cx: &Ctx<'_>, name: &QualName, index: usize) -> Option<String> {
    let prefix = QualName {
        parts: name.parts[..=index].to_vec(),
        span: name.span,
    };
    let shown = prefix
        .parts
        .iter()
        .map(|p| &*p.name)
        .collect::<Vec<_>>()
        .join(".");
    match prog.lookup(cx.file, &prefix).ok()? {
        Item::Schema(o) => {
            let obj = prog.obj(o);
            let mut out = format!("**schema {shown}**");
            if let Some(p) = obj.parent.and_then(|p| prog.obj(p).name.clone()) {
                let _ = write!(out, " extends `{p}`");
            }
            let fields: Vec<&str> = obj.fields.keys().map(|k| &**k).collect();
            let _ = write!(out, "\n\nfields: {}", fields.join(", "));
            if let Some(doc) = &obj.doc {
                let _ = write!(out, "\n\n{}", doc.trim());
            }
            Some(out)
        }
        Item::Alias(i) => {
            let decl = prog.aliases.get(i as usize)?.decl;
            let mut out = format!(
                "```mcfg\n{}\n```",
                cx.comp.project().sources.slice(decl.span)
            );
            if let Some(doc) = &decl.doc {
                let _ = write!(out, "\n\n{}", doc.trim());
            }
            Some(out)
        }
        Item::Config(c) => Some(config_text(prog, c, &shown)),
        Item::Module(f) => Some(format!("module `{}`", prog.project.file(f).path.display())),
    }
}
