//! pest pairs to [`ast`] nodes: one `lower_<rule>` function per grammar rule,
//! in the order of `grammar/mcfg.pest`. Operators go through a
//! [`PrattParser`] (loosest first: `if`, `or`, `and`, `not`, comparisons and
//! `in`, `+ -`, `* / %`, unary `-`, postfix `.key` and `[index]`).
//!
//! Types are lowered in `lower/ty.rs`, expressions and literals in
//! `lower/expr.rs`.
//!
//! Shape surprises are bugs in the grammar/lowering pair and panic with a
//! `grammar: …` message; everything a user can write becomes a diagnostic.

use pest::iterators::{Pair, Pairs};

use super::comments::{doc_before, Comment};
use super::error;
use super::grammar::Rule;
use crate::ast::{self, CmpOp};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

mod comp;
mod expr;
mod ty;

/// Boxed so that the many `Result`s of the recursive lowering stay small.
type Res<T> = Result<T, Box<Diagnostic>>;

/// The lowering context of one file.
#[derive(Debug)]
pub(super) struct Lower<'a> {
    file: FileId,
    text: &'a str,
    /// The file's `///` comments, in source order.
    docs: &'a [Comment],
}

/// Keyword tokens that are pure punctuation for the lowering.
fn is_punct_keyword(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::kw_import
            | Rule::kw_as
            | Rule::kw_environments
            | Rule::kw_extends
            | Rule::kw_type
            | Rule::kw_schema
            | Rule::kw_check
            | Rule::kw_test
            | Rule::kw_assert
            | Rule::kw_in
            | Rule::kw_list
            | Rule::kw_map
            | Rule::kw_len
            | Rule::kw_matches
            | Rule::kw_config
            | Rule::kw_env
            | Rule::kw_unset
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
            | Rule::kw_is
            | Rule::kw_for
            | Rule::op_in
    )
}

/// The children of `pair` without punctuation keywords.
fn parts(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_punct_keyword(p.as_rule()))
}

fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>, what: &str) -> Pair<'i, Rule> {
    it.next().unwrap_or_else(|| unreachable!("grammar: {what}"))
}

fn cmp_op(text: &str) -> CmpOp {
    match text {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<=" => CmpOp::Le,
        ">=" => CmpOp::Ge,
        "<" => CmpOp::Lt,
        ">" => CmpOp::Gt,
        other => unreachable!("grammar: comparison operator {other}"),
    }
}

impl<'a> Lower<'a> {
    /// A lowering context for `text` with its `///` comments.
    pub(super) fn new(file: FileId, text: &'a str, docs: &'a [Comment]) -> Lower<'a> {
        Lower { file, text, docs }
    }

    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn doc(&self, pair: &Pair<'_, Rule>) -> Option<String> {
        doc_before(self.docs, self.text, pair.as_span().start())
    }

    // ------------------------------------------------------------ files

    /// `file`: the declarations of one file.
    pub(super) fn lower_file(&self, mut pairs: Pairs<'_, Rule>) -> Res<ast::File> {
        let file = next(&mut pairs, "file");
        let span = self.span(&file);
        let mut decls = Vec::new();
        for pair in file.into_inner() {
            decls.push(match pair.as_rule() {
                Rule::import => ast::Decl::Import(self.lower_import(pair)?),
                Rule::environments => ast::Decl::Environments(self.lower_environments(pair)),
                Rule::type_decl => ast::Decl::Type(self.lower_type_decl(pair)?),
                Rule::schema => ast::Decl::Schema(self.lower_schema(pair)?),
                Rule::config => ast::Decl::Config(self.lower_config(pair)?),
                Rule::test_decl => ast::Decl::Test(self.lower_test(pair)?),
                Rule::EOI => continue,
                other => unreachable!("grammar: declaration {other:?}"),
            });
        }
        Ok(ast::File { decls, span })
    }

    /// `import "path" as alias`.
    fn lower_import(&self, pair: Pair<'_, Rule>) -> Res<ast::Import> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let (path, path_span) = self.plain_string(next(&mut it, "import path"))?;
        let alias = self.lower_ident(&next(&mut it, "import alias"));
        Ok(ast::Import {
            path,
            path_span,
            alias,
            span,
        })
    }

    /// `environments { … }`.
    fn lower_environments(&self, pair: Pair<'_, Rule>) -> ast::Environments {
        let span = self.span(&pair);
        let envs = parts(pair).map(|p| self.lower_env_decl(p)).collect();
        ast::Environments { envs, span }
    }

    /// `name [extends parent]`.
    fn lower_env_decl(&self, pair: Pair<'_, Rule>) -> ast::EnvDecl {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let name = self.lower_ident(&next(&mut it, "environment name"));
        let parent = it.next().map(|p| self.lower_ident(&p));
        ast::EnvDecl { name, parent, span }
    }

    /// `type Name = T`.
    fn lower_type_decl(&self, pair: Pair<'_, Rule>) -> Res<ast::TypeDecl> {
        let (span, doc) = (self.span(&pair), self.doc(&pair));
        let mut it = parts(pair);
        let name = self.lower_ident(&next(&mut it, "type name"));
        let ty = self.lower_ty(next(&mut it, "aliased type"), 0)?;
        Ok(ast::TypeDecl {
            doc,
            name,
            ty,
            span,
        })
    }

    // ---------------------------------------------------------- schemas

    /// `schema Name [extends Parent] { items }`.
    fn lower_schema(&self, pair: Pair<'_, Rule>) -> Res<ast::SchemaDecl> {
        let (span, doc) = (self.span(&pair), self.doc(&pair));
        let mut it = parts(pair).peekable();
        let name = self.lower_ident(&next(&mut it, "schema name"));
        let parent = it
            .next_if(|p| p.as_rule() == Rule::schema_parent)
            .map(|p| self.lower_qual_name(next(&mut parts(p), "parent")));
        let items = self.lower_schema_items(it, 0)?;
        Ok(ast::SchemaDecl {
            doc,
            name,
            parent,
            items,
            span,
        })
    }

    fn lower_schema_items<'i>(
        &self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        depth: usize,
    ) -> Res<Vec<ast::SchemaItem>> {
        pairs
            .map(|p| match p.as_rule() {
                Rule::check => self.lower_check(p, depth).map(ast::SchemaItem::Check),
                Rule::field => self.lower_field(p, depth).map(ast::SchemaItem::Field),
                other => unreachable!("grammar: schema item {other:?}"),
            })
            .collect()
    }

    /// `check expr [: "message"]`.
    fn lower_check(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::CheckDecl> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let cond = self.lower_expr(next(&mut it, "check condition"), depth)?;
        let (message, message_span) = match it.next() {
            Some(p) => {
                let (m, s) = self.plain_string(p)?;
                (Some(m), Some(s))
            }
            None => (None, None),
        };
        Ok(ast::CheckDecl {
            cond,
            message,
            message_span,
            span,
        })
    }

    /// `test NAME [in env, ...] { assert ... }`.
    fn lower_test(&self, pair: Pair<'_, Rule>) -> Res<ast::TestDecl> {
        let (span, doc) = (self.span(&pair), self.doc(&pair));
        let mut it = parts(pair);
        let name_pair = next(&mut it, "test name");
        let (name, name_span) = if name_pair.as_rule() == Rule::ident {
            (name_pair.as_str().to_owned(), self.span(&name_pair))
        } else {
            self.plain_string(name_pair)?
        };
        let mut envs = Vec::new();
        let mut asserts = Vec::new();
        for p in it {
            match p.as_rule() {
                Rule::ident => envs.push(self.lower_ident(&p)),
                _ => asserts.push(self.lower_check(p, 0)?),
            }
        }
        Ok(ast::TestDecl {
            doc,
            name,
            name_span,
            envs,
            asserts,
            span,
        })
    }

    /// `name: T [= default] [markers]` or `name = default [markers]`.
    fn lower_field(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::FieldDecl> {
        let (span, doc) = (self.span(&pair), self.doc(&pair));
        let mut it = parts(pair);
        let name = self.lower_key(next(&mut it, "field name"))?;
        let (mut ty, mut default, mut markers) = (None, None, Vec::new());
        for p in it {
            match p.as_rule() {
                Rule::ty => ty = Some(self.lower_ty(p, depth)?),
                Rule::expr => default = Some(self.lower_expr(p, depth)?),
                Rule::marker => markers.push(self.lower_marker(p, depth)?),
                other => unreachable!("grammar: field part {other:?}"),
            }
        }
        Ok(ast::FieldDecl {
            doc,
            name,
            ty,
            default,
            markers,
            span,
        })
    }

    /// `@name` or `@name(args)`.
    fn lower_marker(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Marker> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let at_name = next(&mut it, "marker name");
        let name = self.lower_ident(&next(&mut at_name.into_inner(), "marker ident"));
        let args = match it.next() {
            Some(args) => self.lower_exprs(args.into_inner(), depth)?,
            None => Vec::new(),
        };
        Ok(ast::Marker { name, args, span })
    }

    /// `alias.Name` or `Name`.
    fn lower_qual_name(&self, pair: Pair<'_, Rule>) -> ast::QualName {
        let span = self.span(&pair);
        let parts = pair.into_inner().map(|p| self.lower_ident(&p)).collect();
        ast::QualName { parts, span }
    }

    // ---------------------------------------------------------- configs

    /// `[abstract] config name[: Schema] [extends parent] { body }`.
    fn lower_config(&self, pair: Pair<'_, Rule>) -> Res<ast::ConfigDecl> {
        let (span, doc) = (self.span(&pair), self.doc(&pair));
        let mut it = parts(pair).peekable();
        let is_abstract = it.next_if(|p| p.as_rule() == Rule::kw_abstract).is_some();
        let name = self.lower_ident(&next(&mut it, "config name"));
        let schema = it
            .next_if(|p| p.as_rule() == Rule::config_schema)
            .map(|p| self.lower_qual_name(next(&mut p.into_inner(), "schema name")));
        let parent = it
            .next_if(|p| p.as_rule() == Rule::config_parent)
            .map(|p| self.lower_qual_name(next(&mut parts(p), "parent name")));
        let body = self.lower_body(it, 0, Nesting::ConfigTop)?;
        Ok(ast::ConfigDecl {
            doc,
            is_abstract,
            name,
            schema,
            parent,
            body,
            span,
        })
    }

    /// The statements of a body; `env` blocks only at a config's top level.
    fn lower_body<'i>(
        &self,
        pairs: impl Iterator<Item = Pair<'i, Rule>>,
        depth: usize,
        nesting: Nesting,
    ) -> Res<Vec<ast::Stmt>> {
        pairs
            .map(|p| match p.as_rule() {
                Rule::env_block => self.lower_env_block(p, depth, nesting).map(ast::Stmt::Env),
                Rule::path_stmt => self.lower_path_stmt(p, depth, nesting),
                Rule::unset_stmt => self.lower_unset(p),
                other => unreachable!("grammar: statement {other:?}"),
            })
            .collect()
    }

    /// `env a, b { body }`.
    fn lower_env_block(
        &self,
        pair: Pair<'_, Rule>,
        depth: usize,
        nesting: Nesting,
    ) -> Res<ast::EnvBlock> {
        let span = self.span(&pair);
        let help = match nesting {
            Nesting::ConfigTop => None,
            Nesting::Block => Some("`env` blocks are only allowed at the top level of a config"),
            Nesting::EnvBlock => Some("`env` blocks cannot be nested"),
            Nesting::Object => Some("an object literal cannot contain `env` blocks"),
        };
        if let Some(message) = help {
            let head = Span::new(
                self.file,
                pair.as_span().start(),
                pair.as_span().start() + 3,
            );
            return Err(Box::new(error::syntax(head, message).with_help(
                "move the `env` block to the config's top level and write the full path inside it",
            )));
        }
        let mut envs = Vec::new();
        let mut body = Vec::new();
        for p in parts(pair) {
            match p.as_rule() {
                Rule::ident => envs.push(self.lower_ident(&p)),
                _ => body.push(p),
            }
        }
        let body = self.lower_body(body.into_iter(), depth + 1, Nesting::EnvBlock)?;
        Ok(ast::EnvBlock { envs, body, span })
    }

    /// `unset path`: an [`ast::AssignOp::Unset`] whose value is a `null`
    /// spanning the statement.
    fn lower_unset(&self, pair: Pair<'_, Rule>) -> Res<ast::Stmt> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let path = self.lower_path(next(&mut it, "unset path"))?;
        Ok(ast::Stmt::Assign(ast::Assign {
            path,
            op: ast::AssignOp::Unset,
            value: ast::Expr {
                kind: ast::ExprKind::Null,
                span,
            },
            span,
        }))
    }

    /// `path = expr`, `path += expr`, `path := expr` or `path { body }`.
    fn lower_path_stmt(
        &self,
        pair: Pair<'_, Rule>,
        depth: usize,
        nesting: Nesting,
    ) -> Res<ast::Stmt> {
        let span = self.span(&pair);
        let mut it = pair.into_inner().peekable();
        let path = self.lower_path(next(&mut it, "path"))?;
        if let Some(op) = it.next_if(|p| p.as_rule() == Rule::assign_op) {
            let op = match op.as_str() {
                "+=" => ast::AssignOp::Append,
                ":=" => ast::AssignOp::Replace,
                _ => ast::AssignOp::Set,
            };
            let value = self.lower_expr(next(&mut it, "assigned value"), depth)?;
            return Ok(ast::Stmt::Assign(ast::Assign {
                path,
                op,
                value,
                span,
            }));
        }
        if let Some(ty) = it.next_if(|p| p.as_rule() == Rule::ty) {
            if nesting == Nesting::Object {
                return Err(Box::new(
                    error::syntax(
                        span,
                        "an object literal cannot declare a field without a value",
                    )
                    .with_help("assign a value (`key = …`), or declare the field in a config body"),
                ));
            }
            let ty = self.lower_ty(ty, depth)?;
            return Ok(ast::Stmt::Declare(ast::Declare { path, ty, span }));
        }
        let inner = if nesting == Nesting::Object {
            Nesting::Object
        } else {
            Nesting::Block
        };
        let body = self.lower_body(it, depth + 1, inner)?;
        Ok(ast::Stmt::Block(ast::Block { path, body, span }))
    }

    /// `a.b."c-d"`.
    fn lower_path(&self, pair: Pair<'_, Rule>) -> Res<ast::Path> {
        let span = self.span(&pair);
        let keys = pair
            .into_inner()
            .map(|p| self.lower_key(p))
            .collect::<Res<_>>()?;
        Ok(ast::Path { keys, span })
    }

    /// An identifier or a quoted key.
    fn lower_key(&self, pair: Pair<'_, Rule>) -> Res<ast::Key> {
        let span = self.span(&pair);
        if pair.as_rule() == Rule::ident {
            return Ok(ast::Key {
                name: pair.as_str().into(),
                quoted: false,
                span,
            });
        }
        let (name, _) = self.plain_string(pair)?;
        Ok(ast::Key {
            name: name.into(),
            quoted: true,
            span,
        })
    }

    fn lower_ident(&self, pair: &Pair<'_, Rule>) -> ast::Ident {
        ast::Ident {
            name: pair.as_str().into(),
            span: self.span(pair),
        }
    }
}

/// Where a body is, for the `env` block rule (LANGUAGE.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nesting {
    ConfigTop,
    Block,
    EnvBlock,
    Object,
}
