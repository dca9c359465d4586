//! Lowering of `type`, `schema` and inline object types into the type arenas.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{self, Decl, ExprKind, PredicateKind, SchemaItem, TypeExpr, TypeKind, UnaryOp};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::suggest;
use crate::types::{Check, Field, Lit, Markers, ObjId, ObjTy, Pred, PredKind, Ty, TyId, TyRef};

use super::{Item, Program};

const BUILTINS: &[&str] = &[
    "bool", "int", "float", "string", "duration", "secret", "any",
];
const MARKERS: &[&str] = &["invariant", "distinct", "runtime", "deprecated"];

struct Lowering<'a> {
    /// Per schema ObjId: its declaration and file.
    schema_decls: Vec<(&'a ast::SchemaDecl, FileId)>,
    in_progress: Vec<bool>,
}

/// Lowers every schema and alias of the program.
pub(super) fn lower_all<'a>(diags: &mut Diagnostics, prog: &mut Program<'a>) {
    let project = prog.project;
    let mut schema_decls = Vec::new();
    for file in &project.files {
        let Some(ast) = &file.ast else { continue };
        for decl in &ast.decls {
            if let Decl::Schema(s) = decl {
                schema_decls.push((s, file.id));
            }
        }
    }
    let n = schema_decls.len();
    let mut low = Lowering {
        schema_decls,
        in_progress: vec![false; n],
    };
    for id in 0..n {
        lower_schema(diags, prog, &mut low, ObjId(id as u32));
    }
    for id in 0..n {
        let obj = ObjId(id as u32);
        let span = prog.obj(obj).span;
        let ty = prog.add_ty(TyRef::plain(Ty::Object(obj), span));
        prog.schema_tys.insert(obj, ty);
    }
    for idx in 0..prog.aliases.len() {
        resolve_alias(diags, prog, &mut low, idx as u32, None);
    }
    prog.infinite_objs = containment_cycles(diags, prog);
    let bodies: Vec<_> = prog.configs.iter().map(|c| (c.decl, c.file)).collect();
    for (decl, file) in bodies {
        lower_declared(diags, prog, &mut low, file, &decl.body);
    }
}

/// Lowers the types of `path: TYPE` declarations in a config body and its
/// nested blocks (those in `env` blocks are refused in `configs.rs`).
fn lower_declared<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    file: FileId,
    body: &'a [ast::Stmt],
) {
    for stmt in body {
        match stmt {
            ast::Stmt::Declare(d) if !super::configs::one_literal(&d.ty) => {
                let ty = lower_type(diags, prog, low, file, &d.ty);
                prog.decl_tys.insert(d.span, ty);
            }
            ast::Stmt::Block(b) => lower_declared(diags, prog, low, file, &b.body),
            ast::Stmt::Declare(_) | ast::Stmt::Assign(_) | ast::Stmt::Env(_) => {}
        }
    }
}

/// A DFS frame: object, its required object-typed fields (target, type span),
/// and the index of the next field to follow.
type Frame = (usize, Vec<(ObjId, Span)>, usize);

/// Object types that contain themselves through required object fields can
/// never be complete: each such cycle is a `mcfg::cycle`, reported once at the
/// field that closes it. Returns every object type that reaches such a cycle.
fn containment_cycles(diags: &mut Diagnostics, prog: &Program<'_>) -> indexmap::IndexSet<ObjId> {
    let n = prog.objs.len();
    let edges = |o: usize| -> Vec<(ObjId, Span)> {
        prog.objs[o]
            .fields
            .values()
            .filter_map(|f| {
                let t = prog.ty(f.ty);
                match t.ty {
                    Ty::Object(to) if !t.optional => Some((to, t.span)),
                    _ => None,
                }
            })
            .collect()
    };
    // 0 = new, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    let mut infinite = indexmap::IndexSet::new();
    let mut reported: Vec<Vec<usize>> = Vec::new();
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<Frame> = vec![(start, edges(start), 0)];
        state[start] = 1;
        while let Some((node, out, next)) = stack.last_mut() {
            let Some(&(to, span)) = out.get(*next) else {
                state[*node] = 2;
                let node = *node;
                stack.pop();
                if let Some((parent, _, _)) = stack.last() {
                    if infinite.contains(&ObjId(node as u32)) {
                        infinite.insert(ObjId(*parent as u32));
                    }
                }
                continue;
            };
            *next += 1;
            let t = to.0 as usize;
            match state[t] {
                0 => {
                    state[t] = 1;
                    stack.push((t, edges(t), 0));
                }
                1 => {
                    let mut members: Vec<usize> = stack
                        .iter()
                        .map(|(o, _, _)| *o)
                        .skip_while(|o| *o != t)
                        .collect();
                    members.sort_unstable();
                    if reported.contains(&members) {
                        continue;
                    }
                    reported.push(members);
                    let names: Vec<String> = stack
                        .iter()
                        .skip_while(|(o, _, _)| *o != t)
                        .map(|(o, _, _)| obj_name(prog, *o))
                        .chain(std::iter::once(obj_name(prog, t)))
                        .collect();
                    let cycle: Vec<&Frame> = stack.iter().skip_while(|(o, _, _)| *o != t).collect();
                    for (o, _, _) in &cycle {
                        infinite.insert(ObjId(*o as u32));
                    }
                    let mut d = Diagnostic::error(
                        Code::Cycle,
                        span,
                        format!(
                            "schema contains itself through required fields: {}",
                            names.join(" → ")
                        ),
                    )
                    .with_help("make the field optional (`T?`) or a list, so a value can end");
                    // The other fields of the cycle (the last frame's edge is `span`).
                    for (o, out, next) in &cycle[..cycle.len().saturating_sub(1)] {
                        if let Some((to, s)) = next.checked_sub(1).and_then(|i| out.get(i)) {
                            let msg = format!(
                                "`{}` contains `{}` here",
                                obj_name(prog, *o),
                                obj_name(prog, to.0 as usize)
                            );
                            d = d.with_label(*s, msg);
                        }
                    }
                    diags.push(d);
                }
                _ => {
                    if infinite.contains(&to) {
                        infinite.insert(ObjId(*node as u32));
                    }
                }
            }
        }
    }
    infinite
}

fn obj_name(prog: &Program<'_>, o: usize) -> String {
    prog.objs[o].name.as_deref().unwrap_or("object").to_owned()
}

fn lower_schema<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    id: ObjId,
) {
    let i = id.0 as usize;
    if prog.objs[i].complete || low.in_progress[i] {
        return;
    }
    low.in_progress[i] = true;
    let (decl, file) = low.schema_decls[i];
    let mut obj = ObjTy {
        name: Some(decl.name.name.clone()),
        parent: None,
        fields: IndexMap::new(),
        checks: Vec::new(),
        doc: decl.doc.clone(),
        span: decl.name.span,
        complete: false,
    };
    if let Some(parent) = &decl.parent {
        match prog.lookup(file, parent) {
            Ok(Item::Schema(pid)) => {
                if low.in_progress[pid.0 as usize] {
                    diags.push(
                        Diagnostic::error(
                            Code::Cycle,
                            parent.span,
                            format!("schema `{}` extends itself", decl.name.name),
                        )
                        .with_help("remove one `extends` from the cycle"),
                    );
                } else {
                    lower_schema(diags, prog, low, pid);
                    let p = prog.obj(pid);
                    obj.fields = p.fields.clone();
                    obj.checks = p.checks.clone();
                    obj.parent = Some(pid);
                }
            }
            Ok(_) => diags.push(Diagnostic::error(
                Code::TypeMismatch,
                parent.span,
                format!("`{}` is not a schema", qual(parent)),
            )),
            Err(_) if prog.lookup_is_follow_on(file, parent.parts.iter().map(|p| &*p.name)) => {}
            Err(d) => diags.push(d),
        }
    }
    let inherited = obj.fields.len();
    lower_items(diags, prog, low, file, &decl.items, &mut obj, inherited);
    obj.complete = true;
    prog.objs[i] = obj;
    low.in_progress[i] = false;
}

fn qual(q: &ast::QualName) -> String {
    q.parts
        .iter()
        .map(|p| &*p.name)
        .collect::<Vec<_>>()
        .join(".")
}

fn lower_items<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    file: FileId,
    items: &'a [SchemaItem],
    obj: &mut ObjTy<'a>,
    inherited: usize,
) {
    for item in items {
        match item {
            SchemaItem::Check(c) => obj.checks.push(Check {
                cond: &c.cond,
                message: c.message.as_deref(),
                span: c.span,
            }),
            SchemaItem::Field(f) => lower_field(diags, prog, low, file, f, obj, inherited),
        }
    }
}

fn lower_field<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    file: FileId,
    f: &'a ast::FieldDecl,
    obj: &mut ObjTy<'a>,
    inherited: usize,
) {
    let markers = lower_markers(diags, &f.markers);
    let existing = obj.fields.get_index_of(&f.name.name);
    let Some(ty_expr) = &f.ty else {
        // `name = value`: a new default for an inherited field.
        match existing.and_then(|i| obj.fields.get_index_mut(i)) {
            Some((_, field)) => {
                field.default = f.default.as_ref();
                merge_markers(&mut field.markers, markers);
            }
            None => diags.push(unknown_inherited(obj, f)),
        }
        return;
    };
    if let Some(i) = existing {
        let (_, prev) = obj.fields.get_index(i).expect("index from get_index_of");
        let msg = if i < inherited {
            format!("`{}` is inherited; a schema that extends another may give it a new default, not a new type", f.name.name)
        } else {
            format!("field `{}` is declared twice", f.name.name)
        };
        diags.push(
            Diagnostic::error(Code::Duplicate, f.name.span, msg)
                .with_label(prev.name_span, "first declared here")
                .with_help(format!(
                    "write `{} = <value>` to change only the default",
                    f.name.name
                )),
        );
        return;
    }
    let ty = lower_type(diags, prog, low, file, ty_expr);
    obj.fields.insert(
        f.name.name.clone(),
        Field {
            name: f.name.name.clone(),
            ty,
            default: f.default.as_ref(),
            markers,
            doc: f.doc.clone(),
            span: f.span,
            name_span: f.name.span,
        },
    );
}

fn merge_markers(into: &mut Markers, extra: Markers) {
    into.invariant = into.invariant.or(extra.invariant);
    into.distinct = into.distinct.or(extra.distinct);
    into.runtime = into.runtime.or(extra.runtime);
    if extra.deprecated.is_some() {
        into.deprecated = extra.deprecated;
    }
}

fn unknown_inherited(obj: &ObjTy<'_>, f: &ast::FieldDecl) -> Diagnostic {
    let mut diag = if obj.parent.is_some() {
        Diagnostic::error(
            Code::UnknownField,
            f.name.span,
            format!("`{}` is not a field of the parent schema", f.name.name),
        )
    } else {
        Diagnostic::error(
            Code::TypeMismatch,
            f.name.span,
            format!("field `{}` has no type", f.name.name),
        )
        .with_help(format!(
            "declare it as `{}: <type> = <default>`",
            f.name.name
        ))
    };
    if let Some(s) = suggest::closest(&f.name.name, obj.fields.keys().map(|k| &**k)) {
        diag = diag.with_help(format!("did you mean `{s}`?"));
    }
    diag
}

fn lower_markers(diags: &mut Diagnostics, markers: &[ast::Marker]) -> Markers {
    let mut out = Markers::default();
    for m in markers {
        match &*m.name.name {
            "invariant" => out.invariant = Some(m.span),
            "distinct" => out.distinct = Some(m.span),
            "runtime" => out.runtime = Some(m.span),
            "deprecated" => {
                let msg = match m.args.first().map(|a| &a.kind) {
                    Some(ExprKind::Str(s)) => s.to_string(),
                    _ => String::new(),
                };
                out.deprecated = Some((m.span, msg));
            }
            other => {
                let mut d = Diagnostic::error(
                    Code::UnresolvedName,
                    m.name.span,
                    format!("unknown marker `@{other}`"),
                )
                .with_help(format!(
                    "markers are {}",
                    MARKERS
                        .iter()
                        .map(|m| format!("@{m}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                if let Some(s) = suggest::closest(other, MARKERS.iter().copied()) {
                    d = d.with_help(format!("did you mean `@{s}`?"));
                }
                diags.push(d);
            }
        }
    }
    out
}

/// Resolves alias `idx` to a type id (the alias's own type, refinements included).
fn resolve_alias<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    idx: u32,
    use_span: Option<Span>,
) -> TyId {
    let alias = &prog.aliases[idx as usize];
    if let Some(t) = alias.resolved {
        return t;
    }
    let (decl, file) = (alias.decl, alias.file);
    if alias.resolving {
        diags.push(
            Diagnostic::error(
                Code::Cycle,
                use_span.unwrap_or(decl.name.span),
                format!("type `{}` refers to itself", decl.name.name),
            )
            .with_label(decl.name.span, "declared here"),
        );
        return prog.add_ty(TyRef::plain(Ty::Error, decl.name.span));
    }
    prog.aliases[idx as usize].resolving = true;
    let ty = lower_type(diags, prog, low, file, &decl.ty);
    prog.aliases[idx as usize].resolving = false;
    prog.aliases[idx as usize].resolved = Some(ty);
    ty
}

/// Lowers a type expression written in `file`.
fn lower_type<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    file: FileId,
    te: &'a TypeExpr,
) -> TyId {
    let mut base = match &te.kind {
        TypeKind::Named(q) => named_type(diags, prog, low, file, q),
        TypeKind::List(e) => TyRef::plain(Ty::List(lower_type(diags, prog, low, file, e)), te.span),
        TypeKind::Map(e) => TyRef::plain(Ty::Map(lower_type(diags, prog, low, file, e)), te.span),
        TypeKind::Union(items) => {
            let lits = items.iter().filter_map(|e| {
                const_lit(e).or_else(|| {
                    diags.push(Diagnostic::error(
                        Code::TypeMismatch,
                        e.span,
                        "a union lists literal strings, numbers or bools",
                    ));
                    None
                })
            });
            TyRef::plain(Ty::Union(lits.collect()), te.span)
        }
        TypeKind::AnyOf(members) => {
            let ids = members
                .iter()
                .map(|m| lower_type(diags, prog, low, file, m))
                .collect();
            TyRef::plain(Ty::AnyOf(ids), te.span)
        }
        TypeKind::Object(items) => {
            let id = ObjId(prog.objs.len() as u32);
            prog.objs.push(ObjTy {
                name: None,
                parent: None,
                fields: IndexMap::new(),
                checks: Vec::new(),
                doc: None,
                span: te.span,
                complete: false,
            });
            let mut obj = prog.objs[id.0 as usize].clone();
            lower_items(diags, prog, low, file, items, &mut obj, 0);
            obj.complete = true;
            prog.objs[id.0 as usize] = obj;
            TyRef::plain(Ty::Object(id), te.span)
        }
    };
    base.span = te.span;
    base.optional |= te.optional;
    for p in &te.refinements {
        if let Some(pred) = lower_pred(diags, prog, &base.ty, p) {
            base.preds.push(pred);
        }
    }
    prog.add_ty(base)
}

fn named_type<'a>(
    diags: &mut Diagnostics,
    prog: &mut Program<'a>,
    low: &mut Lowering<'a>,
    file: FileId,
    q: &'a ast::QualName,
) -> TyRef {
    if let [only] = q.parts.as_slice() {
        let builtin = match &*only.name {
            "bool" => Some(Ty::Bool),
            "int" => Some(Ty::Int),
            "float" => Some(Ty::Float),
            "string" => Some(Ty::Str),
            "duration" => Some(Ty::Duration),
            "secret" => Some(Ty::Secret),
            "any" => Some(Ty::Any),
            _ => None,
        };
        if let Some(ty) = builtin {
            return TyRef::plain(ty, q.span);
        }
    }
    match prog.lookup(file, q) {
        Ok(Item::Schema(id)) => TyRef::plain(Ty::Object(id), q.span),
        Ok(Item::Alias(idx)) => {
            let t = resolve_alias(diags, prog, low, idx, Some(q.span));
            prog.ty(t).clone()
        }
        Ok(Item::Config(_) | Item::Module(_)) => {
            diags.push(Diagnostic::error(
                Code::TypeMismatch,
                q.span,
                format!("`{}` is not a type", qual(q)),
            ));
            TyRef::plain(Ty::Error, q.span)
        }
        Err(_) if prog.lookup_is_follow_on(file, q.parts.iter().map(|p| &*p.name)) => {
            TyRef::plain(Ty::Error, q.span)
        }
        Err(mut d) => {
            if q.parts.len() == 1 {
                if let Some(s) = suggest::closest(&q.parts[0].name, BUILTINS.iter().copied()) {
                    d = d.with_help(format!("did you mean `{s}`?"));
                }
            }
            diags.push(d);
            TyRef::plain(Ty::Error, q.span)
        }
    }
}

/// The literal value of a constant expression (`1`, `-2.5`, `"a"`, `true`, `30s`).
pub fn const_lit(e: &ast::Expr) -> Option<Lit> {
    match &e.kind {
        ExprKind::Bool(b) => Some(Lit::Bool(*b)),
        ExprKind::Int(i) => Some(Lit::Int(*i)),
        ExprKind::Float(f) => Some(Lit::Float(*f)),
        ExprKind::Str(s) => Some(Lit::Str(s.clone())),
        ExprKind::Duration(d) => Some(Lit::Duration(*d)),
        ExprKind::Unary(UnaryOp::Neg, inner) => match const_lit(inner)? {
            Lit::Int(i) => i.checked_neg().map(Lit::Int),
            Lit::Float(f) => Some(Lit::Float(-f)),
            Lit::Duration(d) => d.checked_neg().map(Lit::Duration),
            Lit::Bool(_) | Lit::Str(_) => None,
        },
        _ => None,
    }
}

fn lower_pred(
    diags: &mut Diagnostics,
    prog: &Program<'_>,
    ty: &Ty,
    p: &ast::Predicate,
) -> Option<Pred> {
    let applies = |diags: &mut Diagnostics, ok: bool, what: &str| -> Option<()> {
        if ok {
            return Some(());
        }
        let name = match ty {
            Ty::Object(o) => prog.obj(*o).name.as_deref().unwrap_or("object").to_owned(),
            other => format!("{other:?}").to_lowercase(),
        };
        diags.push(Diagnostic::error(
            Code::TypeMismatch,
            p.span,
            format!("{what} does not apply to `{name}`"),
        ));
        None
    };
    let is_any = matches!(ty, Ty::Any | Ty::Error);
    let kind = match &p.kind {
        PredicateKind::Compare(op, e) => {
            let Some(lit) = const_lit(e) else {
                diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    "a refinement compares with a literal",
                ));
                return None;
            };
            let ok = match (ty, &lit) {
                (Ty::Int | Ty::Float, Lit::Int(_) | Lit::Float(_)) => true,
                (Ty::Duration, Lit::Duration(_) | Lit::Int(_) | Lit::Float(_)) => true,
                (Ty::Str, Lit::Str(_)) | (Ty::Bool, Lit::Bool(_)) | (Ty::Union(_), _) => true,
                _ => is_any,
            };
            applies(diags, ok, &format!("`{} {lit}`", op.as_str()))?;
            PredKind::Compare(*op, lit)
        }
        PredicateKind::Len(op, e) => {
            applies(
                diags,
                is_any || matches!(ty, Ty::Str | Ty::List(_) | Ty::Map(_)),
                "`len`",
            )?;
            let Some(Lit::Int(n)) = const_lit(e) else {
                diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    e.span,
                    "`len` compares with an integer",
                ));
                return None;
            };
            PredKind::Len(*op, n)
        }
        PredicateKind::Matches(pattern) => {
            applies(diags, is_any || matches!(ty, Ty::Str), "`matches`")?;
            match compile_pattern(pattern) {
                Ok(re) => PredKind::Matches(Arc::from(pattern.as_str()), Arc::new(re)),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(Code::Syntax, p.span, "invalid regular expression")
                            .with_help(first_line(&e.to_string())),
                    );
                    return None;
                }
            }
        }
        PredicateKind::Unique => {
            applies(diags, is_any || matches!(ty, Ty::List(_)), "`unique`")?;
            PredKind::Unique
        }
    };
    Some(Pred { kind, span: p.span })
}

fn first_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_owned()
}

/// The regex source a `matches` pattern compiles to (searched, not matched
/// whole): the pattern itself when it has an anchor, else `^(?:pattern)$`.
pub fn pattern_source(pattern: &str) -> std::borrow::Cow<'_, str> {
    let anchored =
        pattern.starts_with('^') || (pattern.ends_with('$') && !pattern.ends_with("\\$"));
    if anchored {
        std::borrow::Cow::Borrowed(pattern)
    } else if ends_in_comment(pattern) {
        // `(?x)` comments run to the end of the line: the closing `)$` goes on the next.
        std::borrow::Cow::Owned(format!("^(?:{pattern}\n)$"))
    } else {
        std::borrow::Cow::Owned(format!("^(?:{pattern})$"))
    }
}

/// Whether `pattern` ends inside an `(?x)` comment (`# ...` with no newline
/// after it). A newline there is whitespace, which `x` mode ignores.
fn ends_in_comment(pattern: &str) -> bool {
    !pattern.ends_with('\n')
        && regex_syntax::ast::parse::Parser::new()
            .parse_with_comments(pattern)
            .is_ok_and(|w| {
                w.comments
                    .last()
                    .is_some_and(|c| c.span.end.offset == pattern.len())
            })
}

/// The regex of a `matches` refinement. A pattern without anchors must
/// match the whole string; explicit `^`/`$` anchors are kept as written, so
/// `"^https://"` is a prefix test (as in LANGUAGE.md §4's example) and
/// `"v[0-9]+"` is whole.
pub fn compile_pattern(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(&pattern_source(pattern))
        .size_limit(1 << 22)
        .build()
}

#[cfg(test)]
mod tests {
    use super::{compile_pattern, pattern_source};

    #[test]
    fn a_verbose_pattern_may_end_in_a_comment() {
        let re = compile_pattern("(?x) [a-z]+ - [0-9]+   # name-number").expect("compiles");
        assert!(re.is_match("run-42"));
        assert!(!re.is_match("run-42x"), "still matched whole");
        // A `#` outside `x` mode is a character, and no newline is added.
        assert_eq!(pattern_source("a#b"), "^(?:a#b)$");
        assert!(compile_pattern("a#b").expect("compiles").is_match("a#b"));
        // A comment that ends with a newline needs nothing more.
        assert_eq!(pattern_source("(?x)a # c\n"), "^(?:(?x)a # c\n)$");
    }
}
