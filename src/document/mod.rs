//! The one reader of JSON and YAML documents: deployed artifacts
//! (`drift --deployed`), runtime updates (`check-runtime`, the Python
//! `check_runtime`) and import inputs (`import`, Helm and `--hydra`).
//!
//! A document becomes one value tree in which every value and every mapping
//! key keeps its byte [`Span`] in its file, so that errors about it — the
//! reader's own and those of the commands that use the tree — are ordinary
//! [`Diagnostic`]s in the caller's `SourceMap`, rendered like source errors.
//! Nothing here computes a line or a column.
//!
//! Reading:
//! - A text that is JSON (RFC 8259) is read by the JSON reader (`json`);
//!   any other text is read as YAML (`yaml`, on `saphyr-parser`), one
//!   document only (none, or a null one, is `null`).
//! - Plain YAML scalars follow the YAML 1.2 core schema or YAML 1.1 as Helm
//!   and PyYAML read it ([`Schema`], tables in `scalar`); quoted and block
//!   scalars are strings; keys are resolved like values and written as their
//!   JSON text (`on:` is the key `"true"` under YAML 1.1, as in Helm).
//! - Anchors and aliases are resolved by copying; `<<` merge keys as YAML 1.1
//!   defines them (explicit keys win, then the merged mappings in order).
//! - Errors: a syntax error; a duplicate key in one mapping (at the second,
//!   the first labelled); `.inf`/`.nan`, integers beyond 64 bits (at the
//!   number, never silently a float); unsupported tags; non-scalar keys.
//! - With [`Options::dotted_paths`] a key is a dotted path and the same path
//!   written twice in any spelling (`{"a": {"b": 1}, "a.b": 2}`) is a
//!   `mcfg::duplicate` (`paths`).
//!
//! Limits (docs/limits.md), one set for every caller: the file size is
//! checked by `files` before reading; at most [`MAX_NODES`] values, each copy
//! of an alias counted before it is made; at most [`MAX_DEPTH`] levels of
//! nesting. Memory is linear in the input: the JSON reader is one pass, and
//! the YAML reader keeps one byte offset per 64 characters to turn the
//! parser's character positions into byte offsets.

mod json;
mod paths;
pub(crate) mod scalar;
mod yaml;

#[cfg(test)]
mod tests;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

pub use crate::files::{MAX_DOCUMENT_DEPTH as MAX_DEPTH, MAX_DOCUMENT_NODES as MAX_NODES};

/// How plain YAML scalars such as `yes`, `on`, `017` or `1:20` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schema {
    /// The YAML 1.2 core schema: only `true`/`false`/`null`/`~` are special.
    #[default]
    Core,
    /// YAML 1.1, as Helm and Hydra/OmegaConf (PyYAML) read values files.
    Yaml11,
}

/// What a caller asks of the reader.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// How plain YAML scalars are resolved.
    pub schema: Schema,
    /// Keys are dotted paths: a path written twice in any spelling is an error.
    pub dotted_paths: bool,
}

/// A value with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// How the value was written.
    pub style: Style,
}

/// How a value was written: what the importer needs to carry comments over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A plain scalar, a JSON scalar, or an alias.
    Plain,
    /// A single- or double-quoted scalar (its span ends at the closing quote).
    Quoted,
    /// A `|` or `>` block scalar.
    Block,
    /// A list or a mapping.
    Collection,
}

/// A mapping key with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
    /// Where the value read before this key ended (the start of a block
    /// scalar), as a byte offset: comments above the key lie below it.
    pub after: u32,
}

/// The shapes a document value takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// Always finite.
    Float(f64),
    Str(String),
    List(Vec<Node>),
    /// Keys in document order, each once.
    Map(Vec<(Key, Node)>),
}

/// Why a document could not be read: what and where, in the document's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// Another place involved (the first spelling of a duplicate).
    pub label: Option<(Span, String)>,
    /// What to do about it.
    pub help: Option<&'static str>,
}

impl DocError {
    pub(crate) fn new(code: Code, span: Span, message: impl Into<String>) -> DocError {
        DocError {
            code,
            message: message.into(),
            span,
            label: None,
            help: None,
        }
    }

    /// The error as a diagnostic (its spans point into the document's file).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.span, self.message.clone());
        if let Some((span, label)) = &self.label {
            d = d.with_label(*span, label.clone());
        }
        if let Some(help) = self.help {
            d = d.with_help(help);
        }
        d
    }

    /// The error with its spans moved by `map` (a span of a rewritten text
    /// back into the text the file holds).
    pub(crate) fn map_spans(mut self, map: impl Fn(Span) -> Span) -> DocError {
        self.span = map(self.span);
        if let Some((span, _)) = &mut self.label {
            *span = map(*span);
        }
        self
    }
}

/// A duplicate: the second spelling, located, with the first labelled.
pub(crate) fn duplicate(
    message: String,
    second: Span,
    first: Span,
    help: &'static str,
) -> DocError {
    DocError {
        code: Code::Duplicate,
        message,
        span: second,
        label: Some((first, "first written here".to_owned())),
        help: Some(help),
    }
}

/// Too many values, or too deep: `mcfg::limit` at the value that crosses it.
pub(crate) fn limit(span: Span, message: impl Into<String>) -> DocError {
    DocError {
        help: Some("the document limits are listed in docs/limits.md"),
        ..DocError::new(Code::Limit, span, message)
    }
}

/// The message for a document nested deeper than [`MAX_DEPTH`].
pub(crate) fn too_deep() -> String {
    format!("the document is nested deeper than {MAX_DEPTH} levels")
}

/// Reads `text`, the contents of `file`, as one JSON or YAML document.
pub fn read(text: &str, file: FileId, opts: Options) -> Result<Node, DocError> {
    let node = match json::read(text, file)? {
        Some(node) => node,
        None => yaml::read(text, file, opts.schema)?,
    };
    if opts.dotted_paths {
        paths::check(&node)?;
    }
    Ok(node)
}

impl Node {
    /// The number of values in this node (itself included).
    pub fn size(&self) -> usize {
        match &self.value {
            Value::List(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            Value::Map(entries) => 1 + entries.iter().map(|(_, v)| v.size()).sum::<usize>(),
            _ => 1,
        }
    }

    /// The kind's name, for messages: `mapping`, `list`, `string`, ...
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "mapping",
        }
    }

    /// The artifact-form JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}
