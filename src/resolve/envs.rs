//! The build's environments (LANGUAGE.md §2): one set for every file,
//! optional `extends` between environments, declaration order kept.

use indexmap::IndexMap;

use crate::ast::{Decl, Environments, Name};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::map::FastState;
use crate::source::Span;
use crate::suggest;

use super::ids::{EnvId, IdVec, TooMany};
use super::Program;

/// A declared environment.
#[derive(Debug, Clone)]
pub struct Env {
    pub name: Name,
    pub parent: Option<EnvId>,
    pub span: Span,
}

/// The shape of the environment forest, for O(1) questions about it: an
/// environment's index by name, its depth, and an interval of a depth-first
/// numbering (an environment extends another, directly or not, exactly when
/// its interval lies inside the other's), so that checking a long chain of
/// `extends` costs no walk up the chain per question.
#[derive(Debug, Clone, Default)]
pub struct EnvTree {
    by_name: IndexMap<Name, EnvId, FastState>,
    /// Per environment: how many ancestors it has (a root has 0).
    depth: IdVec<EnvId, u32>,
    /// Per environment: its first and last depth-first number (itself, then its descendants).
    span: IdVec<EnvId, (u32, u32)>,
}

impl EnvTree {
    /// The environment named `name`.
    pub fn id(&self, name: &str) -> Option<EnvId> {
        self.by_name.get(name).copied()
    }

    /// Whether `env` is `anc` or extends it, directly or not.
    pub fn extends(&self, env: EnvId, anc: EnvId) -> bool {
        let (Some(e), Some(a)) = (self.span.get(env), self.span.get(anc)) else {
            return false;
        };
        a.0 <= e.0 && e.1 <= a.1
    }

    /// Whether another environment extends `env`.
    pub fn has_descendants(&self, env: EnvId) -> bool {
        self.span
            .get(env)
            .is_some_and(|&(first, last)| last > first)
    }

    /// How many ancestors `env` has.
    pub fn depth(&self, env: EnvId) -> u32 {
        self.depth.get(env).copied().unwrap_or(0)
    }
}

/// Resolves the `environments` declarations of every file into `prog.envs`.
pub(super) fn resolve_envs(diags: &mut Diagnostics, prog: &mut Program<'_>) {
    let decls: Vec<&Environments> = prog
        .project
        .files
        .iter()
        .filter_map(|f| f.ast.as_ref())
        .flat_map(|a| a.decls.iter())
        .filter_map(|d| match d {
            Decl::Environments(e) => Some(e),
            _ => None,
        })
        .collect();
    let Some(first) = decls.first() else { return };
    for other in &decls[1..] {
        if !same_set(first, other) {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    other.span,
                    "this `environments` declaration differs from another file's",
                )
                .with_label(first.span, "the build's environments are declared here")
                .with_help("every file that declares `environments` must declare the same set"),
            );
        }
    }
    let mut envs: IdVec<EnvId, Env> = IdVec::new();
    let mut by_name: IndexMap<Name, EnvId, FastState> = IndexMap::default();
    for decl in &first.envs {
        if let Some(&prev) = by_name.get(&decl.name.name) {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    decl.name.span,
                    format!("environment `{}` is declared twice", decl.name.name),
                )
                .with_label(envs[prev].span, "first declared here"),
            );
            continue;
        }
        let env = Env {
            name: decl.name.name.clone(),
            parent: None,
            span: decl.name.span,
        };
        match envs.push(env) {
            Ok(id) => {
                by_name.insert(decl.name.name.clone(), id);
            }
            Err(TooMany { max }) => {
                diags.push(
                    Diagnostic::error(
                        Code::Limit,
                        decl.name.span,
                        format!("more than {max} environments"),
                    )
                    .with_label(first.span, "in this `environments` declaration")
                    .with_help(format!(
                        "a build declares at most {max} environments; \
                         split the project, or make the rarest ones configs"
                    )),
                );
                break;
            }
        }
    }
    for decl in &first.envs {
        let Some(parent) = &decl.parent else { continue };
        let Some(&idx) = by_name.get(&decl.name.name) else {
            continue;
        };
        match by_name.get(&parent.name) {
            Some(&p) => envs[idx].parent = Some(p),
            None => diags.push(unknown_env(&envs, &parent.name, parent.span)),
        }
    }
    break_cycles(diags, &mut envs);
    prog.env_tree = tree(&envs, by_name);
    prog.envs = envs;
}

fn same_set(a: &Environments, b: &Environments) -> bool {
    let key = |e: &Environments| {
        let mut v: Vec<(Name, Option<Name>)> = e
            .envs
            .iter()
            .map(|d| {
                (
                    d.name.name.clone(),
                    d.parent.as_ref().map(|p| p.name.clone()),
                )
            })
            .collect();
        v.sort();
        v
    };
    key(a) == key(b)
}

/// Reports and cuts every `extends` cycle, in one pass over the
/// environments (each is walked up to an already finished one at most once).
fn break_cycles(diags: &mut Diagnostics, envs: &mut IdVec<EnvId, Env>) {
    // 0 = not visited, 1 = on the current walk, 2 = done.
    let mut state = envs.map(|_| 0u8);
    let mut walk = Vec::new();
    for start in envs.ids() {
        walk.clear();
        let mut cur = Some(start);
        while let Some(e) = cur {
            match state[e] {
                2 => break,
                1 => {
                    // `e` is on this walk: the cycle is `e` … last, back to `e`.
                    let at = walk.iter().position(|&w| w == e).unwrap_or(0);
                    let names: Vec<&str> = walk[at..].iter().map(|&i| &*envs[i].name).collect();
                    diags.push(
                        Diagnostic::error(
                            Code::Cycle,
                            envs[e].span,
                            format!(
                                "environment `{}` extends itself: {} → {}",
                                envs[e].name,
                                names.join(" → "),
                                envs[e].name
                            ),
                        )
                        .with_help("remove one `extends` from the cycle"),
                    );
                    envs[e].parent = None;
                    break;
                }
                _ => {
                    state[e] = 1;
                    walk.push(e);
                    cur = envs[e].parent;
                }
            }
        }
        for &w in &walk {
            state[w] = 2;
        }
    }
}

/// The [`EnvTree`] of acyclic `envs`: depths and depth-first intervals,
/// computed without recursion (a chain may be as long as there are environments).
fn tree(envs: &IdVec<EnvId, Env>, by_name: IndexMap<Name, EnvId, FastState>) -> EnvTree {
    let mut children: IdVec<EnvId, Vec<EnvId>> = envs.map(|_| Vec::new());
    let mut roots = Vec::new();
    for id in envs.ids() {
        match envs[id].parent {
            Some(p) => children[p].push(id),
            None => roots.push(id),
        }
    }
    let mut depth = envs.map(|_| 0u32);
    let mut span = envs.map(|_| (0u32, 0u32));
    let mut next = 0u32;
    // (environment, whether its descendants are numbered already)
    let mut stack: Vec<(EnvId, bool)> = roots.iter().rev().map(|&r| (r, false)).collect();
    while let Some((e, done)) = stack.pop() {
        if done {
            span[e].1 = next - 1;
            continue;
        }
        span[e].0 = next;
        next += 1;
        stack.push((e, true));
        for &c in children[e].iter().rev() {
            depth[c] = depth[e] + 1;
            stack.push((c, false));
        }
    }
    EnvTree {
        by_name,
        depth,
        span,
    }
}

/// `mcfg::unknown-env` for `name`, suggesting the closest declared environment.
pub fn unknown_env(envs: &IdVec<EnvId, Env>, name: &str, span: Span) -> Diagnostic {
    let mut diag = Diagnostic::error(
        Code::UnknownEnv,
        span,
        format!("unknown environment `{name}`"),
    );
    if let Some(s) = suggest::closest(name, envs.iter().map(|e| &*e.name)) {
        diag = diag.with_help(format!("did you mean `{s}`?"));
    } else if envs.is_empty() {
        diag = diag
            .with_help("this build declares no `environments`; add an `environments { … }` block");
    } else {
        let names: Vec<&str> = envs.iter().map(|e| &*e.name).collect();
        diag = diag.with_help(format!("declared environments: {}", names.join(", ")));
    }
    if let Some(first) = envs.iter().next() {
        diag = diag.with_label(first.span, "environments are declared here");
    }
    diag
}
