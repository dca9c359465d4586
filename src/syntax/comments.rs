//! A small lexical scanner that runs before pest: it finds every comment (for
//! the formatter and for `///` docs) and measures bracket nesting, so that
//! pathological nesting is refused before any recursive code sees it.
//!
//! It knows just enough of the token syntax (LANGUAGE.md §1) to skip strings,
//! `"""` strings and `${…}` interpolations, which may nest.
//!
//! [`scan_range`] scans one slice of a file from the top-level state and says
//! whether it ends back in that state, so that a big file can be scanned in
//! chunks (see `syntax::chunked`).

use crate::source::{FileId, Span};

/// What a comment looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentKind {
    /// `// …` (also `//! …` and `//// …`).
    Line,
    /// `/// …`: documents the declaration or field that follows it.
    Doc,
    /// `/* … */`.
    Block,
}

/// One comment of a file, as written (without the line break that ends it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub kind: CommentKind,
    pub text: String,
}

/// The result of [`scan`]: comments, and the offset where nesting first went
/// deeper than the limit, if it did.
#[derive(Debug, Default)]
pub(super) struct Scan {
    pub comments: Vec<Comment>,
    pub too_deep: Option<usize>,
    /// The scan ended in the state it started in: top-level code, nothing
    /// open (no bracket, `if`, string or interpolation).
    pub clean_end: bool,
}

/// Where the scanner is: code (possibly inside `${…}`, with the number of `{`
/// still open in it), a `"` string or a `"""` string.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Code { braces: usize },
    Str,
    MStr,
}

/// Scans `text` for comments and nesting deeper than `max_depth`. Nesting
/// counts `( [ {`, `${` and `if` (whose condition and branches nest like
/// brackets, closed by `else`). Scanning stops at the first excess.
pub(super) fn scan(file: FileId, text: &str, max_depth: usize) -> Scan {
    scan_range(file, text, 0, text.len(), max_depth)
}

/// [`scan`] of `text[start..end]` as if it were a whole file, with offsets
/// into `text`. `start` and `end` must be char boundaries; the scanner reads
/// nothing at or after `end` (it looks back before `start` for a `.` only,
/// and only on the line of the word it checks).
pub(super) fn scan_range(
    file: FileId,
    text: &str,
    start: usize,
    end: usize,
    max_depth: usize,
) -> Scan {
    let text = &text[..end];
    let mut scanner = Scanner {
        file,
        text,
        bytes: text.as_bytes(),
        pos: start,
        out: Scan::default(),
    };
    scanner.run(max_depth);
    scanner.out
}

struct Scanner<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    out: Scan,
}

impl Scanner<'_> {
    fn run(&mut self, max_depth: usize) {
        let mut modes = vec![Mode::Code { braces: 0 }];
        let mut depth: usize = 0;
        while self.pos < self.bytes.len() {
            let start = self.pos;
            let top = *modes
                .last()
                .expect("scanner: the code mode is never popped");
            let opened = match top {
                Mode::Code { braces } => self.code_step(&mut modes, braces),
                Mode::Str | Mode::MStr => self.string_step(&mut modes, top == Mode::MStr),
            };
            match opened {
                Step::Open => {
                    depth += 1;
                    if depth > max_depth {
                        self.out.too_deep = Some(start);
                        return;
                    }
                }
                Step::Close => depth = depth.saturating_sub(1),
                Step::Other => {}
            }
        }
        self.out.clean_end = depth == 0 && modes == [Mode::Code { braces: 0 }];
    }

    /// One step in code mode.
    fn code_step(&mut self, modes: &mut Vec<Mode>, braces: usize) -> Step {
        let b = self.bytes[self.pos];
        let rest = &self.bytes[self.pos..];
        match b {
            b'/' if rest.starts_with(b"//") => self.line_comment(),
            b'/' if rest.starts_with(b"/*") => self.block_comment(),
            b'"' if rest.starts_with(b"\"\"\"") => {
                self.pos += 3;
                modes.push(Mode::MStr);
                Step::Other
            }
            b'"' => {
                self.pos += 1;
                modes.push(Mode::Str);
                Step::Other
            }
            b'(' | b'[' | b'{' => {
                self.pos += 1;
                if b == b'{' {
                    set_braces(modes, braces + 1);
                }
                Step::Open
            }
            b'}' if braces == 0 && modes.len() > 1 => {
                self.pos += 1;
                modes.pop();
                Step::Close
            }
            b')' | b']' | b'}' => {
                self.pos += 1;
                if b == b'}' {
                    set_braces(modes, braces.saturating_sub(1));
                }
                Step::Close
            }
            _ => self.plain(),
        }
    }

    /// Plain code up to the next byte that matters (a comment, a string or a
    /// bracket) or the next `if` or `else` that counts; words are skipped whole.
    fn plain(&mut self) -> Step {
        let b = self.bytes;
        let mut pos = self.pos;
        while let Some(&c) = b.get(pos) {
            match CODE_CLASS[c as usize] & (WORD | SPECIAL) {
                PLAIN => pos += 1,
                WORD => {
                    let start = pos;
                    pos += b[pos..]
                        .iter()
                        .position(|&c| CODE_CLASS[c as usize] & IDENT == 0)
                        .unwrap_or(b.len() - pos);
                    let step = self.word(start, pos);
                    if matches!(step, Step::Other) {
                        continue;
                    }
                    // A step that counts starts at its word (`too_deep` reports it there).
                    if start > self.pos {
                        self.pos = start;
                        return Step::Other;
                    }
                    self.pos = pos;
                    return step;
                }
                _ => break,
            }
        }
        // At least one byte, so that the scan always moves on.
        self.pos = pos.max(self.pos + 1);
        Step::Other
    }

    /// The word `start..end`: `if` opens a level and `else` closes it, unless
    /// it follows a `.`.
    fn word(&self, start: usize, end: usize) -> Step {
        let word = &self.bytes[start..end];
        if word != b"if" && word != b"else" {
            return Step::Other;
        }
        let after_dot = self.text[..start]
            .trim_end_matches([' ', '\t'])
            .ends_with('.');
        match word {
            b"if" if !after_dot => Step::Open,
            b"else" if !after_dot => Step::Close,
            _ => Step::Other,
        }
    }

    /// One step inside a string: an escape, an interpolation, the end, or text.
    fn string_step(&mut self, modes: &mut Vec<Mode>, multi: bool) -> Step {
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(b"\\") {
            self.pos += 2.min(rest.len());
        } else if rest.starts_with(b"${") {
            self.pos += 2;
            modes.push(Mode::Code { braces: 0 });
            return Step::Open;
        } else if multi && rest.starts_with(b"\"\"\"") {
            self.pos += 3;
            modes.pop();
        } else if !multi && (rest[0] == b'"' || rest[0] == b'\n') {
            // A line break ends an unterminated string; pest reports it.
            self.pos += 1;
            modes.pop();
        } else {
            // Plain text: skip to the next byte that matters in one step.
            let plain = rest
                .iter()
                .position(|&c| matches!(c, b'\\' | b'$' | b'"' | b'\n'))
                .unwrap_or(rest.len());
            self.pos += plain.max(1);
        }
        Step::Other
    }

    fn line_comment(&mut self) -> Step {
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let text = self.text[start..end].trim_end_matches('\r');
        let is_doc = text.starts_with("///") && !text.starts_with("////");
        let kind = if is_doc {
            CommentKind::Doc
        } else {
            CommentKind::Line
        };
        self.push(start, start + text.len(), kind);
        self.pos = end;
        Step::Other
    }

    fn block_comment(&mut self) -> Step {
        let start = self.pos;
        let end = self.text[start + 2..]
            .find("*/")
            .map_or(self.text.len(), |i| start + 2 + i + 2);
        self.push(start, end, CommentKind::Block);
        self.pos = end;
        Step::Other
    }

    fn push(&mut self, start: usize, end: usize, kind: CommentKind) {
        let span = Span::new(self.file, start, end);
        self.out.comments.push(Comment {
            span,
            kind,
            text: self.text[start..end].to_string(),
        });
    }
}

/// Classes of bytes in code, for [`Scanner::plain`]: none of the bits below.
const PLAIN: u8 = 0;
/// The start of a word.
const WORD: u8 = 1;
/// A byte that `code_step` handles itself.
const SPECIAL: u8 = 2;
/// A byte that continues a word.
const IDENT: u8 = 4;

/// The class bits of each byte in code.
const CODE_CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphabetic() || b == b'_' {
            t[c] = WORD | IDENT;
        }
        if b.is_ascii_digit() {
            t[c] = IDENT;
        }
        if matches!(b, b'/' | b'"' | b'(' | b'[' | b'{' | b')' | b']' | b'}') {
            t[c] = SPECIAL;
        }
        c += 1;
    }
    t
};

/// What a scanner step did to the nesting depth.
enum Step {
    Open,
    Close,
    Other,
}

fn set_braces(modes: &mut [Mode], braces: usize) {
    if let Some(Mode::Code { braces: b }) = modes.last_mut() {
        *b = braces;
    }
}

/// The `///` documentation directly before `offset`: the run of doc comments
/// that each start their own line and are separated from each other and from
/// `offset` by whitespace only. Lines are joined with `\n`, each stripped of
/// `///` and one following space.
pub(super) fn doc_before(comments: &[Comment], text: &str, offset: usize) -> Option<String> {
    let mut idx = comments.partition_point(|c| (c.span.start as usize) < offset);
    let mut next_start = offset;
    let mut lines = Vec::new();
    while idx > 0 {
        let c = &comments[idx - 1];
        let (start, end) = (c.span.start as usize, c.span.end as usize);
        let gap_is_space = text
            .get(end..next_start)
            .is_some_and(|g| g.trim().is_empty());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let starts_line = text[line_start..start].trim().is_empty();
        if c.kind != CommentKind::Doc || !gap_is_space || !starts_line {
            break;
        }
        let body = &c.text[3..];
        lines.push(body.strip_prefix(' ').unwrap_or(body));
        next_start = start;
        idx -= 1;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(CommentKind, String)> {
        scan(FileId(0), text, 256)
            .comments
            .into_iter()
            .map(|c| (c.kind, c.text))
            .collect()
    }

    #[test]
    fn finds_comments_outside_strings() {
        let text = "// a\r\n/// b\n//// c\n//! d\nx = \"http://x ${ \"//\" } /*\" /* e */\ny = \"\"\"\n// no\n\"\"\"";
        assert_eq!(
            kinds(text),
            vec![
                (CommentKind::Line, "// a".to_string()),
                (CommentKind::Doc, "/// b".to_string()),
                (CommentKind::Line, "//// c".to_string()),
                (CommentKind::Line, "//! d".to_string()),
                (CommentKind::Block, "/* e */".to_string()),
            ]
        );
    }

    #[test]
    fn measures_nesting() {
        assert_eq!(scan(FileId(0), "[[[]]]", 3).too_deep, None);
        assert_eq!(scan(FileId(0), "[[[[]]]]", 3).too_deep, Some(3));
        assert_eq!(
            scan(FileId(0), "\"${\"${\"${x}\"}\"}\"", 2).too_deep,
            Some(7)
        );
        assert_eq!(
            scan(FileId(0), "if if if a then b else c then d else e", 2).too_deep,
            Some(6)
        );
        assert_eq!(
            scan(FileId(0), "if a then b else if c then d else e", 1).too_deep,
            None
        );
    }

    #[test]
    fn docs_attach_to_the_next_line() {
        let text = "/// one\n///  two\nconfig a {}\nx /// no\ny";
        let scan = scan(FileId(0), text, 256);
        assert_eq!(
            doc_before(&scan.comments, text, 17),
            Some("one\n two".to_string())
        );
        let y = text.rfind('y').unwrap();
        assert_eq!(doc_before(&scan.comments, text, y), None);
    }
}
