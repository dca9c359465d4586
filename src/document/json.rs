//! JSON reading (RFC 8259) in one pass, with a span for every key and value.
//!
//! A text that is not JSON is left to the YAML reader (`Ok(None)`): a syntax
//! error is never reported from here. What JSON itself allows but mcfg
//! cannot hold is an error at its place: a duplicate key (the first one
//! labelled), an integer literal beyond the 64-bit signed range (never
//! silently a float), a number too large for a float, and the limits.

use indexmap::IndexMap;

use super::{duplicate, limit, too_deep, DocError, Key, Node, Style, Value};
use super::{MAX_DEPTH, MAX_NODES};
use crate::diagnostics::Code;
use crate::source::{FileId, Span};

/// The document, `None` when `text` is not JSON, or what JSON allows and
/// mcfg refuses.
pub(super) fn read(text: &str, file: FileId) -> Result<Option<Node>, DocError> {
    let mut p = JsonParser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        file,
        nodes: 0,
    };
    p.blank();
    if p.pos == p.bytes.len() {
        return Ok(None);
    }
    let node = match p.value(0) {
        Ok(node) => node,
        Err(Fail::NotJson) => return Ok(None),
        Err(Fail::Refused(e)) => return Err(e),
    };
    p.blank();
    Ok((p.pos == p.bytes.len()).then_some(node))
}

enum Fail {
    /// A syntax error: the text is read as YAML.
    NotJson,
    /// Well-formed so far, but refused.
    Refused(DocError),
}

impl From<DocError> for Fail {
    fn from(e: DocError) -> Fail {
        Fail::Refused(e)
    }
}

type R<T> = Result<T, Fail>;

struct JsonParser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
    nodes: usize,
}

impl JsonParser<'_> {
    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> R<()> {
        if self.bytes.get(self.pos) == Some(&b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Fail::NotJson)
        }
    }

    fn value(&mut self, depth: usize) -> R<Node> {
        let start = self.pos;
        if depth > MAX_DEPTH {
            return Err(limit(Span::new(self.file, start, start), too_deep()).into());
        }
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            let message = format!("the document is too large (more than {MAX_NODES} values)");
            return Err(limit(Span::new(self.file, start, start), message).into());
        }
        let (value, style) = match self.bytes.get(self.pos) {
            Some(b'{') => (self.object(depth)?, Style::Collection),
            Some(b'[') => (self.array(depth)?, Style::Collection),
            Some(b'"') => (Value::Str(self.string()?), Style::Quoted),
            Some(b'-' | b'0'..=b'9') => (self.number()?, Style::Plain),
            _ => (self.word()?, Style::Plain),
        };
        Ok(Node {
            value,
            span: self.span(start),
            style,
        })
    }

    fn word(&mut self) -> R<Value> {
        for (word, value) in [
            ("true", Value::Bool(true)),
            ("false", Value::Bool(false)),
            ("null", Value::Null),
        ] {
            if self.bytes[self.pos..].starts_with(word.as_bytes()) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err(Fail::NotJson)
    }

    fn object(&mut self, depth: usize) -> R<Value> {
        self.pos += 1;
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut index: IndexMap<String, usize> = IndexMap::new();
        self.blank();
        if self.eat(b'}').is_ok() {
            return Ok(Value::Map(entries));
        }
        loop {
            self.blank();
            let start = self.pos;
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(Fail::NotJson);
            }
            let name = self.string()?;
            let key = Key {
                name,
                span: self.span(start),
                after: start as u32,
            };
            self.blank();
            self.eat(b':')?;
            self.blank();
            if let Some(&i) = index.get(&key.name) {
                let first: Span = entries[i].0.span;
                let message = format!("duplicate key `{}`", key.name);
                let help = "write each key of a mapping once";
                return Err(duplicate(message, key.span, first, help).into());
            }
            let value = self.value(depth + 1)?;
            index.insert(key.name.clone(), entries.len());
            entries.push((key, value));
            self.blank();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Map(entries));
                }
                _ => return Err(Fail::NotJson),
            }
        }
    }

    fn array(&mut self, depth: usize) -> R<Value> {
        self.pos += 1;
        let mut items = Vec::new();
        self.blank();
        if self.eat(b']').is_ok() {
            return Ok(Value::List(items));
        }
        loop {
            self.blank();
            items.push(self.value(depth + 1)?);
            self.blank();
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                _ => return Err(Fail::NotJson),
            }
        }
    }

    /// A string at `"`, decoded.
    fn string(&mut self) -> R<String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Stops only at ASCII bytes, so the run is whole characters.
            out.push_str(self.text.get(run..self.pos).ok_or(Fail::NotJson)?);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                _ => return Err(Fail::NotJson),
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> R<()> {
        let b = *self.bytes.get(self.pos).ok_or(Fail::NotJson)?;
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&hi) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(Fail::NotJson);
                    }
                    self.pos += 2;
                    let lo = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Fail::NotJson);
                    }
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(code).ok_or(Fail::NotJson)?
            }
            _ => return Err(Fail::NotJson),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> R<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or(Fail::NotJson)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Fail::NotJson);
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| Fail::NotJson)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`
    fn number(&mut self) -> R<Value> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while p.bytes.get(p.pos).is_some_and(u8::is_ascii_digit) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return Err(Fail::NotJson);
        }
        let mut integral = true;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            integral = false;
            if digits(self) == 0 {
                return Err(Fail::NotJson);
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(Fail::NotJson);
            }
        }
        let token = &self.text[start..self.pos];
        let refuse =
            |message: String| Fail::Refused(DocError::new(Code::Syntax, self.span(start), message));
        if integral {
            return token
                .parse::<i64>()
                .map(Value::Int)
                .map_err(|_| refuse(format!("the integer `{token}` does not fit in 64 bits")));
        }
        match token.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(refuse(format!("the float `{token}` is out of range"))),
        }
    }
}
