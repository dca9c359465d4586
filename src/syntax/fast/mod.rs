//! A hand-written parser for the grammar of `grammar/mcfg.pest`, about ten
//! times faster than pest. It owns no diagnostics: on anything it is unsure
//! of it returns `Err(Reject)` and `syntax::parse` falls back to pest.
//!
//! **Invariant:** whenever [`parse`] returns `Ok`, the tree equals what the
//! pest path (`syntax::parse_reference`) builds, spans and docs included. It
//! follows the PEG rules literally: implicit skips of spaces, tabs and
//! comments between tokens, `NLS` where the grammar allows line breaks, the
//! same greedy repetitions, and it rejects wherever pest would backtrack
//! into an alternative it does not mirror.
//!
//! Files: this one has the cursor; `decl` declarations and schema items;
//! `body` statement bodies; `ty` types; `expr` expressions and the Pratt fold
//! of `lower/expr.rs`; `comp` lists, objects, comprehensions and quantifiers
//! (§9.6); `string` literals.

mod body;
mod comp;
mod decl;
mod expr;
mod string;
mod ty;

use super::comments::{doc_before, Comment};
use crate::ast;
use crate::source::{FileId, Span};

/// The fast parser gave up; the caller falls back to pest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reject;

/// The result type of every parsing step.
type R<T> = Result<T, Reject>;

/// Parses one file, given its `///` comments in source order.
pub fn parse(file: FileId, text: &str, docs: &[Comment]) -> Result<ast::File, Reject> {
    let decls = parse_range(file, text, 0, text.len(), docs)?;
    Ok(ast::File {
        decls,
        span: Span::new(file, 0, text.len()),
    })
}

/// The declarations of `text[start..end]` parsed as if it were a whole file
/// (`sep* ~ (decl ~ (sep+ ~ decl)*)? ~ sep* ~ EOI`), with spans into `text`.
/// Reads nothing at or after `end`; reads before `start` only for the `///`
/// docs of a declaration (`docs` may hold comments before `start`).
pub fn parse_range(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    docs: &[Comment],
) -> Result<Vec<ast::Decl>, Reject> {
    let text = text.get(..end).ok_or(Reject)?;
    let mut p = Parser {
        file,
        text,
        b: text.as_bytes(),
        pos: start,
        docs,
        rel: 0,
        h: 0,
        items: Vec::new(),
        stmts: Vec::new(),
        keys: Vec::new(),
        names: indexmap::IndexSet::default(),
    };
    let decls = p.file()?;
    if p.h > super::MAX_EXPR_DEPTH {
        return Err(Reject);
    }
    Ok(decls)
}

/// The parsing state of one file.
struct Parser<'a> {
    file: FileId,
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    docs: &'a [Comment],
    /// The `depth` that `lower.rs` would pass here, relative to the innermost
    /// enclosing expression (absolute outside expressions).
    rel: usize,
    /// The deepest `lower_expr` depth seen, in the same frame as `rel`.
    h: usize,
    /// Operator/operand stack shared by nested expressions.
    items: Vec<expr::Item>,
    /// Statement and path-key stacks, so that each finished list is
    /// allocated once at its exact size.
    stmts: Vec<ast::Stmt>,
    keys: Vec<ast::Key>,
    /// Every name seen, so that a field name repeated in thousands of
    /// configs is one shared allocation.
    names: indexmap::IndexSet<ast::Name, crate::map::FastState>,
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

impl<'a> Parser<'a> {
    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn peek_at(&self, k: usize) -> u8 {
        self.b.get(self.pos + k).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn doc(&self, start: usize) -> Option<String> {
        doc_before(self.docs, self.text, start)
    }

    /// pest's implicit `(WHITESPACE | COMMENT)*`.
    fn skip(&mut self) -> R<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' => self.pos += 1,
                b'/' if self.peek_at(1) == b'/' => {
                    let rest = &self.b[self.pos..];
                    self.pos += rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
                }
                b'/' if self.peek_at(1) == b'*' => {
                    let rest = &self.text[self.pos + 2..];
                    let end = rest.find("*/").ok_or(Reject)?;
                    self.pos += 2 + end + 2;
                }
                _ => return Ok(()),
            }
        }
    }

    /// One `NL` at the cursor.
    fn eat_nl(&mut self) -> bool {
        match self.peek() {
            b'\n' => self.pos += 1,
            b'\r' if self.peek_at(1) == b'\n' => self.pos += 2,
            _ => return false,
        }
        true
    }

    /// Skip, then `NLS`, then skip: everything allowed between two tokens
    /// where the grammar writes `NLS`.
    fn skip_nl(&mut self) -> R<()> {
        self.skip()?;
        while self.eat_nl() {
            self.skip()?;
        }
        Ok(())
    }

    /// Skip, then `sep*` (with skips); true if one separator was seen.
    fn seps(&mut self) -> R<bool> {
        self.skip()?;
        let mut any = false;
        loop {
            if self.peek() == b';' || self.peek() == b',' {
                self.pos += 1;
            } else if !self.eat_nl() {
                return Ok(any);
            }
            any = true;
            self.skip()?;
        }
    }

    /// The literal `s` at the cursor.
    fn eat(&mut self, s: &str) -> bool {
        if self.b[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> R<()> {
        if self.eat(s) {
            Ok(())
        } else {
            Err(Reject)
        }
    }

    /// A keyword token `kw ~ !ident_char` at the cursor (not consumed).
    fn at_kw(&self, kw: &str) -> bool {
        self.b[self.pos..].starts_with(kw.as_bytes())
            && !self
                .b
                .get(self.pos + kw.len())
                .is_some_and(|&c| is_ident_char(c))
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.at_kw(kw) {
            self.pos += kw.len();
            true
        } else {
            false
        }
    }

    /// An `ident` token: its extent, if one starts at the cursor.
    fn ident_end(&self) -> Option<usize> {
        if !is_ident_start(self.peek()) {
            return None;
        }
        let rest = &self.b[self.pos..];
        Some(
            self.pos
                + rest
                    .iter()
                    .position(|&c| !is_ident_char(c))
                    .unwrap_or(rest.len()),
        )
    }

    /// The shared `Name` for `s`.
    fn intern(&mut self, s: &str) -> ast::Name {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: ast::Name = s.into();
        self.names.insert(n.clone());
        n
    }

    fn ident(&mut self) -> R<ast::Ident> {
        let end = self.ident_end().ok_or(Reject)?;
        let start = self.pos;
        self.pos = end;
        let text = self.text;
        Ok(ast::Ident {
            name: self.intern(&text[start..end]),
            span: self.span(start, end),
        })
    }

    /// `qual_name = ident ~ ("." ~ ident)*`.
    fn qual_name(&mut self) -> R<ast::QualName> {
        let start = self.pos;
        let mut parts = vec![self.ident()?];
        loop {
            let save = self.pos;
            self.skip()?;
            if self.peek() != b'.' {
                self.pos = save;
                break;
            }
            self.pos += 1;
            self.skip()?;
            parts.push(self.ident()?);
        }
        // A rule ending in an empty repetition keeps the skip before it.
        if parts.len() == 1 {
            self.skip()?;
        }
        let end = self.pos;
        Ok(ast::QualName {
            parts,
            span: self.span(start, end),
        })
    }

    /// `key = ident | string`.
    fn key(&mut self) -> R<ast::Key> {
        let start = self.pos;
        if self.peek() == b'"' {
            let name = self.plain_string()?;
            return Ok(ast::Key {
                name: self.intern(&name),
                quoted: true,
                span: self.span(start, self.pos),
            });
        }
        let id = self.ident()?;
        Ok(ast::Key {
            name: id.name,
            quoted: false,
            span: id.span,
        })
    }

    /// Records an expression of `lower_expr` depth `rel + d`.
    fn note_depth(&mut self, d: usize) {
        self.h = self.h.max(self.rel + d);
    }
}

#[cfg(test)]
pub(super) mod tests;
