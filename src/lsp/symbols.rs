//! Document symbols (the outline) and workspace symbols.
//!
//! Outline: imports, the environments, type aliases, schemas with their
//! fields (inline object types nested), configs with their assignments,
//! blocks and `env` blocks nested as written. Workspace symbols: every
//! schema, type, config and environment of the project (the standard library
//! included), matched by a case-insensitive subsequence of the query.

use lsp_types::{DocumentSymbol, Location, SymbolInformation, SymbolKind};

use crate::ast::{AssignOp, Decl, SchemaItem, Stmt, TypeKind};
use crate::source::Span;

use super::text::LineIndex;
use super::Ctx;

/// The outline of the document.
pub(crate) fn document(cx: &Ctx<'_>) -> Option<Vec<DocumentSymbol>> {
    let ast = cx.comp.project().file(cx.file).ast.as_ref()?;
    let (index, text) = cx.index(cx.file);
    let sym = |name: &str, kind, detail: Option<String>, span: Span, sel: Span, children| {
        #[allow(deprecated)] // reason: `deprecated` is a required field of the struct
        DocumentSymbol {
            name: if name.is_empty() {
                "_".into()
            } else {
                name.to_owned()
            },
            detail,
            kind,
            tags: None,
            deprecated: None,
            range: index.range(text, span.start as usize, span.end as usize),
            selection_range: index.range(text, sel.start as usize, sel.end as usize),
            children,
        }
    };
    Some(ast.decls.iter().map(|d| decl(cx, d, &sym)).collect())
}

/// The outline entry of one declaration.
fn decl(cx: &Ctx<'_>, d: &Decl, sym: &Sym<'_>) -> DocumentSymbol {
    match d {
        Decl::Test(t) => {
            let envs: Vec<&str> = t.envs.iter().map(|e| &*e.name).collect();
            let detail = (!envs.is_empty()).then(|| format!("in {}", envs.join(", ")));
            sym(
                &t.name,
                SymbolKind::FUNCTION,
                detail,
                t.span,
                t.name_span,
                None,
            )
        }
        Decl::Import(i) => sym(
            &i.alias.name,
            SymbolKind::MODULE,
            Some(i.path.clone()),
            i.span,
            i.alias.span,
            None,
        ),
        Decl::Environments(e) => {
            let envs = e
                .envs
                .iter()
                .map(|v| {
                    let detail = v.parent.as_ref().map(|p| format!("extends {}", p.name));
                    sym(
                        &v.name.name,
                        SymbolKind::ENUM_MEMBER,
                        detail,
                        v.span,
                        v.name.span,
                        None,
                    )
                })
                .collect();
            sym(
                "environments",
                SymbolKind::ENUM,
                None,
                e.span,
                e.span,
                Some(envs),
            )
        }
        Decl::Type(t) => {
            let detail = cx.comp.project().sources.slice(t.ty.span).to_owned();
            sym(
                &t.name.name,
                SymbolKind::TYPE_PARAMETER,
                Some(detail),
                t.span,
                t.name.span,
                None,
            )
        }
        Decl::Schema(s) => {
            let detail = s
                .parent
                .as_ref()
                .map(|p| format!("extends {}", cx.comp.project().sources.slice(p.span)));
            sym(
                &s.name.name,
                SymbolKind::STRUCT,
                detail,
                s.span,
                s.name.span,
                Some(items(cx, &s.items, &sym)),
            )
        }
        Decl::Config(c) => {
            let slice = |q: &Option<crate::ast::QualName>| {
                q.as_ref()
                    .map(|q| cx.comp.project().sources.slice(q.span).to_owned())
            };
            let detail = match (slice(&c.schema), slice(&c.parent)) {
                (Some(s), Some(p)) => Some(format!(": {s} extends {p}")),
                (Some(s), None) => Some(format!(": {s}")),
                (None, Some(p)) => Some(format!("extends {p}")),
                (None, None) => None,
            };
            sym(
                &c.name.name,
                SymbolKind::OBJECT,
                detail,
                c.span,
                c.name.span,
                Some(stmts(cx, &c.body, &sym)),
            )
        }
    }
}

type Sym<'f> = dyn Fn(&str, SymbolKind, Option<String>, Span, Span, Option<Vec<DocumentSymbol>>) -> DocumentSymbol
    + 'f;

fn items(cx: &Ctx<'_>, list: &[SchemaItem], sym: &Sym<'_>) -> Vec<DocumentSymbol> {
    list.iter()
        .filter_map(|item| match item {
            SchemaItem::Field(f) => {
                let children = match f.ty.as_ref().map(|t| &t.kind) {
                    Some(TypeKind::Object(inner)) => Some(items(cx, inner, sym)),
                    _ => None,
                };
                let detail =
                    f.ty.as_ref()
                        .map(|t| cx.comp.project().sources.slice(t.span).to_owned());
                Some(sym(
                    &f.name.name,
                    SymbolKind::FIELD,
                    detail,
                    f.span,
                    f.name.span,
                    children,
                ))
            }
            SchemaItem::Check(_) => None,
        })
        .collect()
}

fn stmts(cx: &Ctx<'_>, body: &[Stmt], sym: &Sym<'_>) -> Vec<DocumentSymbol> {
    body.iter()
        .map(|s| match s {
            Stmt::Assign(a) => {
                let name = a
                    .path
                    .keys
                    .iter()
                    .map(|k| &*k.name)
                    .collect::<Vec<_>>()
                    .join(".");
                let value = cx.comp.project().sources.slice(a.value.span);
                let value = match a.op {
                    AssignOp::Set => value.to_owned(),
                    AssignOp::Append => format!("+= {value}"),
                    AssignOp::Replace => format!(":= {value}"),
                    AssignOp::Unset => "unset".to_owned(),
                };
                let detail = value
                    .lines()
                    .next()
                    .map(|l| l.chars().take(60).collect::<String>());
                sym(
                    &name,
                    SymbolKind::PROPERTY,
                    detail,
                    a.span,
                    a.path.span,
                    None,
                )
            }
            Stmt::Declare(d) => {
                let name = d
                    .path
                    .keys
                    .iter()
                    .map(|k| &*k.name)
                    .collect::<Vec<_>>()
                    .join(".");
                let ty = cx.comp.project().sources.slice(d.ty.span);
                sym(
                    &name,
                    SymbolKind::PROPERTY,
                    Some(format!(": {ty} (required, no value)")),
                    d.span,
                    d.path.span,
                    None,
                )
            }
            Stmt::Block(b) => {
                let name = b
                    .path
                    .keys
                    .iter()
                    .map(|k| &*k.name)
                    .collect::<Vec<_>>()
                    .join(".");
                sym(
                    &name,
                    SymbolKind::OBJECT,
                    None,
                    b.span,
                    b.path.span,
                    Some(stmts(cx, &b.body, sym)),
                )
            }
            Stmt::Env(e) => {
                let names = e
                    .envs
                    .iter()
                    .map(|i| &*i.name)
                    .collect::<Vec<_>>()
                    .join(", ");
                let sel = e.envs.first().map_or(e.span, |f| {
                    f.span.join(e.envs.last().map_or(f.span, |l| l.span))
                });
                sym(
                    &format!("env {names}"),
                    SymbolKind::NAMESPACE,
                    None,
                    e.span,
                    sel,
                    Some(stmts(cx, &e.body, sym)),
                )
            }
        })
        .collect()
}

/// Whether `query`'s characters appear in `name` in order (ignoring case).
fn matches(name: &str, query: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .all(|q| chars.any(|c| c == q))
}

/// The project's named declarations matching `query`.
pub(crate) fn workspace(cx: &Ctx<'_>, query: &str) -> Vec<SymbolInformation> {
    let mut out = Vec::new();
    for file in &cx.comp.project().files {
        let Some(ast) = &file.ast else { continue };
        let Some(uri) = cx.uri(file.id) else { continue };
        let text = &cx.comp.project().sources.get(file.id).text;
        let index = LineIndex::new(text, cx.encoding());
        let container = file
            .path
            .strip_prefix(&cx.comp.project().root)
            .unwrap_or(&file.path)
            .display()
            .to_string();
        let mut add = |name: &str, kind: SymbolKind, span: Span| {
            if !matches(name, query) {
                return;
            }
            #[allow(deprecated)] // reason: `deprecated` is a required field of the struct
            out.push(SymbolInformation {
                name: name.to_owned(),
                kind,
                tags: None,
                deprecated: None,
                location: Location::new(
                    uri.clone(),
                    index.range(text, span.start as usize, span.end as usize),
                ),
                container_name: Some(container.clone()),
            });
        };
        for d in &ast.decls {
            match d {
                Decl::Environments(e) => e
                    .envs
                    .iter()
                    .for_each(|v| add(&v.name.name, SymbolKind::ENUM_MEMBER, v.name.span)),
                Decl::Type(t) => add(&t.name.name, SymbolKind::TYPE_PARAMETER, t.name.span),
                Decl::Schema(s) => add(&s.name.name, SymbolKind::STRUCT, s.name.span),
                Decl::Config(c) => add(&c.name.name, SymbolKind::OBJECT, c.name.span),
                Decl::Test(t) => add(&t.name, SymbolKind::FUNCTION, t.name_span),
                Decl::Import(_) => {}
            }
        }
    }
    out
}
