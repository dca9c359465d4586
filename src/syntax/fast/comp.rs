//! Lists, objects, comprehensions and quantifiers for the fast parser
//! (LANGUAGE.md §9.6), after the `list`, `object`, `comp` and `quant` rules
//! of `grammar/mcfg.pest` and `lower/comp.rs`: the element, entry value,
//! source and condition of a comprehension or quantifier are lowered one
//! level deeper than the expression that holds them.

use super::decl::Nesting;
use super::{Parser, Reject, R};
use crate::ast::{self, ExprKind};

/// A point to come back to when an alternative that pest would backtrack
/// out of fails.
pub(super) struct Mark {
    pos: usize,
    h: usize,
    rel: usize,
    items: usize,
    stmts: usize,
    keys: usize,
}

const KEYWORDS: [&str; 12] = [
    "self", "env", "true", "false", "null", "if", "then", "else", "and", "or", "not", "in",
];

impl Parser<'_> {
    pub(super) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            h: self.h,
            rel: self.rel,
            items: self.items.len(),
            stmts: self.stmts.len(),
            keys: self.keys.len(),
        }
    }

    pub(super) fn reset(&mut self, m: &Mark) {
        self.pos = m.pos;
        self.h = m.h;
        self.rel = m.rel;
        self.items.truncate(m.items);
        self.stmts.truncate(m.stmts);
        self.keys.truncate(m.keys);
    }

    /// One `expr` lowered one level deeper than the cursor's frame.
    fn deeper_expr(&mut self) -> R<ast::Expr> {
        // `expr` leaves `rel` at 0 when it fails.
        let saved = self.rel;
        self.rel += 1;
        let e = self.expr();
        self.rel = saved;
        e
    }

    /// The depth notes of `f` only: runs it with a fresh `h` and returns
    /// the deepest depth it noted (the caller merges it into `h`).
    fn own_depth<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<(T, usize)> {
        let outer = std::mem::take(&mut self.h);
        let got = f(self);
        let inner = std::mem::replace(&mut self.h, outer);
        Ok((got?, inner))
    }

    /// `expr ~ NLS` ending a rule: the skip, then newlines with the skips
    /// between them, but not a skip after the last newline.
    fn trailing_nls(&mut self) -> R<()> {
        self.skip()?;
        if self.eat_nl() {
            loop {
                let save = self.pos;
                self.skip()?;
                if !self.eat_nl() {
                    self.pos = save;
                    break;
                }
            }
        }
        Ok(())
    }

    /// After `[`: `NLS ~ (expr ~ NLS ~ (comp | ("," ~ NLS ~ expr ~ NLS)* ~
    /// ("," ~ NLS)?))? ~ "]"`.
    pub(super) fn list_or_comp(&mut self) -> R<ExprKind> {
        self.skip_nl()?;
        if self.peek() == b']' {
            self.pos += 1;
            return Ok(ExprKind::List(Vec::new()));
        }
        let (first, inner) = self.own_depth(Self::expr)?;
        self.skip_nl()?;
        if self.at_kw("for") {
            // A comprehension's element is one level deeper.
            self.h = self.h.max(inner + 1);
            let comp = self.comp()?;
            self.skip()?;
            self.expect("]")?;
            return Ok(ExprKind::ListComp(Box::new(first), Box::new(comp)));
        }
        self.h = self.h.max(inner);
        let mut out = vec![first];
        if self.peek() == b',' {
            self.pos += 1;
            self.skip_nl()?;
            out = self.expr_list_rest(out, b']')?;
            return Ok(ExprKind::List(out));
        }
        self.expect("]")?;
        Ok(ExprKind::List(out))
    }

    /// `object = "{" ~ sep* ~ (stmt ~ (NLS ~ comp | (sep+ ~ stmt)*))? ~
    /// sep* ~ "}"`: an object literal or a map comprehension.
    pub(super) fn object_or_comp(&mut self) -> R<ExprKind> {
        self.expect("{")?;
        let base = self.stmts.len();
        self.seps()?;
        if self.peek() == b'}' {
            self.pos += 1;
            return Ok(ExprKind::Object(Vec::new()));
        }
        let (first, inner) = self.own_depth(|p| p.stmt(Nesting::Object))?;
        let mark = self.mark();
        self.skip_nl()?;
        if self.at_kw("for") {
            // `{ for = 1 }`-like text after a statement is no comprehension:
            // pest backtracks to the plain object, so do we.
            if let Ok(comp) = self.comp() {
                self.h = self.h.max(inner + 1);
                let (key, value) = comp_entry(first)?;
                self.seps()?;
                self.expect("}")?;
                return Ok(ExprKind::MapComp(key, Box::new(value), Box::new(comp)));
            }
        }
        self.reset(&mark);
        self.h = self.h.max(inner);
        self.stmts.push(first);
        if self.seps()? {
            return self.body_items(base, Nesting::Object).map(ExprKind::Object);
        }
        self.expect("}")?;
        Ok(ExprKind::Object(self.stmts.drain(base..).collect()))
    }

    /// `comp = kw_for ~ comp_vars ~ op_in ~ NLS ~ expr ~ NLS ~ (kw_if ~ NLS ~
    /// expr ~ NLS)?`, at `for`.
    fn comp(&mut self) -> R<ast::Comprehension> {
        let start = self.pos;
        self.expect_kw("for")?;
        self.skip()?;
        let vars = self.comp_vars()?;
        self.expect_kw("in")?;
        self.skip_nl()?;
        let iter = self.deeper_expr()?;
        self.skip_nl()?;
        let cond = if self.eat_kw("if") {
            self.skip_nl()?;
            let cond = self.deeper_expr()?;
            self.trailing_nls()?;
            Some(cond)
        } else {
            None
        };
        Ok(ast::Comprehension {
            vars,
            iter,
            cond,
            span: self.span(start, self.pos),
        })
    }

    /// `comp_vars = name ~ ("," ~ NLS ~ name)?`, then the skip before `in`.
    fn comp_vars(&mut self) -> R<Vec<ast::Ident>> {
        let mut vars = vec![self.name_ident()?];
        self.skip()?;
        if self.peek() == b',' {
            self.pos += 1;
            self.skip_nl()?;
            vars.push(self.name_ident()?);
            self.skip()?;
        }
        Ok(vars)
    }

    /// `name`: an identifier that is not one of the expression keywords.
    fn name_ident(&mut self) -> R<ast::Ident> {
        let end = self.ident_end().ok_or(Reject)?;
        if KEYWORDS.contains(&&self.text[self.pos..end]) {
            return Err(Reject);
        }
        self.ident()
    }

    /// `quant = (kw_all | kw_any) ~ "(" ~ NLS ~ comp_vars ~ op_in ~ NLS ~
    /// expr ~ NLS ~ ":" ~ NLS ~ expr ~ NLS ~ ")"`, at `(`.
    pub(super) fn quant(&mut self, all: bool) -> R<ExprKind> {
        self.expect("(")?;
        self.skip_nl()?;
        let start = self.pos;
        let vars = self.comp_vars()?;
        self.expect_kw("in")?;
        self.skip_nl()?;
        let iter = self.deeper_expr()?;
        self.skip_nl()?;
        self.expect(":")?;
        self.skip_nl()?;
        let cond = self.deeper_expr()?;
        self.skip_nl()?;
        self.expect(")")?;
        let span = self.span(start, start).join(iter.span);
        let comp = ast::Comprehension {
            vars,
            iter,
            cond: None,
            span,
        };
        Ok(ExprKind::Quant(all, Box::new(comp), Box::new(cond)))
    }
}

/// The `key = value` of a map comprehension; anything else is pest's error.
fn comp_entry(stmt: ast::Stmt) -> R<(ast::Key, ast::Expr)> {
    let ast::Stmt::Assign(a) = stmt else {
        return Err(Reject);
    };
    if a.op != ast::AssignOp::Set || a.path.keys.len() != 1 {
        return Err(Reject);
    }
    let key = a.path.keys.into_iter().next().ok_or(Reject)?;
    Ok((key, a.value))
}
