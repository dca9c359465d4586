//! The revisions of a history walk as `log` and `blame` evaluate them: each
//! blob parsed once, and a revision evaluated again only when it changes a
//! file the value can depend on.
//!
//! After a revision whose value could be read, [`Depends`] records the files
//! that were loaded and those the queried config can depend on: its file and
//! every file that file imports, transitively (a parent, a referenced config
//! and a schema are reached only through the file's own declarations and its
//! imports, LANGUAGE.md §5 "Names"), and every file declaring `environments`
//! (they hold the build's one set). A later revision whose changes all lie in
//! loaded files outside that closure has the same value, and is not evaluated
//! again ([`At::Unchanged`]). Whenever that is not certain, it is evaluated:
//! a file added (it may declare environments), a file the last evaluation did
//! not load, a revision after one whose value could not be read, and a change
//! whose old or new text mentions `environments` or the config's name (a
//! config of that name earlier in the file order would be the one found).
//!
//! A revision skipped this way may have failed to compile in full (a broken
//! unrelated file): `log` and `blame` skip failed revisions and list a change
//! only between two readable ones, so taking the previous value instead
//! lists exactly the same changes.

use indexmap::IndexSet;
use std::path::{Path, PathBuf};

use crate::git::{Blobs, Commit, GitError, Repo, Revision, Tree, Walk};
use crate::loader::{normalize, MemoryFs, ParseCache};
use crate::resolve::Program;

/// What the walk hands the evaluation of one revision.
#[derive(Debug)]
pub enum At<'a> {
    /// The revision's sources, and the trees of the texts seen before.
    Files(&'a MemoryFs, &'a ParseCache),
    /// A source of the revision cannot be read (a blob missing in a shallow
    /// clone, or too large).
    Unreadable,
    /// The revision changes no file the last value read depends on: that
    /// value stands.
    Unchanged,
}

/// The files one evaluation loaded and those its value can depend on, as
/// paths below the root.
#[derive(Debug, Clone, Default)]
pub struct Depends {
    loaded: IndexSet<PathBuf>,
    closure: IndexSet<PathBuf>,
    config: String,
}

impl Depends {
    /// The dependencies of config `target` (`config` or `config.path`) in
    /// `prog`, loaded from files below `root`; `None` when there is no such
    /// config.
    pub fn of(prog: &Program<'_>, target: &str, root: &Path) -> Option<Depends> {
        let config = target.split('.').next().unwrap_or(target);
        let cid = prog.configs.position(|c| &*c.name == config)?;
        let project = prog.project;
        let root = normalize(root);
        let below = |id: crate::source::FileId| {
            let file = project.file(id);
            (!file.is_std)
                .then(|| file.path.strip_prefix(&root).ok().map(Path::to_path_buf))
                .flatten()
        };
        let mut seen = IndexSet::new();
        let mut todo = vec![prog.configs[cid].file];
        for f in &project.files {
            let envs = f.ast.as_ref().is_some_and(|a| {
                a.decls
                    .iter()
                    .any(|d| matches!(d, crate::ast::Decl::Environments(_)))
            });
            if envs {
                todo.push(f.id);
            }
        }
        while let Some(id) = todo.pop() {
            if seen.insert(id) {
                todo.extend(project.file(id).imports.values().flatten().copied());
            }
        }
        Some(Depends {
            loaded: project.files.iter().filter_map(|f| below(f.id)).collect(),
            closure: seen.into_iter().filter_map(below).collect(),
            config: config.to_owned(),
        })
    }

    /// Whether `rev`, applied to `tree` (the files before it), leaves the
    /// value as it was.
    fn unaffected_by(
        &self,
        rev: &Revision,
        tree: &Tree,
        blobs: &mut Blobs,
    ) -> Result<bool, GitError> {
        for (path, new) in &rev.changes {
            let rel = Path::new(path);
            let Some(old) = tree.blob(path) else {
                return Ok(false);
            };
            if !self.loaded.contains(rel) || self.closure.contains(rel) {
                return Ok(false);
            }
            for blob in std::iter::once(old).chain(new.as_deref()) {
                let Some(bytes) = blobs.get(blob)? else {
                    return Ok(false);
                };
                if mentions(&bytes, b"environments") || mentions(&bytes, self.config.as_bytes()) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }
}

fn mentions(text: &[u8], word: &[u8]) -> bool {
    !word.is_empty() && text.windows(word.len()).any(|w| w == word)
}

/// Each revision of `walk`, oldest first, with the `.mcfg` files below the
/// root as they were, or [`At::Unchanged`] when the last value read stands.
/// `visit` returns what a value it read depends on (`None`: no value read,
/// evaluate the next revision in full).
pub fn each_revision(
    repo: &Repo,
    walk: &Walk,
    root: &Path,
    mut visit: impl FnMut(&Commit, At<'_>) -> Option<Depends>,
) -> Result<(), GitError> {
    let mut blobs = repo.blobs()?;
    let mut tree = Tree::default();
    let parses = ParseCache::every_text();
    let mut last: Option<Depends> = None;
    for rev in &walk.revisions {
        let unchanged = match &last {
            Some(d) => d.unaffected_by(rev, &tree, &mut blobs)?,
            None => false,
        };
        tree.apply(rev);
        if unchanged {
            visit(&rev.commit, At::Unchanged);
            continue;
        }
        last = match tree.files(&mut blobs, root)? {
            Some(fs) => visit(&rev.commit, At::Files(&fs, &parses)),
            None => visit(&rev.commit, At::Unreadable),
        };
    }
    Ok(())
}
