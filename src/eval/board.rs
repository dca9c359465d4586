//! Configs that other configs read are evaluated before their readers, and
//! their finished values published for them.
//!
//! Without this, every (config, environment) evaluation follows each
//! cross-config reference into a fresh evaluation of the config it names, so
//! a chain of N configs each reading the previous one costs N²/2 (issue #13).
//! [`plan`] orders the configs in *waves*: a config comes after every config
//! its text (or an ancestor's text) may read — [`crate::resolve::referenced`],
//! an over-approximation — and configs in a reference cycle (or depending on
//! one) form the last wave. After each wave, the evaluations of the configs
//! that someone reads are published; a later reader takes their values from
//! the [`Board`] instead of evaluating them again.
//!
//! **Determinism.** What a reader finds on the board depends only on the plan
//! (publications become visible between waves, never during one), so results
//! do not depend on thread timing. A published value carries the length of
//! the longest chain of references below it, and a reader checks the
//! reference-depth limit against it: a chain of configs is limited exactly
//! as if it were followed whole. A published failure reads as a failure
//! without a second diagnostic: the publisher reported it, in the same
//! compilation.

use std::sync::{Arc, Mutex, RwLock};

use crate::merge::Layers;
use crate::resolve::{referenced, ConfigId, EnvId, IdVec, Program};

use super::cache::Consts;
use super::{ConfigEval, State};

/// One config's finished evaluation in one environment.
#[derive(Debug)]
pub struct Published<'a> {
    pub(super) layers: Layers<'a>,
    pub(super) states: Vec<State>,
    pub(super) depth: Vec<u32>,
    pub(super) consts: Option<Arc<Consts>>,
    pub(super) layering_failed: bool,
}

type Key = (ConfigId, Option<EnvId>);

/// The published evaluations of one compilation.
#[derive(Debug)]
pub struct Board<'a> {
    /// Per config: whether a config's text may read it (so it is published).
    read: IdVec<ConfigId, bool>,
    ready: RwLock<crate::map::Map<Key, Arc<Published<'a>>>>,
    /// Published during the current wave; visible after it.
    pending: Mutex<Vec<(Key, Arc<Published<'a>>)>>,
}

impl<'a> Board<'a> {
    /// Whether config `cid`'s evaluations are to be published.
    pub(super) fn wants(&self, cid: ConfigId) -> bool {
        self.read[cid]
    }

    /// Config `cid`'s evaluation in `env`, if an earlier wave published it.
    pub(super) fn get(&self, cid: ConfigId, env: Option<EnvId>) -> Option<Arc<Published<'a>>> {
        if !self.read[cid] {
            return None;
        }
        // A poisoned lock means a panicking evaluation thread, which
        // aborts the compilation anyway: reading nothing is safe.
        self.ready.read().ok()?.get(&(cid, env)).cloned()
    }

    /// Publishes `ce`, evaluated in `env`, at the end of the wave.
    pub(super) fn offer(&self, ce: &ConfigEval<'a>, env: Option<EnvId>) {
        let published = Published {
            layers: ce.layers.clone(),
            states: ce.states.borrow().clone(),
            depth: ce.depth.borrow().clone(),
            consts: ce.consts.clone(),
            layering_failed: ce.layering_failed,
        };
        if let Ok(mut pending) = self.pending.lock() {
            pending.push(((ce.cid, env), Arc::new(published)));
        }
    }

    /// Ends a wave: what it published becomes readable.
    pub fn end_wave(&self) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if pending.is_empty() {
            return;
        }
        if let Ok(mut ready) = self.ready.write() {
            ready.extend(pending.drain(..));
        }
    }
}

/// The order of evaluation of `configs` (the configs to evaluate, in
/// program order): waves, each in program order, and the board the waves
/// publish to. One wave (and a board that publishes nothing) when no config
/// reads another.
pub fn plan<'a>(prog: &Program<'a>, configs: &[ConfigId]) -> (Vec<Vec<ConfigId>>, Board<'a>) {
    let n = prog.configs.len();
    let mut scheduled: IdVec<ConfigId, bool> = prog.configs.map(|_| false);
    for &c in configs {
        scheduled[c] = true;
    }
    // What each config's own text may read, among the scheduled configs.
    let refs: IdVec<ConfigId, Vec<ConfigId>> = {
        let of = |(cid, c): (ConfigId, &crate::resolve::Config<'_>)| -> Vec<ConfigId> {
            let text = prog.project.sources.slice(body_span(c.decl));
            referenced(prog, c.file, text)
                .into_iter()
                .filter(|&d| d != cid && scheduled[d])
                .collect()
        };
        // Scanning every declaration's words is worth two threads on a big project.
        let ids: Vec<_> = prog.configs.iter_ids().collect();
        let lists: Vec<Vec<ConfigId>> = if ids.len() < 512 {
            ids.into_iter().map(of).collect()
        } else {
            use rayon::prelude::*;
            ids.into_par_iter().map(of).collect()
        };
        let mut refs = prog.configs.map(|_| Vec::new());
        for ((cid, _), list) in prog.configs.iter_ids().zip(lists) {
            refs[cid] = list;
        }
        refs
    };
    let mut read: IdVec<ConfigId, bool> = prog.configs.map(|_| false);
    for list in &refs {
        for &d in list {
            read[d] = true;
        }
    }
    let board = Board {
        read,
        ready: RwLock::new(crate::map::Map::default()),
        pending: Mutex::new(Vec::new()),
    };
    if !(&board.read).into_iter().any(|&r| r) {
        return (vec![configs.to_vec()], board);
    }
    // Whether a config's text or an ancestor's reads another config.
    let mut reads: IdVec<ConfigId, bool> = refs.map(|r| !r.is_empty());
    let mut by_depth: Vec<(ConfigId, &crate::resolve::Config<'_>)> =
        prog.configs.iter_ids().collect();
    by_depth.sort_by_key(|(_, c)| c.depth);
    for (cid, c) in by_depth {
        if let Some(p) = c.parent {
            reads[cid] |= reads[p];
        }
    }
    // What a scheduled config waits for: what its text reads, and its
    // nearest scheduled ancestor when that one's chain reads (it waits for
    // what it reads) or, past an unscheduled (abstract) ancestor, what that
    // ancestor's text reads.
    let waits: IdVec<ConfigId, Vec<ConfigId>> = {
        let mut waits = prog.configs.map(|_| Vec::new());
        for &c in configs {
            let mut list = refs[c].clone();
            let mut up = prog.configs[c].parent;
            let mut hops = 0;
            while let Some(p) = up {
                if !reads[p] {
                    break;
                }
                if scheduled[p] {
                    list.push(p);
                    break;
                }
                list.extend_from_slice(&refs[p]);
                up = prog.configs[p].parent;
                hops += 1;
                // Inheritance cycles are cut by `resolve`; stay bounded anyway.
                if hops > n {
                    break;
                }
            }
            list.sort_by_key(|c| crate::resolve::Id::index(*c));
            list.dedup();
            waits[c] = list;
        }
        waits
    };
    let levels = levels(configs, &waits);
    let last = levels.iter().flatten().copied().max().unwrap_or(0);
    let mut waves: Vec<Vec<ConfigId>> = vec![Vec::new(); last as usize + 1];
    for &c in configs {
        if let Some(l) = levels[c] {
            waves[l as usize].push(c);
        }
    }
    waves.retain(|w| !w.is_empty());
    (waves, board)
}

/// The declaration past its header: `extends PARENT` names the parent
/// without reading it (the parent's text is waited for through `waits`).
fn body_span(decl: &crate::ast::ConfigDecl) -> crate::source::Span {
    let header = [
        Some(decl.name.span),
        decl.schema.as_ref().map(|q| q.span),
        decl.parent.as_ref().map(|q| q.span),
    ];
    let start = header
        .iter()
        .flatten()
        .map(|s| s.end)
        .max()
        .unwrap_or(decl.span.start);
    crate::source::Span {
        start: start.clamp(decl.span.start, decl.span.end),
        ..decl.span
    }
}

const CYCLIC: u32 = u32::MAX;

/// Per scheduled config, its wave: 0 without waits, else one past the
/// latest of its waits; configs in or after a cycle of waits go last.
fn levels(
    configs: &[ConfigId],
    waits: &IdVec<ConfigId, Vec<ConfigId>>,
) -> IdVec<ConfigId, Option<u32>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done(u32),
    }
    let mut mark: IdVec<ConfigId, Mark> = waits.map(|_| Mark::New);
    // An explicit stack: wait chains are as long as reference chains.
    for &root in configs {
        if mark[root] != Mark::New {
            continue;
        }
        let mut stack: Vec<(ConfigId, usize, u32)> = vec![(root, 0, 0)];
        mark[root] = Mark::Active;
        while let Some(top) = stack.last_mut() {
            let (c, next, level) = *top;
            if let Some(&w) = waits[c].get(next) {
                top.1 += 1;
                match mark[w] {
                    Mark::New => {
                        mark[w] = Mark::Active;
                        stack.push((w, 0, 0));
                    }
                    Mark::Active => top.2 = CYCLIC,
                    Mark::Done(l) => top.2 = level.max(l.saturating_add(1)),
                }
                continue;
            }
            stack.pop();
            mark[c] = Mark::Done(level);
            if let Some(parent) = stack.last_mut() {
                parent.2 = parent.2.max(level.saturating_add(1));
            }
        }
    }
    // The cyclic ones go after every other wave.
    let finite = (&mark)
        .into_iter()
        .filter_map(|m| match m {
            Mark::Done(l) if *l != CYCLIC => Some(*l),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    mark.map(|m| match *m {
        Mark::Done(CYCLIC) => Some(finite + 1),
        Mark::Done(l) => Some(l),
        Mark::New | Mark::Active => None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::compile::{compile_paths, with_program};
    use crate::diagnostics::Diagnostics;
    use crate::loader::MemoryFs;

    use super::plan;

    /// The waves of `text`'s emitted configs, by name, and the names published.
    fn waves(text: &str) -> (Vec<Vec<String>>, Vec<String>) {
        let mut fs = MemoryFs::new();
        fs.insert("/p/main.mcfg", text);
        let comp = compile_paths(&fs, &[PathBuf::from("/p")], None).expect("loads");
        let mut diags = Diagnostics::new();
        with_program(&comp.project, &mut diags, |prog, _| {
            let configs: Vec<_> = prog
                .configs
                .iter_ids()
                .filter(|(_, c)| c.is_emitted())
                .map(|(id, _)| id)
                .collect();
            let (waves, board) = plan(prog, &configs);
            let name = |c| prog.configs[c].name.to_string();
            let published = prog
                .configs
                .iter_ids()
                .filter(|(c, _)| board.wants(*c))
                .map(|(c, _)| name(c))
                .collect();
            let waves = waves
                .into_iter()
                .map(|w| w.into_iter().map(name).collect())
                .collect();
            (waves, published)
        })
    }

    #[test]
    fn configs_nobody_reads_are_one_wave_and_nothing_is_published() {
        let (w, p) = waves("config a { v = 1 }\nconfig b { v = 2 }\n");
        assert_eq!(w, vec![vec!["a", "b"]]);
        assert!(p.is_empty());
    }

    #[test]
    fn a_reader_comes_after_what_it_reads_in_program_order_within_a_wave() {
        let (w, p) = waves(
            "config c { v = b.v + a.v }\nconfig b { v = a.v }\nconfig a { v = 1 }\nconfig d { v = a.v }\n",
        );
        assert_eq!(w, vec![vec!["a"], vec!["b", "d"], vec!["c"]]);
        assert_eq!(p, vec!["b", "a"]);
    }

    #[test]
    fn extending_a_config_is_not_reading_it() {
        let (w, p) = waves(
            "config a { v = 1 }\nconfig b extends a { w = 2 }\nconfig c extends b { x = 3 }\n",
        );
        assert_eq!(w, vec![vec!["a", "b", "c"]]);
        assert!(p.is_empty(), "{p:?}");
    }

    #[test]
    fn a_child_waits_for_its_parent_only_when_the_parents_chain_reads() {
        let (w, _) = waves(
            "config a { v = 1 }\nconfig b extends a { w = 2 }\nconfig r { x = s.v }\nconfig s { v = 1 }\nconfig t extends r { y = 1 }\n",
        );
        assert_eq!(w, vec![vec!["a", "b", "s"], vec!["r"], vec!["t"]]);
    }

    #[test]
    fn a_child_waits_for_what_its_abstract_parent_reads() {
        let (w, _) = waves(
            "abstract config t { v = src.v }\nconfig k extends t { w = 1 }\nconfig src { v = 1 }\n",
        );
        assert_eq!(w, vec![vec!["src"], vec!["k"]]);
    }

    #[test]
    fn configs_in_or_after_a_reference_cycle_go_last() {
        let (w, _) = waves(
            "config p { a = q.b }\nconfig q { b = p.a }\nconfig r { c = p.a }\nconfig s { v = 1 }\nconfig t { v = s.v }\n",
        );
        assert_eq!(w, vec![vec!["s"], vec!["t"], vec!["p", "q", "r"]]);
    }
}
