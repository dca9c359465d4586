//! The layout printer: walks the AST of one file and writes declarations,
//! bodies and blocks in the canonical layout of [`super`], copying
//! expressions, type expressions, markers and strings verbatim from their
//! spans and interleaving every comment by position.
//!
//! Each item is printed into the buffer and then checked: when a comment
//! inside the item was neither copied with a verbatim piece nor printed in a
//! body, the item is rolled back and copied verbatim (only re-indented), so a
//! comment in an unusual place (`a /* here */ = 1`) can never be lost.

use crate::ast::{Decl, EnvDecl, SchemaItem, Stmt};
use crate::source::Span;
use crate::syntax::{Comment, CommentKind};

mod layout;

/// Spaces per indentation level.
const INDENT: usize = 2;

/// Something with a source span that the printer lays out as one unit.
pub(super) trait Item {
    fn span(&self) -> Span;
    /// Whether this is an `import` declaration.
    fn is_import(&self) -> bool {
        false
    }
}

impl Item for Decl {
    fn span(&self) -> Span {
        Decl::span(self)
    }

    fn is_import(&self) -> bool {
        matches!(self, Decl::Import(_))
    }
}

impl Item for EnvDecl {
    fn span(&self) -> Span {
        self.span
    }
}

impl Item for SchemaItem {
    fn span(&self) -> Span {
        match self {
            SchemaItem::Field(f) => f.span,
            SchemaItem::Check(c) => c.span,
        }
    }
}

impl Item for crate::ast::CheckDecl {
    fn span(&self) -> Span {
        self.span
    }
}

impl Item for Stmt {
    fn span(&self) -> Span {
        Stmt::span(self)
    }
}

/// How a sequence separates its items beyond the author's blank lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeqKind {
    /// Top-level declarations: a blank line between two declarations, except
    /// between two imports.
    File,
    /// The inside of a `{ … }` body.
    Body,
}

/// Where a sequence is: the end of the last written element, whether nothing
/// was written yet, whether the next item continues the current line, and
/// whether the next own-line element must follow a blank line.
#[derive(Debug)]
struct SeqState {
    prev_end: usize,
    first: bool,
    glued: bool,
    forced: bool,
}

/// The state of the printer over one file.
#[derive(Debug)]
pub(super) struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
    /// Which comments have been written (printed or inside a verbatim copy).
    used: Vec<bool>,
    /// Byte ranges of `"""` strings, whose lines are never re-indented.
    mstrings: Vec<(usize, usize)>,
    out: String,
    /// Current indentation level.
    level: usize,
    /// Indentation added to continuation lines of verbatim pieces of the
    /// current item (new indentation minus the source line's).
    delta: isize,
    /// Whether bodies must stay on one line (inside a body kept on its line).
    force_inline: bool,
}

impl<'a> Printer<'a> {
    pub(super) fn new(
        text: &'a str,
        comments: &'a [Comment],
        mstrings: Vec<(usize, usize)>,
    ) -> Printer<'a> {
        Printer {
            text,
            comments,
            used: vec![false; comments.len()],
            mstrings,
            out: String::new(),
            level: 0,
            delta: 0,
            force_inline: false,
        }
    }

    /// Prints the declarations of the file and returns the text.
    pub(super) fn file(mut self, decls: &[Decl]) -> String {
        let end = self.text.len();
        self.seq(decls, 0, end, SeqKind::File, Printer::decl);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        self.out
    }

    // ------------------------------------------------------------ sequences

    /// Prints `items` (inside the source range `lo..hi`) with the comments
    /// between them, each on its own line at the current level.
    fn seq<T: Item>(
        &mut self,
        items: &[T],
        lo: usize,
        hi: usize,
        kind: SeqKind,
        print: fn(&mut Printer<'a>, &T),
    ) {
        let mut st = SeqState {
            prev_end: lo,
            first: true,
            glued: false,
            forced: false,
        };
        for (idx, item) in items.iter().enumerate() {
            let span = item.span();
            let (start, end) = (span.start as usize, self.end_of(span));
            st.forced = kind == SeqKind::File
                && idx > 0
                && !(items[idx - 1].is_import() && item.is_import());
            let joined = kind == SeqKind::Body
                && idx > 0
                && !self.text[st.prev_end..start].contains('\n')
                && !self.comments_in(st.prev_end, start)
                && self.line_ends_in_comment(start, hi);
            self.comments_between(&mut st, start, Some(start));
            if joined {
                // Statements sharing a line that ends in a comment stay on it.
                self.out.push_str("; ");
            } else if st.glued {
                self.out.push(' ');
            } else {
                let blank = st.forced || !st.first && self.blank_between(st.prev_end, start);
                self.start_line(blank, st.first);
            }
            self.item(item, print);
            st.prev_end = end;
            st.first = false;
            st.glued = false;
        }
        st.forced = false;
        self.comments_between(&mut st, hi, None);
    }

    /// Writes the unwritten comments from `st.prev_end` to `to`: a comment
    /// with code before it on its line stays trailing; others get their own
    /// line. Sets `st.glued` when the next item continues the last line
    /// (after a `/* … */` that has code after it on the same line).
    fn comments_between(&mut self, st: &mut SeqState, to: usize, next: Option<usize>) {
        let from = st.prev_end;
        for idx in self.range(from, to) {
            let c = &self.comments[idx];
            let (start, end) = (c.span.start as usize, c.span.end as usize);
            if end > to || self.used[idx] {
                continue;
            }
            self.used[idx] = true;
            let same_line = !self.text[st.prev_end..start].contains('\n');
            let trailing = same_line && !self.at_line_start();
            if trailing {
                self.out.push(' ');
            } else {
                let blank = st.forced || !st.first && self.blank_between(st.prev_end, start);
                self.start_line(blank, st.first);
                st.first = false;
                st.forced = false;
            }
            self.copy_comment(c);
            st.prev_end = end;
            // Code after a `/* … */` that starts its line continues that line;
            // after a trailing comment it starts a new one (it needs a separator).
            st.glued = (!trailing || st.glued)
                && c.kind == CommentKind::Block
                && next.is_some_and(|n| !self.text[end..n].contains('\n'));
        }
    }

    /// Whether the current output line has nothing written on it yet.
    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Ends the current line (with a blank line when asked) and indents.
    fn start_line(&mut self, blank: bool, first: bool) {
        if !self.out.is_empty() {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            if blank && !first && !self.out.ends_with("{\n") {
                self.out.push('\n');
            }
        }
        self.indent();
    }

    fn indent(&mut self) {
        let n = self.level * INDENT;
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// Whether the source has a blank line between `from` and `to`.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        self.text
            .get(from..to)
            .is_some_and(|g| g.matches('\n').count() >= 2)
    }

    /// Prints one item, falling back to a verbatim copy when the layout would
    /// drop a comment inside it.
    fn item<T: Item>(&mut self, item: &T, print: fn(&mut Printer<'a>, &T)) {
        let span = item.span();
        let (start, end) = (span.start as usize, self.end_of(span));
        let saved_out = self.out.len();
        let saved_used = self.save_used(start, end);
        let saved_delta = self.delta;
        // Continuation lines move with the line the item starts on (which is
        // not the item's own line when it follows a `/* … */` or a `;`).
        let line_start = self.out.rfind('\n').map_or(0, |i| i + 1);
        let out_indent = self.out[line_start..]
            .bytes()
            .take_while(|b| *b == b' ')
            .count();
        self.delta = out_indent as isize - self.source_indent(start) as isize;
        print(self, item);
        let lost = self
            .range(start, end)
            .any(|i| self.comments[i].span.end as usize <= end && !self.used[i]);
        if lost {
            self.out.truncate(saved_out);
            self.restore_used(saved_used);
            self.verbatim(start, end);
        }
        self.delta = saved_delta;
    }

    /// The width of the leading whitespace of the source line holding `pos`.
    fn source_indent(&self, pos: usize) -> usize {
        let line_start = self.text[..pos].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count()
    }

    // ------------------------------------------------------------ verbatim

    /// Copies `start..end` from the source, marking its comments written and
    /// shifting its continuation lines by `delta` (never inside `"""`).
    fn verbatim(&mut self, start: usize, end: usize) {
        for i in self.range(start, end) {
            if self.comments[i].span.end as usize <= end {
                self.used[i] = true;
            }
        }
        let mut pos = start;
        while let Some(nl) = self.text[pos..end].find('\n') {
            let line_end = pos + nl;
            self.out.push_str(&self.text[pos..=line_end]);
            pos = line_end + 1;
            if self.in_mstring(pos) {
                continue;
            }
            pos = self.reindent_line(pos, end);
        }
        self.out.push_str(&self.text[pos..end]);
    }

    /// Writes the indentation of the continuation line starting at `pos` and
    /// returns where its content starts.
    fn reindent_line(&mut self, pos: usize, end: usize) -> usize {
        let ws = self.text[pos..end]
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        let rest = &self.text[pos + ws..end];
        if rest.starts_with('\n') || rest.starts_with("\r\n") {
            return pos + ws;
        }
        if self.delta >= 0 {
            self.out.push_str(&self.text[pos..pos + ws]);
            self.out
                .extend(std::iter::repeat_n(' ', self.delta.unsigned_abs()));
            pos + ws
        } else {
            let cut = ws.min(self.delta.unsigned_abs());
            self.out.push_str(&self.text[pos + cut..pos + ws]);
            pos + ws
        }
    }

    fn in_mstring(&self, pos: usize) -> bool {
        self.mstrings.iter().any(|&(s, e)| s < pos && pos < e)
    }

    fn copy_span(&mut self, span: Span) {
        let end = self.end_of(span);
        self.verbatim(span.start as usize, end);
    }

    /// The end of `span` without the whitespace and comments that pest's
    /// implicit skipping may have left at its end.
    fn end_of(&self, span: Span) -> usize {
        let start = span.start as usize;
        let mut end = span.end as usize;
        loop {
            let trimmed = self.text[start..end].trim_end_matches([' ', '\t']).len() + start;
            end = trimmed;
            let i = self
                .comments
                .partition_point(|c| (c.span.start as usize) < end);
            match i.checked_sub(1).map(|i| &self.comments[i]) {
                Some(c) if c.span.end as usize == end && c.span.start as usize >= start => {
                    end = c.span.start as usize;
                }
                _ => return end,
            }
        }
    }

    fn copy_comment(&mut self, c: &Comment) {
        self.verbatim(c.span.start as usize, c.span.end as usize);
    }

    fn slice(&self, span: Span) -> &'a str {
        &self.text[span.start as usize..span.end as usize]
    }

    // ------------------------------------------------------------ bodies

    /// Prints `{ items }` where `open` is the offset of the source `{` and
    /// `close` the offset of its `}`. A body written on one line without
    /// comments stays on one line (items separated by `; `) when it holds at
    /// most one item, when a comment follows its `}` on that line, or when it
    /// is inside such a body; otherwise it gets one item per line.
    fn body<T: Item>(
        &mut self,
        items: &[T],
        open: usize,
        close: usize,
        print: fn(&mut Printer<'a>, &T),
    ) {
        let has_comments = self.comments_in(open, close);
        if items.is_empty() && !has_comments {
            self.out.push_str("{}");
            return;
        }
        let one_line = !self.text[open..close].contains('\n');
        let keep_line = self.force_inline || self.trailing_comment_after(close);
        if one_line && has_comments && keep_line {
            // `{ a = 1; /* why */ b = 2 } // marker`: kept exactly as written.
            self.verbatim(open, close + 1);
            return;
        }
        if !has_comments && one_line && (items.len() <= 1 || keep_line) {
            let (saved_out, saved_used) = (self.out.len(), self.save_used(open, close + 1));
            let saved_force = self.force_inline;
            self.force_inline = keep_line;
            self.out.push_str("{ ");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push_str("; ");
                }
                self.item(item, print);
            }
            self.out.push_str(" }");
            self.force_inline = saved_force;
            if !self.out[saved_out..].contains('\n') {
                return;
            }
            // An item needs several lines: lay the body out on lines too.
            self.out.truncate(saved_out);
            self.restore_used(saved_used);
        }
        self.out.push('{');
        self.level += 1;
        let saved_force = std::mem::replace(&mut self.force_inline, false);
        self.seq(items, open + 1, close, SeqKind::Body, print);
        self.force_inline = saved_force;
        self.level -= 1;
        self.out.push('\n');
        self.indent();
        self.out.push('}');
    }

    /// Whether the source line of `pos` ends in a comment that starts after
    /// `pos` and ends before `hi`.
    fn line_ends_in_comment(&self, pos: usize, hi: usize) -> bool {
        let eol = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        self.range(pos + 1, eol).any(|i| {
            let end = self.comments[i].span.end as usize;
            end <= hi && self.text[end..eol].trim().is_empty()
        })
    }

    /// Whether a comment starts after `pos` on the source line of `pos`.
    fn trailing_comment_after(&self, pos: usize) -> bool {
        let eol = self.text[pos..]
            .find('\n')
            .map_or(self.text.len(), |i| pos + i);
        !self.range(pos + 1, eol).is_empty()
    }

    /// Indices of the comments that start in `from..to` (comments are sorted
    /// and never overlap).
    fn range(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        let lo = self
            .comments
            .partition_point(|c| (c.span.start as usize) < from);
        let hi = self
            .comments
            .partition_point(|c| (c.span.start as usize) < to);
        lo..hi.max(lo)
    }

    /// The written-flags of the comments starting in `from..to`, to roll back.
    fn save_used(&self, from: usize, to: usize) -> (usize, Vec<bool>) {
        let r = self.range(from, to);
        (r.start, self.used[r].to_vec())
    }

    fn restore_used(&mut self, (at, flags): (usize, Vec<bool>)) {
        self.used[at..at + flags.len()].copy_from_slice(&flags);
    }

    fn comments_in(&self, from: usize, to: usize) -> bool {
        self.range(from, to)
            .any(|i| self.comments[i].span.end as usize <= to)
    }

    /// The offset of the first `ch` at or after `from` that is not in a comment.
    fn find_code(&self, from: usize, ch: u8) -> usize {
        let bytes = self.text.as_bytes();
        let mut pos = from;
        while pos < bytes.len() {
            if let Some(i) = self.range(pos, pos + 1).next() {
                pos = self.comments[i].span.end as usize;
                continue;
            }
            if bytes[pos] == ch {
                return pos;
            }
            pos += 1;
        }
        bytes.len()
    }
}
