//! Values against unions and object types: the member a tag picks (§9.4),
//! the first member a value fits, and an object's fields, defaults and
//! `check`s.

use crate::diagnostics::Code;
use crate::suggest;
use crate::types::{ObjId, Ty, TyId};

use super::super::expr::{self, Scope};
use super::super::value::Fields;
use super::{lit_eq, Checker, Seg, Value};

impl<'a> Checker<'_, '_, 'a> {
    /// An object checked against the member of union `ty` its tag names (§9.4).
    pub(super) fn tagged(&mut self, ty: TyId, members: &[TyId], m: Fields) -> Value {
        let prog = self.cx.prog;
        let t = prog.ty(ty);
        let tagged = &prog.tags[&ty];
        let member = m.get(&tagged.field).and_then(|tag| {
            tagged
                .members
                .iter()
                .find(|(l, _)| lit_eq(l, tag))
                .map(|(_, o)| *o)
        });
        let member_ty = member.and_then(|o| {
            members
                .iter()
                .copied()
                .find(|&t| prog.ty(t).ty == Ty::Object(o))
        });
        if let Some(t) = member_ty {
            return self.check(Value::Object(m), t);
        }
        let found = m.get(&tagged.field).map_or("no tag".to_owned(), |v| {
            format!("tag `{}` = {}", tagged.field, v.short())
        });
        let msg = format!(
            "`{}` expects one of the members of {}, found an object with {found}",
            self.where_(),
            prog.ty_name(ty)
        );
        self.problem(
            Code::TypeMismatch,
            msg,
            Some(format!(
                "set `{}` to one of {}",
                tagged.field,
                tagged.tag_list()
            )),
            Some((t.span, "union declared here".to_owned())),
        );
        Value::Object(m)
    }

    /// The value checked against the first member of a union it fits
    /// without any problem (§9.4), or the value back when none does.
    pub(super) fn first_fit(&mut self, members: &[TyId], v: Value) -> Result<Value, Value> {
        let before = self.problems.len();
        for &m in members {
            let out = self.check(v.clone(), m);
            if self.problems.len() == before {
                return Ok(out);
            }
            self.problems.truncate(before);
        }
        Err(v)
    }

    pub(super) fn object(&mut self, obj: ObjId, mut m: Fields) -> Value {
        let prog = self.cx.prog;
        let o = prog.obj(obj);
        for (k, _) in &m {
            if o.fields.contains_key(k) {
                continue;
            }
            self.path.push(Seg::Key(k.clone()));
            let mut help = None;
            if let Some(s) = suggest::closest(k, o.fields.keys().map(|f| &**f)) {
                help = Some(format!("did you mean `{s}`?"));
            }
            let what = o
                .name
                .as_ref()
                .map_or("this object type".to_owned(), |n| format!("schema `{n}`"));
            let msg = format!("unknown field `{k}`: {what} declares no such field");
            self.problem(
                Code::UnknownField,
                msg,
                help,
                Some((o.span, format!("{what} declared here"))),
            );
            self.path.pop();
        }
        let mut out = crate::map::with_capacity(o.fields.len());
        for (name, field) in &o.fields {
            self.path.push(Seg::Key(name.clone()));
            let value = match m.swap_remove(name) {
                Some(v) => Some(v),
                None => match field.default {
                    Some(d) => {
                        let scope = Scope::Value {
                            obj: &out,
                            ty: Some(obj),
                            ce: self.ce,
                        };
                        expr::eval(self.cx, &scope, d).ok()
                    }
                    // Absent, not null (LANGUAGE.md §9.1).
                    None if prog.ty(field.ty).optional => None,
                    None => {
                        let msg = format!("missing field `{}`", self.where_());
                        let help = Some(format!("set `{name}`; it has no default"));
                        self.problem(
                            Code::MissingField,
                            msg,
                            help,
                            Some((field.name_span, "declared here".to_owned())),
                        );
                        None
                    }
                },
            };
            if let Some(v) = value {
                let c = self.check(v, field.ty);
                out.insert(name.clone(), c);
            }
            self.path.pop();
        }
        for check in &o.checks {
            let scope = Scope::Value {
                obj: &out,
                ty: Some(obj),
                ce: self.ce,
            };
            match expr::eval(self.cx, &scope, check.cond) {
                Ok(Value::Bool(true)) | Err(_) => {}
                Ok(_) => {
                    let msg = match check.message {
                        Some(m) => format!("check failed for `{}`: {m}", self.where_()),
                        None => format!("check failed for `{}`", self.where_()),
                    };
                    self.problem(
                        Code::CheckFailed,
                        msg,
                        None,
                        Some((check.span, "check declared here".to_owned())),
                    );
                }
            }
        }
        Value::Object(out)
    }
}
