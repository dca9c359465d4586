//! pest pairs to [`ast`] nodes: one `lower_<rule>` function per grammar rule,
//! in the order of `grammar/mcfg.pest`. Operators go through a
//! [`PrattParser`] (loosest first: `if`, `or`, `and`, `not`, comparisons and
//! `in`, `+ -`, `* / %`, unary `-`, postfix `.key` and `[index]`).
//!
//! Configs and bodies are lowered in `lower/body.rs`, types in `lower/ty.rs`,
//! expressions and literals in `lower/expr.rs` (comprehensions in `lower/comp.rs`).
//!
//! Shape surprises are bugs in the grammar/lowering pair and panic with a
//! `grammar: …` message; everything a user can write becomes a diagnostic.

use pest::iterators::{Pair, Pairs};

use super::comments::{doc_before, Comment};
use super::grammar::Rule;
use crate::ast::{self, CmpOp};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

mod body;
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
