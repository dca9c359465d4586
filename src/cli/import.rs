//! `mcfg import FILE... [--name NAME] [--overlay children|env] [--yaml12] [-o FILE]`:
//! reads YAML/JSON files and prints (or writes) the `.mcfg` text that
//! [`crate::import::import`] makes of them. Errors are `file:line:col: message`, exit 1.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Output;
use crate::import::{ImportInput, ImportOptions, OverlayStyle, Yaml11};

/// How overlays are written, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OverlayArg {
    /// Each later file is a child config extending the previous one.
    Children,
    /// Each later file is an environment with an `env` block.
    Env,
}

/// Arguments of `mcfg import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// YAML or JSON files: the base first, then overlays in order.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The base config's name (default: the first file's stem).
    #[arg(long)]
    pub name: Option<String>,
    /// How the second and later files are written.
    #[arg(long, value_enum, default_value_t = OverlayArg::Children)]
    pub overlay: OverlayArg,
    /// Read plain scalars as strict YAML 1.2 (`yes`, `on` stay strings).
    #[arg(long)]
    pub yaml12: bool,
    /// Read Hydra/OmegaConf configs: `${a.b}` becomes `self.a.b`, `???` a key
    /// with no value, a changed kind in an overlay `:=`, `~key` `unset key`.
    #[arg(long)]
    pub hydra: bool,
    /// Write the `.mcfg` text to this file instead of stdout.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

/// Runs `mcfg import`.
pub fn run(out: &Output, args: &ImportArgs) -> u8 {
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        match crate::files::read_text(path, crate::files::MAX_DOCUMENT_BYTES) {
            Ok(text) => inputs.push(ImportInput {
                name: path.display().to_string(),
                text,
            }),
            Err(e) => {
                out.error(&format!("cannot read {}: {e}", path.display()));
                return 2;
            }
        }
    }
    let config_name = args.name.clone().unwrap_or_else(|| {
        args.files.first().and_then(|p| p.file_stem()).map_or_else(
            || "imported".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        )
    });
    let opts = ImportOptions {
        config_name,
        yaml11_strings: if args.yaml12 { Yaml11::No } else { Yaml11::Yes },
        overlays: match args.overlay {
            OverlayArg::Children => OverlayStyle::Children,
            OverlayArg::Env => OverlayStyle::EnvBlocks,
        },
        hydra: args.hydra,
    };
    // Files a Hydra defaults list names, relative to the first file's folder.
    let dir = args
        .files
        .first()
        .and_then(|p| p.parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default();
    let load = |rel: &str| -> Option<Result<String, String>> {
        let path = dir.join(rel);
        match crate::files::read_text(&path, crate::files::MAX_DOCUMENT_BYTES) {
            Ok(text) => Some(Ok(text)),
            Err(e) if !path.exists() => {
                drop(e);
                None
            }
            Err(e) => Some(Err(e.to_string())),
        }
    };
    let text = match crate::import::import_with(&inputs, &opts, Some(&load)) {
        Ok(text) => text,
        Err(e) => {
            let (sources, diag) = import_diagnostic(&inputs, &e);
            out.diagnostics(&sources, &[diag]);
            return 1;
        }
    };
    match &args.out {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => 0,
            Err(e) => {
                out.error(&format!("cannot write {}: {e}", path.display()));
                2
            }
        },
        None => {
            print!("{text}");
            0
        }
    }
}

/// An import error as a located diagnostic in the input it names, so that it
/// honours `--message-format` like every other error.
fn import_diagnostic(
    inputs: &[ImportInput],
    e: &crate::import::ImportError,
) -> (crate::source::SourceMap, crate::diagnostics::Diagnostic) {
    use crate::diagnostics::{Code, Diagnostic};
    use crate::source::{SourceFile, SourceMap, Span};
    let text = inputs
        .iter()
        .find(|i| i.name == e.file)
        .map_or("", |i| i.text.as_str());
    let mut sources = SourceMap::new();
    let file = sources.add(SourceFile::new(e.file.clone(), text));
    // `line` and `column` are 1-based (column in characters); 0 means unknown.
    let offset = text
        .split_inclusive('\n')
        .take(e.line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let line_text = text.get(offset..).unwrap_or("");
    let col = line_text
        .char_indices()
        .nth(e.column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    let start = (offset + col).min(text.len());
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    let code = if e.message.starts_with("duplicate") {
        Code::Duplicate
    } else {
        Code::Syntax
    };
    let diag = Diagnostic::error(code, Span::new(file, start, end), e.message.clone());
    (sources, diag)
}
