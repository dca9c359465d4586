//! Inlay hints: after a field's first assignment in a config (in source
//! order, `env` blocks included), the field's value in every environment —
//! `dev 1 · staging 2 · prod 8` — when the environments do not all agree.
//! A field with the same value everywhere gets no hint.

use indexmap::IndexSet;
use lsp_types::{InlayHint, InlayHintLabel, InlayHintTooltip, Range};

use crate::ast::{Decl, ExprKind, Name, Stmt};
use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::eval::inspect::{inspect, Inspected};
use crate::merge::ROOT;
use crate::resolve::Program;

use super::hover::config_id;
use super::Ctx;

/// Values longer than this are cut (with `…`).
const MAX_VALUE_CHARS: usize = 40;

/// The hints of the document's assignments that lie in `range`.
pub(crate) fn hints(cx: &Ctx<'_>, range: Range) -> Vec<InlayHint> {
    let Some(ast) = cx.comp.project.file(cx.file).ast.as_ref() else {
        return Vec::new();
    };
    let (index, text) = cx.index(cx.file);
    let mut diags = Diagnostics::new();
    compile::with_program(&cx.comp.project, &mut diags, |prog, cache| {
        if !prog.has_envs() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for d in &ast.decls {
            let Decl::Config(c) = d else { continue };
            let r = index.range(text, c.span.start as usize, c.span.end as usize);
            if r.end < range.start || range.end < r.start {
                continue;
            }
            let Some(cid) = config_id(prog, c) else {
                continue;
            };
            if prog.configs[cid].broken {
                continue;
            }
            let views: Vec<Inspected<'_>> = prog
                .env_slots()
                .into_iter()
                .map(|env| inspect(prog, cache, cid, env))
                .collect();
            let mut assigns = Vec::new();
            collect(&c.body, &mut Vec::new(), &mut assigns);
            let mut seen: IndexSet<Vec<Name>> = IndexSet::new();
            for (path, end) in assigns {
                if !seen.insert(path.clone()) {
                    continue;
                }
                let pos = index.position(text, end);
                if pos < range.start || range.end < pos {
                    continue;
                }
                if let Some(label) = label(prog, &views, &path) {
                    out.push(InlayHint {
                        position: pos,
                        label: InlayHintLabel::String(label),
                        kind: None,
                        text_edits: None,
                        tooltip: Some(InlayHintTooltip::String(format!(
                            "`{}` in each environment",
                            path.join(".")
                        ))),
                        padding_left: Some(true),
                        padding_right: None,
                        data: None,
                    });
                }
            }
        }
        out
    })
}

/// Every assignment: its full key path and the end of the statement.
fn collect(body: &[Stmt], prefix: &mut Vec<Name>, out: &mut Vec<(Vec<Name>, usize)>) {
    for s in body {
        let depth = prefix.len();
        match s {
            Stmt::Assign(a) => {
                prefix.extend(a.path.keys.iter().map(|k| k.name.clone()));
                match &a.value.kind {
                    ExprKind::Object(inner) => collect(inner, prefix, out),
                    _ => out.push((prefix.clone(), a.span.end as usize)),
                }
            }
            Stmt::Block(b) => {
                prefix.extend(b.path.keys.iter().map(|k| k.name.clone()));
                collect(&b.body, prefix, out);
            }
            Stmt::Env(e) => collect(&e.body, prefix, out),
        }
        prefix.truncate(depth);
    }
}

/// `dev 1 · staging 2 · prod 8`, or `None` when every environment agrees.
fn label(prog: &Program<'_>, views: &[Inspected<'_>], path: &[Name]) -> Option<String> {
    let values: Vec<(String, Option<crate::eval::Value>)> = views
        .iter()
        .map(|ins| {
            let env = prog.env_name(ins.env).unwrap_or("?").to_owned();
            let v = ins.layers.find(ROOT, path).and_then(|n| ins.value(n));
            (env, v)
        })
        .collect();
    if values.windows(2).all(|w| w[0].1 == w[1].1) {
        return None;
    }
    let parts: Vec<String> = values
        .into_iter()
        .map(|(env, v)| {
            format!(
                "{env} {}",
                v.map_or_else(|| "—".to_owned(), |v| cut(&v.short()))
            )
        })
        .collect();
    Some(parts.join(" · "))
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_VALUE_CHARS).collect();
    out.push('…');
    out
}
