//! `mcfg import`: YAML or JSON (Helm values, Hydra/OmegaConf YAML, flagd flag
//! files) to a readable structural `.mcfg` config (LANGUAGE.md §1, §2, §5).
//!
//! A pure text-to-text module: no filesystem, no printing.
//!
//! Reading (`json`, `yaml`, `scalar`):
//! - An input that parses as JSON is read as JSON; any other is read as YAML
//!   (one document; zero documents or a null document is an empty mapping).
//!   The top level must be a mapping.
//! - Duplicate keys in a mapping are an error with the key's line and column.
//! - Anchors and aliases are resolved (an alias is a copy of the anchored
//!   value); `<<` merge keys are resolved as YAML 1.1 defines them (explicit
//!   keys win, then the merged mappings in order; merged keys come first).
//! - Plain scalars follow YAML 1.1 or 1.2 per [`ImportOptions::yaml11_strings`];
//!   `scalar` documents both tables. Non-string keys become their JSON text
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
mod json;
pub(crate) mod literal;
mod overlay;
mod scalar;
mod value;
mod yaml;

#[cfg(test)]
mod tests;

use std::fmt;

pub use hydra_defaults::Loader;
use value::Map;

/// One file to import.
#[derive(Debug, Clone)]
pub struct ImportInput {
    /// The path as the user gave it, used in messages and the header comment.
    pub name: String,
    /// The file's text.
    pub text: String,
}

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

/// Why an input could not be imported. `line` and `column` are 1-based
/// (column in Unicode characters); both are 0 when there is no position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The input's name as given.
    pub file: String,
    /// 1-based line, or 0.
    pub line: usize,
    /// 1-based column in characters, or 0.
    pub column: usize,
    /// What went wrong, lower-case, no trailing full stop.
    pub message: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ImportError {}

/// A reader's error before the file name is known: message and 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl ReadError {
    fn in_file(self, file: &str) -> ImportError {
        ImportError {
            file: file.to_owned(),
            line: self.line,
            column: self.column,
            message: self.message,
        }
    }
}

/// Imports `inputs` (base first, then overlays) into one `.mcfg` source text.
pub fn import(inputs: &[ImportInput], opts: &ImportOptions) -> Result<String, ImportError> {
    import_with(inputs, opts, None)
}

/// [`import`], with `load` reading the files a Hydra `defaults:` list of the
/// first input names (with [`ImportOptions::hydra`]): the composition becomes
/// a chain of child configs, the last one the composed config.
pub fn import_with(
    inputs: &[ImportInput],
    opts: &ImportOptions,
    load: Option<Loader<'_>>,
) -> Result<String, ImportError> {
    let Some((base, overlays)) = inputs.split_first() else {
        return Err(ImportError {
            file: String::new(),
            line: 0,
            column: 0,
            message: "no input files".to_owned(),
        });
    };
    let mut base_map = read(base, opts.yaml11_strings)?;
    let mut composed: Vec<(String, Map)> = Vec::new();
    let mut base_stem = String::new();
    let has_defaults = base_map
        .entries
        .get("defaults")
        .is_some_and(|e| matches!(e.value, value::Value::List(_)));
    if let (true, true, Some(load)) = (opts.hydra, has_defaults, load) {
        let mut layers =
            hydra_defaults::compose(&base.name, &base.text, base_map, load, opts.yaml11_strings)?
                .into_iter();
        let (first, map) = layers.next().unwrap_or_default();
        base_stem = literal::ident(overlay::file_stem(&first));
        base_map = map;
        composed.extend(layers);
    }
    let n_composed = composed.len();
    let mut layers: Vec<(&str, Map)> = composed
        .iter()
        .map(|(n, m)| (n.as_str(), m.clone()))
        .collect();
    for input in overlays {
        layers.push((input.name.as_str(), read(input, opts.yaml11_strings)?));
    }
    let mut plan = overlay::plan(base_map, layers);
    plan.composed = n_composed;
    plan.base_stem = base_stem;
    if opts.hydra {
        hydra::apply(&mut plan);
    }
    let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
    Ok(emit::emit_file(&names, opts, &plan))
}

/// Reads one input as JSON when it is JSON, else as YAML.
fn read(input: &ImportInput, yaml11: Yaml11) -> Result<Map, ImportError> {
    let text = input.text.strip_prefix('\u{feff}').unwrap_or(&input.text);
    let result = match json::read_json(text) {
        Some(result) => result,
        None => yaml::read_yaml(text, yaml11),
    };
    result.map_err(|e| e.in_file(&input.name))
}
