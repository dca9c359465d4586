//! Positions for reports: the one place besides the diagnostic renderers
//! that turns a span into a file, line and column. The operations reports
//! (`explain`, `diff`, `drift`, `log`, `blame`), JUnit details and the Python
//! API get their positions here, as they are rendered.

use serde::Serialize;

use crate::source::{SourceMap, Span};

/// A rendered position: file name, 1-based line and 1-based character
/// column (`{"file", "line", "column"}` in JSON reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl Loc {
    /// `file:line:col`.
    pub fn short(&self) -> String {
        format!("{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Where `span` starts.
pub fn locate(sources: &SourceMap, span: Span) -> Loc {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start);
    Loc {
        file: file.name.clone(),
        line,
        column,
    }
}
