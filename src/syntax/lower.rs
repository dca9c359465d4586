//! pest pairs to [`ast`] nodes: one `lower_<rule>` function per grammar rule,
//! in the order of `grammar/mcfg.pest`. Operators go through a
//! [`PrattParser`] (loosest first: `if`, `or`, `and`, `not`, comparisons and
//! `in`, `+ -`, `* / %`, unary `-`, postfix `.key` and `[index]`).
//!
//! Shape surprises are bugs in the grammar/lowering pair and panic with a
//! `grammar: …` message; everything a user can write becomes a diagnostic.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::comments::{doc_before, Comment};
use super::error;
use super::grammar::Rule;
use super::literal::{self, RawPart};
use crate::ast::{self, BinaryOp, CmpOp, ExprKind, StrPart, UnaryOp};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

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

/// An expression on its way through the Pratt parser; `cmp` marks an
/// unparenthesised comparison, which may not be chained.
struct Lowered {
    expr: ast::Expr,
    cmp: bool,
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::prefix(Rule::if_head))
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left)
                | Op::infix(Rule::op_div, Assoc::Left)
                | Op::infix(Rule::op_rem, Assoc::Left))
            .op(Op::prefix(Rule::neg))
            .op(Op::postfix(Rule::field_access) | Op::postfix(Rule::index))
    })
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
            | Rule::kw_if
            | Rule::kw_then
            | Rule::kw_else
    )
}

/// The children of `pair` without punctuation keywords.
fn parts(pair: Pair<'_, Rule>) -> impl Iterator<Item = Pair<'_, Rule>> {
    pair.into_inner().filter(|p| !is_punct_keyword(p.as_rule()))
}

fn next<'i>(it: &mut impl Iterator<Item = Pair<'i, Rule>>, what: &str) -> Pair<'i, Rule> {
    it.next().unwrap_or_else(|| unreachable!("grammar: {what}"))
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::neg
            | Rule::not
            | Rule::if_head
            | Rule::field_access
            | Rule::index
            | Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_in
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
            | Rule::op_rem
    )
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

    // ------------------------------------------------------------ types

    /// `ty`: a union of literals or a single type.
    fn lower_ty(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::TypeExpr> {
        let inner = next(&mut pair.into_inner(), "type");
        match inner.as_rule() {
            Rule::ty_union => self.lower_ty_union(inner),
            Rule::ty_base => self.lower_ty_base(inner, depth),
            other => unreachable!("grammar: type {other:?}"),
        }
    }

    /// `"a" | "b" | 3 | true`, possibly followed by `?`.
    fn lower_ty_union(&self, pair: Pair<'_, Rule>) -> Res<ast::TypeExpr> {
        let span = self.span(&pair);
        let mut members = Vec::new();
        let mut optional = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::optional => optional = true,
                _ => members.push(self.lower_literal(p)?),
            }
        }
        let kind = ast::TypeKind::Union(members);
        Ok(ast::TypeExpr {
            kind,
            refinements: Vec::new(),
            optional,
            span,
        })
    }

    /// A named, list, map, object or parenthesised type with refinements and `?`.
    fn lower_ty_base(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::TypeExpr> {
        let span = self.span(&pair);
        let mut it = pair.into_inner();
        let atom = next(&mut it, "type atom");
        let mut ty = match atom.as_rule() {
            Rule::ty_list | Rule::ty_map => {
                let is_list = atom.as_rule() == Rule::ty_list;
                let elem = Box::new(self.lower_ty(next(&mut parts(atom), "element"), depth + 1)?);
                let kind = if is_list {
                    ast::TypeKind::List(elem)
                } else {
                    ast::TypeKind::Map(elem)
                };
                ast::TypeExpr {
                    kind,
                    refinements: Vec::new(),
                    optional: false,
                    span,
                }
            }
            Rule::ty_object => {
                let kind =
                    ast::TypeKind::Object(self.lower_schema_items(atom.into_inner(), depth + 1)?);
                ast::TypeExpr {
                    kind,
                    refinements: Vec::new(),
                    optional: false,
                    span,
                }
            }
            Rule::ty_paren => self.lower_ty(next(&mut atom.into_inner(), "type"), depth + 1)?,
            Rule::qual_name => {
                let kind = ast::TypeKind::Named(self.lower_qual_name(atom));
                ast::TypeExpr {
                    kind,
                    refinements: Vec::new(),
                    optional: false,
                    span,
                }
            }
            other => unreachable!("grammar: type atom {other:?}"),
        };
        ty.span = span;
        for p in it {
            match p.as_rule() {
                Rule::refinements => ty.refinements.extend(self.lower_refinements(p)?),
                Rule::optional => ty.optional = true,
                other => unreachable!("grammar: type suffix {other:?}"),
            }
        }
        Ok(ty)
    }

    /// `(>= 1, len <= 3, matches "re", unique)`.
    fn lower_refinements(&self, pair: Pair<'_, Rule>) -> Res<Vec<ast::Predicate>> {
        pair.into_inner().map(|p| self.lower_predicate(p)).collect()
    }

    /// One refinement predicate.
    fn lower_predicate(&self, pair: Pair<'_, Rule>) -> Res<ast::Predicate> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let mut it = parts(pair);
        let kind = match rule {
            Rule::pred_len | Rule::pred_cmp => {
                let op = cmp_op(next(&mut it, "comparison").as_str());
                let operand = self.lower_literal(next(&mut it, "operand"))?;
                if rule == Rule::pred_len {
                    ast::PredicateKind::Len(op, operand)
                } else {
                    ast::PredicateKind::Compare(op, operand)
                }
            }
            Rule::pred_matches => {
                ast::PredicateKind::Matches(self.plain_string(next(&mut it, "regex"))?.0)
            }
            Rule::pred_unique => ast::PredicateKind::Unique,
            other => unreachable!("grammar: predicate {other:?}"),
        };
        Ok(ast::Predicate { kind, span })
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

    /// `path = expr`, `path += expr` or `path { body }`.
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
            let op = if op.as_str() == "+=" {
                ast::AssignOp::Append
            } else {
                ast::AssignOp::Set
            };
            let value = self.lower_expr(next(&mut it, "assigned value"), depth)?;
            return Ok(ast::Stmt::Assign(ast::Assign {
                path,
                op,
                value,
                span,
            }));
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

    // ------------------------------------------------------ expressions

    /// `expr`: operators and operands, through the Pratt parser.
    fn lower_expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Expr> {
        let start = pair.as_span().start();
        let pairs = pair.into_inner();
        // Each operator can add one level to the tree; refuse before recursing.
        let ops = pairs.clone().filter(|p| is_operator(p.as_rule())).count();
        let depth = depth + 1 + ops;
        if depth > super::MAX_EXPR_DEPTH {
            return Err(Box::new(error::expr_too_deep(error::char_span(
                self.file, self.text, start,
            ))));
        }
        pratt()
            .map_primary(move |p| {
                Ok(Lowered {
                    expr: self.lower_primary(p, depth)?,
                    cmp: false,
                })
            })
            .map_prefix(move |op, rhs| self.lower_prefix(op, rhs?, depth))
            .map_postfix(move |lhs, op| self.lower_postfix(lhs?, op, depth))
            .map_infix(move |lhs, op, rhs| self.lower_infix(lhs?, op, rhs?))
            .parse(pairs)
            .map(|l| l.expr)
    }

    fn lower_exprs(&self, pairs: Pairs<'_, Rule>, depth: usize) -> Res<Vec<ast::Expr>> {
        pairs.map(|p| self.lower_expr(p, depth)).collect()
    }

    /// `-x`, `not x`, `if c then a else x`.
    fn lower_prefix(&self, op: Pair<'_, Rule>, rhs: Lowered, depth: usize) -> Res<Lowered> {
        let span = self.span(&op).join(rhs.expr.span);
        let rhs = Box::new(rhs.expr);
        let kind = match op.as_rule() {
            Rule::neg => match rhs.kind {
                // Fold `- 5` into a literal; `-5` is one already.
                ExprKind::Int(n) if n != i64::MIN => ExprKind::Int(-n),
                ExprKind::Float(f) => ExprKind::Float(-f),
                ExprKind::Duration(d) if d != i64::MIN => ExprKind::Duration(-d),
                _ => ExprKind::Unary(UnaryOp::Neg, rhs),
            },
            Rule::not => ExprKind::Unary(UnaryOp::Not, rhs),
            Rule::if_head => {
                let mut it = parts(op);
                let cond = self.lower_expr(next(&mut it, "if condition"), depth)?;
                let then = self.lower_expr(next(&mut it, "then branch"), depth)?;
                ExprKind::If(Box::new(cond), Box::new(then), rhs)
            }
            other => unreachable!("grammar: prefix operator {other:?}"),
        };
        Ok(Lowered {
            expr: ast::Expr { kind, span },
            cmp: false,
        })
    }

    /// `x.key`, `x[index]`.
    fn lower_postfix(&self, lhs: Lowered, op: Pair<'_, Rule>, depth: usize) -> Res<Lowered> {
        let span = lhs.expr.span.join(self.span(&op));
        let lhs = Box::new(lhs.expr);
        let kind = match op.as_rule() {
            Rule::field_access => ExprKind::Field(
                lhs,
                self.lower_key(next(&mut op.into_inner(), "field key"))?,
            ),
            Rule::index => {
                let index = self.lower_expr(next(&mut op.into_inner(), "index"), depth)?;
                ExprKind::Index(lhs, Box::new(index))
            }
            other => unreachable!("grammar: postfix operator {other:?}"),
        };
        Ok(Lowered {
            expr: ast::Expr { kind, span },
            cmp: false,
        })
    }

    /// Binary operators; comparisons do not chain.
    fn lower_infix(&self, lhs: Lowered, op: Pair<'_, Rule>, rhs: Lowered) -> Res<Lowered> {
        let bin = match op.as_rule() {
            Rule::op_or => BinaryOp::Or,
            Rule::op_and => BinaryOp::And,
            Rule::op_eq | Rule::op_ne | Rule::op_le | Rule::op_ge | Rule::op_lt | Rule::op_gt => {
                BinaryOp::Cmp(cmp_op(op.as_str()))
            }
            Rule::op_in => BinaryOp::In,
            Rule::op_add => BinaryOp::Add,
            Rule::op_sub => BinaryOp::Sub,
            Rule::op_mul => BinaryOp::Mul,
            Rule::op_div => BinaryOp::Div,
            Rule::op_rem => BinaryOp::Rem,
            other => unreachable!("grammar: infix operator {other:?}"),
        };
        let cmp = matches!(bin, BinaryOp::Cmp(_) | BinaryOp::In);
        if cmp && (lhs.cmp || rhs.cmp) {
            return Err(Box::new(
                error::syntax(
                    self.span(&op),
                    format!("comparison operators cannot be chained: `{}`", bin.as_str()),
                )
                .with_help("combine comparisons with `and`, or add parentheses"),
            ));
        }
        let span = lhs.expr.span.join(rhs.expr.span);
        let kind = ExprKind::Binary(bin, Box::new(lhs.expr), Box::new(rhs.expr));
        Ok(Lowered {
            expr: ast::Expr { kind, span },
            cmp,
        })
    }

    /// Literals, lists, objects, parentheses, calls and names.
    fn lower_primary(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::list => ExprKind::List(self.lower_exprs(pair.into_inner(), depth)?),
            Rule::object => {
                ExprKind::Object(self.lower_body(pair.into_inner(), depth, Nesting::Object)?)
            }
            Rule::paren => {
                let inner =
                    self.lower_expr(next(&mut pair.into_inner(), "parenthesised"), depth)?;
                return Ok(ast::Expr {
                    kind: inner.kind,
                    span,
                });
            }
            Rule::call => self.lower_call(pair, depth)?,
            Rule::kw_self => ExprKind::SelfRef,
            Rule::kw_env => ExprKind::EnvRef,
            Rule::name => ExprKind::Name(pair.as_str().into()),
            _ => return self.lower_literal_at(pair, depth),
        };
        Ok(ast::Expr { kind, span })
    }

    /// `name(args)`.
    fn lower_call(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ExprKind> {
        let mut it = pair.into_inner();
        let name = self.lower_ident(&next(&mut it, "function name"));
        let args = it.map(|p| self.lower_expr(p, depth)).collect::<Res<_>>()?;
        Ok(ExprKind::Call(name, args))
    }

    // --------------------------------------------------------- literals

    /// A literal outside expressions (types, refinements).
    fn lower_literal(&self, pair: Pair<'_, Rule>) -> Res<ast::Expr> {
        self.lower_literal_at(pair, 0)
    }

    /// Strings, numbers, `true`, `false`, `null`.
    fn lower_literal_at(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Expr> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::sstring | Rule::mstring => self.lower_string(pair, depth)?,
            Rule::number => literal::parse_number(pair.as_str())
                .map_err(|e| error::literal(self.file, pair.as_span().start(), e))?,
            Rule::kw_true => ExprKind::Bool(true),
            Rule::kw_false => ExprKind::Bool(false),
            Rule::kw_null => ExprKind::Null,
            other => unreachable!("grammar: literal {other:?}"),
        };
        Ok(ast::Expr { kind, span })
    }

    /// A `"…"` or `"""…"""` string: escapes decoded, `"""` laid out, `${…}`
    /// lowered with their real spans.
    fn lower_string(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ExprKind> {
        let multi = pair.as_rule() == Rule::mstring;
        let delim = if multi { 3 } else { 1 };
        let (start, end) = (pair.as_span().start() + delim, pair.as_span().end() - delim);
        let mut raw = Vec::new();
        let mut pos = start;
        for p in pair.into_inner().filter(|p| p.as_rule() == Rule::interp) {
            raw.push(RawPart::Text(pos, &self.text[pos..p.as_span().start()]));
            pos = p.as_span().end();
            raw.push(RawPart::Hole(p));
        }
        raw.push(RawPart::Text(pos, &self.text[pos..end]));
        if multi {
            raw = literal::dedent(raw, end).map_err(|e| error::literal(self.file, 0, e))?;
        }
        let mut out = Vec::new();
        let mut lit = String::new();
        for part in raw {
            match part {
                RawPart::Text(off, t) => literal::decode_escapes(t, &mut lit)
                    .map_err(|e| error::literal(self.file, off, e))?,
                RawPart::Hole(p) => {
                    if !lit.is_empty() {
                        out.push(StrPart::Lit(std::mem::take(&mut lit)));
                    }
                    let expr =
                        self.lower_expr(next(&mut p.into_inner(), "interpolation"), depth + 1)?;
                    out.push(StrPart::Expr(expr));
                }
            }
        }
        if out.is_empty() {
            return Ok(ExprKind::Str(lit.into()));
        }
        if !lit.is_empty() {
            out.push(StrPart::Lit(lit));
        }
        Ok(ExprKind::Interp(out))
    }

    /// A string that may not hold `${…}`: keys, import paths, messages, regexes.
    fn plain_string(&self, pair: Pair<'_, Rule>) -> Res<(String, Span)> {
        let span = self.span(&pair);
        match self.lower_string(pair, 0)? {
            ExprKind::Str(s) => Ok((s.to_string(), span)),
            _ => Err(Box::new(
                error::syntax(span, "interpolation `${…}` is not allowed in this string")
                    .with_help("write `\\$` for a literal `$`"),
            )),
        }
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
