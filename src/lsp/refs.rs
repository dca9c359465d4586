//! Find references and rename for the names mcfg declares: schemas, type
//! aliases and configs (their declarations and every qualified name that
//! resolves to them, `extends` included), schema fields (the declaration and
//! the assignment keys that set the field in configs of that schema),
//! environments (the `environments` block, `extends`, `env` blocks) and
//! import aliases (within their file).
//!
//! Rename refuses names declared in the standard library and new names that
//! are not identifiers; a quoted key is rewritten inside its quotes.

use lsp_types::{
    Location, OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, TextDocumentEdit,
    TextEdit, WorkspaceEdit,
};

use crate::ast::{
    Decl, Expr, ExprKind, File, Ident, Key, Name, QualName, SchemaItem, Stmt, StrPart, TypeExpr,
    TypeKind,
};
use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::eval::LayerCache;
use crate::resolve::{ConfigId, Item, Program};
use crate::source::{FileId, Span};

use super::expr::{self, Referent};
use super::hover::{config_id, walk};
use super::locate::{self, contains, Target};
use super::Ctx;

/// A declared name.
#[derive(Debug, Clone, PartialEq)]
enum Sym {
    Item(Item),
    /// A schema field, by the span of its name in its declaration.
    Field(Span),
    Env(Name),
    /// An import alias of a file.
    Alias(FileId, Name),
}

/// One occurrence: the span, whether it is the declaration, whether it is a quoted key.
type Occ = (Span, bool, bool);

pub(crate) fn references(cx: &Ctx<'_>, with_decl: bool) -> Option<Vec<Location>> {
    let occs = occurrences(cx)?.1;
    Some(
        occs.into_iter()
            .filter(|(_, decl, _)| with_decl || !decl)
            .filter_map(|(s, _, _)| cx.location(s))
            .collect(),
    )
}

pub(crate) fn prepare_rename(cx: &Ctx<'_>) -> Option<PrepareRenameResponse> {
    let (_, occs) = occurrences(cx)?;
    if occs
        .iter()
        .any(|(s, _, _)| cx.comp.project.file(s.file).is_std)
    {
        return None;
    }
    let here = occs
        .iter()
        .find(|(s, _, _)| s.file == cx.file && contains(*s, cx.offset))?;
    let (index, text) = cx.index(cx.file);
    let range = index.range(text, here.0.start as usize, here.0.end as usize);
    Some(PrepareRenameResponse::Range(range))
}

/// The edits renaming the name under the cursor to `new`; `Err` when it cannot be renamed.
pub(crate) fn rename(cx: &Ctx<'_>, new: &str) -> Result<WorkspaceEdit, String> {
    let is_ident = new
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_ident {
        return Err(format!(
            "`{new}` is not a name: use letters, digits and `_`, not starting with a digit"
        ));
    }
    let Some((_, occs)) = occurrences(cx) else {
        return Err("nothing to rename here".to_owned());
    };
    if occs
        .iter()
        .any(|(s, _, _)| cx.comp.project.file(s.file).is_std)
    {
        return Err("names declared in the standard library cannot be renamed".to_owned());
    }
    let mut by_file: Vec<(FileId, Vec<TextEdit>)> = Vec::new();
    for (span, _, quoted) in occs {
        let (index, text) = cx.index(span.file);
        let range = index.range(text, span.start as usize, span.end as usize);
        let new_text = if quoted {
            format!("\"{new}\"")
        } else {
            new.to_owned()
        };
        match by_file.iter_mut().find(|(f, _)| *f == span.file) {
            Some((_, edits)) => edits.push(TextEdit::new(range, new_text)),
            None => by_file.push((span.file, vec![TextEdit::new(range, new_text)])),
        }
    }
    let mut changes = Vec::new();
    for (file, edits) in by_file {
        let Some(uri) = cx.uri(file) else { continue };
        changes.push(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits.into_iter().map(lsp_types::OneOf::Left).collect(),
        });
    }
    Ok(WorkspaceEdit {
        document_changes: Some(lsp_types::DocumentChanges::Edits(changes)),
        ..WorkspaceEdit::default()
    })
}

/// The symbol under the cursor and all its occurrences (declaration first).
fn occurrences(cx: &Ctx<'_>) -> Option<(Sym, Vec<Occ>)> {
    let project = &cx.comp.project;
    let ast = project.file(cx.file).ast.as_ref()?;
    let mut diags = Diagnostics::new();
    compile::with_program(project, &mut diags, |prog, cache| {
        let sym = sym_at(prog, cache, cx.file, ast, cx.offset)?;
        let mut occs = Vec::new();
        for f in &project.files {
            if let Some(ast) = &f.ast {
                let mut c = Collect {
                    prog,
                    cache,
                    file: f.id,
                    config: None,
                    sym: &sym,
                    out: &mut occs,
                };
                c.file(ast);
            }
        }
        occs.sort_by_key(|(s, decl, _): &Occ| (!decl, s.file.0, s.start));
        occs.dedup_by_key(|(s, _, _)| *s);
        (!occs.is_empty()).then_some((sym, occs))
    })
}

/// The symbol at `offset`: a declaration's name or a use of it.
fn sym_at(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    file: FileId,
    ast: &File,
    offset: usize,
) -> Option<Sym> {
    if let Some(r) = expr::at(prog, cache, file, ast, offset) {
        return match r {
            Referent::Node { config, path } => node_sym(prog, config, &path),
            Referent::Module(m) => {
                prog.scopes
                    .get(file.0 as usize)?
                    .iter()
                    .find_map(|(n, (it, _))| {
                        (*it == Item::Module(m)).then(|| Sym::Alias(file, n.clone()))
                    })
            }
            Referent::Var(_) | Referent::Builtin(_) => None,
        };
    }
    let scope = prog.scopes.get(file.0 as usize)?;
    for d in ast.decls.iter().filter(|d| contains(d.span(), offset)) {
        let named = match d {
            Decl::Import(i) if contains(i.alias.span, offset) => {
                return Some(Sym::Alias(file, i.alias.name.clone()))
            }
            Decl::Environments(e) => {
                return e.envs.iter().find_map(|v| {
                    [Some(&v.name), v.parent.as_ref()]
                        .into_iter()
                        .flatten()
                        .find(|i| contains(i.span, offset))
                        .map(|i| Sym::Env(i.name.clone()))
                })
            }
            Decl::Type(t) => Some(&t.name),
            Decl::Schema(s) => Some(&s.name),
            Decl::Config(c) => {
                if let Some(i) = env_block_ident(&c.body, offset) {
                    return Some(Sym::Env(i));
                }
                Some(&c.name)
            }
            Decl::Import(_) => None,
        };
        if let Some(n) = named.filter(|n| contains(n.span, offset)) {
            return scope.get(&n.name).map(|(item, _)| Sym::Item(*item));
        }
    }
    match locate::target_at(ast, offset)? {
        Target::Qual { name, index } => {
            let prefix = QualName {
                parts: name.parts[..=index].to_vec(),
                span: name.span,
            };
            match prog.lookup(file, &prefix).ok()? {
                Item::Module(_) => Some(Sym::Alias(file, name.parts[0].name.clone())),
                item => Some(Sym::Item(item)),
            }
        }
        Target::FieldDecl { key } => Some(Sym::Field(key.span)),
        Target::ConfigKey { config, path } => {
            let cid = config_id(prog, config)?;
            let schema = prog.configs[cid.0 as usize].schema?;
            let (f, _) = walk(prog, schema, &path)?;
            Some(Sym::Field(f?.name_span))
        }
        Target::Import(_) => None,
    }
}

/// The symbol of a config (`path` empty) or of the schema field at `path` in it.
fn node_sym(prog: &Program<'_>, config: ConfigId, path: &[Name]) -> Option<Sym> {
    if path.is_empty() {
        return Some(Sym::Item(Item::Config(config)));
    }
    let schema = prog.configs[config.0 as usize].schema?;
    let (f, _) = walk(prog, schema, path)?;
    Some(Sym::Field(f?.name_span))
}

fn env_block_ident(body: &[Stmt], offset: usize) -> Option<Name> {
    body.iter()
        .filter(|s| contains(s.span(), offset))
        .find_map(|s| match s {
            Stmt::Env(e) => e
                .envs
                .iter()
                .find(|i| contains(i.span, offset))
                .map(|i| i.name.clone())
                .or_else(|| env_block_ident(&e.body, offset)),
            Stmt::Block(b) => env_block_ident(&b.body, offset),
            Stmt::Assign(_) => None,
        })
}

/// Collects the occurrences of one symbol in one file.
struct Collect<'c, 'p, 'a> {
    prog: &'p Program<'a>,
    cache: &'p LayerCache<'a>,
    file: FileId,
    /// The config whose body is being walked.
    config: Option<ConfigId>,
    sym: &'c Sym,
    out: &'c mut Vec<Occ>,
}

impl Collect<'_, '_, '_> {
    fn is_item(&self, name: &Name, item_of: impl Fn(Item) -> bool) -> bool {
        self.prog
            .scopes
            .get(self.file.0 as usize)
            .and_then(|s| s.get(name))
            .is_some_and(|(it, _)| item_of(*it))
    }

    fn file(&mut self, ast: &File) {
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
                    let schema = self
                        .config
                        .and_then(|id| self.prog.configs[id.0 as usize].schema);
                    self.stmts(schema, &c.body, &mut Vec::new());
                    self.config = None;
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

    fn keys(&mut self, schema: Option<crate::types::ObjId>, keys: &[Key], path: &mut Vec<Name>) {
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

    fn stmts(&mut self, schema: Option<crate::types::ObjId>, body: &[Stmt], path: &mut Vec<Name>) {
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
            ExprKind::Unary(_, a) => self.expr(a, scope, vars),
            ExprKind::Call(_, items) | ExprKind::List(items) => {
                items.iter().for_each(|x| self.expr(x, scope, vars));
            }
            ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
                self.expr(a, scope, vars);
                self.expr(b, scope, vars);
            }
            ExprKind::If(a, b, c) => [a, b, c]
                .into_iter()
                .for_each(|x| self.expr(x, scope, vars)),
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let StrPart::Expr(x) = p {
                        self.expr(x, scope, vars);
                    }
                }
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
            _ => {}
        }
    }
}
