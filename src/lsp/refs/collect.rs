//! The walk of one file that collects a symbol's occurrences.

use crate::ast::{
    Decl, Expr, ExprKind, File, Ident, Key, Name, QualName, SchemaItem, Stmt, TypeExpr, TypeKind,
};
use crate::eval::LayerCache;
use crate::resolve::{ConfigId, Item, Program};
use crate::source::FileId;
use crate::types::ObjId;

use super::super::expr::{self, Referent};
use super::super::hover::{config_id, walk};
use super::super::locate::children;
use super::{node_sym, Occ, Sym};

/// Collects the occurrences of one symbol in one file.
pub(super) struct Collect<'c, 'p, 'a> {
    pub(super) prog: &'p Program<'a>,
    pub(super) cache: &'p LayerCache<'a>,
    pub(super) file: FileId,
    /// The config whose body is being walked.
    pub(super) config: Option<ConfigId>,
    pub(super) sym: &'c Sym,
    pub(super) out: &'c mut Vec<Occ>,
}

impl Collect<'_, '_, '_> {
    fn is_item(&self, name: &Name, item_of: impl Fn(Item) -> bool) -> bool {
        self.prog
            .scopes
            .get(self.file.0 as usize)
            .and_then(|s| s.get(name))
            .is_some_and(|(it, _)| item_of(*it))
    }

    pub(super) fn file(&mut self, ast: &File) {
        for d in &ast.decls {
            match d {
                Decl::Import(i) => {
                    if *self.sym == Sym::Alias(self.file, i.alias.name.clone()) {
                        self.out.push((i.alias.span, true, false));
                    }
                }
                Decl::Environments(e) => {
                    for v in &e.envs {
                        self.env(&v.name, true);
                        if let Some(p) = &v.parent {
                            self.env(p, false);
                        }
                    }
                }
                Decl::Type(t) => {
                    self.decl_name(&t.name);
                    self.ty(&t.ty);
                }
                Decl::Schema(s) => {
                    self.decl_name(&s.name);
                    if let Some(p) = &s.parent {
                        self.qual(p);
                    }
                    self.items(&s.items);
                }
                Decl::Config(c) => {
                    self.decl_name(&c.name);
                    for q in [&c.schema, &c.parent].into_iter().flatten() {
                        self.qual(q);
                    }
                    self.config = config_id(self.prog, c);
                    let schema = self.config.and_then(|id| self.prog.configs[id].schema);
                    self.stmts(schema, &c.body, &mut Vec::new());
                    self.config = None;
                }
                Decl::Test(t) => {
                    t.envs.iter().for_each(|e| self.env(e, false));
                    for a in &t.asserts {
                        self.expr(&a.cond, &[], &mut Vec::new());
                    }
                }
            }
        }
    }

    fn decl_name(&mut self, name: &Ident) {
        if let Sym::Item(item) = self.sym {
            if self.is_item(&name.name, |it| it == *item) {
                self.out.push((name.span, true, false));
            }
        }
    }

    fn env(&mut self, name: &Ident, decl: bool) {
        if *self.sym == Sym::Env(name.name.clone()) {
            self.out.push((name.span, decl, false));
        }
    }

    fn qual(&mut self, q: &QualName) {
        for i in 0..q.parts.len() {
            let prefix = QualName {
                parts: q.parts[..=i].to_vec(),
                span: q.span,
            };
            let hit = match (self.sym, self.prog.lookup(self.file, &prefix)) {
                (Sym::Item(want), Ok(got)) => *want == got,
                (Sym::Alias(f, n), Ok(Item::Module(_))) => {
                    *f == self.file && i == 0 && *n == q.parts[0].name
                }
                _ => false,
            };
            if hit {
                self.out.push((q.parts[i].span, false, false));
            }
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeKind::Named(q) => self.qual(q),
            TypeKind::List(inner) | TypeKind::Map(inner) => self.ty(inner),
            TypeKind::AnyOf(members) => members.iter().for_each(|m| self.ty(m)),
            TypeKind::Object(items) => self.items(items),
            TypeKind::Union(_) => {}
        }
    }

    fn items(&mut self, items: &[SchemaItem]) {
        for item in items {
            match item {
                SchemaItem::Field(f) => {
                    if *self.sym == Sym::Field(f.name.span) {
                        self.out.push((f.name.span, true, f.name.quoted));
                    }
                    if let Some(t) = &f.ty {
                        self.ty(t);
                    }
                    if let Some(e) = &f.default {
                        self.expr(e, &[], &mut Vec::new());
                    }
                }
                SchemaItem::Check(c) => self.expr(&c.cond, &[], &mut Vec::new()),
            }
        }
    }

    fn keys(&mut self, schema: Option<ObjId>, keys: &[Key], path: &mut Vec<Name>) {
        for k in keys {
            path.push(k.name.clone());
            let Sym::Field(want) = self.sym else { continue };
            let field = schema
                .and_then(|s| walk(self.prog, s, path))
                .and_then(|(f, _)| f);
            if field.is_some_and(|f| f.name_span == *want) {
                self.out.push((k.span, false, k.quoted));
            }
        }
    }

    fn stmts(&mut self, schema: Option<ObjId>, body: &[Stmt], path: &mut Vec<Name>) {
        for s in body {
            let depth = path.len();
            match s {
                Stmt::Assign(a) => {
                    self.keys(schema, &a.path.keys, path);
                    match &a.value.kind {
                        ExprKind::Object(inner) => self.stmts(schema, inner, path),
                        _ => self.expr(&a.value, path, &mut Vec::new()),
                    }
                }
                Stmt::Block(b) => {
                    self.keys(schema, &b.path.keys, path);
                    self.stmts(schema, &b.body, path);
                }
                Stmt::Env(e) => {
                    for i in &e.envs {
                        self.env(i, false);
                    }
                    self.stmts(schema, &e.body, path);
                }
            }
            path.truncate(depth);
        }
    }

    /// Whether name-like expression `e` (in the config being walked, at key
    /// path `scope`) refers to the symbol.
    fn refers(&self, e: &Expr, scope: &[Name], vars: &[&Ident]) -> bool {
        let Some(cid) = self.config else {
            return false;
        };
        match expr::resolve(self.prog, self.cache, self.file, cid, scope, vars, e) {
            Some(Referent::Node { config, path }) => {
                node_sym(self.prog, config, &path).as_ref() == Some(self.sym)
            }
            _ => false,
        }
    }

    /// Names in expressions: fields and configs they read, import aliases, types in `is` tests.
    fn expr<'e>(&mut self, e: &'e Expr, scope: &[Name], vars: &mut Vec<&'e Ident>) {
        match &e.kind {
            ExprKind::Name(n) => {
                let alias = *self.sym == Sym::Alias(self.file, n.clone())
                    && !vars.iter().any(|v| v.name == *n);
                if alias || self.refers(e, scope, vars) {
                    self.out.push((e.span, false, false));
                }
            }
            ExprKind::Field(a, key) => {
                if self.refers(e, scope, vars) {
                    self.out.push((key.span, false, key.quoted));
                }
                self.expr(a, scope, vars);
            }
            ExprKind::Is(a, t) => {
                self.expr(a, scope, vars);
                self.ty(t);
            }
            ExprKind::Quant(_, comp, body)
            | ExprKind::ListComp(body, comp)
            | ExprKind::MapComp(_, body, comp) => {
                self.expr(&comp.iter, scope, vars);
                let depth = vars.len();
                vars.extend(comp.vars.iter());
                if let Some(c) = &comp.cond {
                    self.expr(c, scope, vars);
                }
                self.expr(body, scope, vars);
                vars.truncate(depth);
            }
            // Object literals are walked as statements (their keys are fields).
            ExprKind::Object(_) => {}
            _ => children(e)
                .into_iter()
                .for_each(|x| self.expr(x, scope, vars)),
        }
    }
}
