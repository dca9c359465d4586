//! Lowering of types (`ty` and below in `grammar/mcfg.pest`).

use pest::iterators::Pair;

use super::{cmp_op, next, parts, Lower, Res};
use crate::ast;
use crate::syntax::grammar::Rule;

impl Lower<'_> {
    // ------------------------------------------------------------ types

    /// `ty`: a union of literals or a single type.
    pub(super) fn lower_ty(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::TypeExpr> {
        let inner = next(&mut pair.into_inner(), "type");
        match inner.as_rule() {
            Rule::ty_union => self.lower_ty_union(inner),
            Rule::ty_base => self.lower_ty_base(inner, depth),
            Rule::ty_alts => self.lower_ty_alts(inner, depth),
            other => unreachable!("grammar: type {other:?}"),
        }
    }

    /// `int | string | "auto"`: a general union (LANGUAGE.md §9.4). It is
    /// optional when a member is (`int | string?`).
    fn lower_ty_alts(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::TypeExpr> {
        let span = self.span(&pair);
        let mut members = Vec::new();
        for p in pair.into_inner() {
            members.push(match p.as_rule() {
                Rule::ty_lit1 => {
                    // `"all"?`: a literal member may make the union optional.
                    let span = self.span(&p);
                    let mut inner = p.into_inner();
                    let lit = next(&mut inner, "literal member");
                    let optional = inner.next().is_some();
                    ast::TypeExpr {
                        kind: ast::TypeKind::Union(vec![self.lower_literal(lit)?]),
                        refinements: Vec::new(),
                        optional,
                        span,
                    }
                }
                Rule::ty_base => self.lower_ty_base(p, depth + 1)?,
                other => unreachable!("grammar: union member {other:?}"),
            });
        }
        let optional = members.iter().any(|m| m.optional);
        Ok(ast::TypeExpr {
            kind: ast::TypeKind::AnyOf(members),
            refinements: Vec::new(),
            optional,
            span,
        })
    }

    /// `"a" | "b" | 3 | true`, possibly followed by `?`.
    pub(super) fn lower_ty_union(&self, pair: Pair<'_, Rule>) -> Res<ast::TypeExpr> {
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
    pub(super) fn lower_ty_base(&self, pair: Pair<'_, Rule>, depth: usize) -> Res<ast::TypeExpr> {
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
    pub(super) fn lower_refinements(&self, pair: Pair<'_, Rule>) -> Res<Vec<ast::Predicate>> {
        pair.into_inner().map(|p| self.lower_predicate(p)).collect()
    }

    /// One refinement predicate.
    pub(super) fn lower_predicate(&self, pair: Pair<'_, Rule>) -> Res<ast::Predicate> {
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
}
