//! The editor's analysis of the project: the loaded sources, the resolved
//! program and layer cache kept alive beside them (hover, inlay hints and the
//! other cursor features read values from it without resolving again), and
//! the diagnostics.
//!
//! Incremental: after an edit the project is parsed (unchanged files are not,
//! `loader::ParseCache`) and resolved again, then only the configs whose
//! inputs changed are evaluated. The inputs of a config are its declaration,
//! its parents, the configs it references, its schema and everything else
//! outside config bodies ([`deps`], the dependency graph as one fingerprint
//! per config); every other config's diagnostics are those it reported last
//! time, moved to the new positions ([`memo`]). Values are never carried
//! over: features evaluate what they show from the new program on demand.
//! The result is the same as a full check — a property test
//! (`lsp_incremental`) compares diagnostics and hovers after random edits
//! with a server that starts from nothing.

mod deps;
mod memo;

use std::time::Instant;

use crate::compile::{self, Sink};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::eval::LayerCache;
use crate::loader::Project;
use crate::resolve::Program;

pub(crate) use memo::Memo;

/// The program resolved from a project, with its layer cache.
struct Resolved<'a> {
    prog: Program<'a>,
    cache: LayerCache<'a>,
}

self_cell::self_cell!(
    /// A project with the program that borrows it.
    struct Cell {
        owner: Project,
        #[not_covariant]
        dependent: Resolved,
    }
);

impl std::fmt::Debug for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cell").finish_non_exhaustive()
    }
}

/// One analysis of the project.
#[derive(Debug)]
pub(crate) struct Analysis {
    cell: Cell,
    /// All diagnostics, sorted (plus, after a save, failing policy tests).
    pub diags: Vec<Diagnostic>,
    /// How many configs' diagnostics came from the last analysis.
    pub reused: usize,
}

impl Analysis {
    /// The loaded project.
    pub fn project(&self) -> &Project {
        self.cell.borrow_owner()
    }

    /// Runs `f` with the resolved program and its layer cache.
    pub fn with_program<R>(&self, f: impl for<'p> FnOnce(&Program<'p>, &LayerCache<'p>) -> R) -> R {
        self.cell.with_dependent(|_, r| f(&r.prog, &r.cache))
    }

    /// Whether any error was reported.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }
}

/// Resolves and checks a loaded project, like `compile::compile_project_into`
/// with a sink that keeps no artifact; with `memo`, reuses what it holds for
/// configs whose inputs did not change and replaces it with this analysis's.
pub(crate) fn analyze(
    project: Project,
    mut diags: Diagnostics,
    memo: Option<&mut Memo>,
) -> Analysis {
    let old = memo.as_deref();
    let mut next = None;
    let mut reused = 0;
    let cell = Cell::new(project, |project| {
        let mut prog = Program::build(&mut diags, project);
        let mut planned = Vec::new();
        let (table, _) = crate::overrides::plan(&mut prog, &[], &mut planned);
        diags.extend(planned);
        let mut cache_diags = Vec::new();
        let mut cache = LayerCache::build(&prog, &mut cache_diags);
        cache.set_overrides(table);
        diags.extend(cache_diags);
        let sink = Sink::diagnostics_only();
        let mut timings = Vec::new();
        let start = Instant::now();
        match old {
            Some(old) => {
                let mut session = memo::Session::new(old, &prog, cache.today());
                compile::evaluate_reusing(
                    &mut diags,
                    &prog,
                    &cache,
                    start,
                    &mut timings,
                    &sink,
                    Some(&mut session),
                );
                reused = session.reused.get();
                next = Some(session.next);
            }
            None => {
                compile::evaluate_reusing(
                    &mut diags,
                    &prog,
                    &cache,
                    start,
                    &mut timings,
                    &sink,
                    None,
                );
            }
        }
        Resolved { prog, cache }
    });
    if let (Some(memo), Some(next)) = (memo, next) {
        *memo = next;
    }
    let project = cell.borrow_owner();
    let mut diags = diags.into_sorted();
    crate::overrides::explain_bare_words(project, &mut diags);
    if project.selected.is_some() {
        let keep = crate::project::reported(project);
        diags.retain(|d| keep(d));
    }
    Analysis {
        cell,
        diags,
        reused,
    }
}
