//! Human rendering through miette.
//!
//! A miette report has one source, so labels in the primary label's file are
//! shown inline and labels in other files become `related` sub-reports, each
//! with its own named source.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode, SourceSpan,
};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};

/// One miette report: a message, labels in one file, and related reports.
struct Report {
    message: String,
    code: Option<&'static str>,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn span_of(label: &Label, primary: bool) -> LabeledSpan {
    let span = SourceSpan::new((label.span.start as usize).into(), label.span.len());
    if primary {
        LabeledSpan::new_primary_with_span(label.message.clone(), span)
    } else {
        LabeledSpan::new_with_span(label.message.clone(), span)
    }
}

fn source_of(sources: &SourceMap, file: FileId) -> NamedSource<String> {
    let f = sources.get(file);
    NamedSource::new(f.name.clone(), f.text.to_string())
}

fn report(sources: &SourceMap, diag: &Diagnostic) -> Report {
    let file = diag.primary.span.file;
    let mut labels = vec![span_of(&diag.primary, true)];
    let mut related: Vec<Report> = Vec::new();
    for label in &diag.labels {
        if label.span.file == file {
            labels.push(span_of(label, false));
            continue;
        }
        related.push(Report {
            message: label
                .message
                .clone()
                .unwrap_or_else(|| "related location".into()),
            code: None,
            severity: miette::Severity::Advice,
            help: None,
            source: source_of(sources, label.span.file),
            labels: vec![span_of(label, false)],
            related: Vec::new(),
        });
    }
    let mut message = diag.message.clone();
    match (&diag.config, diag.env_phrase()) {
        (Some(c), Some(e)) => message.push_str(&format!(" (config `{c}`, {e})")),
        (Some(c), None) => message.push_str(&format!(" (config `{c}`)")),
        (None, Some(e)) => message.push_str(&format!(" ({e})")),
        (None, None) => {}
    }
    Report {
        message,
        code: Some(diag.code.as_str()),
        severity: match diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: diag.help.clone(),
        source: source_of(sources, file),
        labels,
        related,
    }
}

/// Renders one diagnostic for a terminal (`color`) or a file/snapshot (no colour).
pub fn render(sources: &SourceMap, diag: &Diagnostic, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
    let mut out = String::new();
    let report = report(sources, diag);
    if handler.render_report(&mut out, &report).is_err() {
        // Rendering into a String cannot fail; fall back to the bare message regardless.
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}
