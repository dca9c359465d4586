//! The lexer behind semantic tokens: comments, strings with their
//! interpolations lexed as code, numbers, operators, markers and words
//! (classified by the syntax tree when there is one), and the LSP's relative
//! encoding of the result.

use indexmap::IndexMap;
use lsp_types::SemanticToken;

use super::super::text::{Encoding, LineIndex};
use super::{
    Tok, BUILTIN_TYPES, COMMENT, DECLARATION, DECORATOR, DEFAULT_LIBRARY, DOCUMENTATION, FUNCTION,
    KEYWORD, KEYWORDS, NAMESPACE, NUMBER, OPERATOR, PROPERTY, STRING, STRUCT, TYPE, VARIABLE,
};

/// Lexes `text` into tokens in order; identifiers take their class from `classes`.
pub(super) fn lex(text: &str, classes: &IndexMap<usize, (u32, u32)>) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut lx = Lexer {
        b: text.as_bytes(),
        i: 0,
        classes,
        out: &mut out,
    };
    lx.code(false);
    out
}

struct Lexer<'t, 'o> {
    b: &'t [u8],
    i: usize,
    classes: &'t IndexMap<usize, (u32, u32)>,
    out: &'o mut Vec<Tok>,
}

impl Lexer<'_, '_> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    /// Code up to the end, or (in an interpolation) to its closing `}`.
    fn code(&mut self, interp: bool) {
        let mut depth = 0usize;
        while self.i < self.b.len() {
            let c = self.b[self.i];
            let start = self.i;
            match c {
                b'/' if self.peek(1) == b'/' => {
                    let doc = self.peek(2) == b'/' && self.peek(3) != b'/';
                    while self.i < self.b.len() && self.b[self.i] != b'\n' {
                        self.i += 1;
                    }
                    self.push(start, COMMENT, if doc { DOCUMENTATION } else { 0 });
                }
                b'/' if self.peek(1) == b'*' => {
                    self.i += 2;
                    while self.i < self.b.len() && !(self.b[self.i] == b'*' && self.peek(1) == b'/')
                    {
                        self.i += 1;
                    }
                    self.i = (self.i + 2).min(self.b.len());
                    self.push(start, COMMENT, 0);
                }
                b'"' => self.string(),
                b'0'..=b'9' => {
                    while self.i < self.b.len()
                        && (self.b[self.i].is_ascii_alphanumeric()
                            || matches!(self.b[self.i], b'_' | b'.'))
                    {
                        let sign = matches!(self.b[self.i], b'e' | b'E')
                            && matches!(self.peek(1), b'+' | b'-');
                        self.i += if sign { 2 } else { 1 };
                    }
                    self.push(start, NUMBER, 0);
                }
                b'@' => {
                    self.i += 1;
                    self.word_end();
                    self.push(start, DECORATOR, 0);
                }
                c if c.is_ascii_alphabetic() || c == b'_' => {
                    self.word_end();
                    self.word(start);
                }
                b'{' => {
                    depth += 1;
                    self.i += 1;
                }
                b'}' => {
                    if interp && depth == 0 {
                        return;
                    }
                    depth = depth.saturating_sub(1);
                    self.i += 1;
                }
                b':' if self.peek(1) == b'=' => {
                    self.i += 2;
                    self.push(start, OPERATOR, 0);
                }
                b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'|' | b'?' => {
                    self.i += 1;
                    if self.peek(0) == b'=' {
                        self.i += 1;
                    }
                    self.push(start, OPERATOR, 0);
                }
                _ => self.i += 1,
            }
        }
    }

    fn word_end(&mut self) {
        while self.i < self.b.len()
            && (self.b[self.i].is_ascii_alphanumeric() || self.b[self.i] == b'_')
        {
            self.i += 1;
        }
    }

    fn word(&mut self, start: usize) {
        if let Some(&(ty, mods)) = self.classes.get(&start) {
            return self.push(start, ty, mods);
        }
        let word = std::str::from_utf8(&self.b[start..self.i]).unwrap_or("");
        if KEYWORDS.contains(&word) {
            return self.push(start, KEYWORD, 0);
        }
        if BUILTIN_TYPES.contains(&word) {
            return self.push(start, TYPE, DEFAULT_LIBRARY);
        }
        if !self.classes.is_empty() {
            return;
        }
        // No syntax tree: guess from the word before and what follows.
        let before = std::str::from_utf8(&self.b[..start])
            .unwrap_or("")
            .trim_end();
        let prev = before
            .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("");
        let decl = match prev {
            "config" => Some(VARIABLE),
            "schema" => Some(STRUCT),
            "type" => Some(TYPE),
            "as" => Some(NAMESPACE),
            _ => None,
        };
        if let Some(ty) = decl {
            return self.push(start, ty, DECLARATION);
        }
        let rest = &self.b[self.i..];
        let next = rest
            .iter()
            .copied()
            .find(|c| *c != b' ' && *c != b'\t')
            .unwrap_or(0);
        if next == b'(' && crate::eval::BUILTIN_FUNCTIONS.contains(&word) {
            self.push(start, FUNCTION, DEFAULT_LIBRARY);
        } else if matches!(next, b'=' | b'+' | b'{' | b':' | b'.') {
            self.push(start, PROPERTY, 0);
        }
    }

    /// A string from its opening quote, interpolations lexed as code.
    fn string(&mut self) {
        let triple = self.peek(1) == b'"' && self.peek(2) == b'"';
        let mut start = self.i;
        self.i += if triple { 3 } else { 1 };
        loop {
            if self.i >= self.b.len() {
                return self.push(start, STRING, 0);
            }
            match self.b[self.i] {
                b'\\' => self.i += 2,
                b'$' if self.peek(1) == b'{' => {
                    self.push(start, STRING, 0);
                    self.i += 2;
                    self.code(true);
                    start = self.i;
                    self.i = (self.i + 1).min(self.b.len());
                    self.push(start, OPERATOR, 0);
                    start = self.i;
                }
                b'"' if !triple => {
                    self.i += 1;
                    return self.push(start, STRING, 0);
                }
                b'"' if self.peek(1) == b'"' && self.peek(2) == b'"' => {
                    self.i += 3;
                    return self.push(start, STRING, 0);
                }
                b'\n' if !triple => return self.push(start, STRING, 0),
                _ => self.i += 1,
            }
        }
    }

    fn push(&mut self, start: usize, ty: u32, mods: u32) {
        let end = self.i.min(self.b.len());
        if end > start {
            self.out.push((start, end, ty, mods));
        }
    }
}

/// The LSP's relative encoding; a token spanning lines is split at each line end.
pub(super) fn encode(text: &str, encoding: Encoding, toks: &[Tok]) -> Vec<SemanticToken> {
    let index = LineIndex::new(text, encoding);
    let mut out = Vec::with_capacity(toks.len());
    let (mut line, mut col) = (0u32, 0u32);
    for &(start, end, ty, mods) in toks {
        let mut s = start;
        while s < end {
            let line_end = text[s..end].find('\n').map_or(end, |i| s + i);
            let a = index.position(text, s);
            let b = index.position(text, line_end);
            if b.character > a.character {
                let delta_line = a.line - line;
                let delta_start = if delta_line == 0 {
                    a.character - col
                } else {
                    a.character
                };
                out.push(SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character - a.character,
                    token_type: ty,
                    token_modifiers_bitset: mods,
                });
                (line, col) = (a.line, a.character);
            }
            s = line_end + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every prefix of a text with escapes, non-ASCII, unterminated strings and
    /// comments lexes without panicking, and tokens never overlap.
    #[test]
    fn any_prefix_lexes_into_ordered_tokens() {
        let text = "config é { a = \"x\\é${ b + \"ü\" }y\" /* ∑\n */ c = \"\"\"\n  ß ${d}\n\"\"\" // 😀\n  e = 1e-3 }";
        for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            let prefix = &text[..end];
            let toks = lex(prefix, &IndexMap::new());
            assert!(
                toks.windows(2).all(|w| w[0].1 <= w[1].0),
                "{prefix:?}: {toks:?}"
            );
            let _ = encode(prefix, Encoding::Utf16, &toks);
        }
        let toks = lex(text, &IndexMap::new());
        let words: Vec<(&str, u32)> = toks.iter().map(|t| (&text[t.0..t.1], t.2)).collect();
        assert!(words.contains(&("\"\"\"\n  ß ", STRING)), "{words:?}");
        assert!(words.contains(&("1e-3", NUMBER)), "{words:?}");
        assert!(words.contains(&("// 😀", COMMENT)), "{words:?}");
        // LANGUAGE.md §9.2.
        let text = "  unset a.b\n  c := 1\n";
        let toks = lex(text, &IndexMap::new());
        let words: Vec<(&str, u32)> = toks.iter().map(|t| (&text[t.0..t.1], t.2)).collect();
        assert_eq!(words[0], ("unset", KEYWORD));
        assert!(words.contains(&(":=", OPERATOR)), "{words:?}");
    }
}
