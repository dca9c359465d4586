//! Declarations, policy tests and schema items for the fast parser, one
//! function per rule of `grammar/mcfg.pest` (§2–§5, §9.9), with the `depth`
//! bookkeeping of `lower.rs` kept in `Parser::rel`. Bodies are in `body.rs`.

use super::{Parser, Reject, R};
use crate::ast;

/// Where a body is, for the `env` block rule (as in `lower.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nesting {
    ConfigTop,
    Block,
    EnvBlock,
    Object,
}

impl Parser<'_> {
    /// `file`: `sep* ~ (decl ~ (sep+ ~ decl)*)? ~ sep* ~ EOI`.
    pub(super) fn file(&mut self) -> R<Vec<ast::Decl>> {
        let mut decls = Vec::new();
        self.seps()?;
        if !self.at_end() {
            decls.push(self.decl()?);
            while self.seps()? && !self.at_end() {
                decls.push(self.decl()?);
            }
        }
        if !self.at_end() {
            return Err(Reject);
        }
        Ok(decls)
    }

    fn decl(&mut self) -> R<ast::Decl> {
        let start = self.pos;
        self.rel = 0;
        if self.eat_kw("import") {
            self.skip()?;
            let path_start = self.pos;
            let path = self.quoted()?;
            let path_span = self.span(path_start, self.pos);
            self.skip()?;
            self.expect_kw("as")?;
            self.skip()?;
            let alias = self.ident()?;
            let span = self.span(start, self.pos);
            return Ok(ast::Decl::Import(ast::Import {
                path,
                path_span,
                alias,
                span,
            }));
        }
        if self.eat_kw("environments") {
            self.skip_nl()?;
            let envs = self.braced(Self::env_decl)?;
            let span = self.span(start, self.pos);
            return Ok(ast::Decl::Environments(ast::Environments { envs, span }));
        }
        if self.eat_kw("type") {
            self.skip()?;
            let name = self.ident()?;
            self.skip()?;
            self.expect("=")?;
            self.skip_nl()?;
            let ty = self.ty()?;
            return Ok(ast::Decl::Type(ast::TypeDecl {
                doc: self.doc(start),
                name,
                ty,
                span: self.span(start, self.pos),
            }));
        }
        if self.eat_kw("schema") {
            return self.schema(start).map(ast::Decl::Schema);
        }
        if self.eat_kw("test") {
            return self.test(start).map(ast::Decl::Test);
        }
        self.config(start).map(ast::Decl::Config)
    }

    pub(super) fn expect_kw(&mut self, kw: &str) -> R<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(Reject)
        }
    }

    /// A plain string that must start at the cursor.
    pub(super) fn quoted(&mut self) -> R<String> {
        if self.peek() != b'"' {
            return Err(Reject);
        }
        self.plain_string()
    }

    /// `"{" ~ sep* ~ (item ~ (sep+ ~ item)*)? ~ sep* ~ "}"`.
    pub(super) fn braced<T>(&mut self, mut item: impl FnMut(&mut Self) -> R<T>) -> R<Vec<T>> {
        self.expect("{")?;
        let mut out = Vec::new();
        self.seps()?;
        while self.peek() != b'}' {
            out.push(item(self)?);
            if !self.seps()? {
                break;
            }
        }
        self.expect("}")?;
        Ok(out)
    }

    /// Skips and reports whether the cursor is at `c`; if not, restores.
    pub(super) fn after_skip_if(&mut self, c: u8) -> R<bool> {
        let save = self.pos;
        self.skip()?;
        if self.peek() == c {
            return Ok(true);
        }
        self.pos = save;
        Ok(false)
    }

    /// Skips, then eats keyword `kw`; else restores.
    fn after_skip_kw(&mut self, kw: &str) -> R<bool> {
        let save = self.pos;
        self.skip()?;
        if self.eat_kw(kw) {
            return Ok(true);
        }
        self.pos = save;
        Ok(false)
    }

    fn env_decl(&mut self) -> R<ast::EnvDecl> {
        let start = self.pos;
        let name = self.ident()?;
        let parent = if self.after_skip_kw("extends")? {
            self.skip()?;
            Some(self.ident()?)
        } else {
            self.skip()?;
            None
        };
        let span = self.span(start, self.pos);
        Ok(ast::EnvDecl { name, parent, span })
    }

    fn schema(&mut self, start: usize) -> R<ast::SchemaDecl> {
        self.skip()?;
        let name = self.ident()?;
        let parent = if self.after_skip_kw("extends")? {
            self.skip()?;
            Some(self.qual_name()?)
        } else {
            None
        };
        self.skip_nl()?;
        let items = self.braced(Self::schema_item)?;
        Ok(ast::SchemaDecl {
            doc: self.doc(start),
            name,
            parent,
            items,
            span: self.span(start, self.pos),
        })
    }

    /// `test_decl`: `kw_test ~ (sstring | ident) ~ (kw_in ~ ident ~ ("," ~ NLS ~ ident)*)?
    /// ~ NLS ~ "{" ~ assert* ~ "}"`.
    fn test(&mut self, start: usize) -> R<ast::TestDecl> {
        self.skip()?;
        let name_start = self.pos;
        let name = if self.peek() == b'"' {
            if self.b.get(self.pos..self.pos + 3) == Some(&b"\"\"\""[..]) {
                return Err(Reject);
            }
            self.quoted()?
        } else {
            self.ident()?.name.to_string()
        };
        let name_span = self.span(name_start, self.pos);
        let mut envs = Vec::new();
        if self.after_skip_kw("in")? {
            self.skip()?;
            envs.push(self.ident()?);
            while self.after_skip_if(b',')? {
                self.pos += 1;
                self.skip_nl()?;
                envs.push(self.ident()?);
            }
        }
        self.skip_nl()?;
        let asserts = self.braced(Self::assert)?;
        Ok(ast::TestDecl {
            doc: self.doc(start),
            name,
            name_span,
            envs,
            asserts,
            span: self.span(start, self.pos),
        })
    }

    /// `assert`: `kw_assert ~ expr ~ (":" ~ string)?`.
    fn assert(&mut self) -> R<ast::CheckDecl> {
        let start = self.pos;
        self.expect_kw("assert")?;
        self.skip()?;
        let cond = self.expr()?;
        let (mut message, mut message_span) = (None, None);
        if self.after_skip_if(b':')? {
            self.pos += 1;
            self.skip()?;
            let m_start = self.pos;
            message = Some(self.quoted()?);
            message_span = Some(self.span(m_start, self.pos));
        } else {
            self.skip()?;
        }
        Ok(ast::CheckDecl {
            cond,
            message,
            message_span,
            span: self.span(start, self.pos),
        })
    }

    /// `&"check" ~ check | field`.
    pub(super) fn schema_item(&mut self) -> R<ast::SchemaItem> {
        let start = self.pos;
        if self.eat_kw("check") {
            self.skip()?;
            let c = self.peek();
            if c != b':' && !(c == b'=' && self.peek_at(1) != b'=') {
                let cond = self.expr()?;
                let (mut message, mut message_span) = (None, None);
                if self.after_skip_if(b':')? {
                    self.pos += 1;
                    self.skip()?;
                    let m_start = self.pos;
                    message = Some(self.quoted()?);
                    message_span = Some(self.span(m_start, self.pos));
                } else {
                    self.skip()?;
                }
                return Ok(ast::SchemaItem::Check(ast::CheckDecl {
                    cond,
                    message,
                    message_span,
                    span: self.span(start, self.pos),
                }));
            }
            self.pos = start;
        }
        self.field().map(ast::SchemaItem::Field)
    }

    /// `key ~ (":" ~ NLS ~ ty ~ marker* ~ ("=" ~ NLS ~ expr ~ marker*)? |
    /// "=" ~ NLS ~ expr ~ marker*)`.
    fn field(&mut self) -> R<ast::FieldDecl> {
        let start = self.pos;
        let name = self.key()?;
        self.skip()?;
        let (mut ty, mut default, mut markers) = (None, None, Vec::new());
        let has_default = if self.peek() == b':' {
            self.pos += 1;
            self.skip_nl()?;
            ty = Some(self.ty()?);
            self.markers(&mut markers)?;
            self.after_skip_if(b'=')?
        } else {
            self.peek() == b'='
        };
        if has_default {
            self.pos += 1;
            self.skip_nl()?;
            default = Some(self.expr()?);
            let before = markers.len();
            self.markers(&mut markers)?;
            if markers.len() == before {
                self.skip()?;
            }
        } else if ty.is_none() {
            return Err(Reject);
        } else {
            self.skip()?;
        }
        Ok(ast::FieldDecl {
            doc: self.doc(start),
            name,
            ty,
            default,
            markers,
            span: self.span(start, self.pos),
        })
    }

    /// `marker*`: `@name` or `@name(args)`.
    fn markers(&mut self, out: &mut Vec<ast::Marker>) -> R<()> {
        while self.after_skip_if(b'@')? {
            let start = self.pos;
            self.pos += 1;
            let name = self.ident()?;
            let args = if self.after_skip_if(b'(')? {
                self.pos += 1;
                self.expr_list(b')')?
            } else {
                self.skip()?;
                Vec::new()
            };
            let span = self.span(start, self.pos);
            out.push(ast::Marker { name, args, span });
        }
        Ok(())
    }

    /// `kw_abstract? ~ kw_config ~ ident ~ (":" ~ qual_name)? ~ (kw_extends ~
    /// qual_name)? ~ NLS ~ body`.
    fn config(&mut self, start: usize) -> R<ast::ConfigDecl> {
        let is_abstract = self.eat_kw("abstract");
        if is_abstract {
            self.skip()?;
        }
        self.expect_kw("config")?;
        self.skip()?;
        let name = self.ident()?;
        let schema = if self.after_skip_if(b':')? {
            self.pos += 1;
            self.skip()?;
            Some(self.qual_name()?)
        } else {
            None
        };
        let parent = if self.after_skip_kw("extends")? {
            self.skip()?;
            Some(self.qual_name()?)
        } else {
            None
        };
        self.skip_nl()?;
        let body = self.body(Nesting::ConfigTop)?;
        Ok(ast::ConfigDecl {
            doc: self.doc(start),
            is_abstract,
            name,
            schema,
            parent,
            body,
            span: self.span(start, self.pos),
        })
    }
}
