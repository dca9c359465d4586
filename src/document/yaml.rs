//! YAML reading: `saphyr-parser` events to the document tree.
//!
//! Building the tree ourselves (instead of using a YAML loader) gives key
//! order, a byte span for every key and value, and the rules of the module
//! docs: one document, duplicate keys are errors, anchors/aliases and `<<`
//! merge keys are resolved, scalars follow the `scalar` tables, and the node
//! budget counts each alias copy before it is made.

use indexmap::IndexMap;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan, StrInput, Tag};

use super::scalar::{resolve_plain, resolve_tagged};
use super::{duplicate, limit, too_deep, DocError, Key, Node, Schema, Style, Value};
use super::{MAX_DEPTH, MAX_NODES};
use crate::diagnostics::Code;
use crate::source::{FileId, Span};

/// Reads `text` as one YAML document (none, or an empty one, is `null`).
pub(super) fn read(text: &str, file: FileId, schema: Schema) -> Result<Node, DocError> {
    let mut reader = Reader {
        parser: Parser::new_from_str(text),
        file,
        schema,
        text,
        offsets: Offsets::new(text),
        anchors: IndexMap::new(),
        nodes: 0,
        last_end: 0,
    };
    reader.stream()
}

/// Character index to byte offset: the parser counts characters. One byte
/// offset is kept per [`STRIDE`] characters (none for ASCII text), so the
/// table costs at most an eighth of the text.
struct Offsets {
    ascii: bool,
    marks: Vec<u32>,
}

const STRIDE: usize = 64;

impl Offsets {
    fn new(text: &str) -> Offsets {
        let ascii = text.is_ascii();
        let marks = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(i, _)| i as u32)
                .collect()
        };
        Offsets { ascii, marks }
    }

    fn byte(&self, text: &str, chars: usize) -> usize {
        if self.ascii {
            return chars.min(text.len());
        }
        let Some(&mark) = self.marks.get(chars / STRIDE) else {
            return text.len();
        };
        let rest = chars % STRIDE;
        text.get(mark as usize..)
            .and_then(|t| t.char_indices().nth(rest).map(|(i, _)| mark as usize + i))
            .unwrap_or(text.len())
    }
}

struct Reader<'t> {
    parser: Parser<'t, StrInput<'t>>,
    file: FileId,
    schema: Schema,
    text: &'t str,
    offsets: Offsets,
    /// Each anchor's value and its number of values.
    anchors: IndexMap<usize, (Node, usize)>,
    nodes: usize,
    /// Where the last scalar, alias or collection ended (a block scalar: its start).
    last_end: usize,
}

impl<'t> Reader<'t> {
    fn offset(&self, m: Marker) -> usize {
        self.offsets.byte(self.text, m.index())
    }

    fn at(&self, m: Marker) -> Span {
        let at = self.offset(m);
        Span::new(self.file, at, at)
    }

    fn span(&self, s: YSpan) -> Span {
        let (start, end) = (self.offset(s.start), self.offset(s.end));
        Span::new(self.file, start, end.max(start))
    }

    fn error(&self, mark: Marker, message: impl Into<String>) -> DocError {
        DocError::new(Code::Syntax, self.at(mark), message)
    }

    fn next(&mut self) -> Result<(Event<'t>, YSpan), DocError> {
        match self.parser.next_event() {
            Some(Ok(ev)) => Ok(ev),
            // The scanner's own flow limit (255 levels) lies past ours.
            Some(Err(e)) if e.info() == "recursion limit exceeded" => {
                Err(limit(self.at(*e.marker()), too_deep()))
            }
            Some(Err(e)) => {
                Err(self.error(*e.marker(), format!("YAML syntax error: {}", e.info())))
            }
            None => {
                let end = self.text.len();
                Err(DocError::new(
                    Code::Syntax,
                    Span::new(self.file, end, end),
                    "unexpected end of the YAML stream",
                ))
            }
        }
    }

    fn stream(&mut self) -> Result<Node, DocError> {
        let mut doc: Option<Node> = None;
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) if doc.is_some() => {
                    return Err(self.error(
                        span.start,
                        "a second YAML document: only one document per file is read",
                    ));
                }
                Event::DocumentStart(_) => {
                    let (ev, span) = self.next()?;
                    doc = Some(self.node(ev, span, 0)?);
                }
                _ => return Err(self.error(span.start, "unexpected YAML event")),
            }
        }
        Ok(doc.unwrap_or(Node {
            value: Value::Null,
            span: Span::new(self.file, 0, 0),
            style: Style::Plain,
        }))
    }

    fn count(&mut self, n: usize, mark: Marker, alias: bool) -> Result<(), DocError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        let message = if alias {
            format!("the document is too large: its aliases expand to more than {MAX_NODES} values")
        } else {
            format!("the document is too large (more than {MAX_NODES} values)")
        };
        Err(limit(self.at(mark), message))
    }

    // The reader recurses once per level of nesting (at most `MAX_DEPTH`):
    // `node` → `sequence`/`mapping` → `node`. The work of each level is done
    // in functions outside that cycle, so its frames stay small even in a
    // debug build on a 2 MiB thread.
    fn node(&mut self, ev: Event<'t>, span: YSpan, depth: usize) -> Result<Node, DocError> {
        if depth > MAX_DEPTH {
            return Err(limit(self.at(span.start), too_deep()));
        }
        let (anchor, node) = match self.start(ev, span)? {
            Start::Done(node) => return Ok(node),
            Start::Scalar(anchor, node) => (anchor, node),
            Start::Sequence(anchor) => (anchor, self.sequence(span, depth)?),
            Start::Mapping(anchor) => (anchor, self.mapping(span, depth)?),
        };
        if anchor != 0 {
            self.anchor(anchor, &node);
        }
        Ok(node)
    }

    #[inline(never)]
    fn anchor(&mut self, anchor: usize, node: &Node) {
        let size = node.size();
        self.anchors.insert(anchor, (node.clone(), size));
    }

    /// A value's first event: a scalar or alias whole, or a collection's start.
    #[inline(never)]
    fn start(&mut self, ev: Event<'t>, span: YSpan) -> Result<Start, DocError> {
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, span.start, false)?;
                let node = self.scalar_node(&text, style, tag.as_deref(), span)?;
                Ok(Start::Scalar(anchor, node))
            }
            Event::Alias(id) => {
                self.last_end = self.offset(span.end);
                // Counted before the copy is made, with the size stored when
                // the anchor was read (never re-walked).
                let Some(&(_, n)) = self.anchors.get(&id) else {
                    return Err(self.error(span.start, "an alias to an unknown anchor"));
                };
                self.count(n, span.start, true)?;
                let node = self.anchors.get(&id).map(|(node, _)| node.clone());
                node.map(Start::Done)
                    .ok_or_else(|| self.error(span.start, "an alias to an unknown anchor"))
            }
            Event::SequenceStart(anchor, tag) => {
                self.count(1, span.start, false)?;
                self.collection_tag(tag.as_deref(), "seq", span.start)?;
                Ok(Start::Sequence(anchor))
            }
            Event::MappingStart(anchor, tag) => {
                self.count(1, span.start, false)?;
                self.collection_tag(tag.as_deref(), "map", span.start)?;
                Ok(Start::Mapping(anchor))
            }
            _ => Err(self.error(span.start, "unexpected YAML event")),
        }
    }

    fn scalar_node(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        span: YSpan,
    ) -> Result<Node, DocError> {
        let value = self.scalar(text, style, tag, span.start)?;
        let (start, end) = (self.offset(span.start), self.offset(span.end));
        let (style, end) = match style {
            ScalarStyle::Plain => (Style::Plain, end),
            // The parser's end of a quoted scalar lies past the blanks and
            // comment after it: the span ends at the closing quote.
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                (Style::Quoted, quoted_end(self.text, start).unwrap_or(end))
            }
            // A block scalar's span runs to the next token; its content is
            // more indented than any sibling key, so its start is where it
            // ends for the comments above the next key.
            _ => {
                let trimmed = self.text.get(start..end).map_or(0, |t| t.trim_end().len());
                (Style::Block, start + trimmed)
            }
        };
        self.last_end = if style == Style::Block { start } else { end };
        Ok(Node {
            value,
            span: Span::new(self.file, start, end.max(start)),
            style,
        })
    }

    fn scalar(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: Option<&Tag>,
        mark: Marker,
    ) -> Result<Value, DocError> {
        let resolved = match (tag, style) {
            (None, ScalarStyle::Plain) => resolve_plain(text, self.schema),
            (None, _) => Ok(Value::Str(text.to_owned())),
            (Some(t), _) if t.is_yaml_core_schema() => resolve_tagged(text, &t.suffix, self.schema),
            (Some(t), _) if t.handle == "!" && t.suffix.is_empty() => {
                Ok(Value::Str(text.to_owned()))
            }
            (Some(t), _) => Err(format!("the tag `{t}` is not supported")),
        };
        resolved.map_err(|message| self.error(mark, message))
    }

    fn collection_tag(&self, tag: Option<&Tag>, core: &str, mark: Marker) -> Result<(), DocError> {
        match tag {
            None => Ok(()),
            Some(t) if t.is_yaml_core_schema() && t.suffix == core => Ok(()),
            Some(t) => Err(self.error(mark, format!("the tag `{t}` is not supported"))),
        }
    }

    fn sequence(&mut self, start: YSpan, depth: usize) -> Result<Node, DocError> {
        let mut items = Vec::new();
        loop {
            let (ev, span) = self.next()?;
            if matches!(ev, Event::SequenceEnd) {
                self.last_end = self.offset(span.end);
                return Ok(Node {
                    value: Value::List(items),
                    span: self.span(YSpan::new(start.start, span.end)),
                    style: Style::Collection,
                });
            }
            items.push(self.node(ev, span, depth + 1)?);
        }
    }

    fn mapping(&mut self, start: YSpan, depth: usize) -> Result<Node, DocError> {
        let mut m = MapBuild::default();
        loop {
            let key = match self.map_key(&m)? {
                KeyStep::End(end) => return Ok(self.finish_map(m, start, end)),
                KeyStep::Merge => None,
                KeyStep::Key(key) => Some(key),
            };
            let (ev, vspan) = self.next()?;
            let value = self.node(ev, vspan, depth + 1)?;
            match key {
                Some(key) => m.push(key, value),
                None => self.merge_sources(&mut m, value, vspan.start)?,
            }
        }
    }

    /// The next key of a mapping, refused if the mapping has it already.
    #[inline(never)]
    fn map_key(&mut self, m: &MapBuild) -> Result<KeyStep, DocError> {
        let after = self.last_end;
        let (ev, kspan) = self.next()?;
        let (text, style, tag) = match ev {
            Event::MappingEnd => {
                self.last_end = self.offset(kspan.end);
                return Ok(KeyStep::End(kspan));
            }
            Event::Scalar(text, style, _, tag) => (text, style, tag),
            _ => return Err(self.error(kspan.start, "only scalar keys are supported")),
        };
        let key_node = self.scalar_node(&text, style, tag.as_deref(), kspan)?;
        if text == "<<" && style == ScalarStyle::Plain && tag.is_none() {
            return Ok(KeyStep::Merge);
        }
        let key = Key {
            name: key_text(&key_node.value),
            span: key_node.span,
            after: after as u32,
        };
        if let Some(&i) = m.index.get(&key.name) {
            return Err(duplicate(
                format!("duplicate key `{}`", key.name),
                key.span,
                m.explicit[i].0.span,
                "write each key of a mapping once",
            ));
        }
        Ok(KeyStep::Key(key))
    }

    #[inline(never)]
    fn finish_map(&self, m: MapBuild, start: YSpan, end: YSpan) -> Node {
        Node {
            value: Value::Map(merge_keys(m)),
            span: self.span(YSpan::new(start.start, end.end)),
            style: Style::Collection,
        }
    }

    /// Adds the mappings a `<<` value names: one mapping or a list of mappings.
    #[inline(never)]
    fn merge_sources(&self, m: &mut MapBuild, value: Node, mark: Marker) -> Result<(), DocError> {
        let bad = || {
            self.error(
                mark,
                "a `<<` merge key needs a mapping or a list of mappings",
            )
        };
        match value.value {
            Value::Map(map) => m.merged.push(map),
            Value::List(items) => {
                for item in items {
                    match item.value {
                        Value::Map(map) => m.merged.push(map),
                        _ => return Err(bad()),
                    }
                }
            }
            _ => return Err(bad()),
        }
        Ok(())
    }
}

/// A key's name: a string as written, any other scalar as its JSON text
/// (`on:` under YAML 1.1 is `"true"`, as Helm reads it).
fn key_text(value: &Value) -> String {
    match value {
        Value::Str(s) => s.clone(),
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        // `Debug` is the shortest round-trip form and keeps `.0` or an exponent.
        Value::Float(f) => format!("{f:?}"),
        Value::List(_) | Value::Map(_) => String::new(),
    }
}

/// What a value's first event starts.
enum Start {
    /// An alias: a copy, already counted and complete.
    Done(Node),
    /// A scalar, with its anchor.
    Scalar(usize, Node),
    Sequence(usize),
    Mapping(usize),
}

/// The next step in a mapping.
enum KeyStep {
    End(YSpan),
    /// A `<<` merge key.
    Merge,
    Key(Key),
}

/// A mapping being read: its keys in order, their index, the `<<` sources.
#[derive(Default)]
struct MapBuild {
    explicit: Vec<(Key, Node)>,
    index: IndexMap<String, usize>,
    merged: Vec<Vec<(Key, Node)>>,
}

impl MapBuild {
    fn push(&mut self, key: Key, value: Node) {
        self.index.insert(key.name.clone(), self.explicit.len());
        self.explicit.push((key, value));
    }
}

/// YAML 1.1 merge: explicit keys win, then earlier sources; merged keys first.
fn merge_keys(m: MapBuild) -> Vec<(Key, Node)> {
    let MapBuild {
        explicit,
        index,
        merged,
    } = m;
    if merged.is_empty() {
        return explicit;
    }
    let mut seen: IndexMap<String, ()> = IndexMap::new();
    let mut out = Vec::new();
    for source in merged {
        for (key, node) in source {
            if !index.contains_key(&key.name) && seen.insert(key.name.clone(), ()).is_none() {
                out.push((key, node));
            }
        }
    }
    out.extend(explicit);
    out
}

/// The byte offset just past the closing quote of the quoted scalar that
/// starts at byte `start` (`\"` escapes in double quotes, `''` in single).
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.get(start..)?;
    let mut chars = rest.char_indices();
    let (_, quote) = chars.next()?;
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && rest[i + 1..].starts_with('\'') {
                    chars.next();
                    continue;
                }
                return Some(start + i + 1);
            }
            _ => {}
        }
    }
    None
}
