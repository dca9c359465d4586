//! Reading a deployed artifact or a runtime update (JSON or YAML) into a
//! value tree whose every key and value keeps its [`Span`] in the file, so
//! `drift` and `check-runtime` can point into it.
//!
//! JSON is read as YAML (a JSON document is a YAML flow document); one
//! document only. Plain scalars follow the YAML 1.2 core schema (`null`, `~`
//! and empty are null; `true`/`false`; decimal, `0x` and `0o` integers;
//! decimal floats); quoted scalars are strings. A duplicate key in a mapping,
//! `.inf`/`.nan`, integers beyond 64 bits and unsupported tags are errors.
//! Anchors and aliases are resolved by copying.

mod paths;

use indexmap::IndexMap;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, Span};

use crate::files::{MAX_DOCUMENT_DEPTH as MAX_DEPTH, MAX_DOCUMENT_NODES as MAX_NODES};

/// A value with the span of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct DocNode {
    pub value: DocValue,
    pub span: Span,
}

/// A mapping key with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct DocKey {
    pub name: String,
    pub span: Span,
}

/// The shapes a document value takes.
#[derive(Debug, Clone, PartialEq)]
pub enum DocValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<DocNode>),
    /// Keys in document order.
    Map(Vec<(DocKey, DocNode)>),
}

/// Why a document could not be read: a message, its span in the file and
/// the 1-based line and column of its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocError {
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// Another place involved (the first spelling of a duplicate path).
    pub label: Option<(Span, String)>,
    pub line: usize,
    pub column: usize,
}

impl DocError {
    /// The error as a diagnostic (its spans point into the document's file).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut d = Diagnostic::error(self.code, self.span, self.message.clone());
        if let Some((span, label)) = &self.label {
            d = d.with_label(*span, label.clone());
        }
        if self.code == Code::Duplicate {
            d = d.with_help("write each path once, either nested or dotted");
        }
        d
    }
}

impl DocNode {
    /// The number of values in this node (itself included).
    pub fn size(&self) -> usize {
        match &self.value {
            DocValue::List(items) => 1 + items.iter().map(DocNode::size).sum::<usize>(),
            DocValue::Map(entries) => 1 + entries.iter().map(|(_, v)| v.size()).sum::<usize>(),
            _ => 1,
        }
    }

    /// The artifact-form JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            DocValue::Null => J::Null,
            DocValue::Bool(b) => J::Bool(*b),
            DocValue::Int(i) => J::from(*i),
            DocValue::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            DocValue::Str(s) => J::String(s.clone()),
            DocValue::List(items) => J::Array(items.iter().map(DocNode::to_json).collect()),
            DocValue::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Reads `text` (the contents of file `file`) as one JSON or YAML document.
///
/// Besides what YAML itself refuses, a path written twice in any spelling
/// (`{"a": {"b": 1}, "a.b": 2}`) is a `mcfg::duplicate` error.
pub fn read(text: &str, file: FileId) -> Result<DocNode, DocError> {
    let lines = SourceFile::new("", text);
    let at = |span: Span| lines.line_col(span.start);
    let node = read_tree(text, file).map_err(|(code, message, span)| {
        let (line, column) = at(span);
        DocError {
            code,
            message,
            span,
            label: None,
            line,
            column,
        }
    })?;
    paths::check(&node).map_err(|c| {
        let (line, column) = at(c.second);
        let (l1, c1) = at(c.first);
        DocError {
            code: Code::Duplicate,
            message: format!("`{}` is written twice (first at {l1}:{c1})", c.path),
            span: c.second,
            label: Some((c.first, "first written here".to_owned())),
            line,
            column,
        }
    })?;
    Ok(node)
}

/// A reading error before positions are rendered: code, message, span.
type RawError = (Code, String, Span);

fn read_tree(text: &str, file: FileId) -> Result<DocNode, RawError> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        file,
        bytes: text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect(),
        anchors: IndexMap::new(),
        nodes: 0,
    };
    reader.stream()
}

struct Reader<'t> {
    parser: Parser<'t, saphyr_parser::StrInput<'t>>,
    file: FileId,
    /// Byte offset of each character (and the end), for char-indexed markers.
    bytes: Vec<usize>,
    /// Each anchor's value and its number of values.
    anchors: IndexMap<usize, (DocNode, usize)>,
    nodes: usize,
}

impl<'t> Reader<'t> {
    fn offset(&self, m: Marker) -> usize {
        self.bytes.get(m.index()).copied().unwrap_or(0)
    }

    fn error_at(&self, mark: Marker, message: impl Into<String>) -> RawError {
        self.error_code(Code::Syntax, mark, message)
    }

    fn error_code(&self, code: Code, mark: Marker, message: impl Into<String>) -> RawError {
        let at = self.offset(mark);
        (code, message.into(), Span::new(self.file, at, at))
    }

    fn span(&self, s: YSpan) -> Span {
        let (start, end) = (self.offset(s.start), self.offset(s.end));
        Span::new(self.file, start, end.max(start))
    }

    fn next(&mut self) -> Result<(Event<'t>, YSpan), RawError> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            Some(Err(e)) => {
                Err(self.error_at(*e.marker(), format!("not valid JSON or YAML: {}", e.info())))
            }
            None => {
                let end = self.bytes.last().copied().unwrap_or(0);
                Err((
                    Code::Syntax,
                    "unexpected end of the document".into(),
                    Span::new(self.file, end, end),
                ))
            }
        }
    }

    fn stream(&mut self) -> Result<DocNode, RawError> {
        let mut doc: Option<DocNode> = None;
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) if doc.is_some() => {
                    return Err(self.error_at(span.start, "only one document per file is read"));
                }
                Event::DocumentStart(_) => {
                    let (ev, span) = self.next()?;
                    doc = Some(self.node(ev, span, 0)?);
                }
                _ => return Err(self.error_at(span.start, "unexpected YAML event")),
            }
        }
        Ok(doc.unwrap_or(DocNode {
            value: DocValue::Null,
            span: Span::new(self.file, 0, 0),
        }))
    }

    fn node(&mut self, ev: Event<'t>, span: YSpan, depth: usize) -> Result<DocNode, RawError> {
        if depth > MAX_DEPTH {
            return Err(self.error_code(
                Code::Limit,
                span.start,
                format!("the document is nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.error_code(
                Code::Limit,
                span.start,
                format!("the document is too large (more than {MAX_NODES} values)"),
            ));
        }
        let (anchor, node) = match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag.as_deref().map(|t| t.suffix.as_str()))
                    .map_err(|m| self.error_at(span.start, m))?;
                (
                    anchor,
                    DocNode {
                        value,
                        span: self.span(span),
                    },
                )
            }
            Event::Alias(id) => {
                // Counted before the copy is made (the node itself is counted above).
                let Some((node, n)) = self.anchors.get(&id) else {
                    return Err(self.error_at(span.start, "an alias to an unknown anchor"));
                };
                self.nodes = self.nodes.saturating_add(n - 1);
                if self.nodes > MAX_NODES {
                    return Err(self.error_code(
                        Code::Limit,
                        span.start,
                        format!("the document is too large: its aliases expand to more than {MAX_NODES} values"),
                    ));
                }
                return Ok(node.clone());
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let end = loop {
                    let (ev, s) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break s;
                    }
                    items.push(self.node(ev, s, depth + 1)?);
                };
                let span = self.span(YSpan::new(span.start, end.end));
                (
                    anchor,
                    DocNode {
                        value: DocValue::List(items),
                        span,
                    },
                )
            }
            Event::MappingStart(anchor, _) => self.mapping(anchor, span, depth)?,
            _ => return Err(self.error_at(span.start, "unexpected YAML event")),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), node.size()));
        }
        Ok(node)
    }

    fn mapping(
        &mut self,
        anchor: usize,
        start: YSpan,
        depth: usize,
    ) -> Result<(usize, DocNode), RawError> {
        let mut entries: Vec<(DocKey, DocNode)> = Vec::new();
        loop {
            let (ev, kspan) = self.next()?;
            let name = match ev {
                Event::MappingEnd => {
                    let span = self.span(YSpan::new(start.start, kspan.end));
                    let value = DocValue::Map(entries);
                    return Ok((anchor, DocNode { value, span }));
                }
                Event::Scalar(text, _, _, _) => text.into_owned(),
                _ => return Err(self.error_at(kspan.start, "only scalar keys are supported")),
            };
            if entries.iter().any(|(k, _)| k.name == name) {
                return Err(self.error_at(kspan.start, format!("duplicate key `{name}`")));
            }
            let key = DocKey {
                name,
                span: self.span(kspan),
            };
            let (ev, vspan) = self.next()?;
            let value = self.node(ev, vspan, depth + 1)?;
            entries.push((key, value));
        }
    }
}

/// Resolves one scalar (YAML 1.2 core schema for plain scalars).
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<DocValue, String> {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Ok(DocValue::Str(text.to_owned()));
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(DocValue::Null),
        "true" | "True" | "TRUE" => return Ok(DocValue::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(DocValue::Bool(false)),
        _ => {}
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.trim_start_matches(['+', '-']), ".inf" | ".nan") {
        return Err(format!("`{text}` is not a finite number"));
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if digits(unsigned, 10) && text.len() - unsigned.len() <= 1 {
        return text
            .parse::<i64>()
            .map(DocValue::Int)
            .map_err(|_| format!("`{text}` does not fit in a 64-bit integer"));
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8)] {
        if let Some(rest) = text.strip_prefix(prefix).filter(|r| digits(r, radix)) {
            return i64::from_str_radix(rest, radix)
                .map(DocValue::Int)
                .map_err(|_| format!("`{text}` does not fit in a 64-bit integer"));
        }
    }
    if is_float(text) {
        if let Ok(f) = text.parse::<f64>() {
            if f.is_finite() {
                return Ok(DocValue::Float(f));
            }
            return Err(format!("`{text}` is not a finite number"));
        }
    }
    Ok(DocValue::Str(text.to_owned()))
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac {
        Some(f) => all_digits(int) && all_digits(f) && !(int.is_empty() && f.is_empty()),
        None => !int.is_empty() && all_digits(int),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_json(text: &str) -> Result<serde_json::Value, DocError> {
        read(text, FileId(0)).map(|n| n.to_json())
    }

    #[test]
    fn json_and_yaml_read_to_the_same_value() {
        let json = read_json(r#"{"a": {"b": 1, "c": [0.2, "x"]}, "d": null}"#).unwrap();
        let yaml = read_json("a:\n  b: 1\n  c: [0.2, x]\nd: ~\n").unwrap();
        assert_eq!(json, yaml);
        assert_eq!(json["a"]["c"][0], serde_json::json!(0.2));
    }

    #[test]
    fn duplicate_keys_are_rejected_with_their_position() {
        let err = read_json("{\"a\": 1,\n \"a\": 2}").unwrap_err();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!((err.line, err.column), (2, 2));
        assert!(read_json("a: 1\nb:\n  c: 1\n  c: 2\n").is_err());
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "serving:\n  timeout: 0.1\n";
        let node = read(text, FileId(0)).unwrap();
        let DocValue::Map(top) = node.value else {
            panic!("map")
        };
        let DocValue::Map(inner) = &top[0].1.value else {
            panic!("map")
        };
        let (k, v) = &inner[0];
        assert_eq!(&text[k.span.start as usize..k.span.end as usize], "timeout");
        assert_eq!(&text[v.span.start as usize..v.span.end as usize], "0.1");
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        assert_eq!(
            scalar("0x10", ScalarStyle::Plain, None),
            Ok(DocValue::Int(16))
        );
        assert_eq!(
            scalar("1e3", ScalarStyle::Plain, None),
            Ok(DocValue::Float(1000.0))
        );
        assert_eq!(
            scalar("yes", ScalarStyle::Plain, None),
            Ok(DocValue::Str("yes".into()))
        );
        assert_eq!(
            scalar("12", ScalarStyle::DoubleQuoted, None),
            Ok(DocValue::Str("12".into()))
        );
        assert!(scalar(".inf", ScalarStyle::Plain, None).is_err());
    }
}
