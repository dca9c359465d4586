//! `mcfg blame CONFIG[.PATH] [--env E]` (CLI.md): for each resolved leaf of
//! a config in one environment, the commit that last changed it and the
//! step that holds it now.
//!
//! A leaf's *identity* at a revision is its value together with the step
//! that holds it: the file, the origin (`base, env prod`), the operator and
//! the expression's text. The commit blamed is the newest one at which that
//! identity changed, so a value set by a parent in another file is blamed on
//! the commit that changed that file, and moving an assignment from an env
//! block into a parent (same value) is blamed on the move — while a line
//! that only shifted because of edits above it is not a change. A leaf whose
//! working-tree identity differs from the newest commit's is `uncommitted`.
//! Revisions whose sources do not compile say nothing and are skipped, as in
//! `log`.
//!
//! With the manifest of a build (`--manifest`), the `--set` overrides it
//! records are applied to the working tree, and a leaf an override holds is
//! blamed on it: `op` of the override, origin `--set`, the argument, and the
//! location of that argument in the manifest — no commit has it.

use indexmap::IndexMap;
use serde::Serialize;

use super::history::needs_env;
use super::history::{same, Cut, Query, Skip};
use super::lookup::{self, dotted, Loc};
use super::query::QueryError;
use super::revisions::{each_revision, At, Depends};
use crate::compile::{
    compile_project_into, load_paths_cached, with_program, with_program_overrides, Sink,
};
use crate::diagnostics::Diagnostics;
use crate::eval::inspect::inspect;
use crate::eval::{LayerCache, Value};
use crate::git::{Commit, Repo};
use crate::merge::Op;
use crate::resolve::Program;

/// One leaf's blame.
#[derive(Debug, Clone, Serialize)]
pub struct Blamed {
    pub path: String,
    pub value: serde_json::Value,
    /// `default`, `set` or `append`: the kind of step that holds the value.
    pub op: &'static str,
    /// Where that step is (the schema default's declaration for a default).
    pub location: Option<Loc>,
    /// The step's origin as `explain` names it (`"base, env prod"`).
    pub from: String,
    /// The commit that last changed the leaf; `None` when the working tree
    /// changed it since the newest commit, or no commit seen has it.
    pub commit: Option<String>,
    pub author: Option<String>,
    pub date: Option<String>,
    pub subject: Option<String>,
    /// The working tree holds a change no commit has.
    pub uncommitted: bool,
    /// The `--set` argument of the build's manifest that holds the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
    #[serde(skip)]
    pub shown: String,
}

/// `mcfg blame` for one config in one environment.
#[derive(Debug, Clone, Serialize)]
pub struct Blame {
    pub config: String,
    pub env: Option<String>,
    pub leaves: Vec<Blamed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_since: Option<Cut>,
}

/// A leaf as a revision has it.
#[derive(Debug, Clone)]
struct Leaf {
    value: Option<Value>,
    /// File, origin, operator and expression text of the holding step.
    step: Option<(String, String, &'static str, String)>,
    location: Option<Loc>,
    /// The index of the `--set` override holding the value.
    over: Option<u32>,
}

impl Leaf {
    fn same_as(&self, other: &Leaf) -> bool {
        same(self.value.as_ref(), other.value.as_ref()) && self.step == other.step
    }
}

type Leaves = IndexMap<String, Leaf>;

/// The leaves of `q.target` (a config, or a path below it) in `q.env`.
fn leaves(prog: &Program<'_>, cache: &LayerCache<'_>, q: &Query<'_>) -> Option<Leaves> {
    let (cid, path) = lookup::split_target(prog, q.target).ok()?;
    let slot = lookup::find_env(prog, q.env).ok()?;
    let insp = inspect(prog, cache, cid, slot);
    let top = lookup::find_node(&insp.layers, "", &path).ok()?;
    let sources = &prog.project.sources;
    let mut out = Leaves::new();
    for id in insp.layers.leaves_below(top) {
        let step = lookup::holding(&insp.layers, id);
        let location = step.map(|s| lookup::loc(sources, s.expr.span));
        let ident = step.map(|s| {
            let file = location
                .as_ref()
                .map_or_else(String::new, |l| l.file.clone());
            let text = sources.slice(s.expr.span).to_owned();
            (
                file,
                lookup::origin_text(prog, s.origin),
                s.op.as_str(),
                text,
            )
        });
        let over = step.and_then(|s| match s.origin {
            crate::merge::Origin::Override(i) => Some(i),
            _ => None,
        });
        let leaf = Leaf {
            value: lookup::leaf_value(&insp, id),
            step: ident,
            location,
            over,
        };
        out.insert(dotted(&insp.layers.path_of(id)), leaf);
    }
    Some(out)
}

/// Checks the target against the working tree (exit-2 errors for typos).
pub fn validate(prog: &Program<'_>, q: &Query<'_>) -> Result<(), QueryError> {
    let (_, _) = lookup::split_target(prog, q.target)?;
    let slot = lookup::find_env(prog, q.env)?;
    if prog.has_envs() && slot.is_none() {
        return Err(needs_env("blame", prog));
    }
    Ok(())
}

/// The manifest of a build whose `--set` overrides `now` was compiled with.
#[derive(Debug, Clone, Copy)]
pub struct FromManifest<'m> {
    /// The manifest's path as the user gave it.
    pub path: &'m str,
    pub text: &'m str,
}

impl FromManifest<'_> {
    /// Where the argument `arg` is written in the manifest (its JSON string).
    fn location_of(&self, arg: &str) -> Loc {
        let quoted = serde_json::to_string(arg).unwrap_or_default();
        let at = self.text.find(&quoted).unwrap_or(0);
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Loc {
            file: self.path.to_owned(),
            line,
            column,
        }
    }
}

/// Blames every leaf of `q.target` as the working tree `now` has it (with
/// the overrides of `now`, recorded in `manifest`, applied).
pub fn blame(
    repo: &Repo,
    now: &crate::compile::Compilation,
    q: &Query<'_>,
    max_count: Option<usize>,
    manifest: Option<FromManifest<'_>>,
) -> Result<Blame, QueryError> {
    blame_walk(repo, now, q, max_count, manifest, Skip::Unaffected)
}

/// [`blame`], skipping as `skip` says.
pub fn blame_walk(
    repo: &Repo,
    now: &crate::compile::Compilation,
    q: &Query<'_>,
    max_count: Option<usize>,
    manifest: Option<FromManifest<'_>>,
    skip: Skip,
) -> Result<Blame, QueryError> {
    let mut diags = Diagnostics::new();
    let current =
        with_program_overrides(&now.project, &now.overrides, &mut diags, |prog, cache| {
            validate(prog, q)?;
            leaves(prog, cache, q).ok_or_else(|| QueryError::NoValues {
                target: q.target.to_owned(),
            })
        })?;
    let walk = repo.walk(max_count)?;
    let mut last: Option<Leaves> = None;
    let mut changed_at: IndexMap<String, Commit> = IndexMap::new();
    each_revision(repo, &walk, q.root, |commit, at| {
        let At::Files(fs, parses) = at else {
            // Unreadable says nothing; unchanged leaves every leaf as it was.
            return None;
        };
        let (seen, depends) = revision_leaves(fs, q, parses)?;
        for (path, leaf) in &seen {
            let before = last.as_ref().and_then(|l| l.get(path));
            if before.is_none_or(|b| !b.same_as(leaf)) {
                changed_at.insert(path.clone(), commit.clone());
            }
        }
        last = Some(seen);
        depends.filter(|_| skip == Skip::Unaffected)
    })?;
    let mut out = Vec::new();
    for (path, leaf) in &current {
        let set_by = leaf
            .over
            .and_then(|i| now.overrides.get(i as usize))
            .map(|o| o.text.clone());
        let committed = last.as_ref().and_then(|l| l.get(path));
        let uncommitted = committed.is_none_or(|c| !c.same_as(leaf));
        let commit = (!uncommitted).then(|| changed_at.get(path)).flatten();
        let step = leaf.step.as_ref();
        out.push(Blamed {
            path: path.clone(),
            value: leaf
                .value
                .as_ref()
                .map_or(serde_json::Value::Null, Value::to_json),
            op: step.map_or(Op::Default.as_str(), |s| s.2),
            location: leaf.location.clone(),
            from: step.map_or_else(String::new, |s| s.1.clone()),
            commit: commit.map(|c| c.hash.clone()),
            author: commit.map(|c| c.author.clone()),
            date: commit.map(|c| c.date.clone()),
            subject: commit.map(|c| c.subject.clone()),
            uncommitted,
            set_by: None,
            shown: leaf
                .value
                .as_ref()
                .map_or_else(|| "(failed)".into(), lookup::show),
        });
        // An override of the build holds it: no commit has the value.
        if let (Some(arg), Some(b)) = (set_by, out.last_mut()) {
            b.location = manifest.map(|m| m.location_of(&arg));
            (b.commit, b.author, b.date, b.subject) = (None, None, None, None);
            b.uncommitted = false;
            b.set_by = Some(arg);
        }
    }
    let config = q.target.split('.').next().unwrap_or(q.target);
    Ok(Blame {
        config: config.to_owned(),
        env: q.env.map(str::to_owned),
        leaves: out,
        seen_since: Cut::of(&walk),
    })
}

/// The leaves at one revision and what they depend on; `None` when its
/// sources do not compile.
fn revision_leaves(
    fs: &crate::loader::MemoryFs,
    q: &Query<'_>,
    parses: &crate::loader::ParseCache,
) -> Option<(Leaves, Option<Depends>)> {
    // Only whether it compiles matters here: no artifact is rendered.
    let (project, diags) = load_paths_cached(fs, q.paths, Some(q.root), parses).ok()?;
    let comp = compile_project_into(project, diags, &Sink::diagnostics_only());
    if comp.has_errors() {
        return None;
    }
    with_program(&comp.project, &mut Diagnostics::new(), |prog, cache| {
        let seen = leaves(prog, cache, q)?;
        Some((seen, Depends::of(prog, q.target, q.root)))
    })
}

/// The blame as people read it: one row per leaf.
pub fn render_human(b: &Blame) -> String {
    let header = ["path", "value", "commit", "author", "date", "set at"];
    let mut rows = vec![header.map(str::to_owned).to_vec()];
    for l in &b.leaves {
        let commit = match (&l.commit, l.uncommitted) {
            _ if l.set_by.is_some() => "--set".to_owned(),
            (_, true) => "uncommitted".to_owned(),
            (Some(c), false) => c.get(..12).unwrap_or(c).to_owned(),
            (None, false) => "-".to_owned(),
        };
        let when = l.date.as_deref().map_or("", |d| d.get(..10).unwrap_or(d));
        let place = match (&l.location, l.op) {
            (Some(loc), _) if l.set_by.is_some() => {
                format!(
                    "{} (--set {})",
                    loc.short(),
                    l.set_by.as_deref().unwrap_or("")
                )
            }
            (Some(loc), "default") => format!("{} (default)", loc.short()),
            (Some(loc), _) => loc.short(),
            (None, _) => "(nothing set)".to_owned(),
        };
        rows.push(vec![
            l.path.clone(),
            l.shown.clone(),
            commit,
            l.author.clone().unwrap_or_default(),
            when.to_owned(),
            place,
        ]);
    }
    let mut out = lookup::table(&rows);
    if let Some(cut) = &b.seen_since {
        out.push_str(&cut.line());
    }
    out
}
