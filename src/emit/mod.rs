//! Artifact bytes: turning evaluated values into JSON or YAML files (LANGUAGE.md §7).
//!
//! This module knows output formats and nothing of the disk: it returns
//! [`Artifact`]s (a relative path plus bytes) and the [`manifest`]; only `cli`
//! writes them (see `cli::output`). Object keys come out in the order of the
//! given `serde_json::Value` (the crate enables `preserve_order`), so the order
//! the front end chose (schema field order) is the order in every artifact.
//!
//! **Invariant:** rendering is a pure function of its input: no timestamps,
//! no hash-map iteration, no environment lookups.

pub mod bundle;
pub mod flagd;
pub mod flat;
pub mod json;
pub mod manifest;
pub mod schema;
pub mod yaml;

use serde_json::Value;

/// One file of a build: where it goes inside the output folder and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the output folder, with `/` as the separator
    /// (`prod/ranker.json`, `manifest.json`).
    pub rel_path: String,
    /// The exact file contents.
    pub bytes: Vec<u8>,
}

impl Artifact {
    /// An artifact at `rel_path` holding `bytes`.
    pub fn new(rel_path: impl Into<String>, bytes: Vec<u8>) -> Artifact {
        Artifact {
            rel_path: rel_path.into(),
            bytes,
        }
    }
}

/// True when `rel_path` is a safe relative artifact path: non-empty, `/`
/// separated, not absolute, no `\`, and no empty, `.` or `..` component.
/// Paths in a manifest or a build that fail this are never read or written.
pub fn is_safe_rel_path(rel_path: &str) -> bool {
    !rel_path.is_empty()
        && !rel_path.contains('\\')
        && rel_path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The file format of config artifacts (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON, two-space indentation (the default).
    #[default]
    Json,
    /// Block-style YAML that YAML 1.1 and 1.2 readers load to the JSON value.
    Yaml,
}

impl Format {
    /// The file extension for this format, without the dot: `json` or `yaml`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// Renders one artifact value in `format`; with `flat`, nested objects are
/// first turned into dotted keys ([`flat::flatten`]).
pub fn render(value: &Value, format: Format, flat: bool) -> Vec<u8> {
    let flattened;
    let value = if flat {
        flattened = flat::flatten(value);
        &flattened
    } else {
        value
    };
    match format {
        Format::Json => json::to_bytes(value),
        Format::Yaml => yaml::to_bytes(value),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn render_dispatches_on_format_and_flat() {
        let value = json!({"serving": {"batch_size": 64}});
        let json_flat = render(&value, Format::Json, true);
        assert_eq!(
            String::from_utf8(json_flat).unwrap(),
            "{\n  \"serving.batch_size\": 64\n}\n"
        );
        let yaml = render(&value, Format::Yaml, false);
        assert_eq!(
            String::from_utf8(yaml).unwrap(),
            "serving:\n  batch_size: 64\n"
        );
        assert_eq!(Format::Yaml.extension(), "yaml");
    }

    #[test]
    fn safe_rel_paths() {
        for ok in ["manifest.json", "prod/ranker.json", "a/b/c.yaml", ".hidden"] {
            assert!(is_safe_rel_path(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a/",
            "a\\b",
        ] {
            assert!(!is_safe_rel_path(bad), "{bad}");
        }
    }
}
