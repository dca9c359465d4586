//! Lowering of lists, objects and their comprehensions, and of the
//! quantifiers `all`/`any` (LANGUAGE.md §9.6).

use pest::iterators::Pair;

use super::{next, parts, Lower, Nesting, Res};
use crate::ast::{self, ExprKind};
use crate::syntax::error;
use crate::syntax::grammar::Rule;

impl Lower<'_> {
    /// `list`, `object` or `quant`: a plain list or object, or one with a
    /// trailing `comp` (a comprehension), or `all(x in L: c)`.
    pub(super) fn lower_collection(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ExprKind> {
        let rule = pair.as_rule();
        let children: Vec<_> = pair.into_inner().collect();
        let is_comp = children.last().is_some_and(|p| p.as_rule() == Rule::comp);
        match rule {
            Rule::quant => {
                let mut it = children.into_iter().filter(|p| p.as_rule() != Rule::op_in);
                let all = next(&mut it, "quantifier").as_rule() == Rule::kw_all;
                let vars = next(&mut it, "quantifier variables");
                let span = self.span(&vars);
                let vars = self.lower_comp_vars(vars);
                let iter = self.lower_expr(next(&mut it, "quantified list"), depth + 1)?;
                let span = span.join(iter.span);
                let cond = self.lower_expr(next(&mut it, "quantifier condition"), depth + 1)?;
                let comp = ast::Comprehension {
                    vars,
                    iter,
                    cond: None,
                    span,
                };
                Ok(ExprKind::Quant(all, Box::new(comp), Box::new(cond)))
            }
            Rule::list if is_comp => {
                let mut it = children.into_iter();
                let elem = self.lower_expr(next(&mut it, "comprehension element"), depth + 1)?;
                let comp = self.lower_comp(next(&mut it, "comprehension"), depth)?;
                Ok(ExprKind::ListComp(Box::new(elem), Box::new(comp)))
            }
            Rule::list => Ok(ExprKind::List(
                children
                    .into_iter()
                    .map(|p| self.lower_expr(p, depth))
                    .collect::<Res<_>>()?,
            )),
            Rule::object if is_comp => {
                let mut it = children.into_iter();
                let stmt = next(&mut it, "comprehension entry");
                let comp = self.lower_comp(next(&mut it, "comprehension"), depth)?;
                let (key, value) = self.lower_comp_entry(stmt, depth)?;
                Ok(ExprKind::MapComp(key, Box::new(value), Box::new(comp)))
            }
            _ => Ok(ExprKind::Object(self.lower_body(
                children.into_iter(),
                depth,
                Nesting::Object,
            )?)),
        }
    }

    /// The `key = value` of a map comprehension: one key, `=`, a value.
    fn lower_comp_entry(&self, stmt: Pair<'_, Rule>, depth: usize) -> Res<(ast::Key, ast::Expr)> {
        let span = self.span(&stmt);
        let refuse = |what: &str| {
            Box::new(
                error::syntax(span, format!("a map comprehension entry cannot be {what}"))
                    .with_help(
                        "write one `key = value` before `for`: `{ k = v * 2 for k, v in m }`",
                    ),
            )
        };
        match stmt.as_rule() {
            Rule::path_stmt => {}
            Rule::unset_stmt => return Err(refuse("`unset`")),
            _ => return Err(refuse("an `env` block")),
        }
        let mut it = stmt.into_inner();
        let path = next(&mut it, "path");
        if path.clone().into_inner().count() != 1 {
            return Err(refuse("a dotted path"));
        }
        let key = self.lower_key(next(&mut path.into_inner(), "key"))?;
        match it.next() {
            Some(op) if op.as_rule() == Rule::assign_op && op.as_str() == "=" => {}
            Some(op) if op.as_rule() == Rule::assign_op => {
                return Err(refuse(&format!("`{}`", op.as_str())))
            }
            _ => return Err(refuse("a block")),
        }
        let value = self.lower_expr(next(&mut it, "entry value"), depth + 1)?;
        Ok((key, value))
    }

    /// `for x in L if cond`.
    fn lower_comp(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::Comprehension> {
        let span = self.span(&pair);
        let mut it = parts(pair);
        let vars = self.lower_comp_vars(next(&mut it, "comprehension variables"));
        let iter = self.lower_expr(next(&mut it, "comprehension source"), depth + 1)?;
        let cond = it
            .next()
            .map(|p| self.lower_expr(p, depth + 1))
            .transpose()?;
        Ok(ast::Comprehension {
            vars,
            iter,
            cond,
            span,
        })
    }

    /// `x` or `k, v`.
    fn lower_comp_vars(&self, pair: Pair<'_, Rule>) -> Vec<ast::Ident> {
        pair.into_inner().map(|p| self.lower_ident(&p)).collect()
    }
}
