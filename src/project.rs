//! The project file `mcfg.toml` (LANGUAGE.md §9.8).
//!
//! A folder holding `mcfg.toml` is a project root: its sources are every
//! `.mcfg` file below it except those matching `exclude = ["glob", ...]`.
//! Every command finds the nearest project file upward from its first PATH
//! (as cargo finds `Cargo.toml`); with one, PATHS only select which configs
//! are checked, built or reported ([`Plan::selected`]), while the whole
//! project is loaded, so a single file sees the project's environments,
//! schemas and imports. Without a project file, PATHS are the sources.
//!
//! Globs (`globset`) match paths relative to the root with `/` separators;
//! `*` stays within one folder, `**` crosses folders, and a pattern that
//! matches a folder excludes everything below it (`legacy`, `drafts/**` and
//! `**/*.draft.mcfg` all work). A file named explicitly on the command line
//! is loaded even when excluded.

use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::diagnostics::{Code, Diagnostic};
use crate::loader::{self, FileSystem, Kind};
use crate::source::{FileId, Span};

/// The name of the project file.
pub const FILE_NAME: &str = "mcfg.toml";

/// How many folders discovery climbs at most (a guard against cyclic mounts).
const MAX_UP: usize = 256;

/// What to load and what to report, from the PATHS of a command.
#[derive(Debug)]
pub struct Plan {
    /// Every source file to load (imports come on top).
    pub inputs: Vec<PathBuf>,
    /// The folder imports may not leave.
    pub root: PathBuf,
    /// The project file, when there is one.
    pub project_file: Option<PathBuf>,
    /// With a project file: the files whose configs (and tests) the command
    /// is about; `None` means all of them.
    pub selected: Option<Vec<PathBuf>>,
    /// A project file that could not be read or parsed: its text and the diagnostic.
    pub error: Option<(String, Diagnostic)>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    exclude: Vec<toml::Spanned<String>>,
}

/// The nearest `mcfg.toml` at or above `start` (a file's folder, or a folder).
pub fn discover(fs: &dyn FileSystem, start: &Path) -> Option<PathBuf> {
    let start = loader::normalize(start);
    let mut dir = match fs.kind(&start) {
        Some(Kind::Dir) => start,
        _ => start.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    // A relative path climbs lexically and then above the current folder
    // with `..`, as far as the current folder is deep.
    let above_cwd = if dir.is_absolute() {
        0
    } else {
        std::env::current_dir().map_or(0, |d| d.components().count().saturating_sub(1))
    };
    let mut ups = 0;
    for _ in 0..MAX_UP {
        let candidate = dir.join(FILE_NAME);
        if fs.kind(&candidate) == Some(Kind::File) {
            return Some(candidate);
        }
        let at_relative_top =
            !dir.is_absolute() && !dir.components().any(|c| matches!(c, Component::Normal(_)));
        if at_relative_top {
            if ups >= above_cwd {
                return None;
            }
            ups += 1;
            dir = dir.join("..");
        } else if !dir.pop() {
            return None;
        }
    }
    None
}

/// What a command with `paths` (and an optional `--root`) loads and reports.
pub fn plan(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
    root: Option<&Path>,
) -> Result<Plan, SourcesError> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let Some(file) = discover(fs, &paths[0]) else {
        return Ok(Plan {
            inputs: loader::collect_inputs(fs, paths)?,
            root: root.map_or_else(|| loader::common_root(fs, paths), loader::normalize),
            project_file: None,
            selected: None,
            error: None,
        });
    };
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = root.map_or_else(|| dir.clone(), loader::normalize);
    let (text, parsed) = read(fs, &file)?;
    let exclude = match parsed.and_then(|raw| globs(&raw)) {
        Ok(set) => set,
        Err(Invalid {
            message,
            start,
            end,
            help,
        }) => {
            let mut d = Diagnostic::error(
                Code::Project,
                Span::new(FileId(0), start, end),
                format!("invalid project file: {message}"),
            );
            d.help = help;
            return Ok(Plan {
                inputs: Vec::new(),
                root,
                project_file: Some(file),
                selected: None,
                error: Some((text, d)),
            });
        }
    };
    let walk_from = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.clone()
    };
    let mut inputs: Vec<PathBuf> = loader::collect_inputs(fs, &[walk_from])?
        .into_iter()
        .filter(|p| !excluded(&exclude, &dir, p))
        .map(|p| below_cwd(&p))
        .collect();
    let whole = paths.iter().any(|p| {
        let p = loader::normalize(p);
        fs.kind(&p) == Some(Kind::Dir) && dir.starts_with(&p)
    });
    let selected = if whole {
        None
    } else {
        let mut chosen = Vec::new();
        for p in paths {
            let explicit = fs.kind(p) == Some(Kind::File);
            for f in loader::collect_inputs(fs, std::slice::from_ref(p))? {
                if (explicit || !excluded(&exclude, &dir, &f)) && !chosen.contains(&f) {
                    chosen.push(f);
                }
            }
        }
        for p in &chosen {
            if !inputs.contains(p) {
                inputs.push(p.clone());
            }
        }
        Some(chosen)
    };
    Ok(Plan {
        inputs,
        root,
        project_file: Some(file),
        selected,
        error: None,
    })
}

/// `../sub/x.mcfg` seen from `sub/` is `x.mcfg`: files found by walking a
/// root above the current folder get the spelling the user types, so a
/// file named on the command line and the same file found by the walk are
/// one file.
fn below_cwd(path: &Path) -> PathBuf {
    if !matches!(path.components().next(), Some(Component::ParentDir)) {
        return path.to_path_buf();
    }
    let Ok(cwd) = std::env::current_dir() else {
        return path.to_path_buf();
    };
    let abs = loader::normalize(&cwd.join(path));
    abs.strip_prefix(&cwd)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// What is wrong in a project file that was read, and where (byte offsets).
#[derive(Debug)]
struct Invalid {
    message: String,
    start: usize,
    end: usize,
    help: Option<String>,
}

/// Why a command's sources cannot be found or read (exit 2).
#[derive(Debug)]
pub enum SourcesError {
    /// A PATH names nothing, or a folder cannot be walked.
    Inputs(loader::InputError),
    /// The project file `mcfg.toml` exists but cannot be read.
    ProjectFile { file: PathBuf, err: std::io::Error },
}

impl From<loader::InputError> for SourcesError {
    fn from(e: loader::InputError) -> SourcesError {
        SourcesError::Inputs(e)
    }
}

impl crate::diagnostics::Stop for SourcesError {
    fn command_error(&self) -> crate::diagnostics::CommandError {
        match self {
            SourcesError::Inputs(e) => e.command_error(),
            SourcesError::ProjectFile { file, err } => {
                crate::diagnostics::CommandError::io(format!("cannot read the project file: {err}"))
                    .in_file(file)
            }
        }
    }
}

crate::diagnostics::display_as_command_error!(SourcesError);

fn read(fs: &dyn FileSystem, file: &Path) -> Result<(String, Result<Raw, Invalid>), SourcesError> {
    let bytes = fs.read(file).map_err(|err| SourcesError::ProjectFile {
        file: file.to_path_buf(),
        err,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has U+FFFD (3 bytes) where the bad byte was.
            let invalid = Invalid {
                message: "the file is not UTF-8".to_owned(),
                start: at,
                end: at + char::REPLACEMENT_CHARACTER.len_utf8(),
                help: Some("save mcfg.toml as UTF-8".to_owned()),
            };
            return Ok((text, Err(invalid)));
        }
    };
    let parsed = toml::from_str::<Raw>(&text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Invalid {
            message: e.message().trim_end().to_owned(),
            start: span.start,
            end: span.end.max(span.start),
            help: Some(
                "mcfg.toml takes one key: `exclude = [\"glob\", ...]` (paths relative to this folder)"
                    .to_owned(),
            ),
        }
    });
    Ok((text, parsed))
}

fn globs(raw: &Raw) -> Result<GlobSet, Invalid> {
    let mut set = GlobSetBuilder::new();
    for pat in &raw.exclude {
        let glob = GlobBuilder::new(pat.get_ref())
            .literal_separator(true)
            .build()
            .map_err(|e| {
                let span = pat.span();
                Invalid {
                    message: format!("bad exclude glob: {}", e.kind()),
                    start: span.start,
                    end: span.end,
                    help: Some(
                        "globs match paths relative to the project root: `legacy/**`, `**/*.draft.mcfg`"
                            .to_owned(),
                    ),
                }
            })?;
        set.add(glob);
    }
    set.build().map_err(|e| Invalid {
        message: e.to_string(),
        start: 0,
        end: 0,
        help: None,
    })
}

/// Whether `path` (below `root`) or one of its folders matches an exclude glob.
fn excluded(set: &GlobSet, root: &Path, path: &Path) -> bool {
    if set.is_empty() {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut prefix = String::new();
    for comp in rel.components() {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(&comp.as_os_str().to_string_lossy());
        if set.is_match(&prefix) {
            return true;
        }
    }
    false
}

/// Marks the selected files of a loaded project (by path).
pub fn select(project: &mut loader::Project, selected: Option<&[PathBuf]>) {
    project.selected = selected.map(|paths| {
        project
            .files
            .iter()
            .filter(|f| !f.is_std && paths.contains(&f.path))
            .map(|f| f.id)
            .collect()
    });
}

/// The project around `start` for the language server: its root and sources
/// (`None` without a project file, or with one that does not parse).
pub fn workspace(fs: &dyn FileSystem, start: &Path) -> Option<Plan> {
    let file = discover(fs, start)?;
    let dir = file.parent()?.to_path_buf();
    plan(fs, &[dir], None).ok().filter(|p| p.error.is_none())
}

/// The files `mcfg fmt PATHS` formats: the given files; a folder's `.mcfg`
/// files minus the project file's `exclude`.
pub fn files_to_format(
    fs: &dyn FileSystem,
    paths: &[PathBuf],
) -> Result<Vec<PathBuf>, loader::InputError> {
    match plan(fs, paths, None) {
        Ok(p) if p.project_file.is_some() && p.error.is_none() => {
            Ok(p.selected.unwrap_or(p.inputs))
        }
        _ => loader::collect_inputs(fs, paths),
    }
}

/// A project holding only a project file that does not parse, and its diagnostic.
pub fn broken(
    plan: &Plan,
    text: String,
    diag: Diagnostic,
    diags: &mut crate::diagnostics::Diagnostics,
) -> loader::Project {
    let path = plan
        .project_file
        .clone()
        .unwrap_or_else(|| FILE_NAME.into());
    let mut project = loader::Project {
        root: plan.root.clone(),
        ..loader::Project::default()
    };
    let id = project
        .sources
        .add(crate::source::SourceFile::new(path.to_string_lossy(), text));
    project.files.push(loader::LoadedFile {
        id,
        canonical: path.clone(),
        path,
        ast: None,
        imports: indexmap::IndexMap::new(),
        is_std: false,
    });
    diags.push(diag);
    project
}

/// Which diagnostics a command with a selection reports: those of selected
/// configs, and those of no config that are in a selected file or in a
/// file that declares no config (environments, schemas: shared by all).
pub fn reported(project: &loader::Project) -> impl Fn(&Diagnostic) -> bool + '_ {
    let declares_config: Vec<bool> = project
        .files
        .iter()
        .map(|f| {
            f.ast.as_ref().is_some_and(|a| {
                a.decls
                    .iter()
                    .any(|d| matches!(d, crate::ast::Decl::Config(_)))
            })
        })
        .collect();
    let selected_configs: Vec<std::sync::Arc<str>> = project
        .files
        .iter()
        .filter(|f| project.is_selected(f.id))
        .filter_map(|f| f.ast.as_ref())
        .flat_map(|a| a.decls.iter())
        .filter_map(|d| match d {
            crate::ast::Decl::Config(c) => Some(c.name.name.clone()),
            _ => None,
        })
        .collect();
    move |d: &Diagnostic| match &d.config {
        Some(c) => selected_configs.iter().any(|s| **s == **c),
        None => {
            let file = d.primary.span.file;
            project.is_selected(file)
                || !declares_config
                    .get(file.0 as usize)
                    .copied()
                    .unwrap_or(false)
        }
    }
}

#[cfg(test)]
mod tests;
