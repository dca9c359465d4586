//! `mcfg log CONFIG.PATH` (CLI.md "Machine-readable reports"): the history of
//! one resolved value. Every commit that touched the project root is compiled
//! (read from git, never checked out), oldest first, and each commit where
//! the value changed is listed with its author, date, subject, old and new
//! value and the assignment that holds the new value.
//!
//! A commit where the value does not exist (the config or path is not there
//! yet, or was removed) has no value: the first commit that has one
//! "introduces" it (`old` absent), and a removal is a change to `null` with
//! no location. A commit where the value fails to evaluate (the sources had
//! errors then) is skipped.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::lookup::{self, Loc};
use super::query::QueryError;
use super::revisions::{each_revision, At, Depends};
use crate::compile::{compile_project_into, load_paths_cached, with_program, Sink};
use crate::diagnostics::Diagnostics;
use crate::eval::inspect::inspect;
use crate::eval::{value_equal, LayerCache, Value};
use crate::git::{GitError, Repo, Walk};
use crate::loader::{FileSystem, ParseCache};
use crate::resolve::Program;

/// One commit that changed the value.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub commit: String,
    pub author: String,
    pub date: String,
    pub subject: String,
    /// Absent for the commit that introduced the value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<serde_json::Value>,
    pub new: serde_json::Value,
    pub location: Option<Loc>,
    #[serde(skip)]
    pub shown: [String; 2],
}

/// The history of one value.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub config: String,
    pub env: Option<String>,
    pub path: String,
    pub changes: Vec<Change>,
    /// Present when the history goes further back than could be seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen_since: Option<Cut>,
}

/// What a revision says about the value.
#[derive(Debug, Clone)]
pub enum Observed {
    Absent,
    Failed,
    Present(Value, Option<Loc>),
}

/// The value of `target` in `env` in a compiled program.
pub fn observe(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    target: &str,
    env: Option<&str>,
) -> Observed {
    let Ok((cid, path)) = lookup::split_target(prog, target) else {
        return Observed::Absent;
    };
    let Ok(slot) = lookup::find_env(prog, env) else {
        return Observed::Absent;
    };
    if prog.has_envs() && slot.is_none() {
        return Observed::Absent;
    }
    let insp = inspect(prog, cache, cid, slot);
    let Ok(id) = lookup::find_node(&insp.layers, "", &path) else {
        return Observed::Absent;
    };
    let value = lookup::node_value(&insp, id);
    let location = lookup::owned_at(&prog.project.sources, &insp.layers, id);
    match value {
        Some(v) => Observed::Present(v, location),
        None => Observed::Failed,
    }
}

/// Checks `target` and `env` against the working tree (exit-2 errors for typos).
pub fn validate(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    target: &str,
    env: Option<&str>,
) -> Result<(), QueryError> {
    let (cid, path) = lookup::split_target(prog, target)?;
    let slot = lookup::find_env(prog, env)?;
    if prog.has_envs() && slot.is_none() {
        return Err(needs_env("log", prog));
    }
    let insp = inspect(prog, cache, cid, slot);
    let config = &prog.configs[cid].name;
    lookup::find_node(&insp.layers, config, &path)?;
    Ok(())
}

/// [`QueryError::NeedsEnv`] for `command` on the sources of `prog`.
pub fn needs_env(command: &'static str, prog: &Program<'_>) -> QueryError {
    QueryError::NeedsEnv {
        command,
        declared: prog.envs.iter().map(|e| e.name.to_string()).collect(),
    }
}

/// What to compile at each revision.
#[derive(Debug, Clone)]
pub struct Query<'q> {
    pub paths: &'q [PathBuf],
    pub root: &'q Path,
    pub target: &'q str,
    pub env: Option<&'q str>,
}

/// Compiles `q.paths` from `fs` and observes the value.
pub fn observe_in(fs: &dyn FileSystem, q: &Query<'_>) -> Observed {
    observe_cached(fs, q, &ParseCache::default()).0
}

/// [`observe_in`] with the trees of earlier revisions, and what a value
/// read depends on.
fn observe_cached(
    fs: &dyn FileSystem,
    q: &Query<'_>,
    parses: &ParseCache,
) -> (Observed, Option<Depends>) {
    let Ok((project, diags)) = load_paths_cached(fs, q.paths, Some(q.root), parses) else {
        return (Observed::Absent, None);
    };
    let (seen, depends) = with_program(&project, &mut Diagnostics::new(), |prog, cache| {
        let seen = observe(prog, cache, q.target, q.env);
        let depends = matches!(seen, Observed::Present(..))
            .then(|| Depends::of(prog, q.target, q.root))
            .flatten();
        (seen, depends)
    });
    // Broken sources say nothing about the value (it may be in a file that
    // did not parse): only then is the whole revision compiled.
    if matches!(seen, Observed::Absent)
        && compile_project_into(project, diags, &Sink::diagnostics_only()).has_errors()
    {
        return (Observed::Failed, None);
    }
    (seen, depends)
}

/// How far back a walk could see, when that is not the first commit.
#[derive(Debug, Clone, Serialize)]
pub struct Cut {
    /// The oldest commit seen.
    pub commit: String,
    /// `"shallow clone"` or `"--max-count"`.
    pub reason: &'static str,
}

impl Cut {
    /// The cut of a walk that did not reach the first commit.
    pub fn of(walk: &Walk) -> Option<Cut> {
        Some(Cut {
            commit: walk.cut_at.clone()?,
            reason: walk.cut_reason?,
        })
    }

    /// One line for people: where the history seen begins, and why.
    pub fn line(&self) -> String {
        let short = self.commit.get(..12).unwrap_or(&self.commit);
        format!(
            "  history seen from {short} on ({}); older changes are not shown\n",
            self.reason
        )
    }
}

/// Walks the history of the project root (only commits that change a
/// `.mcfg` file, first parents only) and lists each change of the value.
pub fn history(repo: &Repo, q: &Query<'_>, max_count: Option<usize>) -> Result<History, GitError> {
    history_walk(repo, q, max_count, Skip::Unaffected)
}

/// Whether a history walk evaluates the revisions that change no file the
/// value depends on ([`Skip::Never`]: the full recompilation, for tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Unaffected,
    Never,
}

/// [`history`], skipping as `skip` says.
pub fn history_walk(
    repo: &Repo,
    q: &Query<'_>,
    max_count: Option<usize>,
    skip: Skip,
) -> Result<History, GitError> {
    let walk = repo.walk(max_count)?;
    let mut changes = Vec::new();
    let mut prev: Option<Option<Value>> = None;
    each_revision(repo, &walk, q.root, |commit, at| {
        let (seen, depends) = match at {
            At::Files(fs, parses) => observe_cached(fs, q, parses),
            At::Unreadable => (Observed::Failed, None),
            // The value of the last revision read stands: no change.
            At::Unchanged => return None,
        };
        let depends = depends.filter(|_| skip == Skip::Unaffected);
        let (value, location) = match seen {
            Observed::Failed => return None,
            Observed::Absent => (None, None),
            Observed::Present(v, loc) => (Some(v), loc),
        };
        let changed = match &prev {
            None => value.is_some(),
            Some(p) => !same(p.as_ref(), value.as_ref()),
        };
        if changed {
            let json =
                |v: &Option<Value>| v.as_ref().map_or(serde_json::Value::Null, Value::to_json);
            let show = |v: &Option<Value>| v.as_ref().map_or("(absent)".into(), lookup::show);
            let old = prev.as_ref().map(json);
            let shown = [prev.as_ref().map_or("(new)".into(), show), show(&value)];
            changes.push(Change {
                commit: commit.hash.clone(),
                author: commit.author.clone(),
                date: commit.date.clone(),
                subject: commit.subject.clone(),
                old,
                new: json(&value),
                location,
                shown,
            });
        }
        prev = Some(value);
        depends
    })?;
    let (config, path) = q.target.split_once('.').unwrap_or((q.target, ""));
    Ok(History {
        config: config.to_owned(),
        env: q.env.map(str::to_owned),
        path: path.to_owned(),
        changes,
        seen_since: Cut::of(&walk),
    })
}

/// Two observations of a value are the same: equal values of the same type,
/// or both absent.
pub fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => value_equal(a, b) && a.type_name() == b.type_name(),
        (None, None) => true,
        _ => false,
    }
}

/// The history as people read it, one commit per entry.
pub fn render_human(h: &History) -> String {
    let mut out = render_head(h);
    if h.changes.is_empty() {
        out.push_str(NEVER_CHANGED);
    }
    for c in &h.changes {
        out.push_str(&render_change(c));
    }
    out.push_str(&render_foot(h));
    out
}

/// The line shown when nothing changed the value.
pub const NEVER_CHANGED: &str = "  never changed in the history of this folder\n";

/// The first line: the value and its environment.
pub fn render_head(h: &History) -> String {
    let env = h
        .env
        .as_deref()
        .map(|e| format!(" in env {e}"))
        .unwrap_or_default();
    format!("{}.{}{env}\n", h.config, h.path)
}

/// One commit's lines.
pub fn render_change(c: &Change) -> String {
    let short = c.commit.get(..12).unwrap_or(&c.commit);
    let mut out = format!("{short}  {}  {}  {}\n", c.date, c.author, c.subject);
    out.push_str(&format!("    {} -> {}", c.shown[0], c.shown[1]));
    if let Some(l) = &c.location {
        out.push_str(&format!("  ({})", l.short()));
    }
    out.push('\n');
    out
}

/// Where the history seen begins, when that is not the first commit.
pub fn render_foot(h: &History) -> String {
    h.seen_since.as_ref().map(Cut::line).unwrap_or_default()
}
