//! Compiler diagnostics as LSP `Diagnostic`s, grouped by document URI.
//!
//! `code` is the stable `mcfg::…` code, `source` is `mcfg`, the message
//! carries the help line and the config/environment it belongs to, and every
//! secondary label becomes a `relatedInformation` entry with its message.

use indexmap::IndexMap;
use lsp_types::{
    Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString,
};

use super::Compilation;
use crate::diagnostics::{Diagnostic, Severity};
use crate::source::{FileId, Span};

use super::text::{Encoding, LineIndex};

/// The diagnostics of a compilation per document URI; `uri` names a file (`None`: not a
/// document, e.g. a standard-library module).
pub fn by_file(
    comp: &Compilation,
    encoding: Encoding,
    uri: impl Fn(FileId) -> Option<String>,
) -> IndexMap<String, Vec<LspDiagnostic>> {
    let sources = &comp.project().sources;
    let indexes: Vec<LineIndex> = sources
        .files()
        .map(|(_, f)| LineIndex::new(&f.text, encoding))
        .collect();
    let location = |span: Span| -> Option<Location> {
        let text = &sources.get(span.file).text;
        let index = indexes.get(span.file.0 as usize)?;
        let range = index.range(text, span.start as usize, span.end as usize);
        Some(Location::new(uri(span.file)?.parse().ok()?, range))
    };
    let mut out: IndexMap<String, Vec<LspDiagnostic>> = IndexMap::new();
    for d in &comp.diags {
        if let Some((uri, item)) = convert(d, &location) {
            out.entry(uri).or_default().push(item);
        }
    }
    out
}

/// One diagnostic as the LSP's, with the URI of its primary span's document.
pub fn convert(
    d: &Diagnostic,
    location: &impl Fn(Span) -> Option<Location>,
) -> Option<(String, LspDiagnostic)> {
    let primary = location(d.primary.span)?;
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            Some(DiagnosticRelatedInformation {
                location: location(l.span)?,
                message: l.message.clone().unwrap_or_default(),
            })
        })
        .collect();
    let item = LspDiagnostic {
        range: primary.range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_owned())),
        source: Some("mcfg".to_owned()),
        message: message(d),
        related_information: (!related.is_empty()).then_some(related),
        ..LspDiagnostic::default()
    };
    Some((primary.uri.as_str().to_owned(), item))
}

/// The message shown in the editor: message, primary label, where, help.
fn message(d: &Diagnostic) -> String {
    let mut msg = d.message.clone();
    if let Some(m) = &d.primary.message {
        msg.push_str(&format!(" ({m})"));
    }
    let envs: Vec<String> = d.env_names().iter().map(|e| format!("`{e}`")).collect();
    let envs = match envs.len() {
        0 => None,
        1 => Some(format!("environment {}", envs[0])),
        _ => Some(format!("environments {}", envs.join(", "))),
    };
    match (&d.config, envs) {
        (Some(c), Some(e)) => msg.push_str(&format!("\nin config `{c}`, {e}")),
        (Some(c), None) => msg.push_str(&format!("\nin config `{c}`")),
        (None, Some(e)) => msg.push_str(&format!("\nin {e}")),
        (None, None) => {}
    }
    if let Some(help) = &d.help {
        msg.push_str(&format!("\nhelp: {help}"));
    }
    msg
}
