//! Types for the fast parser (LANGUAGE.md §3): unions of literals, named,
//! list, map, object and parenthesised types, refinements and `?`, with
//! pest's span ends (a rule ending in an empty `optional?` keeps the skip).

use super::{Parser, Reject, R};
use crate::ast::{self, CmpOp, ExprKind};

impl Parser<'_> {
    /// `ty = ty_union ~ !"|" | ty_alts | ty_base`.
    pub(super) fn ty(&mut self) -> R<ast::TypeExpr> {
        let start = self.pos;
        if self.at_literal() {
            let mut members = vec![self.literal()?];
            while self.after_skip_if(b'|')? && self.at_literal_after_bar()? {
                self.pos += 1;
                self.skip_nl()?;
                members.push(self.literal()?);
            }
            let optional = self.optional()?;
            let union = ast::TypeExpr {
                kind: ast::TypeKind::Union(members),
                refinements: Vec::new(),
                optional,
                span: self.span(start, self.pos),
            };
            if !self.after_skip_if(b'|')? {
                return Ok(union);
            }
            // `"auto" | int`: not a union of literals only (`!"|"` fails).
            self.pos = start;
        }
        let (save, h) = (self.pos, self.h);
        let first = self.ty_alt()?;
        if !self.after_skip_if(b'|')? {
            // One member: a plain `ty_base`, lowered one level shallower.
            self.pos = save;
            self.h = h;
            return self.ty_base();
        }
        let mut members = vec![first];
        while self.after_skip_if(b'|')? {
            self.pos += 1;
            self.skip_nl()?;
            members.push(self.ty_alt()?);
        }
        if members.len() == 2 {
            // `("|" ~ NLS ~ ty_alt)+` is one match then `(…)*`: pest keeps
            // the skip before a repetition that matched nothing.
            self.skip()?;
        }
        let optional = members.iter().any(|m| m.optional);
        Ok(ast::TypeExpr {
            kind: ast::TypeKind::AnyOf(members),
            refinements: Vec::new(),
            optional,
            span: self.span(start, self.pos),
        })
    }

    fn at_literal(&self) -> bool {
        self.peek() == b'"' || self.at_number() || self.at_kw("true") || self.at_kw("false")
    }

    /// At `|` of a literal union: whether a literal follows (`"|" ~ NLS ~
    /// ty_lit`); the cursor stays on the `|`.
    fn at_literal_after_bar(&mut self) -> R<bool> {
        let save = self.pos;
        self.pos += 1;
        self.skip_nl()?;
        let lit = self.at_literal();
        self.pos = save;
        Ok(lit)
    }

    /// `ty_alt = _{ ty_lit1 | ty_base }`: a union member (one level deeper).
    fn ty_alt(&mut self) -> R<ast::TypeExpr> {
        if self.at_literal() {
            // `ty_lit1 = { ty_lit ~ optional? }`: the skip before `?` stays.
            let start = self.pos;
            let lit = self.literal()?;
            let optional = self.optional()?;
            return Ok(ast::TypeExpr {
                span: self.span(start, self.pos),
                kind: ast::TypeKind::Union(vec![lit]),
                refinements: Vec::new(),
                optional,
            });
        }
        let saved = self.rel;
        self.rel += 1;
        let ty = self.ty_base();
        self.rel = saved;
        ty
    }

    /// `optional?` at the end of a type rule: pest keeps the skip before it.
    fn optional(&mut self) -> R<bool> {
        self.skip()?;
        let q = self.peek() == b'?';
        if q {
            self.pos += 1;
        }
        Ok(q)
    }

    /// A literal of a type union or refinement (`lower_literal`, depth 0).
    fn literal(&mut self) -> R<ast::Expr> {
        let start = self.pos;
        let saved = std::mem::replace(&mut self.rel, 0);
        let kind = if self.peek() == b'"' {
            self.string()
        } else if self.at_number() {
            self.number()
        } else if self.eat_kw("true") {
            Ok(ExprKind::Bool(true))
        } else if self.eat_kw("false") {
            Ok(ExprKind::Bool(false))
        } else {
            Err(Reject)
        };
        self.rel = saved;
        Ok(ast::Expr {
            kind: kind?,
            span: self.span(start, self.pos),
        })
    }

    /// Skips, then `kw ~ "["` if both are there (else restores).
    fn kw_bracket(&mut self, kw: &str) -> R<bool> {
        let save = self.pos;
        if self.eat_kw(kw) && self.after_skip_if(b'[')? {
            self.pos += 1;
            return Ok(true);
        }
        self.pos = save;
        Ok(false)
    }

    /// A list, map, object, parenthesised or named type with suffixes.
    fn ty_base(&mut self) -> R<ast::TypeExpr> {
        let start = self.pos;
        let empty = self.span(start, start);
        let plain = |kind| ast::TypeExpr {
            kind,
            refinements: Vec::new(),
            optional: false,
            span: empty,
        };
        self.rel += 1;
        let is_list = self.kw_bracket("list")?;
        let mut ty = if is_list || self.kw_bracket("map")? {
            self.skip_nl()?;
            let elem = Box::new(self.ty()?);
            self.skip_nl()?;
            self.expect("]")?;
            plain(if is_list {
                ast::TypeKind::List(elem)
            } else {
                ast::TypeKind::Map(elem)
            })
        } else if self.peek() == b'{' {
            plain(ast::TypeKind::Object(self.braced(Self::schema_item)?))
        } else if self.peek() == b'(' {
            self.pos += 1;
            self.skip_nl()?;
            let inner = self.ty()?;
            self.skip_nl()?;
            self.expect(")")?;
            inner
        } else {
            plain(ast::TypeKind::Named(self.qual_name()?))
        };
        self.rel -= 1;
        if self.after_skip_if(b'(')? {
            self.pos += 1;
            self.refinements(&mut ty.refinements)?;
        }
        if self.optional()? {
            ty.optional = true;
        }
        ty.span = self.span(start, self.pos);
        Ok(ty)
    }

    /// After `(`: `NLS ~ predicate ~ NLS ~ ("," ~ NLS ~ predicate ~ NLS)* ~
    /// ("," ~ NLS)? ~ ")"`.
    fn refinements(&mut self, out: &mut Vec<ast::Predicate>) -> R<()> {
        self.skip_nl()?;
        loop {
            out.push(self.predicate()?);
            self.skip_nl()?;
            if self.peek() != b',' {
                break;
            }
            self.pos += 1;
            self.skip_nl()?;
            if self.peek() == b')' {
                break;
            }
        }
        self.expect(")")
    }

    fn predicate(&mut self) -> R<ast::Predicate> {
        let start = self.pos;
        let kind = if self.eat_kw("len") {
            self.skip()?;
            let op = self.cmp_op()?;
            self.skip()?;
            ast::PredicateKind::Len(op, self.literal()?)
        } else if self.eat_kw("matches") {
            self.skip()?;
            ast::PredicateKind::Matches(self.quoted()?)
        } else if self.eat_kw("unique") {
            ast::PredicateKind::Unique
        } else {
            let op = self.cmp_op()?;
            self.skip()?;
            ast::PredicateKind::Compare(op, self.literal()?)
        };
        let span = self.span(start, self.pos);
        Ok(ast::Predicate { kind, span })
    }

    fn cmp_op(&mut self) -> R<CmpOp> {
        for (s, op) in [
            ("==", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<=", CmpOp::Le),
            (">=", CmpOp::Ge),
            ("<", CmpOp::Lt),
            (">", CmpOp::Gt),
        ] {
            if self.eat(s) {
                return Ok(op);
            }
        }
        Err(Reject)
    }
}
