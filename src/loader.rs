//! The only code that reads source files.
//!
//! Loads the `.mcfg` files named on the command line (a folder means every
//! `.mcfg` file below it, in sorted order), parses them in parallel (a big
//! file also in chunks, see `syntax::parse`; each file's line index is built
//! while it parses), follows imports (relative to the importing file,
//! confined to the project root; `std/...` from the embedded standard
//! library) and reports import cycles.
//! Everything else sees sources only through the [`SourceMap`].

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use rayon::prelude::*;

use crate::ast::{self, Decl, Name};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use crate::{stdlib, syntax};

/// The largest source file the loader reads.
pub const MAX_FILE_BYTES: u64 = crate::files::MAX_SOURCE_BYTES;

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// Where source files come from: the disk, memory (tests, git revisions) or an overlay (LSP).
pub trait FileSystem: Sync {
    /// The bytes of a regular file, at most [`MAX_FILE_BYTES`].
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Whether `path` is a file, a folder, or nothing.
    fn kind(&self, path: &Path) -> Option<Kind>;
    /// The entries of a folder (full paths).
    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>>;
    /// The canonical path of `path`, symbolic links resolved: the identity
    /// of a file and what confinement to the project root is checked on. A
    /// path that does not exist is its deepest existing folder's canonical
    /// path joined with the rest. Without symbolic links (memory) it is the
    /// lexical [`normalize`]d path.
    fn canonical(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// The real filesystem.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        crate::files::read_regular(path, MAX_FILE_BYTES)
    }

    fn kind(&self, path: &Path) -> Option<Kind> {
        let meta = std::fs::metadata(path).ok()?;
        Some(if meta.is_dir() { Kind::Dir } else { Kind::File })
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect()
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        real_canonical(path)
    }
}

/// [`FileSystem::canonical`] on the disk.
pub fn real_canonical(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return canonical;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => real_canonical(parent).join(name),
        _ => std::path::absolute(normalize(path)).unwrap_or_else(|_| normalize(path)),
    }
}

/// Whether `path` lies inside `root`, lexically (no `..` left after it).
fn lexically_inside(path: &Path, root: &Path) -> bool {
    path.strip_prefix(root)
        .is_ok_and(|rest| !rest.components().any(|c| matches!(c, Component::ParentDir)))
}

/// Files held in memory, keyed by normalized path; folders are implied.
#[derive(Debug, Clone, Default)]
pub struct MemoryFs {
    files: IndexMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    /// An empty in-memory tree.
    pub fn new() -> MemoryFs {
        MemoryFs::default()
    }

    /// Adds or replaces a file.
    pub fn insert(&mut self, path: impl AsRef<Path>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(normalize(path.as_ref()), bytes.into());
    }
}

impl FileSystem for MemoryFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let path = normalize(path);
        if let Some(bytes) = self.files.get(&path) {
            return Ok(bytes.clone());
        }
        if self.kind(&path) == Some(Kind::Dir) {
            return Err(io::Error::other("is a folder, not a file"));
        }
        Err(io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    fn kind(&self, path: &Path) -> Option<Kind> {
        let path = normalize(path);
        if self.files.contains_key(&path) {
            return Some(Kind::File);
        }
        let is_dir = path.as_os_str().is_empty()
            || self
                .files
                .keys()
                .any(|p| p.starts_with(&path) && p != &path);
        is_dir.then_some(Kind::Dir)
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let path = normalize(path);
        let mut out: Vec<PathBuf> = Vec::new();
        for p in self.files.keys() {
            let Ok(rest) = p.strip_prefix(&path) else {
                continue;
            };
            if let Some(first) = rest.components().next() {
                let child = path.join(first);
                if !out.contains(&child) {
                    out.push(child);
                }
            }
        }
        Ok(out)
    }
}

/// Lexical normalization: drops `.` components and folds `..` where possible.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// One loaded file.
#[derive(Debug)]
pub struct LoadedFile {
    pub id: FileId,
    /// Normalized path used for import resolution (`std/ml.mcfg` for std modules).
    pub path: PathBuf,
    /// The file's identity: its canonical path ([`FileSystem::canonical`];
    /// `path` for std modules), so two spellings of one file load it once.
    pub canonical: PathBuf,
    /// `None` when the file could not be read or parsed (already reported).
    pub ast: Option<ast::File>,
    /// Import alias to target file (`None` when the import failed).
    pub imports: IndexMap<Name, Option<FileId>>,
    /// Whether this is an embedded standard-library module.
    pub is_std: bool,
}

/// Every file of a build.
#[derive(Debug, Default)]
pub struct Project {
    pub sources: SourceMap,
    pub files: Vec<LoadedFile>,
    /// The project root that imports may not leave.
    pub root: PathBuf,
    /// The canonical path of `root`: no file read may lie outside it.
    pub root_canonical: PathBuf,
    /// With a project file (`mcfg.toml`): the files named by the command's
    /// PATHS, whose configs are checked and reported; `None`: every file.
    pub selected: Option<Vec<FileId>>,
}

impl Project {
    /// The loaded file with id `id`.
    pub fn file(&self, id: FileId) -> &LoadedFile {
        &self.files[id.0 as usize]
    }

    /// Whether the configs of file `id` are among those the command is about.
    pub fn is_selected(&self, id: FileId) -> bool {
        self.selected.as_ref().is_none_or(|s| s.contains(&id))
    }
}

/// Collects the `.mcfg` files named by `paths` (folders recursively, sorted).
///
/// A folder walk stays inside the folder it starts from on canonical paths:
/// a symbolic link (to a file or a folder) leading out of it is skipped, and
/// a folder reached twice (a link to an ancestor or a sibling) is walked
/// once. A file reached under two names is collected once (the first name).
pub fn collect_inputs(fs: &dyn FileSystem, paths: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut out = Vec::new();
    for path in paths {
        match fs.kind(path) {
            Some(Kind::File) => out.push(normalize(path)),
            Some(Kind::Dir) => {
                let top = fs.canonical(path);
                let mut walk = Walk {
                    fs,
                    seen: indexmap::IndexSet::from([top.clone()]),
                    top,
                    out: &mut out,
                };
                walk.dir(path, 0)?;
            }
            None => return Err(InputError::Missing(path.clone())),
        }
    }
    let mut seen = indexmap::IndexSet::new();
    out.retain(|p| seen.insert(fs.canonical(p)));
    Ok(out)
}

/// How deep a folder walk of [`collect_inputs`] goes.
pub const MAX_FOLDER_DEPTH: usize = 64;

/// Why the paths on the command line name no sources to read (exit 2).
#[derive(Debug)]
pub enum InputError {
    /// A path that is neither a file nor a folder.
    Missing(PathBuf),
    /// A folder nested deeper than [`MAX_FOLDER_DEPTH`] levels below the walked one.
    TooDeep(PathBuf),
    /// A folder that cannot be listed.
    Unlistable { dir: PathBuf, err: io::Error },
}

impl crate::diagnostics::Stop for InputError {
    fn command_error(&self) -> crate::diagnostics::CommandError {
        use crate::diagnostics::CommandError;
        match self {
            InputError::Missing(path) => CommandError::io("no such file or folder")
                .in_file(path)
                .with_help("PATHS are `.mcfg` files or folders holding them (default: `.`)"),
            InputError::TooDeep(dir) => CommandError::io(format!(
                "folders nested deeper than {MAX_FOLDER_DEPTH} levels"
            ))
            .in_file(dir)
            .with_help("name the folders holding the sources instead of one above them"),
            InputError::Unlistable { dir, err } => {
                CommandError::io(format!("cannot list the folder: {err}")).in_file(dir)
            }
        }
    }
}

crate::diagnostics::display_as_command_error!(InputError);

/// One folder walk of [`collect_inputs`].
struct Walk<'a> {
    fs: &'a dyn FileSystem,
    /// The canonical path of the folder the walk started from.
    top: PathBuf,
    /// The canonical paths of the folders walked so far.
    seen: indexmap::IndexSet<PathBuf>,
    out: &'a mut Vec<PathBuf>,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, depth: usize) -> Result<(), InputError> {
        let fs = self.fs;
        if depth > MAX_FOLDER_DEPTH {
            return Err(InputError::TooDeep(dir.to_path_buf()));
        }
        let mut entries = fs.list_dir(dir).map_err(|err| InputError::Unlistable {
            dir: dir.to_path_buf(),
            err,
        })?;
        entries.sort();
        for entry in entries {
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') || name == "target" || name == "node_modules" {
                continue;
            }
            let kind = fs.kind(&entry);
            let wanted = match kind {
                Some(Kind::Dir) => true,
                Some(Kind::File) => name.ends_with(".mcfg"),
                None => false,
            };
            if !wanted {
                continue;
            }
            // Only what lies inside the walked folder once links are resolved.
            let canonical = fs.canonical(&entry);
            if !canonical.starts_with(&self.top) {
                continue;
            }
            match kind {
                Some(Kind::Dir) if self.seen.insert(canonical) => self.dir(&entry, depth + 1)?,
                Some(Kind::File) => self.out.push(normalize(&entry)),
                _ => {}
            }
        }
        Ok(())
    }
}

/// The common folder of the given paths (the default project root).
pub fn common_root(fs: &dyn FileSystem, paths: &[PathBuf]) -> PathBuf {
    let folders: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            let p = normalize(p);
            match fs.kind(&p) {
                Some(Kind::Dir) => p,
                _ => p.parent().map(Path::to_path_buf).unwrap_or_default(),
            }
        })
        .collect();
    let Some(first) = folders.first() else {
        return PathBuf::new();
    };
    let mut root = first.clone();
    for f in &folders[1..] {
        while !f.starts_with(&root) {
            if !root.pop() {
                return PathBuf::new();
            }
        }
    }
    root
}

fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy().into_owned();
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

struct Pending {
    path: PathBuf,
    canonical: PathBuf,
    is_std: bool,
    text: Result<String, ReadError>,
}

/// Why a source file has no text to parse.
#[derive(Debug)]
enum ReadError {
    /// The file could not be read (missing, a folder, too large, no
    /// permission): the system's message. A `mcfg::import` error.
    Io(String),
    /// `std/NAME` names no module of the standard library.
    UnknownStd,
    /// The bytes are not UTF-8: the text decoded lossily (for the snippet)
    /// and the byte offset of the first invalid sequence. A `mcfg::syntax`
    /// error there.
    NotUtf8 { lossy: String, offset: usize },
}

impl ReadError {
    /// Why the file cannot be read at all (`None` for text with a bad byte,
    /// which is a syntax error in the file itself).
    fn unreadable(&self) -> Option<String> {
        match self {
            ReadError::Io(msg) => Some(msg.clone()),
            ReadError::UnknownStd => Some("unknown".to_owned()),
            ReadError::NotUtf8 { .. } => None,
        }
    }
}

fn read_source(fs: &dyn FileSystem, path: &Path) -> Result<String, ReadError> {
    let bytes = fs.read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    let bytes = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
        lossy: String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Loads and parses `inputs` and everything they import.
pub fn load(
    diags: &mut Diagnostics,
    fs: &dyn FileSystem,
    inputs: &[PathBuf],
    root: &Path,
) -> Project {
    load_cached(diags, fs, inputs, root, None)
}

/// The syntax trees of earlier loads (the language server keeps one across
/// edits): a file read again with the same path, id and text is not parsed
/// again. The tree and the syntax diagnostic are exactly what parsing gives,
/// so a load with the cache equals one without.
///
/// [`ParseCache::every_text`] keeps the tree of every text it sees, keyed by
/// the file id and the text (what a git blob hash names): a history walk
/// parses each blob once however many revisions hold it, and a file that
/// goes back to an earlier text is not parsed again. A tree holds spans of
/// its file id, so a text seen under another id is parsed again.
#[derive(Debug, Default)]
pub struct ParseCache {
    files: std::sync::Mutex<IndexMap<PathBuf, Parsed>>,
    /// Set by [`ParseCache::every_text`]: the trees by file id and text.
    every: Option<std::sync::Mutex<Trees>>,
}

/// A file's id and text, and its tree once the same text was seen twice.
type Parsed = (FileId, Arc<str>, Option<Result<ast::File, Diagnostic>>);

/// The most trees [`ParseCache::every_text`] keeps.
const MAX_TREES: usize = 4096;

/// Every tree parsed, by file id and text.
type Trees = IndexMap<(FileId, Arc<str>), Result<ast::File, Diagnostic>>;

impl ParseCache {
    /// A cache that keeps the tree of every (file id, text) it parses.
    pub fn every_text() -> ParseCache {
        ParseCache {
            every: Some(std::sync::Mutex::default()),
            ..ParseCache::default()
        }
    }

    /// The tree of `path` if it was loaded before with the same id and text.
    fn get(
        &self,
        path: &Path,
        id: FileId,
        text: &Arc<str>,
    ) -> Option<Result<ast::File, Diagnostic>> {
        if let Some(every) = &self.every {
            return every.lock().ok()?.get(&(id, Arc::clone(text))).cloned();
        }
        let files = self.files.lock().ok()?;
        let (i, t, parsed) = files.get(path)?;
        if *i == id && **t == **text {
            parsed.clone()
        } else {
            None
        }
    }

    /// Records a parse. The tree is kept (a copy) only when the text is the one
    /// recorded before: the document being edited changes on every load, and
    /// copying its tree each time would cost more than it saves. With
    /// [`ParseCache::every_text`], every tree is kept.
    fn put(&self, path: &Path, id: FileId, text: Arc<str>, parsed: &Result<ast::File, Diagnostic>) {
        if let Some(every) = &self.every {
            if let Ok(mut trees) = every.lock() {
                // Bounded memory over any history: start again past the limit.
                if trees.len() >= MAX_TREES {
                    trees.clear();
                }
                trees.insert((id, text), parsed.clone());
            }
            return;
        }
        let Ok(mut files) = self.files.lock() else {
            return;
        };
        let seen = files
            .get(path)
            .is_some_and(|(i, t, _)| *i == id && **t == *text);
        let keep = seen.then(|| parsed.clone());
        files.insert(path.to_path_buf(), (id, text, keep));
    }
}

/// [`load`], parsing only the files that `cache` does not hold unchanged.
pub fn load_cached(
    diags: &mut Diagnostics,
    fs: &dyn FileSystem,
    inputs: &[PathBuf],
    root: &Path,
    cache: Option<&ParseCache>,
) -> Project {
    let mut project = Project {
        root: normalize(root),
        root_canonical: fs.canonical(root),
        ..Project::default()
    };
    let mut pending: Vec<Pending> = Vec::new();
    for p in inputs {
        let path = normalize(p);
        let canonical = fs.canonical(&path);
        if pending.iter().any(|q| q.canonical == canonical) {
            continue;
        }
        // A file inside the root by name but outside it once links are
        // resolved is not read (its text would show in diagnostics).
        let escapes = lexically_inside(&path, &project.root)
            && !canonical.starts_with(&project.root_canonical);
        let text = if escapes {
            Err(ReadError::Io(
                "it is a symbolic link to a file outside the project root".to_owned(),
            ))
        } else {
            read_source(fs, &path)
        };
        pending.push(Pending {
            path,
            canonical,
            is_std: false,
            text,
        });
    }
    add_files(diags, &mut project, pending, cache);
    let mut next = 0;
    while next < project.files.len() {
        let id = FileId(next as u32);
        let wanted = resolve_imports(diags, fs, &mut project, id);
        add_files(diags, &mut project, wanted, cache);
        next += 1;
        link_imports(diags, fs, &mut project, id);
    }
    check_cycles(diags, &project);
    project
}

/// Less source text than this (in one batch of files) is parsed on the calling thread.
const PARALLEL_MIN_BYTES: usize = 256 << 10;

fn add_files(
    diags: &mut Diagnostics,
    project: &mut Project,
    pending: Vec<Pending>,
    cache: Option<&ParseCache>,
) {
    let first = project.files.len();
    // Files in parallel; within a file, the line index is built while it
    // parses. A little text is read on this thread: starting the thread
    // pool would cost more than parsing it.
    let bytes: usize = pending
        .iter()
        .map(|p| p.text.as_ref().map_or(0, String::len))
        .sum();
    let parallel = bytes >= PARALLEL_MIN_BYTES;
    let load = |(i, mut p): (usize, Pending)| {
        let id = FileId((first + i) as u32);
        let name = if p.is_std {
            p.path.to_string_lossy().into_owned()
        } else {
            display_name(&p.path)
        };
        let (file, parsed) = match std::mem::replace(&mut p.text, Ok(String::new())) {
            Ok(text) => {
                let text: Arc<str> = text.into();
                let cached = cache.and_then(|c| c.get(&p.path, id, &text));
                if let Some(parsed) = cached {
                    (SourceFile::new(name, Arc::clone(&text)), parsed)
                } else if let Some(c) = cache {
                    let parsed = syntax::parse(id, &text);
                    c.put(&p.path, id, Arc::clone(&text), &parsed);
                    (SourceFile::new(name, text), parsed)
                } else if parallel {
                    rayon::join(
                        || SourceFile::new(name, Arc::clone(&text)),
                        || syntax::parse(id, &text),
                    )
                } else {
                    (
                        SourceFile::new(name, Arc::clone(&text)),
                        syntax::parse(id, &text),
                    )
                }
            }
            Err(err) => {
                let (text, offset, msg, code) = match err {
                    ReadError::NotUtf8 { lossy, offset } => (
                        lossy,
                        offset,
                        "file is not valid UTF-8".to_owned(),
                        Code::Syntax,
                    ),
                    other => (
                        String::new(),
                        0,
                        format!(
                            "cannot read file: {}",
                            other.unreadable().unwrap_or_default()
                        ),
                        Code::Import,
                    ),
                };
                let len = usize::from(offset < text.len());
                let diag = Diagnostic::error(code, Span::new(id, offset, offset + len), msg);
                (SourceFile::new(name, text), Err(diag))
            }
        };
        (p, file, parsed)
    };
    let done: Vec<(Pending, SourceFile, Result<ast::File, Diagnostic>)> = if parallel {
        pending.into_par_iter().enumerate().map(load).collect()
    } else {
        pending.into_iter().enumerate().map(load).collect()
    };
    for (p, file, parsed) in done {
        let id = project.sources.add(file);
        let ast = match parsed {
            Ok(ast) => Some(ast),
            Err(d) => {
                diags.push(d);
                None
            }
        };
        project.files.push(LoadedFile {
            id,
            path: p.path,
            canonical: p.canonical,
            ast,
            imports: IndexMap::new(),
            is_std: p.is_std,
        });
    }
}

/// Finds the files imported by `id` that are not loaded yet.
fn resolve_imports(
    diags: &mut Diagnostics,
    fs: &dyn FileSystem,
    project: &mut Project,
    id: FileId,
) -> Vec<Pending> {
    let mut wanted: Vec<Pending> = Vec::new();
    let file = project.file(id);
    let Some(ast) = &file.ast else { return wanted };
    for decl in &ast.decls {
        let Decl::Import(imp) = decl else { continue };
        let target = match import_target(project, file, imp) {
            Ok(t) => t,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let canonical = identity(fs, &target);
        if !target.1 && !canonical.starts_with(&project.root_canonical) {
            diags.push(leaves_root(
                project,
                imp,
                "leads out of the project root through a symbolic link",
            ));
            continue;
        }
        let known = project
            .files
            .iter()
            .any(|f| f.is_std == target.1 && f.canonical == canonical)
            || wanted
                .iter()
                .any(|w| w.is_std == target.1 && w.canonical == canonical);
        if known {
            continue;
        }
        let text = if target.1 {
            let name = target.0.to_string_lossy();
            let name = name.trim_end_matches(".mcfg");
            stdlib::module(name)
                .map(str::to_owned)
                .ok_or(ReadError::UnknownStd)
        } else {
            read_source(fs, &target.0)
        };
        if let Some(msg) = text.as_ref().err().and_then(ReadError::unreadable) {
            diags.push(
                Diagnostic::error(
                    Code::Import,
                    imp.path_span,
                    format!("cannot import `{}`: {msg}", imp.path),
                )
                .with_help("import paths are relative to the importing file"),
            );
            continue;
        }
        wanted.push(Pending {
            path: target.0,
            canonical,
            is_std: target.1,
            text,
        });
    }
    wanted
}

/// The normalized path an import names, and whether it is a std module.
fn import_target(
    project: &Project,
    file: &LoadedFile,
    imp: &ast::Import,
) -> Result<(PathBuf, bool), Diagnostic> {
    if let Some(name) = imp.path.strip_prefix("std/") {
        let full = format!("std/{name}");
        if stdlib::module(&full).is_none() {
            let known: Vec<&str> = stdlib::MODULES.iter().map(|(n, _)| *n).collect();
            return Err(Diagnostic::error(
                Code::Import,
                imp.path_span,
                format!("no standard library module `{full}`"),
            )
            .with_help(format!("the standard library has: {}", known.join(", "))));
        }
        return Ok((PathBuf::from(format!("{full}.mcfg")), true));
    }
    if file.is_std {
        return Err(Diagnostic::error(
            Code::Import,
            imp.path_span,
            "std modules import only std modules",
        ));
    }
    let raw = Path::new(&imp.path);
    let base = file.path.parent().unwrap_or(Path::new(""));
    let target = normalize(&base.join(raw));
    if raw.is_absolute() || !lexically_inside(&target, &project.root) {
        return Err(leaves_root(project, imp, "leaves the project root"));
    }
    Ok((target, false))
}

/// The identity of an import target (its canonical path; std modules keep theirs).
fn identity(fs: &dyn FileSystem, target: &(PathBuf, bool)) -> PathBuf {
    if target.1 {
        target.0.clone()
    } else {
        fs.canonical(&target.0)
    }
}

fn leaves_root(project: &Project, imp: &ast::Import, how: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Import,
        imp.path_span,
        format!("import `{}` {how}", imp.path),
    )
    .with_help(format!(
        "imports must stay inside `{}`; pass a wider folder or `--root`",
        display_name(&project.root)
    ))
}

fn link_imports(diags: &mut Diagnostics, fs: &dyn FileSystem, project: &mut Project, id: FileId) {
    let mut links: IndexMap<Name, Option<FileId>> = IndexMap::new();
    let mut spans: IndexMap<Name, Span> = IndexMap::new();
    {
        let file = project.file(id);
        let Some(ast) = &file.ast else { return };
        for decl in &ast.decls {
            let Decl::Import(imp) = decl else { continue };
            if let Some(prev) = spans.get(&imp.alias.name) {
                diags.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        imp.alias.span,
                        format!("import alias `{}` is used twice", imp.alias.name),
                    )
                    .with_label(*prev, "first used here"),
                );
                continue;
            }
            spans.insert(imp.alias.name.clone(), imp.alias.span);
            let target = import_target(project, file, imp).ok().and_then(|t| {
                let canonical = identity(fs, &t);
                project
                    .files
                    .iter()
                    .find(|f| f.is_std == t.1 && f.canonical == canonical)
                    .map(|f| f.id)
            });
            links.insert(imp.alias.name.clone(), target);
        }
    }
    project.files[id.0 as usize].imports = links;
}

/// Reports every import cycle once, listing its files.
fn check_cycles(diags: &mut Diagnostics, project: &Project) {
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; project.files.len()];
    for start in 0..project.files.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut edge)) = stack.last_mut() {
            let targets: Vec<usize> = project.files[node]
                .imports
                .values()
                .flatten()
                .map(|f| f.0 as usize)
                .collect();
            if *edge >= targets.len() {
                state[node] = 2;
                stack.pop();
                continue;
            }
            let next = targets[*edge];
            *edge += 1;
            match state[next] {
                0 => {
                    state[next] = 1;
                    stack.push((next, 0));
                }
                1 => report_cycle(diags, project, &stack, next),
                _ => {}
            }
        }
    }
}

fn report_cycle(
    diags: &mut Diagnostics,
    project: &Project,
    stack: &[(usize, usize)],
    back_to: usize,
) {
    let Some(pos) = stack.iter().position(|(n, _)| *n == back_to) else {
        return;
    };
    let members: Vec<usize> = stack[pos..].iter().map(|(n, _)| *n).collect();
    let names: Vec<String> = members
        .iter()
        .chain([&back_to])
        .map(|&n| project.sources.get(FileId(n as u32)).name.clone())
        .collect();
    let spans: Vec<Span> = members
        .iter()
        .enumerate()
        .filter_map(|(i, &n)| {
            let to = *members.get(i + 1).unwrap_or(&back_to);
            import_span(project, n, to)
        })
        .collect();
    let Some((&primary, rest)) = spans.split_first() else {
        return;
    };
    let mut diag = Diagnostic::error(
        Code::Cycle,
        primary,
        format!("import cycle: {}", names.join(" → ")),
    )
    .with_help("move the shared declarations into a file that both can import");
    for span in rest {
        diag = diag.with_label(*span, "imported here");
    }
    diags.push(diag);
}

fn import_span(project: &Project, from: usize, to: usize) -> Option<Span> {
    let file = &project.files[from];
    let ast = file.ast.as_ref()?;
    let alias = file
        .imports
        .iter()
        .find(|(_, t)| **t == Some(FileId(to as u32)))?
        .0;
    ast.decls.iter().find_map(|d| match d {
        Decl::Import(i) if &i.alias.name == alias => Some(i.path_span),
        _ => None,
    })
}
