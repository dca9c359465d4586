//! Reading one input: the [`crate::document`] reader (YAML 1.1 or 1.2
//! scalars, duplicate keys refused, aliases and `<<` resolved, the document
//! limits), then the importer's value tree with the comments next to each
//! key (`comments`).
//!
//! PyYAML and libyaml accept a flow collection's closing `]` or `}` at the
//! indentation of its key (audiocraft's `config.yaml` does this); the YAML
//! spec and saphyr do not. Such a line is indented by one space and the
//! text read again, so these files import as their tools read them; an
//! error's span is moved back into the file as it is.

use super::comments::{KeyPos, Lines};
use super::value::{Entry, Map, Value};
use super::Yaml11;
use crate::diagnostics::Code;
use crate::document::{self, DocError, Key, Node, Options, Schema, Style};
use crate::source::{FileId, SourceMap, Span};

/// One input read: its top-level mapping, and the span of its `defaults`
/// key (for errors about a Hydra defaults list).
pub(crate) struct Input {
    pub(crate) map: Map,
    pub(crate) defaults: Option<Span>,
}

const MAX_FIXES: usize = 64;

/// Reads file `file` of `sources`; the top level must be a mapping (or empty).
pub(crate) fn read(sources: &SourceMap, file: FileId, yaml11: Yaml11) -> Result<Input, DocError> {
    let text = &*sources.get(file).text;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let opts = Options {
        schema: match yaml11 {
            Yaml11::Yes => Schema::Yaml11,
            Yaml11::No => Schema::Core,
        },
        dotted_paths: false,
    };
    let mut fixed: Option<String> = None;
    // Where a space was inserted, in the coordinates of the latest text.
    let mut inserted: Vec<u32> = Vec::new();
    let node = loop {
        let source = fixed.as_deref().unwrap_or(text);
        match document::read(source, file, opts) {
            Ok(node) => break node,
            Err(e) if e.message.ends_with("invalid indentation") && inserted.len() < MAX_FIXES => {
                let Some((next, at)) = indent_closing_bracket(source, e.span.start as usize) else {
                    return Err(e.map_spans(|s| unshift(s, &inserted)));
                };
                for q in &mut inserted {
                    if *q >= at as u32 {
                        *q += 1;
                    }
                }
                inserted.push(at as u32);
                fixed = Some(next);
            }
            Err(e) => return Err(e.map_spans(|s| unshift(s, &inserted))),
        }
    };
    let lines = Lines::new(fixed.as_deref().unwrap_or(text));
    match node.value {
        document::Value::Null => Ok(Input {
            map: Map::default(),
            defaults: None,
        }),
        document::Value::Map(entries) => {
            let defaults = entries
                .iter()
                .find(|(k, _)| k.name == "defaults")
                .map(|(k, _)| unshift(k.span, &inserted));
            Ok(Input {
                map: mapping(&lines, entries),
                defaults,
            })
        }
        _ => Err(DocError::new(
            Code::Syntax,
            unshift(node.span, &inserted),
            format!(
                "the top-level value must be a mapping, not a {}",
                node.kind()
            ),
        )),
    }
}

/// `text` with the line holding byte `offset` indented by one more space,
/// when that line starts with a closing bracket; and where the space went.
fn indent_closing_bracket(text: &str, offset: usize) -> Option<(String, usize)> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].split('\n').next().unwrap_or("");
    if !line.trim_start().starts_with([']', '}']) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 1);
    out.push_str(&text[..start]);
    out.push(' ');
    out.push_str(&text[start..]);
    Some((out, start))
}

/// A span of the fixed text as a span of the file's text.
fn unshift(span: Span, inserted: &[u32]) -> Span {
    let back = |o: u32| o - inserted.iter().filter(|&&q| q < o).count() as u32;
    Span {
        start: back(span.start),
        end: back(span.end),
        ..span
    }
}

fn mapping(lines: &Lines<'_>, entries: Vec<(Key, Node)>) -> Map {
    let mut map = Map::default();
    for (key, node) in entries {
        let notes = lines.notes(&key_pos(lines, &key, &node));
        let value = value(lines, node);
        map.entries.insert(key.name, Entry { value, notes });
    }
    map
}

fn value(lines: &Lines<'_>, node: Node) -> Value {
    match node.value {
        document::Value::Null => Value::Null,
        document::Value::Bool(b) => Value::Bool(b),
        document::Value::Int(i) => Value::Int(i),
        document::Value::Float(f) => Value::Float(f),
        document::Value::Str(s) => Value::Str(s),
        document::Value::List(items) => {
            Value::List(items.into_iter().map(|n| value(lines, n)).collect())
        }
        document::Value::Map(entries) => Value::Map(mapping(lines, entries)),
    }
}

/// Where a key and its value sit, for the comments next to the key.
fn key_pos(lines: &Lines<'_>, key: &Key, node: &Node) -> KeyPos {
    let (line, col) = lines.place(key.span.start);
    // Nothing was read before the first key of the document.
    let after_line = if key.after == 0 {
        0
    } else {
        lines.place(key.after).0
    };
    // A copy of an anchored value lies elsewhere: no scalar ends here.
    let here = node.span.start >= key.span.end;
    let scalar_end = match node.style {
        Style::Plain | Style::Quoted if here => Some(lines.place(node.span.end)),
        // A block scalar's content lies below the key's line.
        Style::Block => Some((usize::MAX, 0)),
        _ => None,
    };
    KeyPos {
        line,
        col,
        key_end: lines.place(key.span.end),
        after_line,
        scalar_end,
    }
}

/// Reads `text` alone (the tests of the importer's parts).
#[cfg(test)]
pub(crate) fn read_yaml(text: &str, yaml11: Yaml11) -> Result<Map, DocError> {
    let mut sources = SourceMap::new();
    let file = sources.add(crate::source::SourceFile::new("t.yaml", text));
    read(&sources, file, yaml11).map(|i| i.map)
}

#[cfg(test)]
mod tests;
