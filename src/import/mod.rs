//! `mcfg import`: YAML or JSON (Helm values, Hydra/OmegaConf YAML, flagd flag
//! files) to a readable structural `.mcfg` config (LANGUAGE.md §1, §2, §5).
//!
//! A pure text-to-text module, no filesystem, no printing: the inputs are files of a `SourceMap` (the
//! caller reads them), and an error is a `Diagnostic` located in one.
//!
//! Reading (`read`, on the one JSON/YAML reader of `crate::document`):
//! - An input that parses as JSON is read as JSON; any other is read as YAML
//!   (one document; zero documents or a null document is an empty mapping).
//!   The top level must be a mapping.
//! - A duplicate key in a mapping is `mcfg::duplicate` at the second, with
//!   the first labelled.
//! - Anchors and aliases are resolved (an alias is a copy of the anchored
//!   value); `<<` merge keys are resolved as YAML 1.1 defines them (explicit
//!   keys win, then the merged mappings in order; merged keys come first).
//! - Plain scalars follow YAML 1.1 or 1.2 per [`ImportOptions::yaml11_strings`];
//!   `document::scalar` documents both tables. Non-string keys become their JSON text
//!   (`on:` is the key `"true"` under YAML 1.1, as in Helm).
//! - `.inf`/`.nan` and integers beyond 64 bits are errors.
//!
//! Comments (`comments`): YAML comments are carried over as `//` comments:
//! the full-line `#` comments directly above a key (same indentation as the
//! key, no blank line in between) and a `#` comment at the end of a line
//! that holds a key and its single-line scalar value. Comments anywhere else
//! (on list items, inside flow collections not above a key, after a block
//! scalar header, at the end of the file) are dropped. JSON has no comments.
//!
//! Layering (`overlay`): the first input is the base; each later input is an
//! overlay applied Helm/Hydra style (mappings merged deeply, lists and scalars
//! replaced) onto the merged result so far, and only its differences from
//! that result are written. Each overlay builds on the previous one, so with
//! [`OverlayStyle::Children`] overlay `i` is `config NAME_STEM extends <the
//! previous config>`, and with [`OverlayStyle::EnvBlocks`] overlay `i` is an
//! environment `STEM extends <previous stem>` with an `env STEM { }` block.
//! A value whose kind changes (e.g. a mapping set to `null`) is written with
//! a `// FIXME(import): …` comment, as a structural config may reject it.
//!
//! Writing (`emit`, `literal`): see those modules. Output is deterministic.

mod comments;
mod emit;
mod hydra;
mod hydra_defaults;
pub(crate) mod literal;
mod overlay;
mod read;
mod value;

#[cfg(test)]
mod tests;

use std::fmt;

pub use hydra_defaults::Loader;
use value::Map;

use crate::diagnostics::Diagnostic;
use crate::source::{FileId, SourceMap};

/// How plain YAML scalars such as `yes`, `on`, `017` or `1:20` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Yaml11 {
    /// YAML 1.1, as Helm and Hydra/OmegaConf (PyYAML) read values files.
    #[default]
    Yes,
    /// Strict YAML 1.2 core schema: only `true`/`false`/`null`/`~` are special.
    No,
}

/// How overlays (the second and later inputs) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverlayStyle {
    /// Each overlay is a child config extending the previous one.
    #[default]
    Children,
    /// Each overlay is an environment with an `env` block in the base config.
    EnvBlocks,
}

/// Options for [`import`].
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The base config's name (made an identifier if it is not one).
    pub config_name: String,
    /// YAML 1.1 or 1.2 reading of plain scalars.
    pub yaml11_strings: Yaml11,
    /// How overlays are written.
    pub overlays: OverlayStyle,
    /// Read the inputs as Hydra/OmegaConf configs (interpolations, `???`,
    /// overlay replacement; see `hydra`).
    pub hydra: bool,
}

/// Why the inputs could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// No input was given.
    NoInputs,
    /// A problem in one of the inputs (or a file its Hydra defaults list
    /// names): a diagnostic whose spans point into the source map.
    Invalid(Box<Diagnostic>),
}

impl ImportError {
    /// What went wrong, lower-case, no trailing full stop.
    pub fn message(&self) -> &str {
        match self {
            ImportError::NoInputs => "no input files",
            ImportError::Invalid(d) => &d.message,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for ImportError {}

impl From<crate::document::DocError> for ImportError {
    fn from(e: crate::document::DocError) -> ImportError {
        ImportError::Invalid(Box::new(e.to_diagnostic()))
    }
}

/// Imports the files `inputs` of `sources` (base first, then overlays) into
/// one `.mcfg` source text.
pub fn import(
    sources: &mut SourceMap,
    inputs: &[FileId],
    opts: &ImportOptions,
) -> Result<String, ImportError> {
    import_with(sources, inputs, opts, None)
}

/// [`import`], with `load` reading the files a Hydra `defaults:` list of the
/// first input names (with [`ImportOptions::hydra`]): the composition becomes
/// a chain of child configs, the last one the composed config. Each file
/// read is added to `sources`, so its errors are located in it.
pub fn import_with(
    sources: &mut SourceMap,
    inputs: &[FileId],
    opts: &ImportOptions,
    load: Option<Loader<'_>>,
) -> Result<String, ImportError> {
    let Some((&base, overlays)) = inputs.split_first() else {
        return Err(ImportError::NoInputs);
    };
    let first = read::read(sources, base, opts.yaml11_strings)?;
    let mut base_map = first.map;
    let mut composed: Vec<(String, Map)> = Vec::new();
    let mut base_stem = String::new();
    let has_defaults = base_map
        .entries
        .get("defaults")
        .is_some_and(|e| matches!(e.value, value::Value::List(_)));
    if let (true, true, Some(load)) = (opts.hydra, has_defaults, load) {
        let primary = hydra_defaults::Primary {
            file: base,
            map: base_map,
            defaults: first.defaults,
        };
        let mut layers =
            hydra_defaults::compose(sources, primary, load, opts.yaml11_strings)?.into_iter();
        let (first, map) = layers.next().unwrap_or_default();
        base_stem = literal::ident(overlay::file_stem(&first));
        base_map = map;
        composed.extend(layers);
    }
    let n_composed = composed.len();
    let mut overlay_maps = Vec::with_capacity(overlays.len());
    for &file in overlays {
        overlay_maps.push(read::read(sources, file, opts.yaml11_strings)?.map);
    }
    let mut layers: Vec<(&str, Map)> = composed
        .iter()
        .map(|(n, m)| (n.as_str(), m.clone()))
        .collect();
    for (&file, map) in overlays.iter().zip(overlay_maps) {
        layers.push((sources.get(file).name.as_str(), map));
    }
    let mut plan = overlay::plan(base_map, layers, !opts.hydra);
    plan.composed = n_composed;
    plan.base_stem = base_stem;
    if opts.hydra {
        hydra::apply(&mut plan);
    }
    let names: Vec<&str> = inputs
        .iter()
        .map(|&f| sources.get(f).name.as_str())
        .collect();
    Ok(emit::emit_file(&names, opts, &plan))
}
