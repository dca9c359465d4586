//! Human rendering through miette.
//!
//! A miette report has one source, so labels in the primary label's file are
//! shown inline and labels in other files become `related` sub-reports, each
//! with its own named source.
//!
//! The source is the [`SourceFile`] itself, borrowed (never copied), and a
//! span is looked up with its line index: miette's own lookup counts lines
//! from the start of the text, so each diagnostic cost time in the size of
//! the file and rendering n diagnostics of one generated file was quadratic.
//! Here miette reads from a few lines before the span, and the line numbers
//! are shifted back: rendering is linear in the number of diagnostics.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceFile, SourceMap};

/// One miette report: a message, labels in one file, and related reports.
struct Report<'s> {
    message: String,
    code: Option<&'static str>,
    severity: miette::Severity,
    help: Option<String>,
    source: FileSource<'s>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report<'s>>,
}

/// A source file as miette reads it, with spans found through its line index.
struct FileSource<'s>(&'s SourceFile);

impl SourceCode for FileSource<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let file = self.0;
        let offset = span.offset().min(file.text.len());
        let (line, _) = file.line_col(offset as u32);
        // One line more than the context miette asks for, so its own
        // counting sees the same lines as from the start of the text.
        let first = line.saturating_sub(1).saturating_sub(before + 1);
        let start = file.line_start(first).min(offset);
        let window: &'a [u8] = &file.text.as_bytes()[start..];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        let shifted = SourceSpan::new((inner.span().offset() + start).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            file.name.clone(),
            inner.data(),
            shifted,
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
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

fn source_of(sources: &SourceMap, file: FileId) -> FileSource<'_> {
    FileSource(sources.get(file))
}

fn report<'s>(sources: &'s SourceMap, diag: &Diagnostic) -> Report<'s> {
    let file = diag.primary.span.file;
    let mut labels = vec![span_of(&diag.primary, true)];
    let mut related: Vec<Report<'s>> = Vec::new();
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

/// An error that stopped a command, for people: `mcfg: FILE:LINE:COL: message`
/// and an indented help line (no snippet: there is no place in a source).
pub fn render_command_error(e: &super::CommandError) -> String {
    let mut out = format!("mcfg: {e}\n");
    if let Some(help) = &e.help {
        out.push_str(&format!("  help: {help}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::source::Span;

    #[test]
    fn the_line_index_lookup_renders_what_miette_would() {
        let text: String = (0..300).map(|i| format!("  a{i} = {i}\r\n")).collect();
        let mut sources = SourceMap::new();
        let id = sources.add(SourceFile::new("a.mcfg", text.as_str()));
        let file = sources.get(id);
        let handler = GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor());
        for (start, end, other) in [
            (2, 4, 40),
            (4000, 4004, 10),
            (text.len() - 5, text.len() - 3, 0),
        ] {
            let d = Diagnostic::error(Code::Duplicate, Span::new(id, start, end), "m")
                .with_label(Span::new(id, other, other + 2), "first");
            let mut fast = String::new();
            handler
                .render_report(&mut fast, &report(&sources, &d))
                .expect("render");
            // The same report with the whole text as its source, as before.
            let mut slow = String::new();
            let plain = PlainReport {
                inner: report(&sources, &d),
                source: miette::NamedSource::new("a.mcfg", file.text.to_string()),
            };
            handler.render_report(&mut slow, &plain).expect("render");
            assert_eq!(fast, slow);
        }
    }

    /// A report whose source is miette's own `NamedSource`.
    struct PlainReport<'s> {
        inner: Report<'s>,
        source: miette::NamedSource<String>,
    }

    impl fmt::Debug for PlainReport<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.inner.message)
        }
    }

    impl fmt::Display for PlainReport<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.inner.message)
        }
    }

    impl std::error::Error for PlainReport<'_> {}

    impl miette::Diagnostic for PlainReport<'_> {
        fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
            self.inner.code()
        }

        fn source_code(&self) -> Option<&dyn SourceCode> {
            Some(&self.source)
        }

        fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
            self.inner.labels()
        }
    }
}
