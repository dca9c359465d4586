//! Expressions of the fast parser: the `expr` rule read into a flat stream
//! of operands and operators (the pairs pest would produce), folded by the
//! same Pratt algorithm and precedences as `lower/expr.rs` (pest's
//! `PrattParser`: `if` 20, `or` 30, `and` 40, `not` 50, comparisons and `in`
//! 60, postfix `is` 70, `+ -` 80, `* / %` 90, unary `-` 100, postfix `.key`
//! and `[index]` 110). Lists, objects and quantifiers are in `comp.rs`.

use std::iter::Peekable;

use super::{Parser, Reject, R};
use crate::ast::{self, BinaryOp, CmpOp, ExprKind, UnaryOp};
use crate::source::Span;
use crate::syntax::MAX_EXPR_DEPTH;

/// One pair of an `expr`: an operand or an operator, with what its span needs.
#[derive(Debug)]
pub(super) enum Item {
    Prim(ast::Expr),
    /// `-` at this offset.
    Neg(usize),
    /// `not` at this offset.
    Not(usize),
    /// `if cond then a else` starting at this offset.
    If(usize, Box<ast::Expr>, Box<ast::Expr>),
    /// `.key` ending at this offset.
    Field(usize, ast::Key),
    /// `[index]` ending at this offset.
    Index(usize, Box<ast::Expr>),
    /// `is TYPE` ending at this offset.
    Is(usize, Box<ast::TypeExpr>),
    Infix(BinaryOp),
}

/// An expression on its way through the fold; `cmp` marks an
/// unparenthesised comparison (which may not be chained).
struct Lowered {
    expr: ast::Expr,
    cmp: bool,
}

fn infix_prec(op: BinaryOp) -> u32 {
    match op {
        BinaryOp::Or => 30,
        BinaryOp::And => 40,
        BinaryOp::Cmp(_) | BinaryOp::In => 60,
        BinaryOp::Add | BinaryOp::Sub => 80,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 90,
    }
}

fn lbp(item: Option<&Item>) -> u32 {
    match item {
        Some(Item::Infix(op)) => infix_prec(*op),
        Some(Item::Is(..)) => 70,
        Some(Item::Field(..) | Item::Index(..)) => 110,
        _ => 0,
    }
}

/// pest's `PrattParser::expr`.
fn pratt<I: Iterator<Item = Item>>(it: &mut Peekable<I>, rbp: u32) -> R<Lowered> {
    let mut lhs = nud(it)?;
    while rbp < lbp(it.peek()) {
        lhs = led(it, lhs)?;
    }
    Ok(lhs)
}

fn nud<I: Iterator<Item = Item>>(it: &mut Peekable<I>) -> R<Lowered> {
    let (start, kind) = match it.next().ok_or(Reject)? {
        Item::Prim(expr) => return Ok(Lowered { expr, cmp: false }),
        Item::Neg(start) => {
            let rhs = pratt(it, 99)?.expr;
            let span = rhs.span;
            let kind = match rhs.kind {
                // Fold `- 5` into a literal; `-5` is one already.
                ExprKind::Int(n) if n != i64::MIN => ExprKind::Int(-n),
                ExprKind::Float(f) => ExprKind::Float(-f),
                ExprKind::Duration(d) if d != i64::MIN => ExprKind::Duration(-d),
                kind => ExprKind::Unary(UnaryOp::Neg, Box::new(ast::Expr { kind, span })),
            };
            ((start, span), kind)
        }
        Item::Not(start) => {
            let rhs = pratt(it, 49)?.expr;
            (
                (start, rhs.span),
                ExprKind::Unary(UnaryOp::Not, Box::new(rhs)),
            )
        }
        Item::If(start, cond, then) => {
            let rhs = pratt(it, 19)?.expr;
            ((start, rhs.span), ExprKind::If(cond, then, Box::new(rhs)))
        }
        _ => return Err(Reject),
    };
    let (start, rhs) = start;
    let span = Span {
        start: rhs.start.min(start as u32),
        ..rhs
    };
    Ok(Lowered {
        expr: ast::Expr { kind, span },
        cmp: false,
    })
}

fn led<I: Iterator<Item = Item>>(it: &mut Peekable<I>, lhs: Lowered) -> R<Lowered> {
    let mut span = lhs.expr.span;
    let lhs_expr = Box::new(lhs.expr);
    let (kind, cmp) = match it.next().ok_or(Reject)? {
        Item::Infix(op) => {
            let rhs = pratt(it, infix_prec(op))?;
            let cmp = matches!(op, BinaryOp::Cmp(_) | BinaryOp::In);
            if cmp && (lhs.cmp || rhs.cmp) {
                return Err(Reject);
            }
            span = span.join(rhs.expr.span);
            (ExprKind::Binary(op, lhs_expr, Box::new(rhs.expr)), cmp)
        }
        Item::Field(end, key) => {
            span.end = span.end.max(end as u32);
            (ExprKind::Field(lhs_expr, key), false)
        }
        Item::Index(end, index) => {
            span.end = span.end.max(end as u32);
            (ExprKind::Index(lhs_expr, index), false)
        }
        Item::Is(end, ty) => {
            span.end = span.end.max(end as u32);
            (ExprKind::Is(lhs_expr, ty), false)
        }
        _ => return Err(Reject),
    };
    Ok(Lowered {
        expr: ast::Expr { kind, span },
        cmp,
    })
}

impl Parser<'_> {
    /// One `expr`, with the depth bookkeeping of `Lower::lower_expr`.
    pub(super) fn expr(&mut self) -> R<ast::Expr> {
        let saved_h = std::mem::take(&mut self.h);
        let saved_rel = std::mem::take(&mut self.rel);
        let base = self.items.len();
        let mut ops = 0;
        let mut postfix = self.operand(&mut ops)?;
        let mut infix = false;
        loop {
            let before = self.pos;
            self.skip()?;
            let after = self.pos;
            let Some(op) = self.infix()? else {
                // pest's span keeps the skip before an empty trailing
                // repetition: `postfix*` of the last operand or `(infix …)*`.
                self.pos = if infix && postfix { before } else { after };
                break;
            };
            infix = true;
            self.bump_ops(&mut ops)?;
            self.items.push(Item::Infix(op));
            self.skip_nl()?;
            postfix = self.operand(&mut ops)?;
        }
        let expr = if self.items.len() == base + 1 {
            match self.items.pop() {
                Some(Item::Prim(e)) => e,
                _ => return Err(Reject),
            }
        } else {
            let mut it = self.items.drain(base..).peekable();
            let lowered = pratt(&mut it, 0)?;
            if it.next().is_some() {
                return Err(Reject);
            }
            lowered.expr
        };
        let mine = 1 + ops + self.h;
        self.rel = saved_rel;
        self.h = saved_h;
        self.note_depth(mine);
        Ok(expr)
    }

    fn bump_ops(&self, ops: &mut usize) -> R<()> {
        *ops += 1;
        if *ops + 1 > MAX_EXPR_DEPTH {
            return Err(Reject);
        }
        Ok(())
    }

    /// An infix operator at the cursor, consumed.
    fn infix(&mut self) -> R<Option<BinaryOp>> {
        let two = [self.peek(), self.peek_at(1)];
        let (op, len) = match &two {
            b"or" if self.at_kw("or") => (BinaryOp::Or, 2),
            b"an" if self.at_kw("and") => (BinaryOp::And, 3),
            b"in" if self.at_kw("in") => (BinaryOp::In, 2),
            b"==" => (BinaryOp::Cmp(CmpOp::Eq), 2),
            b"!=" => (BinaryOp::Cmp(CmpOp::Ne), 2),
            b"<=" => (BinaryOp::Cmp(CmpOp::Le), 2),
            b">=" => (BinaryOp::Cmp(CmpOp::Ge), 2),
            [b'<', _] => (BinaryOp::Cmp(CmpOp::Lt), 1),
            [b'>', _] => (BinaryOp::Cmp(CmpOp::Gt), 1),
            [b'+', _] => {
                self.pos += 1;
                self.skip()?;
                if self.peek() == b'=' {
                    return Ok(None);
                }
                return Ok(Some(BinaryOp::Add));
            }
            [b'-', _] => (BinaryOp::Sub, 1),
            [b'*', _] => (BinaryOp::Mul, 1),
            [b'/', _] => (BinaryOp::Div, 1),
            [b'%', _] => (BinaryOp::Rem, 1),
            _ => return Ok(None),
        };
        self.pos += len;
        Ok(Some(op))
    }

    /// `prefix* ~ primary ~ postfix*`, pushed onto the item stack; true if
    /// it ends with a postfix operator.
    fn operand(&mut self, ops: &mut usize) -> R<bool> {
        loop {
            let start = self.pos;
            if self.peek() == b'-' && !self.peek_at(1).is_ascii_digit() {
                self.pos += 1;
                self.items.push(Item::Neg(start));
            } else if self.eat_kw("not") {
                self.items.push(Item::Not(start));
            } else if self.eat_kw("if") {
                self.skip_nl()?;
                let cond = Box::new(self.expr()?);
                self.skip_nl()?;
                if !self.eat_kw("then") {
                    return Err(Reject);
                }
                self.skip_nl()?;
                let then = Box::new(self.expr()?);
                self.skip_nl()?;
                if !self.eat_kw("else") {
                    return Err(Reject);
                }
                self.items.push(Item::If(start, cond, then));
            } else {
                break;
            }
            self.bump_ops(ops)?;
            self.skip_nl_if_if(start)?;
        }
        let prim = self.primary()?;
        self.items.push(Item::Prim(prim));
        let mut postfix = false;
        loop {
            let save = self.pos;
            self.skip()?;
            match self.peek() {
                b'.' => {
                    self.pos += 1;
                    self.skip()?;
                    let key = self.key()?;
                    self.items.push(Item::Field(self.pos, key));
                }
                b'[' => {
                    self.pos += 1;
                    self.skip_nl()?;
                    let index = Box::new(self.expr()?);
                    self.skip_nl()?;
                    self.expect("]")?;
                    self.items.push(Item::Index(self.pos, index));
                }
                b'i' if self.at_kw("is") => {
                    // `kw_is ~ NLS ~ ty`, the type in this expression's frame.
                    self.pos += 2;
                    self.skip_nl()?;
                    let ty = Box::new(self.ty()?);
                    self.items.push(Item::Is(self.pos, ty));
                }
                _ => {
                    self.pos = save;
                    return Ok(postfix);
                }
            }
            postfix = true;
            self.bump_ops(ops)?;
        }
    }

    /// After a prefix: `NLS` if it was an `if … else`, else a plain skip.
    fn skip_nl_if_if(&mut self, start: usize) -> R<()> {
        if self.b.get(start) == Some(&b'i') {
            self.skip_nl()
        } else {
            self.skip()
        }
    }

    /// Literals, lists, objects, parentheses, calls and names.
    fn primary(&mut self) -> R<ast::Expr> {
        let start = self.pos;
        let kind = match self.peek() {
            b'"' => self.string()?,
            b'[' => {
                self.pos += 1;
                self.list_or_comp()?
            }
            b'{' => self.object_or_comp()?,
            b'(' => {
                self.pos += 1;
                self.skip_nl()?;
                let inner = self.expr()?;
                self.skip_nl()?;
                self.expect(")")?;
                inner.kind
            }
            _ if self.at_number() => self.number()?,
            _ => return self.word_primary(),
        };
        Ok(ast::Expr {
            kind,
            span: self.span(start, self.pos),
        })
    }

    /// `true false null self env`, a quantifier, a call or a name.
    fn word_primary(&mut self) -> R<ast::Expr> {
        let start = self.pos;
        let end = self.ident_end().ok_or(Reject)?;
        let kind = match &self.text[start..end] {
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "null" => ExprKind::Null,
            "self" => ExprKind::SelfRef,
            "env" => ExprKind::EnvRef,
            "if" | "then" | "else" | "and" | "or" | "not" | "in" => return Err(Reject),
            word => {
                self.pos = end;
                self.skip()?;
                if self.peek() == b'(' && (word == "all" || word == "any") {
                    // pest tries `quant` first and backtracks to `call`.
                    let mark = self.mark();
                    if let Ok(kind) = self.quant(word == "all") {
                        return Ok(ast::Expr {
                            kind,
                            span: self.span(start, self.pos),
                        });
                    }
                    self.reset(&mark);
                }
                if self.peek() == b'(' {
                    self.pos += 1;
                    let name = ast::Ident {
                        name: self.intern(word),
                        span: self.span(start, end),
                    };
                    ExprKind::Call(name, self.expr_list(b')')?)
                } else {
                    self.pos = end;
                    ExprKind::Name(self.intern(word))
                }
            }
        };
        self.pos = self.pos.max(end);
        Ok(ast::Expr {
            kind,
            span: self.span(start, self.pos),
        })
    }

    /// After an opening bracket: `NLS ~ (expr ~ NLS ~ ("," ~ NLS ~ expr ~
    /// NLS)* ~ ("," ~ NLS)?)? ~ close`.
    pub(super) fn expr_list(&mut self, close: u8) -> R<Vec<ast::Expr>> {
        self.skip_nl()?;
        self.expr_list_rest(Vec::new(), close)
    }

    /// The rest of a bracketed list after `out`, at an element or `close`.
    pub(super) fn expr_list_rest(
        &mut self,
        mut out: Vec<ast::Expr>,
        close: u8,
    ) -> R<Vec<ast::Expr>> {
        while self.peek() != close {
            out.push(self.expr()?);
            self.skip_nl()?;
            if self.peek() != b',' {
                break;
            }
            self.pos += 1;
            self.skip_nl()?;
        }
        if self.peek() != close {
            return Err(Reject);
        }
        self.pos += 1;
        Ok(out)
    }
}
