//! One big file parsed on several threads: the text is cut at guessed
//! declaration starts into a few chunks, and each chunk is scanned
//! ([`comments::scan_range`]) and parsed ([`fast::parse_range`]) on its own;
//! the declarations are concatenated in order.
//!
//! The cuts are guesses (a line that starts with a declaration keyword may
//! lie inside a `"""` string or a `/* */` comment), and they are proven right
//! by the results, chunk by chunk from the start of the file: the first chunk
//! begins where the file does; if its scan ends back in the top-level state
//! and the fast parser takes the whole chunk as `sep* (decl (sep+ decl)*)?
//! sep*`, then its end is a true boundary between two declarations of the
//! whole file (a chunk ends with the line break before its cut, a separator,
//! and no declaration rule reads past a line break after its last token), so
//! the next chunk starts in the same state as the whole-file scan and parse
//! would be in there; and so on. Comments, `///` docs and the expression depth
//! limit are per token, so they come out the same. If any chunk is refused,
//! [`parse`] returns `None` and the caller parses the whole file as before.
//!
//! **Invariant:** whenever [`parse`] returns `Some`, the declarations and
//! comments equal what the whole-file scan and fast parse give.

use rayon::prelude::*;

use super::comments::{self, Comment, CommentKind};
use super::{fast, trim, MAX_NESTING};
use crate::ast;
use crate::source::FileId;

/// Files shorter than this many bytes per chunk are not split.
pub const MIN_CHUNK_BYTES: usize = 64 * 1024;

/// Chunk boundaries for `text` cut into about `chunks` pieces: `0`, the cuts
/// in increasing order, `text.len()`. Each cut is the start of a line (after
/// a `\n`) that begins with a declaration keyword, the first one at or after
/// `k * len / chunks`.
pub fn plan(text: &str, chunks: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let mut bounds = vec![0];
    for k in 1..chunks {
        let target = (k * b.len() / chunks).max(bounds.last().copied().unwrap_or(0) + 1);
        let Some(cut) = next_decl_line(b, target) else {
            break;
        };
        bounds.push(cut);
    }
    bounds.push(b.len());
    bounds.dedup();
    bounds
}

/// The first line start at or after `from` whose line begins with a
/// declaration keyword.
fn next_decl_line(b: &[u8], from: usize) -> Option<usize> {
    let mut pos = from;
    loop {
        let nl = pos - 1 + b.get(pos - 1..)?.iter().position(|&c| c == b'\n')?;
        let line = nl + 1;
        if line >= b.len() {
            return None;
        }
        if starts_decl(&b[line..]) {
            return Some(line);
        }
        pos = line + 1;
    }
}

/// Whether `rest` starts with a keyword that begins a declaration.
fn starts_decl(rest: &[u8]) -> bool {
    [
        "config",
        "abstract",
        "schema",
        "type",
        "import",
        "environments",
    ]
    .iter()
    .any(|kw| {
        rest.starts_with(kw.as_bytes())
            && !rest
                .get(kw.len())
                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
    })
}

/// The declarations of `text` (spans trimmed), parsed in the chunks `bounds`
/// (from [`plan`]) in parallel; `None` if any chunk is refused.
pub fn parse(file: FileId, text: &str, bounds: &[usize]) -> Option<Vec<ast::Decl>> {
    let scans: Vec<comments::Scan> = bounds
        .par_windows(2)
        .map(|w| comments::scan_range(file, text, w[0], w[1], MAX_NESTING))
        .collect();
    if scans.iter().any(|s| s.too_deep.is_some() || !s.clean_end) {
        return None;
    }
    let all: Vec<Comment> = scans.into_iter().flat_map(|s| s.comments).collect();
    let docs: Vec<Comment> = all
        .iter()
        .filter(|c| c.kind == CommentKind::Doc)
        .cloned()
        .collect();
    let parts: Vec<Option<Vec<ast::Decl>>> = bounds
        .par_windows(2)
        .map(|w| {
            let mut decls = fast::parse_range(file, text, w[0], w[1], &docs).ok()?;
            trim::trim_decls(&mut decls, text, &all);
            Some(decls)
        })
        .collect();
    let mut decls = Vec::with_capacity(parts.iter().flatten().map(Vec::len).sum());
    for part in parts {
        decls.extend(part?);
    }
    Some(decls)
}

#[cfg(test)]
mod tests;
