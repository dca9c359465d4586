//! Folding ranges: declarations, schema fields with inline object types,
//! blocks, `env` blocks, multi-line values (objects, lists, comprehensions,
//! `"""` strings), a run of imports, and runs of two or more comment lines.

use lsp_types::{FoldingRange, FoldingRangeKind};

use crate::ast::{Decl, Expr, ExprKind, SchemaItem, Stmt, TypeKind};
use crate::source::Span;

use super::text::LineIndex;
use super::Ctx;

/// The ranges from the syntax tree of the document.
pub(crate) fn from_ast(cx: &Ctx<'_>) -> Vec<FoldingRange> {
    let Some(ast) = cx.comp.project().file(cx.file).ast.as_ref() else {
        return Vec::new();
    };
    let (index, text) = cx.index(cx.file);
    let mut f = Folds {
        index: &index,
        text,
        out: Vec::new(),
    };
    let mut imports: Option<Span> = None;
    for d in &ast.decls {
        if let Decl::Import(i) = d {
            imports = Some(imports.map_or(i.span, |s| s.join(i.span)));
            continue;
        }
        f.add(d.span(), None);
        match d {
            Decl::Schema(s) => f.items(&s.items),
            Decl::Type(t) => {
                if let TypeKind::Object(items) = &t.ty.kind {
                    f.items(items);
                }
            }
            Decl::Config(c) => f.stmts(&c.body),
            Decl::Import(_) | Decl::Environments(_) | Decl::Test(_) => {}
        }
    }
    if let Some(s) = imports {
        f.add(s, Some(FoldingRangeKind::Imports));
    }
    f.out
}

struct Folds<'i> {
    index: &'i LineIndex,
    text: &'i str,
    out: Vec<FoldingRange>,
}

impl Folds<'_> {
    /// A range over the lines of `span`, if it has more than one.
    fn add(&mut self, span: Span, kind: Option<FoldingRangeKind>) {
        let start = self.index.position(self.text, span.start as usize).line;
        let end = self.index.position(self.text, span.end as usize).line;
        if end > start {
            self.out.push(FoldingRange {
                start_line: start,
                end_line: end,
                kind,
                ..FoldingRange::default()
            });
        }
    }

    fn items(&mut self, items: &[SchemaItem]) {
        for item in items {
            if let SchemaItem::Field(field) = item {
                if let Some(TypeKind::Object(inner)) = field.ty.as_ref().map(|t| &t.kind) {
                    self.add(field.span, None);
                    self.items(inner);
                }
                if let Some(e) = &field.default {
                    self.expr(e);
                }
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Assign(a) => self.expr(&a.value),
                Stmt::Block(b) => {
                    self.add(b.span, None);
                    self.stmts(&b.body);
                }
                Stmt::Env(e) => {
                    self.add(e.span, None);
                    self.stmts(&e.body);
                }
                Stmt::Declare(_) => {}
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Object(stmts) => {
                self.add(e.span, None);
                self.stmts(stmts);
            }
            ExprKind::List(items) => {
                self.add(e.span, None);
                items.iter().for_each(|x| self.expr(x));
            }
            ExprKind::Str(_)
            | ExprKind::Interp(_)
            | ExprKind::ListComp(..)
            | ExprKind::MapComp(..) => {
                self.add(e.span, None);
            }
            _ => {}
        }
    }
}

/// Runs of two or more lines that hold only a `//` comment.
pub(crate) fn comments(text: &str, out: &mut Vec<FoldingRange>) {
    let mut run: Option<(u32, u32)> = None;
    let flush = |run: &mut Option<(u32, u32)>, out: &mut Vec<FoldingRange>| {
        if let Some((a, b)) = run.take().filter(|(a, b)| b > a) {
            out.push(FoldingRange {
                start_line: a,
                end_line: b,
                kind: Some(FoldingRangeKind::Comment),
                ..FoldingRange::default()
            });
        }
    };
    for (i, line) in text.lines().enumerate() {
        let i = i as u32;
        if line.trim_start().starts_with("//") {
            run = Some(run.map_or((i, i), |(a, _)| (a, i)));
        } else {
            flush(&mut run, out);
        }
    }
    flush(&mut run, out);
}
