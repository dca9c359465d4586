//! Configs: parents, schemas, inheritance chains, and the static checks of
//! their bodies (environment names, duplicate assignments).

use indexmap::IndexMap;

use crate::ast::{self, ConfigDecl, ExprKind, Name, Stmt};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};
use crate::types::ObjId;

use super::envs::unknown_env;
use super::ids::{ConfigId, IdVec, TooMany};

/// Most configs in one inheritance chain (a config and its ancestors):
/// deeper chains are refused with `mcfg::limit` at the `extends` that
/// passes the limit (docs/limits.md).
pub const MAX_CONFIG_DEPTH: usize = 10_000;
use super::{Item, Program};

/// A config after resolution.
#[derive(Debug, Clone)]
pub struct Config<'a> {
    pub name: Name,
    pub decl: &'a ConfigDecl,
    pub file: FileId,
    pub parent: Option<ConfigId>,
    pub schema: Option<ObjId>,
    /// How many ancestors the config has (a config without parent has 0);
    /// below [`MAX_CONFIG_DEPTH`]. `Program::config_chain` lists them.
    pub depth: u32,
    /// Whether another config extends this one.
    pub has_children: bool,
    /// Whether the parent or schema failed to resolve (the config is not evaluated).
    pub broken: bool,
}

impl Config<'_> {
    /// Whether the config is emitted (not abstract).
    pub fn is_emitted(&self) -> bool {
        !self.decl.is_abstract
    }
}

/// Adds `decl` to the program and returns its id; `mcfg::limit` past
/// `MAX_CONFIGS` configs.
pub(super) fn declare<'a>(
    prog: &mut Program<'a>,
    decl: &'a ConfigDecl,
    file: FileId,
) -> Result<ConfigId, Diagnostic> {
    let pushed = prog.configs.push(Config {
        name: decl.name.name.clone(),
        decl,
        file,
        parent: None,
        schema: None,
        depth: 0,
        has_children: false,
        broken: false,
    });
    pushed.map_err(|TooMany { max }| {
        Diagnostic::error(
            Code::Limit,
            decl.name.span,
            format!("more than {max} configs"),
        )
        .with_help(format!(
            "a build declares at most {max} configs; split the project into several builds"
        ))
    })
}

/// Resolves parents and schemas, computes chains, and checks bodies.
pub(super) fn resolve_configs(diags: &mut Diagnostics, prog: &mut Program<'_>) {
    check_unique_names(diags, prog);
    // 0 = not visited, 1 = in progress, 2 = done.
    let mut state = prog.configs.map(|_| 0u8);
    for i in prog.configs.ids() {
        resolve_one(diags, prog, i, &mut state);
    }
    let mut seen = SeenPaths::default();
    for i in prog.configs.ids() {
        if let Some(p) = prog.configs[i].parent {
            prog.configs[p].has_children = true;
        }
        let c = &prog.configs[i];
        check_body(diags, prog, &c.decl.body, true, &mut seen);
        check_declarations(diags, prog, c, &c.decl.body, false);
    }
}

/// Whether a declared type is one literal (`lr: 0.1`): refused, and not
/// layered.
pub(super) fn one_literal(ty: &ast::TypeExpr) -> bool {
    matches!(&ty.kind, ast::TypeKind::Union(lits) if lits.len() == 1) && !ty.optional
}

/// Where a `path: TYPE` declaration may stand: in a structural config's body
/// or its nested blocks, not in an `env` block (the value is what an env
/// block gives) nor in a config with a schema (the schema declares fields).
/// A one-literal type (`lr: 0.1`) is refused as the YAML habit it is.
fn check_declarations(
    diags: &mut Diagnostics,
    prog: &Program<'_>,
    c: &Config<'_>,
    body: &[Stmt],
    in_env: bool,
) {
    for stmt in body {
        let d = match stmt {
            Stmt::Declare(d) => d,
            Stmt::Block(b) => {
                check_declarations(diags, prog, c, &b.body, in_env);
                continue;
            }
            Stmt::Env(e) => {
                check_declarations(diags, prog, c, &e.body, true);
                continue;
            }
            Stmt::Assign(_) => continue,
        };
        let path = d
            .path
            .keys
            .iter()
            .map(|k| &*k.name)
            .collect::<Vec<_>>()
            .join(".");
        let ty = prog.project.sources.slice(d.ty.span);
        {
            if one_literal(&d.ty) && !in_env {
                diags.push(
                    Diagnostic::error(
                        Code::Syntax,
                        d.span,
                        format!("`{path}: {ty}` declares a field whose only value is `{ty}`"),
                    )
                    .with_help(format!(
                        "to assign a value write `{path} = {ty}`; `{path}: TYPE` declares a required field without a value"
                    )),
                );
                continue;
            }
        }
        if in_env {
            diags.push(
                Diagnostic::error(
                    Code::Syntax,
                    d.span,
                    format!("an `env` block cannot declare `{path}` without a value"),
                )
                .with_help(format!(
                    "declare `{path}: {ty}` in the config's body and set it here with `{path} = …`"
                )),
            );
        } else if let Some(schema) = c.schema {
            let obj = prog.obj(schema);
            let name = obj.name.as_deref().unwrap_or("?");
            diags.push(
                Diagnostic::error(
                    Code::Syntax,
                    d.span,
                    format!(
                        "config `{}` has schema `{name}`: it cannot declare `{path}` without a value",
                        c.name
                    ),
                )
                .with_label(obj.span, format!("schema `{name}` declares the fields"))
                .with_help(format!(
                    "declare the field in schema `{name}` without a default to make it required, or assign it here with `{path} = …`"
                )),
            );
        }
    }
}

fn check_unique_names(diags: &mut Diagnostics, prog: &Program<'_>) {
    let mut seen: IndexMap<&Name, Span> = IndexMap::new();
    for c in &prog.configs {
        if prog.project.file(c.file).is_std {
            continue;
        }
        match seen.get(&c.name) {
            // Same-file duplicates are reported by the scope.
            Some(prev) if prev.file != c.file => diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    c.decl.name.span,
                    format!("config `{}` is declared in two files", c.name),
                )
                .with_label(*prev, "first declared here")
                .with_help(
                    "artifacts are named after configs, so config names must be unique in a build",
                ),
            ),
            Some(_) => {}
            None => {
                seen.insert(&c.name, c.decl.name.span);
            }
        }
    }
}

/// Resolves config `start` and, first, its ancestors: without recursion,
/// so that a chain as long as [`MAX_CONFIG_DEPTH`] needs no deep stack.
fn resolve_one(
    diags: &mut Diagnostics,
    prog: &mut Program<'_>,
    start: ConfigId,
    state: &mut IdVec<ConfigId, u8>,
) {
    let mut stack = vec![start];
    while let Some(&id) = stack.last() {
        if state[id] == 2 {
            stack.pop();
            continue;
        }
        if state[id] == 0 {
            state[id] = 1;
            let c = &prog.configs[id];
            if let Some(pq) = &c.decl.parent {
                if let Ok(Item::Config(pid)) = prog.lookup(c.file, pq) {
                    if state[pid] == 0 {
                        stack.push(pid);
                        continue;
                    }
                }
            }
        }
        // Every ancestor is resolved now (or on the stack: a cycle).
        finish_one(diags, prog, id, state);
        stack.pop();
    }
}

/// Resolves config `id` once its parent is resolved (or found in a cycle).
fn finish_one(
    diags: &mut Diagnostics,
    prog: &mut Program<'_>,
    id: ConfigId,
    state: &mut IdVec<ConfigId, u8>,
) {
    let i = id;
    let decl = prog.configs[i].decl;
    let file = prog.configs[i].file;
    let mut parent = None;
    let mut broken = false;
    if let Some(pq) = &decl.parent {
        match prog.lookup(file, pq) {
            Ok(Item::Config(pid)) if state[pid] == 1 => {
                diags.push(cycle_error(prog, id, pid, pq.span));
                broken = true;
            }
            Ok(Item::Config(pid)) => {
                let p = &prog.configs[pid];
                if !p.broken && p.depth as usize + 1 >= MAX_CONFIG_DEPTH {
                    diags.push(depth_error(prog, id, pid, pq.span));
                    broken = true;
                }
                broken |= p.broken;
                parent = Some(pid);
            }
            Ok(_) => {
                diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    pq.span,
                    "a config can only extend another config",
                ));
                broken = true;
            }
            Err(d) => {
                if !prog.lookup_is_follow_on(file, pq.parts.iter().map(|p| &*p.name)) {
                    diags.push(d);
                }
                broken = true;
            }
        }
    }
    let parent_schema = parent.and_then(|p| prog.configs[p].schema);
    let mut schema = parent_schema;
    if let Some(sq) = &decl.schema {
        match prog.lookup(file, sq) {
            Ok(Item::Schema(sid)) => {
                if let Some(ps) = parent_schema.filter(|ps| !prog.obj_extends(sid, *ps)) {
                    let pname = prog.obj(ps).name.clone().unwrap_or_default();
                    diags.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            sq.span,
                            format!(
                                "schema `{}` does not extend the parent's schema `{pname}`",
                                sq.parts.last().map_or("", |p| &*p.name)
                            ),
                        )
                        .with_help(
                            "a config's schema must be its parent's schema or one that extends it",
                        ),
                    );
                }
                schema = Some(sid);
            }
            Ok(_) => {
                diags.push(Diagnostic::error(
                    Code::TypeMismatch,
                    sq.span,
                    "this is not a schema",
                ));
                broken = true;
            }
            Err(d) => {
                if !prog.lookup_is_follow_on(file, sq.parts.iter().map(|p| &*p.name)) {
                    diags.push(d);
                }
                broken = true;
            }
        }
    }
    // A schema that contains itself is reported once where the cycle is; its
    // configs are not evaluated (they could never be complete).
    broken |= schema.is_some_and(|s| prog.infinite_objs.contains(&s));
    let depth = parent.map_or(0, |p| prog.configs[p].depth.saturating_add(1));
    let c = &mut prog.configs[i];
    c.parent = parent;
    c.schema = schema;
    c.depth = depth;
    c.broken = broken;
    state[i] = 2;
}

fn depth_error(prog: &Program<'_>, id: ConfigId, parent: ConfigId, span: Span) -> Diagnostic {
    let p = &prog.configs[parent];
    Diagnostic::error(
        Code::Limit,
        span,
        format!(
            "inheritance chain longer than {MAX_CONFIG_DEPTH} configs: `{}` extends `{}`, which has {} ancestors",
            prog.configs[id].name,
            p.name,
            p.depth
        ),
    )
    .with_label(p.decl.name.span, format!("`{}` is declared here", p.name))
    .with_help(format!(
        "a config and its ancestors are at most {MAX_CONFIG_DEPTH} configs; extend a config nearer the root"
    ))
}

fn cycle_error(prog: &Program<'_>, id: ConfigId, back: ConfigId, span: Span) -> Diagnostic {
    let name = &prog.configs[id].name;
    let other = &prog.configs[back];
    Diagnostic::error(
        Code::Cycle,
        span,
        if id == back {
            format!("inheritance cycle: `{name}` extends itself")
        } else {
            format!(
                "inheritance cycle: `{name}` extends `{}`, which extends `{name}`",
                other.name
            )
        },
    )
    .with_label(
        other.decl.name.span,
        format!("`{}` is declared here", other.name),
    )
    .with_help("remove one `extends` from the cycle")
}

/// Unknown environments and duplicate assignments, once per body.
fn check_body<'a>(
    diags: &mut Diagnostics,
    prog: &Program<'_>,
    body: &'a [Stmt],
    top: bool,
    seen: &mut SeenPaths<'a>,
) {
    seen.clear();
    collect_paths(diags, body, &mut Vec::new(), seen);
    for stmt in body {
        let Stmt::Env(block) = stmt else { continue };
        if !top {
            continue;
        }
        for name in &block.envs {
            if prog.env_tree.id(&name.name).is_none() {
                let mut d = unknown_env(&prog.envs, &name.name, name.span);
                if prog.envs.is_empty() {
                    d.message =
                        format!("`env {}` block in a build without environments", name.name);
                }
                diags.push(d);
            }
        }
        check_body(diags, prog, &block.body, false, seen);
    }
}

fn collect_paths<'a>(
    diags: &mut Diagnostics,
    body: &'a [Stmt],
    prefix: &mut Vec<&'a str>,
    seen: &mut SeenPaths<'a>,
) {
    for stmt in body {
        match stmt {
            Stmt::Assign(a) => {
                let depth = prefix.len();
                prefix.extend(a.path.keys.iter().map(|k| &*k.name));
                if let (ast::AssignOp::Set, ExprKind::Object(inner)) = (a.op, &a.value.kind) {
                    collect_paths(diags, inner, prefix, seen);
                } else if matches!(a.op, ast::AssignOp::Set | ast::AssignOp::Replace) {
                    if let Some(prev) = seen.insert(prefix, a.path.span) {
                        let path = prefix.join(".");
                        diags.push(
                            Diagnostic::error(
                                Code::Duplicate,
                                a.path.span,
                                format!("`{path}` is assigned twice in this block"),
                            )
                            .with_label(prev, "first assigned here")
                            .with_help(
                                "remove one of the assignments, or use `+=` to append to a list",
                            ),
                        );
                    }
                }
                prefix.truncate(depth);
            }
            Stmt::Block(b) => {
                let depth = prefix.len();
                prefix.extend(b.path.keys.iter().map(|k| &*k.name));
                collect_paths(diags, &b.body, prefix, seen);
                prefix.truncate(depth);
            }
            Stmt::Env(_) | Stmt::Declare(_) => {}
        }
    }
}

/// The paths assigned in one body, each with the span of its first
/// assignment: one scratch reused for every body, so that recording a path
/// allocates nothing once the buffers have grown.
#[derive(Debug, Default)]
struct SeenPaths<'a> {
    /// The names of every recorded path, one after the other.
    names: Vec<&'a str>,
    /// Per recorded path: its range in `names`, its first span, and the
    /// previous path with the same hash (`u32::MAX` for none).
    paths: Vec<(u32, u32, Span, u32)>,
    /// Hash of a path to the last recorded path with that hash.
    last: IndexMap<u64, u32, crate::map::FastState>,
}

impl<'a> SeenPaths<'a> {
    fn clear(&mut self) {
        self.names.clear();
        self.paths.clear();
        self.last.clear();
    }

    /// Records `path` at `span` unless it is recorded already; then returns
    /// the span it was first recorded with.
    fn insert(&mut self, path: &[&'a str], span: Span) -> Option<Span> {
        use std::hash::BuildHasher;
        let hash = crate::map::FastState::default().hash_one(path);
        let head = self.last.get(&hash).copied();
        let mut at = head.unwrap_or(u32::MAX);
        while let Some(&(start, end, first, prev)) = self.paths.get(at as usize) {
            if self.names[start as usize..end as usize] == *path {
                return Some(first);
            }
            at = prev;
        }
        let start = self.names.len() as u32;
        self.names.extend_from_slice(path);
        let id = self.paths.len() as u32;
        self.paths.push((
            start,
            self.names.len() as u32,
            span,
            head.unwrap_or(u32::MAX),
        ));
        self.last.insert(hash, id);
        None
    }
}
