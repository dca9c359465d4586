//! The static checks of policy tests (LANGUAGE.md §9.9), reported by every
//! command (`check` included) although only `mcfg test` runs them: unknown
//! environments after `in`, names that are not configs or import aliases of
//! the file, `self` (a test has no enclosing config), duplicate test names.

use crate::ast::{Comprehension, Decl, Expr, ExprKind, StrPart, TestDecl};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::suggest;

use super::{envs, Item, Program};

/// Checks every `test` declaration of the program.
pub(super) fn check_tests(diags: &mut Diagnostics, prog: &Program<'_>) {
    for file in &prog.project.files {
        let Some(ast) = &file.ast else { continue };
        let mut seen: Vec<(&str, crate::source::Span)> = Vec::new();
        for decl in &ast.decls {
            let Decl::Test(t) = decl else { continue };
            if let Some((_, prev)) = seen.iter().find(|(n, _)| *n == t.name) {
                diags.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        t.name_span,
                        format!("test {:?} is declared twice", t.name),
                    )
                    .with_label(*prev, "first declared here")
                    .with_help("give each test its own name"),
                );
            } else {
                seen.push((&t.name, t.name_span));
            }
            check_test(diags, prog, file.id, t);
        }
    }
}

fn check_test(
    diags: &mut Diagnostics,
    prog: &Program<'_>,
    file: crate::source::FileId,
    t: &TestDecl,
) {
    for env in &t.envs {
        if !prog.envs.iter().any(|e| e.name == env.name) {
            diags.push(envs::unknown_env(&prog.envs, &env.name, env.span));
        }
    }
    let scope = &prog.scopes[file.0 as usize];
    for a in &t.asserts {
        names(&a.cond, &mut |e| match &e.kind {
            ExprKind::Name(n) => match scope.get(n).map(|(i, _)| *i) {
                Some(Item::Config(_) | Item::Module(_)) => {}
                Some(_) => diags.push(
                    Diagnostic::error(
                        Code::TypeMismatch,
                        e.span,
                        format!("`{n}` is a type, not a value"),
                    )
                    .with_help("a test reads configs: `ranker.serving.device`"),
                ),
                // A failed import was reported once; its alias says nothing more.
                None if prog.lookup_is_follow_on(file, [&**n]) => {}
                None => {
                    let candidates = scope
                        .iter()
                        .filter(|(_, (i, _))| matches!(i, Item::Config(_) | Item::Module(_)))
                        .map(|(k, _)| &**k);
                    let elsewhere = prog.configs.iter().find(|c| c.name == *n);
                    let help = match (elsewhere, suggest::closest(n, candidates)) {
                        (Some(c), _) => format!(
                            "`{n}` is declared in `{}`: import that file (`import \"…\" as m`) and read `m.{n}`",
                            prog.project.sources.get(c.file).name
                        ),
                        (None, Some(s)) => format!("did you mean `{s}`?"),
                        (None, None) => {
                            "a test reads the configs and import aliases of its file".to_owned()
                        }
                    };
                    diags.push(
                        Diagnostic::error(
                            Code::UnresolvedName,
                            e.span,
                            format!("cannot find config `{n}`"),
                        )
                        .with_label(t.name_span, format!("in test {:?}", t.name))
                        .with_help(help),
                    );
                }
            },
            ExprKind::SelfRef => diags.push(
                Diagnostic::error(Code::UnresolvedName, e.span, "a test has no `self`")
                    .with_help("name the config: `ranker.serving.device`"),
            ),
            _ => {}
        });
    }
}

/// Calls `f` on every bare name and `self` of `e` that is not bound by an
/// enclosing comprehension of the assert (`c` in `all(c in [a, b]: ...)`),
/// nor `envs` (the environment chain, LANGUAGE.md §9.5).
fn names(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    walk(e, &mut Vec::new(), f);
}

fn walk<'e>(e: &'e Expr, bound: &mut Vec<&'e str>, f: &mut dyn FnMut(&Expr)) {
    match &e.kind {
        ExprKind::Name(n) if bound.contains(&&**n) || &**n == "envs" => {}
        ExprKind::Name(_) | ExprKind::SelfRef => f(e),
        ExprKind::Field(base, _) | ExprKind::Unary(_, base) | ExprKind::Is(base, _) => {
            walk(base, bound, f);
        }
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            walk(a, bound, f);
            walk(b, bound, f);
        }
        ExprKind::If(c, a, b) => {
            walk(c, bound, f);
            walk(a, bound, f);
            walk(b, bound, f);
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            items.iter().for_each(|i| walk(i, bound, f));
        }
        ExprKind::Interp(parts) => parts.iter().for_each(|p| {
            if let StrPart::Expr(x) = p {
                walk(x, bound, f);
            }
        }),
        ExprKind::Quant(_, comp, body) | ExprKind::ListComp(body, comp) => {
            in_comprehension(comp, &[body], bound, f);
        }
        ExprKind::MapComp(_, value, comp) => in_comprehension(comp, &[value], bound, f),
        _ => {}
    }
}

/// The source outside the loop's names, the filter and `inner` inside them.
fn in_comprehension<'e>(
    comp: &'e Comprehension,
    inner: &[&'e Expr],
    bound: &mut Vec<&'e str>,
    f: &mut dyn FnMut(&Expr),
) {
    walk(&comp.iter, bound, f);
    let depth = bound.len();
    bound.extend(comp.vars.iter().map(|v| &*v.name));
    if let Some(c) = &comp.cond {
        walk(c, bound, f);
    }
    inner.iter().for_each(|x| walk(x, bound, f));
    bound.truncate(depth);
}
