//! `mcfg import FILE... [--name NAME] [--overlay children|env] [--yaml12] [-o FILE]`:
//! reads YAML/JSON files and prints (or writes) the `.mcfg` text that
//! [`crate::import::import`] makes of them. An error in an input is a located
//! diagnostic in that file (it honours `--message-format`), exit 1.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Output;
use crate::import::{ImportError, ImportOptions, OverlayStyle, Yaml11};
use crate::source::{SourceFile, SourceMap};

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
    // The inputs (and the files a Hydra defaults list names) in one source
    // map, so that an error in any of them renders like a source error.
    let mut sources = SourceMap::new();
    let mut inputs = Vec::with_capacity(args.files.len());
    for path in &args.files {
        match crate::files::read_text(path, crate::files::MAX_DOCUMENT_BYTES) {
            Ok(text) => inputs.push(sources.add(SourceFile::new(path.display().to_string(), text))),
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
    let load = |rel: &str| -> Option<Result<(String, String), std::io::Error>> {
        let path = dir.join(rel);
        match crate::files::read_text(&path, crate::files::MAX_DOCUMENT_BYTES) {
            Ok(text) => Some(Ok((path.display().to_string(), text))),
            Err(_) if !path.exists() => None,
            Err(e) => Some(Err(e)),
        }
    };
    let text = match crate::import::import_with(&mut sources, &inputs, &opts, Some(&load)) {
        Ok(text) => text,
        Err(ImportError::Invalid(d)) => {
            out.diagnostics(&sources, &[*d]);
            return 1;
        }
        Err(e @ ImportError::NoInputs) => {
            out.error(&e.to_string());
            return 2;
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
