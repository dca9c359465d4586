//! YAML reading: `saphyr-parser` events to the importer's value tree.
//!
//! Building the tree ourselves (instead of using a YAML loader) gives key
//! order, key positions for errors and comments, and full control over the
//! rules in the `import` module docs: one document, duplicate keys are
//! errors, anchors/aliases and `<<` merge keys are resolved, scalars follow
//! the `scalar` tables. Limits against hostile input: nesting depth and the
//! total number of nodes (aliases included, against "billion laughs").

use std::borrow::Cow;

use indexmap::IndexMap;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};

use super::comments::{KeyPos, Lines};
use super::literal::float_text;
use super::scalar::{resolve_plain, resolve_tagged};
use super::value::{Entry, Map, Value};
use super::{ReadError, Yaml11};

use crate::files::{MAX_DOCUMENT_DEPTH as MAX_DEPTH, MAX_DOCUMENT_NODES as MAX_NODES};

/// Reads a one-document YAML text whose top level is a mapping (or empty).
///
/// PyYAML and libyaml accept a flow collection's closing `]` or `}` at the
/// indentation of its key (audiocraft's `config.yaml` does this); the YAML
/// spec and saphyr do not. Such a line is indented by one space and the
/// text read again, so these files import as their tools read them.
pub(crate) fn read_yaml(text: &str, yaml11: Yaml11) -> Result<Map, ReadError> {
    let mut fixed: Option<String> = None;
    for _ in 0..MAX_FIXES {
        let source = fixed.as_deref().unwrap_or(text);
        match read_once(source, yaml11) {
            Err(e) if e.message.ends_with("invalid indentation") => {
                fixed = Some(indent_closing_bracket(source, e.line).ok_or(e)?);
            }
            other => return other,
        }
    }
    read_once(fixed.as_deref().unwrap_or(text), yaml11)
}

const MAX_FIXES: usize = 64;

/// `text` with line `line` (1-based) indented by one more space, when that
/// line starts with a closing bracket.
fn indent_closing_bracket(text: &str, line: usize) -> Option<String> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    let target = lines.get_mut(line.checked_sub(1)?)?;
    if !target.trim_start().starts_with([']', '}']) {
        return None;
    }
    let indented = format!(" {target}");
    *target = &indented;
    Some(lines.join("\n"))
}

fn read_once(text: &str, yaml11: Yaml11) -> Result<Map, ReadError> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        yaml11,
        anchors: IndexMap::new(),
        lines: Lines::new(text),
        nodes: 0,
        last_end_line: 0,
    };
    reader.stream()
}

struct Reader<'t> {
    parser: Parser<'t, StrInput<'t>>,
    yaml11: Yaml11,
    /// Each anchor's value and its number of values.
    anchors: IndexMap<usize, (Value, usize)>,
    lines: Lines<'t>,
    nodes: usize,
    /// The line where the last scalar, alias or collection ended.
    last_end_line: usize,
}

fn error_at(mark: Marker, message: impl Into<String>) -> ReadError {
    ReadError {
        line: mark.line(),
        column: mark.col() + 1,
        message: message.into(),
    }
}

fn scan_error(e: &ScanError) -> ReadError {
    error_at(*e.marker(), format!("YAML syntax error: {}", e.info()))
}

impl<'t> Reader<'t> {
    fn next(&mut self) -> Result<(Event<'t>, Span), ReadError> {
        match self.parser.next_event() {
            Some(Ok(event)) => Ok(event),
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(ReadError {
                line: 0,
                column: 0,
                message: "unexpected end of the YAML stream".to_owned(),
            }),
        }
    }

    fn stream(&mut self) -> Result<Map, ReadError> {
        let mut document: Option<Value> = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) if document.is_some() => {
                    return Err(error_at(
                        span.start,
                        "a second YAML document: only one document per file can be imported",
                    ));
                }
                Event::DocumentStart(_) => {
                    let (event, span) = self.next()?;
                    document = Some(self.node(event, span, 0)?);
                }
                _ => return Err(error_at(span.start, "unexpected YAML event")),
            }
        }
        match document {
            None | Some(Value::Null) => Ok(Map::default()),
            Some(Value::Map(map)) => Ok(map),
            Some(other) => Err(ReadError {
                line: 1,
                column: 1,
                message: format!(
                    "the top-level value must be a mapping, not a {}",
                    other.kind()
                ),
            }),
        }
    }

    fn count(&mut self, n: usize, mark: Marker) -> Result<(), ReadError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(error_at(
                mark,
                format!(
                    "the document is too large: its aliases expand to more than {MAX_NODES} values"
                ),
            ));
        }
        Ok(())
    }

    fn node(&mut self, event: Event<'t>, span: Span, depth: usize) -> Result<Value, ReadError> {
        if depth > MAX_DEPTH {
            return Err(error_at(span.start, "the document is nested too deeply"));
        }
        self.count(1, span.start)?;
        let (anchor, value) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                // A block scalar's span runs to the next token; its content is
                // more indented than any sibling key, so its header line is enough.
                let block = matches!(style, ScalarStyle::Literal | ScalarStyle::Folded);
                self.last_end_line = if block {
                    span.start.line()
                } else {
                    span.end.line()
                };
                (
                    anchor,
                    self.scalar(&text, style, tag.as_deref(), span.start)?,
                )
            }
            Event::Alias(id) => {
                self.last_end_line = span.end.line();
                // Counted before the copy is made, with the size stored
                // when the anchor was read (never re-walked).
                let Some(&(_, n)) = self.anchors.get(&id) else {
                    return Err(error_at(span.start, "an alias to an unknown anchor"));
                };
                self.count(n, span.start)?;
                return Ok(self
                    .anchors
                    .get(&id)
                    .map(|(v, _)| v.clone())
                    .unwrap_or(Value::Null));
            }
            Event::SequenceStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "seq", span.start)?;
                (anchor, self.sequence(depth)?)
            }
            Event::MappingStart(anchor, tag) => {
                check_collection_tag(tag.as_deref(), "map", span.start)?;
                (anchor, Value::Map(self.mapping(depth)?))
            }
            _ => return Err(error_at(span.start, "unexpected YAML event")),
        };
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), size(&value)));
        }
        Ok(value)
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        mark: Marker,
    ) -> Result<Value, ReadError> {
        let resolved = match (tag, style) {
            (None, ScalarStyle::Plain) => resolve_plain(text, self.yaml11),
            (None, _) => Ok(Value::Str(text.to_owned())),
            (Some(t), _) if t.is_yaml_core_schema() => resolve_tagged(text, &t.suffix, self.yaml11),
            (Some(t), _) if t.handle == "!" && t.suffix.is_empty() => {
                Ok(Value::Str(text.to_owned()))
            }
            (Some(t), _) => Err(format!("the tag `{t}` is not supported")),
        };
        resolved.map_err(|message| error_at(mark, message))
    }

    fn sequence(&mut self, depth: usize) -> Result<Value, ReadError> {
        let mut items = Vec::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::SequenceEnd) {
                self.last_end_line = span.end.line();
                return Ok(Value::List(items));
            }
            items.push(self.node(event, span, depth + 1)?);
        }
    }

    fn mapping(&mut self, depth: usize) -> Result<Map, ReadError> {
        let mut explicit = Map::default();
        let mut merged: Vec<Map> = Vec::new();
        loop {
            let after_line = self.last_end_line;
            let (event, span) = self.next()?;
            let (text, style, tag) = match event {
                Event::MappingEnd => {
                    self.last_end_line = span.end.line();
                    return Ok(merge_keys(explicit, merged));
                }
                Event::Scalar(text, style, _, tag) => (text, style, tag),
                _ => return Err(error_at(span.start, "only scalar keys can be imported")),
            };
            self.last_end_line = span.end.line();
            if text == "<<" && style == ScalarStyle::Plain && tag.is_none() {
                let (event, vspan) = self.next()?;
                let value = self.node(event, vspan, depth + 1)?;
                merged.extend(merge_sources(value, vspan.start)?);
                continue;
            }
            let key = self.key_text(&text, style, tag, span.start)?;
            if explicit.entries.contains_key(&key) {
                return Err(error_at(span.start, format!("duplicate key `{key}`")));
            }
            let (event, vspan) = self.next()?;
            let scalar_end = match &event {
                // The parser's end of a quoted scalar lies past the blanks
                // and comment after it: find the closing quote instead.
                Event::Scalar(_, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, ..) => {
                    self.lines.quoted_end(vspan.start.line(), vspan.start.col())
                }
                Event::Scalar(..) => Some(pair(vspan.end)),
                _ => None,
            };
            let value = self.node(event, vspan, depth + 1)?;
            let pos = KeyPos {
                line: span.start.line(),
                col: span.start.col(),
                key_end: pair(span.end),
                after_line,
                scalar_end,
            };
            let notes = self.lines.notes(&pos);
            explicit.entries.insert(key, Entry { value, notes });
        }
    }

    fn key_text(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<Cow<'t, Tag>>,
        mark: Marker,
    ) -> Result<String, ReadError> {
        Ok(match self.scalar(text, style, tag.as_deref(), mark)? {
            Value::Str(s) => s,
            Value::Null => "null".to_owned(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => float_text(f),
            Value::List(_) | Value::Map(_) | Value::Expr(_) | Value::Missing => {
                unreachable!("a scalar resolves to a scalar")
            }
        })
    }
}

fn pair(mark: Marker) -> (usize, usize) {
    (mark.line(), mark.col())
}

fn check_collection_tag(tag: Option<&Tag>, core: &str, mark: Marker) -> Result<(), ReadError> {
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && t.suffix == core => Ok(()),
        Some(t) => Err(error_at(mark, format!("the tag `{t}` is not supported"))),
    }
}

/// The mappings a `<<` value names: one mapping or a list of mappings.
fn merge_sources(value: Value, mark: Marker) -> Result<Vec<Map>, ReadError> {
    let bad = || {
        error_at(
            mark,
            "a `<<` merge key needs a mapping or a list of mappings",
        )
    };
    match value {
        Value::Map(map) => Ok(vec![map]),
        Value::List(items) => items
            .into_iter()
            .map(|item| match item {
                Value::Map(map) => Ok(map),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

/// YAML 1.1 merge: explicit keys win, then earlier sources; merged keys first.
fn merge_keys(explicit: Map, merged: Vec<Map>) -> Map {
    if merged.is_empty() {
        return explicit;
    }
    let mut out = Map::default();
    for source in merged {
        for (key, entry) in source.entries {
            if !explicit.entries.contains_key(&key) && !out.entries.contains_key(&key) {
                out.entries.insert(key, entry);
            }
        }
    }
    out.entries.extend(explicit.entries);
    out
}

/// The number of nodes in a value (for the alias expansion limit).
fn size(value: &Value) -> usize {
    match value {
        Value::List(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Map(map) => 1 + map.entries.values().map(|e| size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
