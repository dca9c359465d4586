//! `--message-format json`: one JSON object per diagnostic (CLI.md "Diagnostics as JSON").

use serde::Serialize;

use super::{CommandError, Diagnostic, Label};
use crate::source::SourceMap;

#[derive(Serialize)]
struct JsonLabel<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    offset: u32,
    length: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    offset: u32,
    length: usize,
    labels: Vec<JsonLabel<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<&'a str>,
    /// Every environment, when the diagnostic holds in several (`env` is the first).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    envs: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    config: Option<&'a str>,
}

fn label<'a>(sources: &'a SourceMap, label: &'a Label) -> JsonLabel<'a> {
    let file = sources.get(label.span.file);
    let (line, column) = file.line_col(label.span.start);
    JsonLabel {
        message: label.message.as_deref(),
        file: &file.name,
        line,
        column,
        offset: label.span.start,
        length: label.span.len(),
    }
}

/// Renders one diagnostic as a single-line JSON object (no trailing newline).
pub fn render(sources: &SourceMap, diag: &Diagnostic) -> String {
    let primary = label(sources, &diag.primary);
    let obj = JsonDiagnostic {
        severity: diag.severity.as_str(),
        code: diag.code.as_str(),
        message: &diag.message,
        file: primary.file,
        line: primary.line,
        column: primary.column,
        offset: primary.offset,
        length: primary.length,
        labels: diag.labels.iter().map(|l| label(sources, l)).collect(),
        help: diag.help.as_deref(),
        env: diag.env.as_deref(),
        envs: &diag.envs,
        config: diag.config.as_deref(),
    };
    // Invariant: the struct holds only strings and numbers, which always serialize.
    serde_json::to_string(&obj).expect("diagnostic serializes")
}

#[derive(Serialize)]
struct JsonCommandError<'a> {
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Renders an error that stopped a command as a single-line JSON object: the
/// diagnostic shape with `file` (and `line`, `column`) only where there is one.
pub fn render_command_error(e: &CommandError) -> String {
    let obj = JsonCommandError {
        severity: "error",
        code: e.code.as_str(),
        message: &e.message,
        file: e.file.as_deref(),
        line: e.at.map(|(l, _)| l),
        column: e.at.map(|(_, c)| c),
        help: e.help.as_deref(),
    };
    // Invariant: the struct holds only strings and numbers, which always serialize.
    serde_json::to_string(&obj).expect("command error serializes")
}
