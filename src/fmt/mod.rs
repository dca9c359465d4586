//! `mcfg fmt`: one canonical layout for `.mcfg` sources, keeping every comment.
//!
//! The layout (LANGUAGE.md §1–§5):
//! - two spaces per indentation level; one declaration, field, check,
//!   environment or statement per line (`;` and `,` separators become line
//!   breaks, except as below); bodies are `{ … }` with the `{` on the header's line, and an empty
//!   body is `{}`;
//! - a blank line between top-level declarations (consecutive `import`s keep
//!   the author's choice); elsewhere at most one blank line is kept where the
//!   author had one or more, never right after `{` or before `}`;
//! - single spaces: `name: Type = default @marker @other(…)` (markers are
//!   moved after the default, in their order), `path = value`,
//!   `path += value`, `check cond : "message"`, `config a: S extends b {`;
//! - a body written on one source line without comments stays on one line,
//!   items separated by `; `, when it holds at most one item
//!   (`env prod { replicas = 8 }`, `config a: S { n = 1 }`), when a comment
//!   follows its `}` on that line, or when it sits inside such a body; a body
//!   written on one line with a `/* … */` inside and a comment after it is
//!   kept exactly as written; every other body has one item per line;
//! - statements that share a source line ending in a comment stay on that
//!   line, separated by `; ` (`a = 1; b = 2 // why`): the last two rules keep
//!   trailing comments, `//!` test markers in particular, on the line of the
//!   code they annotate;
//! - expressions, type expressions (except inline object types, laid out as
//!   bodies), markers, keys and strings are copied exactly as written; their
//!   continuation lines move with the statement's indentation, except the
//!   lines inside `"""` strings, which are never touched;
//! - comments stay where they were: a comment with code before it on its line
//!   stays trailing on that line (after one space), other comments keep their
//!   own line at the indentation of the code around them, and a `/* … */`
//!   before code on the same line stays in front of it.
//!
//! Safety: an item whose layout would lose a comment (one written inside a
//! header or between a key and its `=`) is copied verbatim instead; and every
//! result is parsed again and compared with the original syntax tree (spans
//! aside) and comment list, so a formatter bug leaves the file unchanged and
//! is reported instead of changing the meaning of a configuration.

mod printer;

use crate::ast::{self, Decl, Expr, ExprKind, SchemaItem, Stmt, StrPart, TypeExpr, TypeKind};
use crate::diagnostics::Diagnostic;
use crate::source::FileId;
use crate::syntax;

/// Why a file could not be formatted.
#[derive(Debug)]
pub enum FmtError {
    /// The file does not parse (or breaks a syntax limit); it is left untouched.
    Syntax(Box<Diagnostic>),
    /// The formatter produced text with another meaning or lost a comment (a
    /// bug in the formatter); the file is left untouched.
    Unsafe(String),
}

/// Formats the text of one file. `file` is the id its diagnostics point into.
/// A leading BOM is kept.
pub fn format_source(file: FileId, text: &str) -> Result<String, FmtError> {
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let tree = syntax::parse(file, body).map_err(|d| FmtError::Syntax(Box::new(d)))?;
    let comments = syntax::comments(file, body);
    let mut mstrings = Vec::new();
    for decl in &tree.decls {
        decl_strings(decl, body, &mut mstrings);
    }
    let out = printer::Printer::new(body, &comments, mstrings).file(&tree.decls);
    verify(file, &tree, &comments, &out)?;
    Ok(format!("{bom}{out}"))
}

/// Checks that `out` parses to the same tree (spans aside) with the same comments.
fn verify(
    file: FileId,
    tree: &ast::File,
    comments: &[syntax::Comment],
    out: &str,
) -> Result<(), FmtError> {
    let again = syntax::parse(file, out).map_err(|d| {
        FmtError::Unsafe(format!("the formatted text does not parse: {}", d.message))
    })?;
    if strip_spans(&format!("{tree:?}")) != strip_spans(&format!("{again:?}")) {
        return Err(FmtError::Unsafe(
            "the formatted text has another syntax tree".to_owned(),
        ));
    }
    let before: Vec<&str> = comments.iter().map(|c| c.text.trim_end()).collect();
    let after_comments = syntax::comments(file, out);
    let after: Vec<&str> = after_comments.iter().map(|c| c.text.trim_end()).collect();
    if before != after {
        return Err(FmtError::Unsafe(
            "the formatted text lost or moved a comment".to_owned(),
        ));
    }
    Ok(())
}

/// Removes every `Span { … }` from a `Debug` rendering of a tree.
fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let close = rest.find('}').map_or(rest.len(), |j| j + 1);
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------ `"""` strings

fn decl_strings(decl: &Decl, text: &str, out: &mut Vec<(usize, usize)>) {
    match decl {
        Decl::Type(d) => type_strings(&d.ty, text, out),
        Decl::Schema(d) => items_strings(&d.items, text, out),
        Decl::Config(d) => stmts_strings(&d.body, text, out),
        Decl::Test(d) => d
            .asserts
            .iter()
            .for_each(|a| expr_strings(&a.cond, text, out)),
        Decl::Import(_) | Decl::Environments(_) => {}
    }
}

fn items_strings(items: &[SchemaItem], text: &str, out: &mut Vec<(usize, usize)>) {
    for item in items {
        match item {
            SchemaItem::Field(f) => {
                if let Some(ty) = &f.ty {
                    type_strings(ty, text, out);
                }
                for e in f
                    .default
                    .iter()
                    .chain(f.markers.iter().flat_map(|m| &m.args))
                {
                    expr_strings(e, text, out);
                }
            }
            SchemaItem::Check(c) => expr_strings(&c.cond, text, out),
        }
    }
}

fn type_strings(ty: &TypeExpr, text: &str, out: &mut Vec<(usize, usize)>) {
    match &ty.kind {
        TypeKind::List(t) | TypeKind::Map(t) => type_strings(t, text, out),
        TypeKind::Object(items) => items_strings(items, text, out),
        TypeKind::AnyOf(members) => members.iter().for_each(|m| type_strings(m, text, out)),
        TypeKind::Union(_) | TypeKind::Named(_) => {}
    }
}

fn stmts_strings(stmts: &[Stmt], text: &str, out: &mut Vec<(usize, usize)>) {
    for stmt in stmts {
        match stmt {
            Stmt::Assign(a) => expr_strings(&a.value, text, out),
            Stmt::Block(b) => stmts_strings(&b.body, text, out),
            Stmt::Env(e) => stmts_strings(&e.body, text, out),
            Stmt::Declare(d) => type_strings(&d.ty, text, out),
        }
    }
}

fn expr_strings(expr: &Expr, text: &str, out: &mut Vec<(usize, usize)>) {
    let (start, end) = (expr.span.start as usize, expr.span.end as usize);
    match &expr.kind {
        ExprKind::Str(_) | ExprKind::Interp(_) => {
            if text[start..end].starts_with("\"\"\"") {
                out.push((start, end));
            }
            if let ExprKind::Interp(parts) = &expr.kind {
                for part in parts {
                    if let StrPart::Expr(e) = part {
                        expr_strings(e, text, out);
                    }
                }
            }
        }
        ExprKind::List(items) => items.iter().for_each(|e| expr_strings(e, text, out)),
        ExprKind::Call(_, args) => args.iter().for_each(|e| expr_strings(e, text, out)),
        ExprKind::Object(stmts) => stmts_strings(stmts, text, out),
        ExprKind::Field(e, _) | ExprKind::Unary(_, e) => expr_strings(e, text, out),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            expr_strings(a, text, out);
            expr_strings(b, text, out);
        }
        ExprKind::If(a, b, c) => {
            expr_strings(a, text, out);
            expr_strings(b, text, out);
            expr_strings(c, text, out);
        }
        ExprKind::Is(e, ty) => {
            expr_strings(e, text, out);
            type_strings(ty, text, out);
        }
        ExprKind::Quant(_, comp, e)
        | ExprKind::ListComp(e, comp)
        | ExprKind::MapComp(_, e, comp) => {
            expr_strings(e, text, out);
            expr_strings(&comp.iter, text, out);
            if let Some(c) = &comp.cond {
                expr_strings(c, text, out);
            }
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Duration(_)
        | ExprKind::Name(_)
        | ExprKind::SelfRef
        | ExprKind::EnvRef => {}
    }
}

#[cfg(test)]
mod tests;
