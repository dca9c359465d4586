//! What is under the cursor: a walk of one file's syntax tree by byte offset.
//!
//! Pure functions of the AST, shared by hover, go-to-definition and completion.
//! A span "contains" an offset when the offset is inside it or right after its
//! last byte, so a cursor just past a name still names it.

use crate::ast::{
    ConfigDecl, Decl, Expr, ExprKind, File, Import, Key, Name, QualName, SchemaItem, Stmt, StrPart,
    TypeExpr, TypeKind,
};
use crate::source::Span;

/// The syntax element at an offset.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// A key of an assignment or block path in a config body; `path` runs from the
    /// config's root to this key (env blocks add nothing).
    ConfigKey {
        config: &'a ConfigDecl,
        path: Vec<Name>,
    },
    /// The name of a field declaration in a schema or inline object type.
    FieldDecl { key: &'a Key },
    /// Part `index` of a qualified name (a schema, type or config reference).
    Qual { name: &'a QualName, index: usize },
    /// The path string of an import.
    Import(&'a Import),
}

/// Whether `span` contains `offset` (end inclusive).
pub fn contains(span: Span, offset: usize) -> bool {
    span.start as usize <= offset && offset <= span.end as usize
}

/// The element at `offset`, if it is one the language server knows about.
pub fn target_at(file: &File, offset: usize) -> Option<Target<'_>> {
    let decl = file.decls.iter().find(|d| contains(d.span(), offset))?;
    match decl {
        Decl::Import(imp) => contains(imp.path_span, offset).then_some(Target::Import(imp)),
        Decl::Environments(_) | Decl::Test(_) => None,
        Decl::Type(t) => in_type(&t.ty, offset),
        Decl::Schema(s) => s
            .parent
            .as_ref()
            .and_then(|q| in_qual(q, offset))
            .or_else(|| in_items(&s.items, offset)),
        Decl::Config(c) => [&c.schema, &c.parent]
            .into_iter()
            .flatten()
            .find_map(|q| in_qual(q, offset))
            .or_else(|| in_body(c, &c.body, &mut Vec::new(), offset)),
    }
}

fn in_qual(q: &QualName, offset: usize) -> Option<Target<'_>> {
    let index = q.parts.iter().position(|p| contains(p.span, offset))?;
    Some(Target::Qual { name: q, index })
}

fn in_items(items: &[SchemaItem], offset: usize) -> Option<Target<'_>> {
    items.iter().find_map(|item| match item {
        SchemaItem::Field(f) if contains(f.span, offset) || contains(f.name.span, offset) => {
            if contains(f.name.span, offset) {
                Some(Target::FieldDecl { key: &f.name })
            } else {
                f.ty.as_ref().and_then(|t| in_type(t, offset))
            }
        }
        SchemaItem::Field(_) | SchemaItem::Check(_) => None,
    })
}

fn in_type(ty: &TypeExpr, offset: usize) -> Option<Target<'_>> {
    if !contains(ty.span, offset) {
        return None;
    }
    match &ty.kind {
        TypeKind::Named(q) => in_qual(q, offset),
        TypeKind::List(t) | TypeKind::Map(t) => in_type(t, offset),
        TypeKind::Object(items) => in_items(items, offset),
        TypeKind::AnyOf(members) => members.iter().find_map(|m| in_type(m, offset)),
        TypeKind::Union(_) => None,
    }
}

fn in_body<'a>(
    config: &'a ConfigDecl,
    body: &'a [Stmt],
    prefix: &mut Vec<Name>,
    offset: usize,
) -> Option<Target<'a>> {
    for stmt in body.iter().filter(|s| contains(s.span(), offset)) {
        let (path, inner) = match stmt {
            Stmt::Assign(a) => (Some(&a.path), None),
            Stmt::Block(b) => (Some(&b.path), Some(&b.body)),
            Stmt::Env(e) => (None, Some(&e.body)),
            Stmt::Declare(d) => (Some(&d.path), None),
        };
        let depth = prefix.len();
        if let Some(path) = path {
            for key in &path.keys {
                prefix.push(key.name.clone());
                if contains(key.span, offset) {
                    return Some(Target::ConfigKey {
                        config,
                        path: prefix.clone(),
                    });
                }
            }
        }
        let found = inner.and_then(|b| in_body(config, b, prefix, offset));
        prefix.truncate(depth);
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The config whose body holds `offset`, and the path of the blocks around it
/// (`serving { | }` gives `["serving"]`).
pub fn body_context(file: &File, offset: usize) -> Option<(&ConfigDecl, Vec<Name>)> {
    let config = file.decls.iter().find_map(|d| match d {
        Decl::Config(c) if contains(c.span, offset) => Some(c),
        _ => None,
    })?;
    if !header_done(config, offset) {
        return None;
    }
    let mut prefix = Vec::new();
    let mut body = &config.body;
    'outer: loop {
        for stmt in body {
            let inside =
                |span: Span, head_end: u32| head_end < offset as u32 && (offset as u32) < span.end;
            match stmt {
                Stmt::Block(b) if inside(b.span, b.path.span.end) => {
                    prefix.extend(b.path.keys.iter().map(|k| k.name.clone()));
                    body = &b.body;
                    continue 'outer;
                }
                Stmt::Env(e)
                    if inside(e.span, e.envs.last().map_or(e.span.start, |i| i.span.end)) =>
                {
                    body = &e.body;
                    continue 'outer;
                }
                _ => {}
            }
        }
        return Some((config, prefix));
    }
}

/// Whether `offset` is past the `{` that opens a config's body.
fn header_done(config: &ConfigDecl, offset: usize) -> bool {
    let head_end = [config.parent.as_ref(), config.schema.as_ref()]
        .into_iter()
        .flatten()
        .map(|q| q.span.end)
        .max()
        .unwrap_or(config.name.span.end);
    head_end < offset as u32 && (offset as u32) < config.span.end
}

/// The direct sub-expressions of `e`, in source order (a comprehension's
/// iterated expression, condition and body; an object literal's values).
pub fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Field(a, _) | ExprKind::Unary(_, a) | ExprKind::Is(a, _) => vec![a],
        ExprKind::Call(_, items) | ExprKind::List(items) => items.iter().collect(),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
        ExprKind::If(a, b, c) => vec![a, b, c],
        ExprKind::Interp(parts) => parts
            .iter()
            .filter_map(|p| match p {
                StrPart::Expr(x) => Some(x),
                StrPart::Lit(_) => None,
            })
            .collect(),
        ExprKind::Object(stmts) => {
            let mut out = Vec::new();
            stmt_values(stmts, &mut out);
            out
        }
        ExprKind::Quant(_, comp, body)
        | ExprKind::ListComp(body, comp)
        | ExprKind::MapComp(_, body, comp) => {
            let mut out = vec![&comp.iter];
            out.extend(comp.cond.as_ref());
            out.push(body);
            out
        }
        _ => Vec::new(),
    }
}

fn stmt_values<'a>(stmts: &'a [Stmt], out: &mut Vec<&'a Expr>) {
    for s in stmts {
        match s {
            Stmt::Assign(a) => out.push(&a.value),
            Stmt::Block(b) => stmt_values(&b.body, out),
            Stmt::Env(e) => stmt_values(&e.body, out),
            Stmt::Declare(_) => {}
        }
    }
}
