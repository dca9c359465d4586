//! The layout of each construct: declaration headers, fields, checks,
//! statements, inline object types and object literals, printed through the
//! sequence, body and verbatim machinery of [`super::Printer`].

use super::{Item, Printer};
use crate::ast::{
    AssignOp, CheckDecl, ConfigDecl, Decl, EnvDecl, Expr, ExprKind, FieldDecl, Path, SchemaDecl,
    SchemaItem, Stmt, TestDecl, TypeExpr, TypeKind,
};
use crate::source::Span;

impl Printer<'_> {
    // ------------------------------------------------------------ declarations

    pub(super) fn decl(&mut self, decl: &Decl) {
        match decl {
            Decl::Import(d) => {
                self.out.push_str("import ");
                self.copy_span(d.path_span);
                self.out.push_str(" as ");
                self.out.push_str(&d.alias.name);
            }
            Decl::Environments(d) => {
                self.out.push_str("environments ");
                let open = self.find_code(d.span.start as usize, b'{');
                let close = d.span.end as usize - 1;
                self.body(&d.envs, open, close, Printer::env_decl);
            }
            Decl::Type(d) => {
                self.out.push_str("type ");
                self.out.push_str(&d.name.name);
                self.out.push_str(" = ");
                self.ty(&d.ty);
            }
            Decl::Schema(d) => self.schema(d),
            Decl::Config(d) => self.config(d),
            Decl::Test(d) => self.test(d),
        }
    }

    fn test(&mut self, d: &TestDecl) {
        self.out.push_str("test ");
        self.copy_span(d.name_span);
        let mut header_end = d.name_span.end as usize;
        for (i, env) in d.envs.iter().enumerate() {
            self.out.push_str(if i == 0 { " in " } else { ", " });
            self.out.push_str(&env.name);
            header_end = env.span.end as usize;
        }
        self.out.push(' ');
        let open = self.find_code(header_end, b'{');
        let close = d.span.end as usize - 1;
        self.body(&d.asserts, open, close, Printer::assert);
    }

    fn assert(&mut self, c: &CheckDecl) {
        self.out.push_str("assert ");
        self.copy_span(c.cond.span);
        if let Some(m) = c.message_span {
            self.out.push_str(" : ");
            self.copy_span(m);
        }
    }

    fn env_decl(&mut self, env: &EnvDecl) {
        self.out.push_str(&env.name.name);
        if let Some(p) = &env.parent {
            self.out.push_str(" extends ");
            self.out.push_str(&p.name);
        }
    }

    fn schema(&mut self, d: &SchemaDecl) {
        self.out.push_str("schema ");
        self.out.push_str(&d.name.name);
        let mut header_end = d.name.span.end as usize;
        if let Some(p) = &d.parent {
            self.out.push_str(" extends ");
            self.copy_span(p.span);
            header_end = self.end_of(p.span);
        }
        self.out.push(' ');
        let open = self.find_code(header_end, b'{');
        let close = d.span.end as usize - 1;
        self.body(&d.items, open, close, Printer::schema_item);
    }

    fn config(&mut self, d: &ConfigDecl) {
        if d.is_abstract {
            self.out.push_str("abstract ");
        }
        self.out.push_str("config ");
        self.out.push_str(&d.name.name);
        let mut header_end = d.name.span.end as usize;
        if let Some(s) = &d.schema {
            self.out.push_str(": ");
            self.copy_span(s.span);
            header_end = self.end_of(s.span);
        }
        if let Some(p) = &d.parent {
            self.out.push_str(" extends ");
            self.copy_span(p.span);
            header_end = self.end_of(p.span);
        }
        self.out.push(' ');
        let open = self.find_code(header_end, b'{');
        let close = d.span.end as usize - 1;
        self.body(&d.body, open, close, Printer::stmt);
    }

    fn schema_item(&mut self, item: &SchemaItem) {
        match item {
            SchemaItem::Field(f) => self.field(f),
            SchemaItem::Check(c) => {
                self.out.push_str("check ");
                self.copy_span(c.cond.span);
                if let Some(m) = c.message_span {
                    self.out.push_str(" : ");
                    self.copy_span(m);
                }
            }
        }
    }

    fn field(&mut self, f: &FieldDecl) {
        self.key(f.name.span);
        if let Some(ty) = &f.ty {
            self.out.push_str(": ");
            self.ty(ty);
        }
        if let Some(d) = &f.default {
            self.out.push_str(" = ");
            self.value(d);
        }
        for m in &f.markers {
            self.out.push(' ');
            self.copy_span(m.span);
        }
    }

    /// A type expression: inline object types are laid out as bodies, every
    /// other type is copied.
    fn ty(&mut self, ty: &TypeExpr) {
        let TypeKind::Object(items) = &ty.kind else {
            self.copy_span(ty.span);
            return;
        };
        let start = ty.span.start as usize;
        if self.text.as_bytes().get(start) != Some(&b'{') {
            self.copy_span(ty.span);
            return;
        }
        let after_items = items.last().map_or(start + 1, |i| self.end_of(i.span()));
        let close = self.find_code(after_items, b'}');
        if close >= ty.span.end as usize {
            self.copy_span(ty.span);
            return;
        }
        self.body(items, start, close, Printer::schema_item);
        let suffix = self.text[close + 1..self.end_of(ty.span)].trim();
        self.out.push_str(suffix);
    }

    // ------------------------------------------------------------ statements

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Assign(a) if a.op == AssignOp::Unset => {
                self.out.push_str("unset ");
                self.path(&a.path);
            }
            Stmt::Assign(a) => {
                self.path(&a.path);
                self.out.push_str(match a.op {
                    AssignOp::Set | AssignOp::Unset => " = ",
                    AssignOp::Append => " += ",
                    AssignOp::Replace => " := ",
                });
                self.value(&a.value);
            }
            Stmt::Block(b) => {
                self.path(&b.path);
                self.out.push(' ');
                let open = self.find_code(self.end_of(b.path.span), b'{');
                self.body(&b.body, open, b.span.end as usize - 1, Printer::stmt);
            }
            Stmt::Declare(d) => {
                self.path(&d.path);
                self.out.push_str(": ");
                self.ty(&d.ty);
            }
            Stmt::Env(e) => {
                self.out.push_str("env ");
                let names: Vec<&str> = e.envs.iter().map(|i| &*i.name).collect();
                self.out.push_str(&names.join(", "));
                self.out.push(' ');
                let after = e.envs.last().map_or(e.span.start, |i| i.span.end);
                let open = self.find_code(after as usize, b'{');
                self.body(&e.body, open, e.span.end as usize - 1, Printer::stmt);
            }
        }
    }

    fn path(&mut self, path: &Path) {
        for (i, key) in path.keys.iter().enumerate() {
            if i > 0 {
                self.out.push('.');
            }
            self.key(key.span);
        }
    }

    fn key(&mut self, span: Span) {
        let s = self.slice(span);
        self.out.push_str(s);
    }

    /// A value: object literals are laid out as bodies, everything else is copied.
    fn value(&mut self, expr: &Expr) {
        let start = expr.span.start as usize;
        match &expr.kind {
            ExprKind::Object(stmts) if self.text.as_bytes().get(start) == Some(&b'{') => {
                let close = expr.span.end as usize - 1;
                self.body(stmts, start, close, Printer::stmt);
            }
            _ => self.copy_span(expr.span),
        }
    }
}
