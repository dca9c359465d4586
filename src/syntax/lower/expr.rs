//! Lowering of expressions and literals (`expr` and below in
//! `grammar/mcfg.pest`), operators through the Pratt parser.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{cmp_op, next, parts, Lower, Res};
use crate::ast::{self, BinaryOp, ExprKind, StrPart, UnaryOp};
use crate::source::Span;
use crate::syntax::error;
use crate::syntax::grammar::Rule;
use crate::syntax::literal::{self, RawPart};

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
            .op(Op::postfix(Rule::is_test))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left)
                | Op::infix(Rule::op_div, Assoc::Left)
                | Op::infix(Rule::op_rem, Assoc::Left))
            .op(Op::prefix(Rule::neg))
            .op(Op::postfix(Rule::field_access) | Op::postfix(Rule::index))
    })
}

fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::neg
            | Rule::not
            | Rule::if_head
            | Rule::field_access
            | Rule::index
            | Rule::is_test
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

impl Lower<'_> {
    // ------------------------------------------------------ expressions

    /// `expr_text`: one expression alone (a `--set` value).
    pub(in crate::syntax) fn lower_expr_text(&self, pairs: &mut Pairs<'_, Rule>) -> Res<ast::Expr> {
        let text = next(pairs, "expr_text");
        let mut inner = text.into_inner();
        let expr = next(&mut inner, "expr");
        self.lower_expr(expr, 0)
    }

    /// `expr`: operators and operands, through the Pratt parser.
    pub(super) fn lower_expr(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Expr> {
        let start = pair.as_span().start();
        let pairs = pair.into_inner();
        // Each operator can add one level to the tree; refuse before recursing.
        let ops = pairs.clone().filter(|p| is_operator(p.as_rule())).count();
        let depth = depth + 1 + ops;
        if depth > crate::syntax::MAX_EXPR_DEPTH {
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

    pub(super) fn lower_exprs(&self, pairs: Pairs<'_, Rule>, depth: usize) -> Res<Vec<ast::Expr>> {
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
            Rule::is_test => {
                let ty = self.lower_ty(next(&mut parts(op), "tested type"), depth)?;
                ExprKind::Is(lhs, Box::new(ty))
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
            Rule::list | Rule::object | Rule::quant => self.lower_collection(pair, depth)?,
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
    pub(super) fn lower_literal(&self, pair: Pair<'_, Rule>) -> Res<ast::Expr> {
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
    pub(super) fn plain_string(&self, pair: Pair<'_, Rule>) -> Res<(String, Span)> {
        let span = self.span(&pair);
        match self.lower_string(pair, 0)? {
            ExprKind::Str(s) => Ok((s.to_string(), span)),
            _ => Err(Box::new(
                error::syntax(span, "interpolation `${…}` is not allowed in this string")
                    .with_help("write `\\$` for a literal `$`"),
            )),
        }
    }
}
