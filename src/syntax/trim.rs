//! Span trimming after parsing: pest gives a rule that ends with an optional
//! or repeated part that matched nothing a span running over the blanks and
//! comments after it (`x: int   // note` → the type's span ends after the
//! comment). Diagnostics underline spans, so the spans of declarations,
//! statements, paths, types and markers are cut back to their last token.

use crate::ast::{
    Assign, Block, Decl, Declare, EnvBlock, EnvDecl, FieldDecl, File, Marker, Path, QualName,
    SchemaItem, Stmt, TypeExpr, TypeKind,
};
use crate::source::Span;

use super::Comment;

struct Trim<'t> {
    text: &'t [u8],
    /// Every comment, in source order.
    comments: &'t [Comment],
}

impl Trim<'_> {
    /// `span` without trailing whitespace and comments.
    fn span(&self, span: Span) -> Span {
        let mut end = span.end as usize;
        let start = span.start as usize;
        loop {
            while end > start && self.text[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
            // A comment ending exactly here (and starting inside the span) goes too.
            let idx = self
                .comments
                .partition_point(|c| (c.span.end as usize) < end);
            match self.comments.get(idx) {
                Some(c) if c.span.end as usize == end && c.span.start as usize >= start => {
                    end = c.span.start as usize;
                }
                _ => break,
            }
        }
        Span {
            end: end as u32,
            ..span
        }
    }
}

/// Trims the spans of `file` (see the module doc).
pub fn trim_spans(file: &mut File, text: &str, comments: &[Comment]) {
    trim_decls(&mut file.decls, text, comments);
}

/// Trims the spans of some declarations of a file; `comments` are all the
/// comments of the file (or at least those inside these declarations).
pub fn trim_decls(decls: &mut [Decl], text: &str, comments: &[Comment]) {
    let t = Trim {
        text: text.as_bytes(),
        comments,
    };
    for decl in decls {
        match decl {
            Decl::Environments(envs) => envs.envs.iter_mut().for_each(|e| env_decl(&t, e)),
            Decl::Type(ty) => type_expr(&t, &mut ty.ty),
            Decl::Schema(s) => {
                if let Some(p) = &mut s.parent {
                    qual(&t, p);
                }
                s.items.iter_mut().for_each(|i| schema_item(&t, i));
            }
            Decl::Config(c) => {
                c.schema.iter_mut().for_each(|q| qual(&t, q));
                c.parent.iter_mut().for_each(|q| qual(&t, q));
                c.body.iter_mut().for_each(|s| stmt(&t, s));
            }
            Decl::Test(test) => test
                .asserts
                .iter_mut()
                .for_each(|a| a.span = t.span(a.span)),
            Decl::Import(_) => {}
        }
    }
}

fn env_decl(t: &Trim<'_>, e: &mut EnvDecl) {
    e.span = t.span(e.span);
}

fn qual(t: &Trim<'_>, q: &mut QualName) {
    q.span = t.span(q.span);
}

fn path(t: &Trim<'_>, p: &mut Path) {
    p.span = t.span(p.span);
}

fn marker(t: &Trim<'_>, m: &mut Marker) {
    m.span = t.span(m.span);
}

fn schema_item(t: &Trim<'_>, item: &mut SchemaItem) {
    match item {
        SchemaItem::Field(f) => field(t, f),
        SchemaItem::Check(c) => c.span = t.span(c.span),
    }
}

fn field(t: &Trim<'_>, f: &mut FieldDecl) {
    f.span = t.span(f.span);
    if let Some(ty) = &mut f.ty {
        type_expr(t, ty);
    }
    f.markers.iter_mut().for_each(|m| marker(t, m));
}

fn type_expr(t: &Trim<'_>, ty: &mut TypeExpr) {
    ty.span = t.span(ty.span);
    match &mut ty.kind {
        TypeKind::Named(q) => qual(t, q),
        TypeKind::List(inner) | TypeKind::Map(inner) => type_expr(t, inner),
        TypeKind::Object(items) => items.iter_mut().for_each(|i| schema_item(t, i)),
        TypeKind::AnyOf(members) => members.iter_mut().for_each(|m| type_expr(t, m)),
        TypeKind::Union(_) => {}
    }
}

fn stmt(t: &Trim<'_>, s: &mut Stmt) {
    match s {
        Stmt::Assign(Assign { path: p, span, .. }) => {
            path(t, p);
            *span = t.span(*span);
        }
        Stmt::Block(Block {
            path: p,
            body,
            span,
        }) => {
            path(t, p);
            *span = t.span(*span);
            body.iter_mut().for_each(|s| stmt(t, s));
        }
        Stmt::Env(EnvBlock { body, span, .. }) => {
            *span = t.span(*span);
            body.iter_mut().for_each(|s| stmt(t, s));
        }
        Stmt::Declare(Declare { path: p, ty, span }) => {
            path(t, p);
            type_expr(t, ty);
            *span = t.span(*span);
        }
    }
}
