//! Names inside expressions: hover and go-to-definition on `replicas`,
//! `self.serving.batch_size`, `base.lr` (another config), `ml.defaults.x`
//! (a config of an imported module), comprehension variables and built-in
//! calls.
//!
//! A bare name is looked up the way evaluation does (LANGUAGE.md §5): the
//! fields of the enclosing objects, innermost first, then the file's configs
//! and import aliases. The layers of the config's first environment decide
//! which fields exist.

use lsp_types::{GotoDefinitionResponse, Hover, Location};

use crate::ast::{ConfigDecl, Decl, Expr, ExprKind, Ident, Name, Stmt, StrPart};
use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::eval::inspect::inspect;
use crate::eval::LayerCache;
use crate::merge::{Origin, ROOT};
use crate::resolve::{ConfigId, Item, Program};
use crate::source::{FileId, Span};

use super::hover::{config_id, config_key, config_text, markdown};
use super::locate::contains;
use super::{signature, Ctx};

/// What a name in an expression refers to.
#[derive(Debug, Clone)]
pub(super) enum Referent {
    /// A field of a config (`path` from its root; empty: the config itself).
    Node { config: ConfigId, path: Vec<Name> },
    /// An import alias.
    Module(FileId),
    /// A comprehension or quantifier variable, declared at the span.
    Var(Span),
    /// A built-in function.
    Builtin(Name),
}

/// The name under the cursor inside an expression of a config body.
#[derive(Debug)]
struct Found<'a> {
    config: &'a ConfigDecl,
    /// The key path of the statement holding the expression.
    scope: Vec<Name>,
    /// The chain from the outermost expression to the element under the cursor.
    expr: &'a Expr,
    /// Comprehension variables in scope.
    vars: Vec<&'a Ident>,
}

pub(crate) fn hover(cx: &Ctx<'_>) -> Option<Hover> {
    let text = with_referent(cx, |prog, cache, r| match r {
        Referent::Node { config, path } if path.is_empty() => {
            Some(config_text(prog, config, &prog.configs[config].name))
        }
        Referent::Node { config, path } => {
            config_key(cx, prog, cache, prog.configs[config].decl, &path)
        }
        Referent::Module(f) => Some(format!("module `{}`", prog.project.file(f).path.display())),
        Referent::Var(span) => Some(format!(
            "**{}**: comprehension variable",
            cx.comp.project.sources.slice(span)
        )),
        Referent::Builtin(name) => signature::doc(&name),
    })?;
    Some(markdown(text))
}

/// Every place that sets the field (one per distinct step across the
/// environments), a config's or variable's declaration, a module's file.
pub(crate) fn definition(cx: &Ctx<'_>) -> Option<GotoDefinitionResponse> {
    let spans = with_referent(cx, |prog, cache, r| match r {
        Referent::Node { config, path } if path.is_empty() => {
            Some(vec![prog.configs[config].decl.name.span])
        }
        Referent::Node { config, path } => {
            let mut out: Vec<Span> = Vec::new();
            for env in prog.env_slots() {
                let ins = inspect(prog, cache, config, env);
                let Some(node) = ins.layers.find(ROOT, &path) else {
                    continue;
                };
                if let Some(step) = ins.layers.effective_steps(node).last() {
                    let span = match step.origin {
                        Origin::Schema(_) => ins
                            .layers
                            .node(node)
                            .field
                            .and_then(|(o, i)| prog.obj(o).fields.get_index(i as usize))
                            .map_or(step.expr.span, |(_, f)| f.name_span),
                        _ => step.expr.span,
                    };
                    if !out.contains(&span) {
                        out.push(span);
                    }
                }
            }
            Some(out)
        }
        Referent::Module(f) => Some(vec![Span::new(f, 0, 0)]),
        Referent::Var(span) => Some(vec![span]),
        Referent::Builtin(_) => None,
    })?;
    let mut locs: Vec<Location> = spans.into_iter().filter_map(|s| cx.location(s)).collect();
    match locs.len() {
        0 => None,
        1 => locs.pop().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locs)),
    }
}

/// Runs `f` on what the name under the cursor refers to.
fn with_referent<T>(
    cx: &Ctx<'_>,
    f: impl for<'p> FnOnce(&Program<'p>, &LayerCache<'p>, Referent) -> Option<T>,
) -> Option<T> {
    let ast = cx.comp.project.file(cx.file).ast.as_ref()?;
    let mut diags = Diagnostics::new();
    compile::with_program(&cx.comp.project, &mut diags, |prog, cache| {
        let r = at(prog, cache, cx.file, ast, cx.offset)?;
        f(prog, cache, r)
    })
}

/// What the name at `offset` in an expression of a config body refers to.
pub(super) fn at(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    file: FileId,
    ast: &crate::ast::File,
    offset: usize,
) -> Option<Referent> {
    let found = find(ast, offset)?;
    let cid = config_id(prog, found.config)?;
    resolve(
        prog,
        cache,
        file,
        cid,
        &found.scope,
        &found.vars,
        found.expr,
    )
}

/// What `e` (a name, `self`, a field access or a call) refers to, in config
/// `cid` at the statement with key path `scope`, with comprehension `vars` bound.
pub(super) fn resolve(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    file: FileId,
    cid: ConfigId,
    scope: &[Name],
    vars: &[&Ident],
    e: &Expr,
) -> Option<Referent> {
    match &e.kind {
        ExprKind::SelfRef => Some(Referent::Node {
            config: cid,
            path: Vec::new(),
        }),
        ExprKind::Call(name, _) => Some(Referent::Builtin(name.name.clone())),
        ExprKind::Name(n) => {
            if let Some(v) = vars.iter().rev().find(|v| v.name == *n) {
                return Some(Referent::Var(v.span));
            }
            let env = prog.env_slots().first().copied().flatten();
            let layers = cache.layers_for(prog, cid, env, &mut Vec::new());
            for depth in (0..=scope.len()).rev() {
                let mut path = scope[..depth].to_vec();
                path.push(n.clone());
                if layers.find(ROOT, &path).is_some() {
                    return Some(Referent::Node { config: cid, path });
                }
            }
            item(prog.scopes.get(file.0 as usize)?.get(n)?.0)
        }
        ExprKind::Field(base, key) => match resolve(prog, cache, file, cid, scope, vars, base)? {
            Referent::Node { config, mut path } => {
                path.push(key.name.clone());
                Some(Referent::Node { config, path })
            }
            Referent::Module(m) => item(prog.scopes.get(m.0 as usize)?.get(&key.name)?.0),
            Referent::Var(_) | Referent::Builtin(_) => None,
        },
        _ => None,
    }
}

fn item(it: Item) -> Option<Referent> {
    match it {
        Item::Config(c) => Some(Referent::Node {
            config: c,
            path: Vec::new(),
        }),
        Item::Module(f) => Some(Referent::Module(f)),
        Item::Schema(_) | Item::Alias(_) => None,
    }
}

/// The name under `offset` in an expression of a config body.
fn find(file: &crate::ast::File, offset: usize) -> Option<Found<'_>> {
    file.decls.iter().find_map(|d| match d {
        Decl::Config(c) if contains(c.span, offset) => {
            in_stmts(c, &c.body, &mut Vec::new(), offset)
        }
        _ => None,
    })
}

fn in_stmts<'a>(
    config: &'a ConfigDecl,
    body: &'a [Stmt],
    prefix: &mut Vec<Name>,
    offset: usize,
) -> Option<Found<'a>> {
    for stmt in body.iter().filter(|s| contains(s.span(), offset)) {
        let depth = prefix.len();
        let found = match stmt {
            Stmt::Assign(a) => {
                prefix.extend(a.path.keys.iter().map(|k| k.name.clone()));
                let mut vars = Vec::new();
                in_expr(&a.value, offset, &mut vars)
                    .map(|(expr, vars)| Found {
                        config,
                        scope: prefix.clone(),
                        expr,
                        vars,
                    })
                    .or_else(|| match &a.value.kind {
                        ExprKind::Object(inner) => in_stmts(config, inner, prefix, offset),
                        _ => None,
                    })
            }
            Stmt::Block(b) => {
                prefix.extend(b.path.keys.iter().map(|k| k.name.clone()));
                in_stmts(config, &b.body, prefix, offset)
            }
            Stmt::Env(e) => in_stmts(config, &e.body, prefix, offset),
        };
        prefix.truncate(depth);
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The innermost name-like expression at `offset` (with the variables bound around it).
fn in_expr<'a>(
    e: &'a Expr,
    offset: usize,
    vars: &mut Vec<&'a Ident>,
) -> Option<(&'a Expr, Vec<&'a Ident>)> {
    if !contains(e.span, offset) {
        return None;
    }
    let here = || Some((e, vars.clone()));
    match &e.kind {
        ExprKind::Name(_) | ExprKind::SelfRef => here(),
        ExprKind::Field(base, key) => {
            if contains(key.span, offset) {
                return here();
            }
            in_expr(base, offset, vars)
        }
        ExprKind::Call(name, args) => {
            if contains(name.span, offset) {
                return here();
            }
            args.iter().find_map(|a| in_expr(a, offset, vars))
        }
        ExprKind::List(items) => items.iter().find_map(|a| in_expr(a, offset, vars)),
        ExprKind::Interp(parts) => parts.iter().find_map(|p| match p {
            StrPart::Expr(x) => in_expr(x, offset, vars),
            StrPart::Lit(_) => None,
        }),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            in_expr(a, offset, vars).or_else(|| in_expr(b, offset, vars))
        }
        ExprKind::Unary(_, a) | ExprKind::Is(a, _) => in_expr(a, offset, vars),
        ExprKind::If(a, b, c) => [a, b, c].into_iter().find_map(|x| in_expr(x, offset, vars)),
        ExprKind::Quant(_, comp, body)
        | ExprKind::ListComp(body, comp)
        | ExprKind::MapComp(_, body, comp) => {
            if comp.vars.iter().any(|v| contains(v.span, offset)) {
                return None;
            }
            if let Some(hit) = in_expr(&comp.iter, offset, vars) {
                return Some(hit);
            }
            let depth = vars.len();
            vars.extend(comp.vars.iter());
            let hit = comp
                .cond
                .as_ref()
                .and_then(|c| in_expr(c, offset, vars))
                .or_else(|| in_expr(body, offset, vars));
            vars.truncate(depth);
            hit
        }
        _ => None,
    }
}
