//! What each config reported in the last analysis, by fingerprint
//! ([`super::deps`]), and the move of those diagnostics to the positions of
//! the next one.
//!
//! A fingerprint covers the text of every declaration a config's evaluation
//! reads, not where it sits: an edit above a config moves it without changing
//! it. So a reused diagnostic's spans are moved declaration by declaration:
//! a span inside a top-level declaration of a file whose text changed goes to
//! the declaration with the same text (the same one among equal texts) in
//! the new file, at the same offset from its start; a span in an unchanged
//! file keeps its offsets. A span that cannot be moved (outside every
//! declaration, or in a file or declaration that is gone) makes the config be
//! evaluated again, so a reused result is always one the edit cannot have
//! changed.

use std::path::PathBuf;

use indexmap::IndexMap;

use super::deps::{text_hash, Fingerprint};
use crate::compile::Reuse;
use crate::diagnostics::Diagnostic;
use crate::loader::Project;
use crate::resolve::{ConfigId, Id, Program};
use crate::source::{FileId, Span};

/// The reusable results of one analysis.
#[derive(Debug, Default)]
pub(crate) struct Memo {
    /// By `FileId` of that analysis.
    files: Vec<FileTable>,
    /// Each fingerprinted config's diagnostics, as reported then.
    entries: IndexMap<Fingerprint, Vec<Diagnostic>>,
    /// The date they were reported on: a flag's expiry warning depends on
    /// it, so nothing is reused from another day.
    date: String,
}

/// One file's identity, text and top-level declarations.
#[derive(Debug)]
struct FileTable {
    key: (PathBuf, bool),
    text: Fingerprint,
    /// (start, end, hash of the text, how many earlier declarations have that text).
    decls: Vec<(u32, u32, Fingerprint, u32)>,
}

fn tables(project: &Project) -> Vec<FileTable> {
    project
        .files
        .iter()
        .map(|f| {
            let mut counts: IndexMap<Fingerprint, u32> = IndexMap::new();
            let decls = f.ast.as_ref().map_or_else(Vec::new, |ast| {
                ast.decls
                    .iter()
                    .map(|d| {
                        let span = d.span();
                        let hash = text_hash(project.sources.slice(span));
                        let n = counts.entry(hash).or_default();
                        *n += 1;
                        (span.start, span.end, hash, *n - 1)
                    })
                    .collect()
            });
            FileTable {
                key: (f.path.clone(), f.is_std),
                text: text_hash(&project.sources.get(f.id).text),
                decls,
            }
        })
        .collect()
}

/// Where a file of the last analysis is in this one.
#[derive(Debug)]
enum Move {
    Gone,
    Same(FileId),
    /// Its text changed: the new start of each declaration by (text hash, ordinal).
    Edited(FileId, IndexMap<(Fingerprint, u32), u32>),
}

/// One analysis reusing the last one's results ([`Reuse`] for `compile`).
#[derive(Debug)]
pub(super) struct Session<'m> {
    old: &'m Memo,
    moves: Vec<Move>,
    fps: Vec<Option<Fingerprint>>,
    /// The last analysis was on another day: reuse nothing.
    other_day: bool,
    /// What this analysis records, for the next one.
    pub(super) next: Memo,
    /// How many configs' results were reused.
    pub(super) reused: std::cell::Cell<usize>,
}

impl<'m> Session<'m> {
    pub(super) fn new(old: &'m Memo, prog: &Program<'_>, today: &str) -> Session<'m> {
        let files = tables(prog.project);
        let by_key: IndexMap<&(PathBuf, bool), usize> =
            files.iter().enumerate().map(|(i, t)| (&t.key, i)).collect();
        let moves = old
            .files
            .iter()
            .map(|t| {
                let Some(&i) = by_key.get(&t.key) else {
                    return Move::Gone;
                };
                let new = &files[i];
                let id = FileId(i as u32);
                if new.text == t.text {
                    return Move::Same(id);
                }
                let starts = new.decls.iter().map(|d| ((d.2, d.3), d.0)).collect();
                Move::Edited(id, starts)
            })
            .collect();
        Session {
            old,
            moves,
            fps: super::deps::fingerprints(prog),
            other_day: old.date != today,
            next: Memo {
                files,
                entries: IndexMap::new(),
                date: today.to_owned(),
            },
            reused: std::cell::Cell::new(0),
        }
    }

    /// `span` of the last analysis at this one's positions.
    fn move_span(&self, span: Span) -> Option<Span> {
        let f = span.file.0 as usize;
        match self.moves.get(f)? {
            Move::Gone => None,
            Move::Same(id) => Some(Span { file: *id, ..span }),
            Move::Edited(id, starts) => {
                let decls = &self.old.files.get(f)?.decls;
                let i = decls
                    .partition_point(|d| d.0 <= span.start)
                    .checked_sub(1)?;
                let (start, end, hash, ord) = decls[i];
                if span.end > end {
                    return None;
                }
                let to = *starts.get(&(hash, ord))?;
                Some(Span {
                    file: *id,
                    start: span.start - start + to,
                    end: span.end - start + to,
                })
            }
        }
    }

    fn move_diagnostic(&self, d: &Diagnostic) -> Option<Diagnostic> {
        let mut d = d.clone();
        d.primary.span = self.move_span(d.primary.span)?;
        for l in &mut d.labels {
            l.span = self.move_span(l.span)?;
        }
        Some(d)
    }
}

impl Reuse for Session<'_> {
    fn get(&self, cid: ConfigId) -> Option<Vec<Diagnostic>> {
        if self.other_day {
            return None;
        }
        let fp = (*self.fps.get(cid.index())?)?;
        let old = self.old.entries.get(&fp)?;
        let moved: Option<Vec<Diagnostic>> = old.iter().map(|d| self.move_diagnostic(d)).collect();
        if moved.is_some() {
            self.reused.set(self.reused.get() + 1);
        }
        moved
    }

    fn put(&mut self, cid: ConfigId, diags: &[Diagnostic]) {
        if let Some(Some(fp)) = self.fps.get(cid.index()) {
            self.next.entries.insert(*fp, diags.to_vec());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::analyze;
    use super::Memo;
    use crate::compile::load_with;
    use crate::loader::MemoryFs;

    fn analyze_with(memo: &mut Memo) -> usize {
        let mut fs = MemoryFs::new();
        fs.insert("/p/main.mcfg", "config a { v = 1 }\nconfig b { v = 2 }\n");
        let (project, diags, _) = load_with(&fs, &[PathBuf::from("/p")], None, &[]).expect("loads");
        analyze(project, diags, Some(memo)).reused
    }

    #[test]
    fn nothing_is_reused_from_an_analysis_of_another_day() {
        let mut memo = Memo::default();
        analyze_with(&mut memo);
        assert_eq!(analyze_with(&mut memo), 2, "same day: both configs reused");
        // A flag's expiry warning may have appeared since midnight.
        memo.date = "1999-12-31".to_owned();
        assert_eq!(analyze_with(&mut memo), 0);
        assert_eq!(
            analyze_with(&mut memo),
            2,
            "the new analysis is dated today"
        );
    }
}
