//! `mcfg lsp`: a synchronous language server on stdio.
//!
//! [`Server`] is the whole server as a state machine: [`Server::handle`] takes
//! one message and returns the messages to send, in order, so tests drive it
//! without threads or pipes; [`serve`] pumps a [`Connection`] (stdio in
//! `mcfg lsp`, `Connection::memory()` in tests). On every change the project —
//! the workspace root's `.mcfg` files from disk with the open documents laid
//! over them ([`fs::OverlayFs`]) — is compiled again, and every file gets its
//! diagnostics published (an empty list clears them). Hover, go-to-definition
//! and completion read the last compilation; in a document that does not parse
//! they work on a copy with the cursor's line blanked. A panic while handling a
//! message answers `null` instead of ending the server.

pub mod fs;
pub mod text;

mod complete;
mod diagnostics;
mod hover;
mod locate;
mod nav;
pub mod transport;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use indexmap::{IndexMap, IndexSet};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::Location;
use serde_json::{json, Value as Json};

use crate::compile::{self, Compilation};
use crate::diagnostics::{Code, Diagnostics};
use crate::loader;
use crate::source::{FileId, Span};
use fs::OverlayFs;
use text::{path_to_uri, uri_to_path, Encoding, LineIndex};

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
    /// `shutdown` was received: every later request is `InvalidRequest`.
    shut_down: bool,
    exited: bool,
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
    /// The URI of a loaded file (`None` for standard-library modules).
    pub fn uri(&self, file: FileId) -> Option<lsp_types::Uri> {
        let f = self.comp.project.files.get(file.0 as usize)?;
        if f.is_std {
            return None;
        }
        self.server.uri_of(&f.path).parse().ok()
    }

    /// The LSP location of a span.
    pub fn location(&self, span: Span) -> Option<Location> {
        let uri = self.uri(span.file)?;
        let text = &self.comp.project.sources.get(span.file).text;
        let index = LineIndex::new(text, self.server.encoding);
        Some(Location::new(
            uri,
            index.range(text, span.start as usize, span.end as usize),
        ))
    }

    /// `models/ranker.mcfg:12`: a span's file relative to the root and 1-based line.
    pub fn place(&self, span: Span) -> String {
        let project = &self.comp.project;
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

    /// Whether the client sent `exit`.
    pub fn exited(&self) -> bool {
        self.exited
    }

    /// Handles one message and returns what to send back (responses, notifications).
    pub fn handle(&mut self, msg: Message) -> Vec<Message> {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let res = catch_unwind(AssertUnwindSafe(|| self.request(req)));
                vec![Message::Response(
                    res.unwrap_or_else(|_| Response::new_ok(id, Json::Null)),
                )]
            }
            Message::Notification(note) => {
                if catch_unwind(AssertUnwindSafe(|| self.update(note))).unwrap_or(false) {
                    self.publish()
                } else {
                    Vec::new()
                }
            }
            Message::Response(_) => Vec::new(),
        }
    }

    /// Handles messages that arrived together, in order, but compiles the project once
    /// for a run of document changes: before the next request, and at the end.
    pub fn handle_batch(&mut self, msgs: impl IntoIterator<Item = Message>) -> Vec<Message> {
        let mut out = Vec::new();
        let mut dirty = false;
        for msg in msgs {
            if self.exited {
                break;
            }
            match msg {
                Message::Notification(note) => {
                    dirty |= catch_unwind(AssertUnwindSafe(|| self.update(note))).unwrap_or(false);
                }
                other => {
                    if std::mem::take(&mut dirty) {
                        out.extend(self.publish());
                    }
                    out.extend(self.handle(other));
                }
            }
        }
        if dirty {
            out.extend(self.publish());
        }
        out
    }

    /// Compiles again and publishes every file's diagnostics (nothing if that panics).
    fn publish(&mut self) -> Vec<Message> {
        catch_unwind(AssertUnwindSafe(|| self.reanalyze())).unwrap_or_default()
    }

    fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        if self.shut_down {
            return Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                format!(
                    "`{}` after `shutdown`: the server only waits for `exit`",
                    req.method
                ),
            );
        }
        let params = req.params;
        let result = match req.method.as_str() {
            "initialize" => self.initialize(&params),
            "shutdown" => {
                self.shut_down = true;
                Json::Null
            }
            "textDocument/hover" => self.at_cursor(&params, |cx| json!(hover::hover(cx))),
            "textDocument/definition" => self.at_cursor(&params, |cx| json!(nav::definition(cx))),
            "textDocument/completion" => {
                let items = self.at_cursor(&params, |cx| json!(complete::complete(cx)));
                if items.is_null() {
                    json!([])
                } else {
                    items
                }
            }
            "textDocument/formatting" => self.format(&params),
            other => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("mcfg lsp does not handle `{other}`"),
                )
            }
        };
        Response::new_ok(id, result)
    }

    /// One edit replacing the whole document with its canonical layout
    /// (`null` when it does not parse or is already formatted).
    fn format(&self, params: &Json) -> Json {
        let Some(path) = params["textDocument"]["uri"].as_str().and_then(uri_to_path) else {
            return Json::Null;
        };
        let Some(text) = self.docs.get(&path) else {
            return Json::Null;
        };
        match crate::fmt::format_source(FileId(0), text) {
            Ok(formatted) if &formatted != text => {
                let index = LineIndex::new(text, self.encoding);
                let range = index.range(text, 0, text.len());
                json!([{ "range": range, "newText": formatted }])
            }
            _ => Json::Null,
        }
    }

    fn initialize(&mut self, params: &Json) -> Json {
        let root = params["rootUri"]
            .as_str()
            .or_else(|| params["workspaceFolders"][0]["uri"].as_str())
            .and_then(uri_to_path)
            .or_else(|| {
                params["rootPath"]
                    .as_str()
                    .map(|p| loader::normalize(Path::new(p)))
            });
        self.root = root;
        let offers_utf8 = params["capabilities"]["general"]["positionEncodings"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e == "utf-8"));
        self.encoding = if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        json!({
            "capabilities": {
                "positionEncoding": if offers_utf8 { "utf-8" } else { "utf-16" },
                "textDocumentSync": { "openClose": true, "change": 1, "save": { "includeText": true } },
                "hoverProvider": true,
                "definitionProvider": true,
                "completionProvider": { "triggerCharacters": [".", "@", " "] },
                "documentFormattingProvider": true,
            },
            "serverInfo": { "name": "mcfg", "version": env!("CARGO_PKG_VERSION") },
        })
    }

    /// Applies a notification; whether the project must be compiled again.
    fn update(&mut self, note: Notification) -> bool {
        let p = &note.params;
        let path = p["textDocument"]["uri"].as_str().and_then(|u| {
            let path = uri_to_path(u)?;
            self.uris.insert(path.clone(), u.to_owned());
            Some(path)
        });
        match (note.method.as_str(), path) {
            ("exit", _) => {
                self.exited = true;
                return false;
            }
            ("textDocument/didOpen", Some(path)) => {
                let text = p["textDocument"]["text"].as_str().unwrap_or("").to_owned();
                self.docs.insert(path, text);
            }
            ("textDocument/didChange", Some(path)) => {
                let changes = p["contentChanges"].as_array().cloned().unwrap_or_default();
                let Some(doc) = self.docs.get_mut(&path) else {
                    // A change to a document that was never opened has no
                    // text to apply to: ignored, not created.
                    log(&format!(
                        "didChange for {} which is not open: ignored",
                        path.display()
                    ));
                    return false;
                };
                for change in &changes {
                    apply_change(doc, change, self.encoding);
                }
            }
            ("textDocument/didSave", Some(path)) => {
                if let Some(text) = p["text"].as_str() {
                    self.docs.insert(path, text.to_owned());
                }
            }
            ("textDocument/didClose", Some(path)) => {
                self.docs.shift_remove(&path);
            }
            // Files changed on disk (a checkout, another tool): compile again.
            ("workspace/didChangeWatchedFiles", _) => {}
            _ => return false,
        }
        true
    }

    /// The URI to use for `path`: the client's spelling if it sent one.
    fn uri_of(&self, path: &Path) -> String {
        self.uris
            .get(path)
            .cloned()
            .unwrap_or_else(|| path_to_uri(path))
    }

    /// Compiles the project with the open documents over the disk.
    fn compile(&self, docs: &IndexMap<PathBuf, String>) -> Option<Compilation> {
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
        let project = loader::load(&mut diags, &fs, &inputs, &root);
        Some(compile::compile_project(project, diags))
    }

    fn reanalyze(&mut self) -> Vec<Message> {
        let docs = self.docs.clone();
        self.analysis = catch_unwind(AssertUnwindSafe(|| self.compile(&docs))).unwrap_or(None);
        let Some(comp) = &self.analysis else {
            return Vec::new();
        };
        let per_file = diagnostics::by_file(comp, self.encoding, |id| {
            let f = comp.project.file(id);
            (!f.is_std).then(|| self.uri_of(&f.path))
        });
        let mut files: IndexSet<PathBuf> = comp
            .project
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
            let items = per_file.get(&uri).cloned().unwrap_or_default();
            out.push(Message::Notification(Notification::new(
                "textDocument/publishDiagnostics".to_owned(),
                json!({ "uri": uri, "diagnostics": items }),
            )));
        }
        self.published = files;
        out
    }

    /// Runs a cursor feature on `params` (`textDocument.uri` + `position`); `null` when
    /// there is nothing to say.
    fn at_cursor(&self, params: &Json, f: impl Fn(&Ctx<'_>) -> Json) -> Json {
        let Some(path) = params["textDocument"]["uri"].as_str().and_then(uri_to_path) else {
            return Json::Null;
        };
        let Ok(pos) = serde_json::from_value::<lsp_types::Position>(params["position"].clone())
        else {
            return Json::Null;
        };
        let Some(text) = self.docs.get(&path) else {
            return Json::Null;
        };
        let offset = LineIndex::new(text, self.encoding).offset(text, pos);
        let run = |comp: &Compilation| {
            let file = comp
                .project
                .files
                .iter()
                .find(|f| f.path == path && !f.is_std)?;
            file.ast.as_ref()?;
            Some(f(&Ctx {
                comp,
                file: file.id,
                offset,
                text,
                server: self,
            }))
        };
        if let Some(found) = self.analysis.as_ref().and_then(run) {
            return found;
        }
        // The document does not parse: try again with the cursor's line blanked, then
        // also the lines of the next few syntax errors.
        let mut docs = self.docs.clone();
        let mut repaired = blank_line(text, offset);
        for _ in 0..REPAIRS {
            docs.insert(path.clone(), repaired.clone());
            let Some(comp) = self.compile(&docs) else {
                break;
            };
            if let Some(found) = run(&comp) {
                return found;
            }
            let Some(err) = comp.diags.iter().find(|d| {
                d.code == Code::Syntax && comp.project.file(d.primary.span.file).path == path
            }) else {
                break;
            };
            repaired = blank_line(&repaired, err.primary.span.start as usize);
        }
        Json::Null
    }
}

/// How many waiting messages [`serve`] handles as one batch, at most.
const MAX_BATCH: usize = 256;

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

/// A line on the server's log (stderr, which clients show as its output).
#[allow(clippy::print_stderr)] // reason: stderr is the language server's log channel
fn log(line: &str) {
    eprintln!("mcfg lsp: {line}");
}

/// Applies one `contentChanges` entry: a whole new text, or a range replacement.
fn apply_change(doc: &mut String, change: &Json, encoding: Encoding) {
    let Some(new) = change["text"].as_str() else {
        return;
    };
    let range = serde_json::from_value::<lsp_types::Range>(change["range"].clone());
    match range {
        Ok(r) => {
            let index = LineIndex::new(doc, encoding);
            let start = index.offset(doc, r.start);
            let end = index.offset(doc, r.end).max(start);
            doc.replace_range(start..end, new);
        }
        Err(_) => *doc = new.to_owned(),
    }
}

/// Serves `conn` until the client sends `exit` or hangs up.
pub fn serve(conn: &Connection) -> Result<(), String> {
    let mut server = Server::new();
    while let Ok(first) = conn.receiver.recv() {
        // Whatever else is already waiting (a burst of keystrokes) is handled together.
        let waiting = conn.receiver.try_iter().take(MAX_BATCH);
        for out in server.handle_batch(std::iter::once(first).chain(waiting)) {
            conn.sender.send(out).map_err(|e| e.to_string())?;
        }
        if server.exited() {
            break;
        }
    }
    Ok(())
}

/// `mcfg lsp`: serves on stdin/stdout ([`transport`]: a malformed frame is
/// answered with -32700, never the end of the server).
pub fn run_stdio() -> Result<(), String> {
    transport::run_stdio()
}
