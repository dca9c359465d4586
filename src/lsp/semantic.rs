//! Semantic tokens (full document): the highlighting for clients without a
//! TextMate grammar (Neovim).
//!
//! A lexer over the text gives keywords, comments, strings (the `${...}` in
//! them lexed as code), numbers, operators and `@markers`; when the document
//! parsed, each identifier is classified by its place in the syntax tree and
//! what its name resolves to. The legend, in index order (documented in
//! docs/editors.md):
//!
//! | type | used for |
//! |---|---|
//! | `namespace` | import aliases |
//! | `type` | type aliases and built-in types (`defaultLibrary`) |
//! | `struct` | schemas |
//! | `enumMember` | environments |
//! | `property` | fields: schema fields, assignment keys, `.field` accesses |
//! | `variable` | configs, names in expressions |
//! | `function` | built-in functions (`defaultLibrary`) |
//! | `keyword` | keywords, `true`/`false`/`null`, `self`, `env` |
//! | `comment` | comments (`///` docs: `documentation`) |
//! | `string` | strings |
//! | `number` | numbers and durations |
//! | `operator` | `=`, `+=`, `:=`, comparisons, arithmetic, `\|`, `?` |
//! | `decorator` | markers: `@runtime` |
//! | `parameter` | comprehension variables |
//!
//! Modifiers: `declaration` (the name being declared), `defaultLibrary`
//! (built-ins), `documentation` (doc comments).

use indexmap::IndexMap;
use lsp_types::{SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokensLegend};

use crate::ast::{Decl, Expr, ExprKind, QualName, SchemaItem, Stmt, TypeExpr, TypeKind};
use crate::resolve::{Item, Program};
use crate::source::{FileId, Span};

use super::locate::children;
use super::text::Encoding;
use super::Ctx;

mod lex;
use lex::{encode, lex};

pub(super) const NAMESPACE: u32 = 0;
pub(super) const TYPE: u32 = 1;
pub(super) const STRUCT: u32 = 2;
pub(super) const ENUM_MEMBER: u32 = 3;
pub(super) const PROPERTY: u32 = 4;
pub(super) const VARIABLE: u32 = 5;
pub(super) const FUNCTION: u32 = 6;
pub(super) const KEYWORD: u32 = 7;
pub(super) const COMMENT: u32 = 8;
pub(super) const STRING: u32 = 9;
pub(super) const NUMBER: u32 = 10;
pub(super) const OPERATOR: u32 = 11;
pub(super) const DECORATOR: u32 = 12;
pub(super) const PARAMETER: u32 = 13;

pub(super) const DECLARATION: u32 = 1;
pub(super) const DEFAULT_LIBRARY: u32 = 2;
pub(super) const DOCUMENTATION: u32 = 4;

/// The legend announced in `initialize` (indices are the constants above).
pub(super) fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::NAMESPACE,
            SemanticTokenType::TYPE,
            SemanticTokenType::STRUCT,
            SemanticTokenType::ENUM_MEMBER,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::VARIABLE,
            SemanticTokenType::FUNCTION,
            SemanticTokenType::KEYWORD,
            SemanticTokenType::COMMENT,
            SemanticTokenType::STRING,
            SemanticTokenType::NUMBER,
            SemanticTokenType::OPERATOR,
            SemanticTokenType::DECORATOR,
            SemanticTokenType::PARAMETER,
        ],
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::DEFAULT_LIBRARY,
            SemanticTokenModifier::DOCUMENTATION,
        ],
    }
}

pub(super) const KEYWORDS: &[&str] = &[
    "import",
    "as",
    "environments",
    "extends",
    "type",
    "schema",
    "check",
    "matches",
    "unique",
    "abstract",
    "config",
    "env",
    "if",
    "then",
    "else",
    "true",
    "false",
    "null",
    "self",
    "is",
    "for",
    "all",
    "any",
    "in",
    "and",
    "or",
    "not",
    "len",
    "unset",
];

pub(super) const BUILTIN_TYPES: &[&str] = &[
    "bool", "int", "float", "string", "duration", "secret", "any", "list", "map",
];

/// A token in bytes: start, end, type, modifiers.
pub(super) type Tok = (usize, usize, u32, u32);

/// The tokens of a document that is part of the compilation `cx`.
pub(super) fn tokens(cx: &Ctx<'_>, text: &str) -> Vec<SemanticToken> {
    let classes = match cx.comp.project().file(cx.file).ast.as_ref() {
        Some(ast) => cx.comp.with_program(|prog, _| {
            let mut c = Classes {
                prog,
                file: cx.file,
                map: IndexMap::new(),
            };
            for d in &ast.decls {
                c.decl(d);
            }
            c.map
        }),
        None => IndexMap::new(),
    };
    encode(text, cx.encoding(), &lex(text, &classes))
}

/// The tokens of a document known only by its text.
pub(super) fn lexical(text: &str, encoding: Encoding) -> Vec<SemanticToken> {
    encode(text, encoding, &lex(text, &IndexMap::new()))
}

/// Identifier classes by start offset.
struct Classes<'p, 'a> {
    prog: &'p Program<'a>,
    file: FileId,
    map: IndexMap<usize, (u32, u32)>,
}

impl Classes<'_, '_> {
    fn put(&mut self, span: Span, ty: u32, mods: u32) {
        self.map.insert(span.start as usize, (ty, mods));
    }

    fn decl(&mut self, d: &Decl) {
        match d {
            Decl::Import(i) => self.put(i.alias.span, NAMESPACE, DECLARATION),
            Decl::Environments(e) => {
                for env in &e.envs {
                    self.put(env.name.span, ENUM_MEMBER, DECLARATION);
                    if let Some(p) = &env.parent {
                        self.put(p.span, ENUM_MEMBER, 0);
                    }
                }
            }
            Decl::Type(t) => {
                self.put(t.name.span, TYPE, DECLARATION);
                self.ty(&t.ty);
            }
            Decl::Schema(s) => {
                self.put(s.name.span, STRUCT, DECLARATION);
                if let Some(p) = &s.parent {
                    self.qual(p);
                }
                self.items(&s.items);
            }
            Decl::Config(c) => {
                self.put(c.name.span, VARIABLE, DECLARATION);
                for q in [&c.schema, &c.parent].into_iter().flatten() {
                    self.qual(q);
                }
                self.stmts(&c.body);
            }
            Decl::Test(t) => {
                for env in &t.envs {
                    self.put(env.span, ENUM_MEMBER, 0);
                }
                for a in &t.asserts {
                    self.expr(&a.cond);
                }
            }
        }
    }

    fn qual(&mut self, q: &QualName) {
        for i in 0..q.parts.len() {
            let prefix = QualName {
                parts: q.parts[..=i].to_vec(),
                span: q.span,
            };
            let class = match self.prog.lookup(self.file, &prefix) {
                Ok(Item::Module(_)) => (NAMESPACE, 0),
                Ok(Item::Schema(_)) => (STRUCT, 0),
                Ok(Item::Alias(_)) => (TYPE, 0),
                Ok(Item::Config(_)) => (VARIABLE, 0),
                Err(_) if q.parts.len() == 1 && BUILTIN_TYPES.contains(&&*q.parts[0].name) => {
                    (TYPE, DEFAULT_LIBRARY)
                }
                Err(_) => continue,
            };
            self.put(q.parts[i].span, class.0, class.1);
        }
    }

    fn ty(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeKind::Named(q) => self.qual(q),
            TypeKind::List(inner) | TypeKind::Map(inner) => {
                self.put(
                    Span::new(t.span.file, t.span.start as usize, t.span.start as usize),
                    TYPE,
                    DEFAULT_LIBRARY,
                );
                self.ty(inner);
            }
            TypeKind::AnyOf(members) => members.iter().for_each(|m| self.ty(m)),
            TypeKind::Object(items) => self.items(items),
            TypeKind::Union(_) => {}
        }
    }

    fn items(&mut self, items: &[SchemaItem]) {
        for item in items {
            match item {
                SchemaItem::Field(f) => {
                    self.put(f.name.span, PROPERTY, DECLARATION);
                    if let Some(t) = &f.ty {
                        self.ty(t);
                    }
                    if let Some(e) = &f.default {
                        self.expr(e);
                    }
                }
                SchemaItem::Check(c) => self.expr(&c.cond),
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            match s {
                Stmt::Assign(a) => {
                    a.path
                        .keys
                        .iter()
                        .for_each(|k| self.put(k.span, PROPERTY, 0));
                    self.expr(&a.value);
                }
                Stmt::Block(b) => {
                    b.path
                        .keys
                        .iter()
                        .for_each(|k| self.put(k.span, PROPERTY, 0));
                    self.stmts(&b.body);
                }
                Stmt::Env(e) => {
                    e.envs.iter().for_each(|i| self.put(i.span, ENUM_MEMBER, 0));
                    self.stmts(&e.body);
                }
                Stmt::Declare(d) => d
                    .path
                    .keys
                    .iter()
                    .for_each(|k| self.put(k.span, PROPERTY, 0)),
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Name(_) => self.put(e.span, VARIABLE, 0),
            ExprKind::Field(base, key) => {
                self.expr(base);
                self.put(key.span, PROPERTY, 0);
            }
            ExprKind::Call(name, args) => {
                self.put(name.span, FUNCTION, DEFAULT_LIBRARY);
                args.iter().for_each(|a| self.expr(a));
            }
            ExprKind::Object(stmts) => self.stmts(stmts),
            ExprKind::Is(a, t) => {
                self.expr(a);
                self.ty(t);
            }
            ExprKind::Quant(_, comp, body)
            | ExprKind::ListComp(body, comp)
            | ExprKind::MapComp(_, body, comp) => {
                comp.vars
                    .iter()
                    .for_each(|v| self.put(v.span, PARAMETER, DECLARATION));
                self.expr(&comp.iter);
                if let Some(c) = &comp.cond {
                    self.expr(c);
                }
                self.expr(body);
                let vars: Vec<_> = comp.vars.iter().map(|v| v.name.clone()).collect();
                self.rebind(body, &vars);
                if let Some(c) = &comp.cond {
                    self.rebind(c, &vars);
                }
                if let ExprKind::MapComp(key, ..) = &e.kind {
                    let class = if vars.contains(&key.name) && !key.quoted {
                        PARAMETER
                    } else {
                        PROPERTY
                    };
                    self.put(key.span, class, 0);
                }
            }
            _ => children(e).into_iter().for_each(|x| self.expr(x)),
        }
    }

    /// Marks the uses of comprehension variables `vars` in `e` as parameters.
    fn rebind(&mut self, e: &Expr, vars: &[crate::ast::Name]) {
        match &e.kind {
            ExprKind::Name(n) if vars.contains(n) => self.put(e.span, PARAMETER, 0),
            _ => children(e).into_iter().for_each(|x| self.rebind(x, vars)),
        }
    }
}
