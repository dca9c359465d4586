//! Lowering of configs and bodies (`config` to `key` in `grammar/mcfg.pest`):
//! statements, `env` blocks, `unset`, paths and keys.

use pest::iterators::Pair;

use super::{next, parts, Lower, Nesting, Res};
use crate::ast;
use crate::source::Span;
use crate::syntax::error;
use crate::syntax::grammar::Rule;

impl Lower<'_> {
    // ---------------------------------------------------------- configs

    /// `[abstract] config name[: Schema] [extends parent] { body }`.
    pub(super) fn lower_config(&self, pair: Pair<'_, Rule>) -> Res<ast::ConfigDecl> {
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
    pub(super) fn lower_body<'i>(
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
    pub(super) fn lower_key(&self, pair: Pair<'_, Rule>) -> Res<ast::Key> {
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
}
