//! `mcfg fmt [--check] PATHS...`: rewrite sources in the canonical layout of
//! [`crate::fmt`]. Files are replaced atomically (temporary file + rename); a
//! file that does not parse is reported and left untouched.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::Output;
use crate::diagnostics::{Code, CommandError, Diagnostic};
use crate::fmt::{format_source, FmtError};
use crate::loader::RealFs;
use crate::source::{SourceFile, SourceMap, Span};

/// Arguments of `mcfg fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Files or folders (a folder means every `.mcfg` file below it).
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Write nothing; list the files that would change and exit 1 if there are any.
    #[arg(long)]
    pub check: bool,
}

/// What happened to one file.
enum FileResult {
    Unchanged,
    Changed,
    /// A syntax error was printed (exit 1).
    Broken,
    /// The file could not be read, written or safely formatted (exit 2).
    Failed,
}

/// Runs `mcfg fmt`.
pub fn run(out: &Output, args: &FmtArgs) -> u8 {
    let files = match crate::project::files_to_format(&RealFs, &args.paths) {
        Ok(f) => f,
        Err(e) => return out.error(&e),
    };
    let mut status = 0u8;
    let mut changed = Vec::new();
    for path in &files {
        match format_file(out, path, args.check) {
            FileResult::Unchanged => {}
            FileResult::Changed => changed.push(path),
            FileResult::Broken => status = status.max(1),
            FileResult::Failed => status = 2,
        }
    }
    if args.check && !changed.is_empty() {
        for path in &changed {
            println!("{}", path.display());
        }
        eprintln!(
            "mcfg: {} file{} would be reformatted",
            changed.len(),
            super::plural(changed.len())
        );
        status = status.max(1);
    }
    status
}

fn format_file(out: &Output, path: &Path, check: bool) -> FileResult {
    let bytes = match crate::files::read_regular(path, crate::files::MAX_SOURCE_BYTES) {
        Ok(b) => b,
        Err(e) => {
            out.error(&CommandError::io(format!("cannot read: {e}")).in_file(path));
            return FileResult::Failed;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            // As the loader reports it: a syntax error at the first bad byte.
            let at = e.utf8_error().valid_up_to();
            let mut sources = SourceMap::new();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(SourceFile::new(path.display().to_string(), lossy));
            let d = Diagnostic::error(
                Code::Syntax,
                Span::new(id, at, at + char::REPLACEMENT_CHARACTER.len_utf8()),
                "file is not valid UTF-8",
            )
            .with_help("mcfg sources are UTF-8 text");
            out.diagnostics(&sources, &[d]);
            return FileResult::Broken;
        }
    };
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text.as_str()),
    };
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(path.display().to_string(), body));
    let formatted = match format_source(id, body) {
        Ok(f) => format!("{bom}{f}"),
        Err(FmtError::Syntax(d)) => {
            out.diagnostics(&sources, &[*d]);
            return FileResult::Broken;
        }
        Err(FmtError::Unsafe(msg)) => {
            out.error(
                &CommandError::io(format!(
                    "left unchanged, the formatter would have changed its meaning ({msg})"
                ))
                .in_file(path)
                .with_help("this is a bug in mcfg: please report it with the file"),
            );
            return FileResult::Failed;
        }
    };
    if formatted == text {
        return FileResult::Unchanged;
    }
    if !check {
        if let Err(e) = replace_file(path, formatted.as_bytes()) {
            out.error(&CommandError::io(format!("cannot write: {e}")).in_file(path));
            return FileResult::Failed;
        }
    }
    FileResult::Changed
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path` (keeping its permissions), so a reader never sees half a file.
pub(super) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
    let dir = dir.unwrap_or_else(|| Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".to_owned(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.mcfg-fmt-{}", std::process::id()));
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}
