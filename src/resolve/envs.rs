//! The build's environments (LANGUAGE.md §2): one set for every file,
//! optional `extends` between environments, declaration order kept.

use crate::ast::{Decl, Environments, Name};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
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
    for decl in &first.envs {
        if let Some(prev) = envs.iter().find(|e| e.name == decl.name.name) {
            diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    decl.name.span,
                    format!("environment `{}` is declared twice", decl.name.name),
                )
                .with_label(prev.span, "first declared here"),
            );
            continue;
        }
        let env = Env {
            name: decl.name.name.clone(),
            parent: None,
            span: decl.name.span,
        };
        if let Err(TooMany { max }) = envs.push(env) {
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
    for decl in &first.envs {
        let Some(parent) = &decl.parent else { continue };
        let Some(idx) = envs.position(|e| e.name == decl.name.name) else {
            continue;
        };
        match envs.position(|e| e.name == parent.name) {
            Some(p) => envs[idx].parent = Some(p),
            None => diags.push(unknown_env(&envs, &parent.name, parent.span)),
        }
    }
    prog.env_chains = chains(diags, &mut envs);
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

/// Ancestor chains (root first); an `extends` cycle is reported and broken.
fn chains(diags: &mut Diagnostics, envs: &mut IdVec<EnvId, Env>) -> IdVec<EnvId, Vec<EnvId>> {
    let mut out = IdVec::new();
    for start in envs.ids() {
        let mut chain = vec![start];
        let mut cur = envs[start].parent;
        while let Some(p) = cur {
            if chain.contains(&p) {
                let names: Vec<&str> = chain.iter().map(|&i| &*envs[i].name).collect();
                diags.push(
                    Diagnostic::error(
                        Code::Cycle,
                        envs[start].span,
                        format!(
                            "environment `{}` extends itself: {} → {}",
                            envs[start].name,
                            names.join(" → "),
                            envs[p].name
                        ),
                    )
                    .with_help("remove one `extends` from the cycle"),
                );
                envs[start].parent = None;
                break;
            }
            chain.push(p);
            cur = envs[p].parent;
        }
        chain.reverse();
        // As many chains as environments, which `envs.push` bounded.
        let _ = out.push(chain);
    }
    out
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
