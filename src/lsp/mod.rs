//! `mcfg lsp`: a synchronous language server on stdio.
//!
//! [`Server`] is the whole server as a state machine: [`Server::handle`] takes
//! one message and returns the messages to send, in order, so tests drive it
//! without threads or pipes; [`transport::serve`] pumps a `Connection` (stdio
//! in `mcfg lsp`, `Connection::memory()` in tests). Requests and notifications
//! are dispatched by their `lsp-types` type ([`dispatch`]), with typed
//! parameters. On every change the project — the workspace root's `.mcfg`
//! files from disk with the open documents laid over them ([`fs::OverlayFs`])
//! — is compiled again (files whose text did not change are not parsed
//! again: [`loader::ParseCache`]), and every file gets its diagnostics
//! published (an empty list clears them). Every other feature reads the last compilation;
//! cursor features in a document that does not parse work on a copy with the
//! cursor's line blanked. A panic while handling a message answers `null`
//! instead of ending the server.

pub mod fs;
pub mod text;
pub mod transport;
pub mod framing;

mod actions;
mod analysis;
mod complete;
mod diagnostics;
mod dispatch;
mod expr;
mod folding;
mod handlers;
mod hover;
mod inlay;
mod lens;
mod locate;
mod nav;
mod refs;
mod semantic;
mod signature;
mod std_docs;
mod symbols;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use indexmap::{IndexMap, IndexSet};
use lsp_server::{Message, Notification};
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{Location, PublishDiagnosticsParams, Uri};

use crate::diagnostics::{Code, Diagnostics};
use crate::loader;
use crate::source::{FileId, Span};
use fs::OverlayFs;

/// A compilation for the editor: the loaded project, its resolved program and
/// the diagnostics, no artifact values.
pub(crate) type Compilation = analysis::Analysis;
use text::{path_to_uri, uri_to_path, Encoding, LineIndex};

pub use transport::{run_stdio, serve};

/// The language server's state.
#[derive(Debug, Default)]
pub struct Server {
    root: Option<PathBuf>,
    encoding: Encoding,
    /// Open documents: path → text.
    docs: IndexMap<PathBuf, String>,
    /// The URI spelling the client used for a path (echoed back when publishing).
    uris: IndexMap<PathBuf, String>,
    /// Files that were sent diagnostics (to clear them when they leave the project).
    published: IndexSet<PathBuf>,
    analysis: Option<Compilation>,
    /// Syntax trees of unchanged files, reused by the next compilation.
    parses: loader::ParseCache,
    /// The diagnostics of each config of the last compilation, reused by the
    /// next one for the configs whose inputs did not change.
    memo: analysis::Memo,
    /// The read-only copies of the standard library ([`std_docs`]).
    std: std_docs::StdDocs,
    /// `shutdown` was received: every later request is `InvalidRequest`.
    shut_down: bool,
    exited: bool,
    /// A document was saved: the next compilation runs the policy tests (`lens`).
    tests_pending: bool,
}

/// What a feature needs: a compilation, the file and offset of the cursor.
#[derive(Debug)]
pub(crate) struct Ctx<'c> {
    pub comp: &'c Compilation,
    pub file: FileId,
    pub offset: usize,
    /// The document's text as the editor has it (the compilation may hold a repaired copy).
    pub text: &'c str,
    server: &'c Server,
}

impl Ctx<'_> {
    /// The URI of a loaded file; a standard-library module's is its read-only copy.
    pub fn uri(&self, file: FileId) -> Option<Uri> {
        self.server.file_uri(self.comp, file)?.parse().ok()
    }

    /// The position encoding the client and server agreed on.
    pub fn encoding(&self) -> Encoding {
        self.server.encoding
    }

    /// A line index of a loaded file's text (as compiled).
    pub fn index(&self, file: FileId) -> (LineIndex, &str) {
        let text = &self.comp.project().sources.get(file).text;
        (LineIndex::new(text, self.server.encoding), text)
    }

    /// The LSP location of a span.
    pub fn location(&self, span: Span) -> Option<Location> {
        let uri = self.uri(span.file)?;
        let (index, text) = self.index(span.file);
        Some(Location::new(
            uri,
            index.range(text, span.start as usize, span.end as usize),
        ))
    }

    /// `models/ranker.mcfg:12`: a span's file relative to the root and 1-based line.
    pub fn place(&self, span: Span) -> String {
        let project = self.comp.project();
        let file = project.file(span.file);
        let shown = file
            .path
            .strip_prefix(&project.root)
            .unwrap_or(&file.path)
            .display()
            .to_string();
        let (line, _) = project.sources.get(span.file).line_col(span.start);
        format!("{shown}:{line}")
    }
}

impl Server {
    /// A server waiting for `initialize`.
    pub fn new() -> Server {
        Server::default()
    }

    /// How many configs of the last compilation kept the diagnostics of the
    /// one before (their inputs did not change), for tests and benchmarks.
    pub fn reused_configs(&self) -> usize {
        self.analysis.as_ref().map_or(0, |a| a.reused)
    }

    /// Whether the client sent `exit`.
    pub fn exited(&self) -> bool {
        self.exited
    }

    /// Handles one message and returns what to send back (responses, notifications).
    pub fn handle(&mut self, msg: Message) -> Vec<Message> {
        match msg {
            Message::Request(req) => vec![Message::Response(dispatch::request(self, req))],
            Message::Notification(note) => {
                if dispatch::notification(self, note) {
                    self.publish()
                } else {
                    Vec::new()
                }
            }
            Message::Response(_) => Vec::new(),
        }
    }

    /// Compiles again and publishes every file's diagnostics (nothing if that panics).
    fn publish(&mut self) -> Vec<Message> {
        catch_unwind(AssertUnwindSafe(|| self.reanalyze())).unwrap_or_default()
    }

    /// The path of a document URI; records the client's spelling of it.
    fn path_of(&mut self, uri: &Uri) -> Option<PathBuf> {
        let path = uri_to_path(uri.as_str())?;
        self.uris.insert(path.clone(), uri.as_str().to_owned());
        Some(path)
    }

    /// The URI to use for `path`: the client's spelling if it sent one.
    fn uri_of(&self, path: &Path) -> String {
        self.uris
            .get(path)
            .cloned()
            .unwrap_or_else(|| path_to_uri(path))
    }

    /// The URI of a loaded file: its own, or a standard-library module's read-only copy.
    fn file_uri(&self, comp: &Compilation, file: FileId) -> Option<String> {
        let f = comp.project().files.get(file.0 as usize)?;
        if f.is_std {
            let path = self.std.path(&f.path)?;
            return Some(path_to_uri(&path));
        }
        Some(self.uri_of(&f.path))
    }

    /// Compiles the project with the open documents over the disk (reusing
    /// and updating `memo` when given).
    fn compile(
        &self,
        docs: &IndexMap<PathBuf, String>,
        memo: Option<&mut analysis::Memo>,
    ) -> Option<Compilation> {
        let root = self.root.clone().or_else(|| {
            docs.keys()
                .next()
                .and_then(|p| p.parent())
                .map(Path::to_path_buf)
        })?;
        let fs = OverlayFs::new(docs.iter().map(|(p, t)| (p.clone(), t.clone())));
        // The project file (`mcfg.toml`) nearest an open document is the root.
        let project = crate::project::workspace(&fs, docs.keys().next().unwrap_or(&root));
        let root = project.as_ref().map_or(root, |p| p.root.clone());
        let mut paths = vec![root.clone()];
        paths.extend(docs.keys().filter(|p| !p.starts_with(&root)).cloned());
        let inputs = match project {
            Some(p) => p.inputs.into_iter().chain(paths.drain(1..)).collect(),
            None => loader::collect_inputs(&fs, &paths)
                .or_else(|_| loader::collect_inputs(&fs, &paths[1..]))
                .ok()?,
        };
        let mut diags = Diagnostics::new();
        let project = loader::load_cached(&mut diags, &fs, &inputs, &root, Some(&self.parses));
        Some(analysis::analyze(project, diags, memo))
    }

    fn reanalyze(&mut self) -> Vec<Message> {
        let docs = self.docs.clone();
        let mut memo = std::mem::take(&mut self.memo);
        let analysis = catch_unwind(AssertUnwindSafe(|| self.compile(&docs, Some(&mut memo))));
        // After a panic the memo may be half updated: start again from nothing.
        let analysis = analysis.unwrap_or_else(|_| {
            memo = analysis::Memo::default();
            None
        });
        self.memo = memo;
        // The last analysis is large; freeing it is not on the way to the diagnostics.
        if let Some(old) = std::mem::replace(&mut self.analysis, analysis) {
            std::thread::spawn(move || drop(old));
        }
        if std::mem::take(&mut self.tests_pending) {
            if let Some(comp) = self.analysis.as_mut() {
                let _ = catch_unwind(AssertUnwindSafe(|| lens::add_test_diagnostics(comp)));
            }
        }
        let Some(comp) = &self.analysis else {
            return Vec::new();
        };
        let per_file = diagnostics::by_file(comp, self.encoding, |id| self.file_uri(comp, id));
        let mut files: IndexSet<PathBuf> = comp
            .project()
            .files
            .iter()
            .filter(|f| !f.is_std)
            .map(|f| f.path.clone())
            .collect();
        files.extend(self.docs.keys().cloned());
        files.extend(self.published.iter().cloned());
        let mut out = Vec::new();
        for path in &files {
            let uri = self.uri_of(path);
            let Ok(parsed) = uri.parse::<Uri>() else {
                continue;
            };
            let params = PublishDiagnosticsParams {
                diagnostics: per_file.get(&uri).cloned().unwrap_or_default(),
                uri: parsed,
                version: None,
            };
            out.push(Message::Notification(Notification::new(
                PublishDiagnostics::METHOD.to_owned(),
                params,
            )));
        }
        self.published = files;
        out
    }

    /// Runs a whole-document feature on the last compilation of `uri` (offset 0);
    /// `None` when the document is not open or not part of it.
    fn on_doc<T>(&self, uri: &Uri, f: impl Fn(&Ctx<'_>) -> Option<T>) -> Option<T> {
        let (path, text, is_std) = self.cursor_doc(uri)?;
        let comp = self.analysis.as_ref()?;
        let file = comp
            .project()
            .files
            .iter()
            .find(|f| f.path == path && f.is_std == is_std)?;
        f(&Ctx {
            comp,
            file: file.id,
            offset: 0,
            text: &text,
            server: self,
        })
    }

    /// Runs a feature of the whole project on the last compilation.
    fn on_project<T>(&self, f: impl Fn(&Ctx<'_>) -> Option<T>) -> Option<T> {
        let comp = self.analysis.as_ref()?;
        f(&Ctx {
            comp,
            file: FileId(0),
            offset: 0,
            text: "",
            server: self,
        })
    }

    /// Runs a cursor feature at `pos` in `uri`; `None` when there is nothing to say.
    fn at_cursor<T>(
        &self,
        uri: &Uri,
        pos: lsp_types::Position,
        f: impl Fn(&Ctx<'_>) -> Option<T>,
    ) -> Option<T> {
        let (path, text, is_std) = self.cursor_doc(uri)?;
        let offset = LineIndex::new(&text, self.encoding).offset(&text, pos);
        let run = |comp: &Compilation| {
            let file = comp
                .project()
                .files
                .iter()
                .find(|f| f.path == path && f.is_std == is_std)?;
            file.ast.as_ref()?;
            Some(f(&Ctx {
                comp,
                file: file.id,
                offset,
                text: &text,
                server: self,
            }))
        };
        if let Some(found) = self.analysis.as_ref().and_then(run) {
            return found;
        }
        if is_std {
            return None;
        }
        // The document does not parse: try again with the cursor's line blanked, then
        // also the lines of the next few syntax errors.
        let mut docs = self.docs.clone();
        let mut repaired = blank_line(&text, offset);
        for _ in 0..REPAIRS {
            docs.insert(path.clone(), repaired.clone());
            let comp = self.compile(&docs, None)?;
            if let Some(found) = run(&comp) {
                return found;
            }
            let err = comp.diags.iter().find(|d| {
                d.code == Code::Syntax && comp.project().file(d.primary.span.file).path == path
            })?;
            repaired = blank_line(&repaired, err.primary.span.start as usize);
        }
        None
    }

    /// The path, text and kind of a document a cursor feature runs in: an open
    /// document, or a standard-library module's read-only copy (by its loader path).
    fn cursor_doc(&self, uri: &Uri) -> Option<(PathBuf, String, bool)> {
        let path = uri_to_path(uri.as_str())?;
        if let Some((name, text)) = self.std.module_at(&path) {
            return Some((PathBuf::from(format!("{name}.mcfg")), text.to_owned(), true));
        }
        let text = self.docs.get(&path)?.clone();
        Some((path, text, false))
    }
}

/// How many lines a cursor feature blanks, at most, to get a document that parses.
const REPAIRS: usize = 4;

/// `text` with the line holding `offset` replaced by spaces (byte offsets unchanged).
fn blank_line(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let before = bytes.get(..offset).unwrap_or(bytes);
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[start..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| start + i);
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.extend(std::iter::repeat_n(' ', end - start));
    out.push_str(&text[end..]);
    out
}
