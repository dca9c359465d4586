//! Statement bodies for the fast parser (LANGUAGE.md §5, §9.2): `body`,
//! `path`, `stmt` and `env_block` of `grammar/mcfg.pest`, on the parser's
//! statement and key stacks, with the `depth` bookkeeping of `lower/body.rs`.

use super::decl::Nesting;
use super::{is_ident_start, Parser, Reject, R};
use crate::ast;

impl Parser<'_> {
    /// A `{ … }` body of statements (`braced`, on the statement stack).
    pub(super) fn body(&mut self, nesting: Nesting) -> R<Vec<ast::Stmt>> {
        self.expect("{")?;
        let base = self.stmts.len();
        self.seps()?;
        self.body_items(base, nesting)
    }

    /// After `"{" ~ sep*`: `(stmt ~ (sep+ ~ stmt)*)? ~ sep* ~ "}"`, the
    /// statements above `base` on the stack included.
    pub(super) fn body_items(&mut self, base: usize, nesting: Nesting) -> R<Vec<ast::Stmt>> {
        while self.peek() != b'}' {
            let stmt = self.stmt(nesting)?;
            self.stmts.push(stmt);
            if !self.seps()? {
                break;
            }
        }
        self.expect("}")?;
        Ok(self.stmts.drain(base..).collect())
    }

    /// `path = { key ~ ("." ~ key)* }` from `start`, with pest's implicit
    /// skips: a one-key path's span takes the blanks after it (the skip
    /// before the empty repetition is kept), a longer one's does not.
    fn path(&mut self, start: usize) -> R<ast::Path> {
        let base = self.keys.len();
        let key = self.key()?;
        self.keys.push(key);
        while self.after_skip_if(b'.')? {
            self.pos += 1;
            self.skip()?;
            let key = self.key()?;
            self.keys.push(key);
        }
        if self.keys.len() == base + 1 {
            self.skip()?;
        }
        let keys: Vec<_> = self.keys.drain(base..).collect();
        Ok(ast::Path {
            keys,
            span: self.span(start, self.pos),
        })
    }

    /// `&"env" ~ env_block | &"unset" ~ unset_stmt | path_stmt`, where
    /// `path_stmt` is `path ~ (assign_op ~ NLS ~ expr | ":" ~ NLS ~ ty | NLS ~ body)`.
    pub(super) fn stmt(&mut self, nesting: Nesting) -> R<ast::Stmt> {
        let start = self.pos;
        if self.eat_kw("env") {
            self.skip()?;
            if is_ident_start(self.peek()) {
                return self.env_block(start, nesting).map(ast::Stmt::Env);
            }
            self.pos = start;
        }
        if self.eat_kw("unset") {
            // `kw_unset ~ path`; otherwise `unset` is a key (`unset = 1`).
            self.skip()?;
            if is_ident_start(self.peek()) || self.peek() == b'"' {
                let path = self.path(self.pos)?;
                let span = self.span(start, self.pos);
                return Ok(ast::Stmt::Assign(ast::Assign {
                    path,
                    op: ast::AssignOp::Unset,
                    value: ast::Expr {
                        kind: ast::ExprKind::Null,
                        span,
                    },
                    span,
                }));
            }
            self.pos = start;
        }
        let path = self.path(start)?;
        self.skip()?;
        let op = if self.eat("+=") {
            ast::AssignOp::Append
        } else if self.eat(":=") {
            ast::AssignOp::Replace
        } else if self.eat("=") {
            ast::AssignOp::Set
        } else if self.peek() == b':' {
            // `":" ~ NLS ~ ty`: a declaration; in an object literal pest
            // reports it, so refuse.
            if nesting == Nesting::Object {
                return Err(Reject);
            }
            self.pos += 1;
            self.skip_nl()?;
            let ty = self.ty()?;
            let span = self.span(start, self.pos);
            return Ok(ast::Stmt::Declare(ast::Declare { path, ty, span }));
        } else {
            self.skip_nl()?;
            let inner = if nesting == Nesting::Object {
                Nesting::Object
            } else {
                Nesting::Block
            };
            self.rel += 1;
            let body = self.body(inner)?;
            self.rel -= 1;
            let span = self.span(start, self.pos);
            return Ok(ast::Stmt::Block(ast::Block { path, body, span }));
        };
        self.skip_nl()?;
        let value = self.expr()?;
        let span = self.span(start, self.pos);
        Ok(ast::Stmt::Assign(ast::Assign {
            path,
            op,
            value,
            span,
        }))
    }

    /// `env a, b { body }` (only at a config's top level).
    fn env_block(&mut self, start: usize, nesting: Nesting) -> R<ast::EnvBlock> {
        if nesting != Nesting::ConfigTop {
            return Err(Reject);
        }
        let mut envs = vec![self.ident()?];
        while self.after_skip_if(b',')? {
            self.pos += 1;
            self.skip_nl()?;
            envs.push(self.ident()?);
        }
        self.skip_nl()?;
        self.rel += 1;
        let body = self.body(Nesting::EnvBlock)?;
        self.rel -= 1;
        let span = self.span(start, self.pos);
        Ok(ast::EnvBlock { envs, body, span })
    }
}
