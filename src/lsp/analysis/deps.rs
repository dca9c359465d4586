//! The dependency graph of one resolved program, folded into one fingerprint
//! per config: two configs (in two compilations) with the same fingerprint
//! have the same inputs, so their evaluation reports the same diagnostics up
//! to positions ([`super::memo`] moves those).
//!
//! A config's evaluation in all its environments reads:
//! - its own declaration (body and `env` blocks): its text;
//! - its parents (`extends`): their fingerprints, recursively;
//! - the configs its expressions name (cross-config references, also through
//!   import aliases): their fingerprints — found by over-approximation, every
//!   identifier of the declaration's text that the file's scope (or the scope
//!   of a module it names) maps to a config;
//! - everything else it can reach, taken whole as the *global* part: every
//!   file's path, imports, `environments` block (an environment's result
//!   depends on its ancestors' blocks), schemas and type aliases (a schema's
//!   parents and field types), tests, and the names each file declares or
//!   imports (lookups and did-you-mean suggestions). Editing any of these
//!   invalidates every config — they change rarely, and the rule stays simple.
//!
//! Whether a config has children, and whether it is emitted, are part of its
//! fingerprint too (they decide what `compile` does with it). A config in a
//! reference cycle, and one that depends on it, gets no fingerprint (always
//! evaluated), and so does every config when a schema or type alias names a
//! config (a default computed from a config's value).

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::{FixedState, FoldHasher};

use crate::ast::Decl;
use crate::loader::Project;
use crate::resolve::{referenced, ConfigId, Id, Item, Program};

/// A 128-bit hash of a config's inputs.
pub(super) type Fingerprint = u128;

/// Two 64-bit hashers with different seeds, read as one 128-bit value.
pub(super) struct Fp(FoldHasher<'static>, FoldHasher<'static>);

impl Fp {
    pub(super) fn new() -> Fp {
        Fp(
            FixedState::with_seed(0x6d63_6667_0001).build_hasher(),
            FixedState::with_seed(0x6d63_6667_0002).build_hasher(),
        )
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.0.write_usize(b.len());
        self.0.write(b);
        self.1.write_usize(b.len());
        self.1.write(b);
    }

    pub(super) fn num(&mut self, n: u128) {
        self.0.write_u128(n);
        self.1.write_u128(n);
    }

    pub(super) fn finish(&self) -> Fingerprint {
        (u128::from(self.0.finish()) << 64) | u128::from(self.1.finish())
    }
}

/// The hash of a piece of text.
pub(super) fn text_hash(text: &str) -> Fingerprint {
    let mut h = Fp::new();
    h.bytes(text.as_bytes());
    h.finish()
}

/// Per config (by `ConfigId`), its fingerprint; `None`: always evaluate it.
pub(super) fn fingerprints(prog: &Program<'_>) -> Vec<Option<Fingerprint>> {
    let n = prog.configs.len();
    let Some(global) = global(prog) else {
        return vec![None; n];
    };
    let mut graph = Graph {
        prog,
        global,
        state: vec![State::New; n],
    };
    let mut out: Vec<Option<Fingerprint>> = prog
        .configs
        .iter_ids()
        .map(|(cid, _)| graph.visit(cid))
        .collect();
    // Two configs with one fingerprint (the same declaration twice, already an
    // error) could not tell their results apart: evaluate both.
    let mut seen: indexmap::IndexMap<Fingerprint, usize> = indexmap::IndexMap::new();
    for fp in out.iter().flatten() {
        *seen.entry(*fp).or_default() += 1;
    }
    for fp in &mut out {
        if fp.is_some_and(|f| seen.get(&f).copied().unwrap_or(0) > 1) {
            *fp = None;
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum State {
    New,
    Visiting,
    Done(Option<Fingerprint>),
}

struct Graph<'p, 'a> {
    prog: &'p Program<'a>,
    global: Fingerprint,
    state: Vec<State>,
}

impl Graph<'_, '_> {
    /// The fingerprint of `cid` (its dependencies first). Dependency chains are
    /// as long as inheritance and reference chains, which resolve and eval
    /// already walk recursively within their own depth limits.
    fn visit(&mut self, cid: ConfigId) -> Option<Fingerprint> {
        let i = cid.index();
        match self.state[i] {
            State::Done(fp) => return fp,
            State::Visiting => return None,
            State::New => {}
        }
        self.state[i] = State::Visiting;
        let fp = self.compute(cid);
        self.state[i] = State::Done(fp);
        fp
    }

    fn compute(&mut self, cid: ConfigId) -> Option<Fingerprint> {
        let prog = self.prog;
        let c = &prog.configs[cid];
        let project = prog.project;
        let text = project.sources.slice(c.decl.span);
        let mut h = Fp::new();
        h.num(self.global);
        h.bytes(project.file(c.file).path.as_os_str().as_encoded_bytes());
        h.bytes(text.as_bytes());
        h.num(
            u128::from(c.has_children)
                | u128::from(c.is_emitted()) << 1
                | u128::from(c.broken) << 2,
        );
        if let Some(parent) = c.parent {
            h.num(self.visit(parent)?);
        }
        for dep in referenced(prog, c.file, text) {
            if dep != cid {
                h.num(self.visit(dep)?);
            }
        }
        Some(h.finish())
    }
}

/// The hash of everything but config declarations; `None` when a schema or
/// type alias names a config (then nothing is reused).
fn global(prog: &Program<'_>) -> Option<Fingerprint> {
    let project: &Project = prog.project;
    let mut h = Fp::new();
    h.num(prog.configs.len() as u128);
    for file in &project.files {
        h.bytes(file.path.as_os_str().as_encoded_bytes());
        h.num(u128::from(file.is_std));
        let Some(ast) = &file.ast else {
            h.num(u128::MAX);
            h.bytes(project.sources.get(file.id).text.as_bytes());
            continue;
        };
        for decl in &ast.decls {
            let text = project.sources.slice(decl.span());
            match decl {
                Decl::Config(c) => h.bytes(c.name.name.as_bytes()),
                Decl::Schema(_) | Decl::Type(_) => {
                    if !referenced(prog, file.id, text).is_empty() {
                        return None;
                    }
                    h.bytes(text.as_bytes());
                }
                Decl::Import(_) | Decl::Environments(_) | Decl::Test(_) => h.bytes(text.as_bytes()),
            }
        }
        if let Some(scope) = prog.scopes.get(file.id.0 as usize) {
            for (name, (item, _)) in scope {
                h.bytes(name.as_bytes());
                match item {
                    Item::Schema(_) => h.num(1),
                    Item::Alias(_) => h.num(2),
                    Item::Config(_) => h.num(3),
                    Item::Module(m) => {
                        h.bytes(project.file(*m).path.as_os_str().as_encoded_bytes());
                    }
                }
            }
        }
    }
    Some(h.finish())
}
