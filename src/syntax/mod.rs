//! Text to AST (LANGUAGE.md §1–§5): `parse` is per file and pure.
//!
//! Pipeline of one file: [`comments::scan`] finds comments and refuses
//! nesting deeper than [`MAX_NESTING`]; pest parses with the grammar in
//! `grammar/mcfg.pest` under a call budget; `lower` turns the pairs into
//! [`ast`] nodes, decoding literals with `literal` and attaching `///` docs.
//!
//! [`parse`] first tries `fast`, a hand-written parser of the same grammar
//! that returns the same tree whenever it succeeds; on anything it does not
//! accept it falls back to the pest path ([`parse_reference`]), which builds
//! the tree or the proper diagnostic. A big file (at least two chunks of
//! `chunked::MIN_CHUNK_BYTES`) is first tried in `chunked`: cut at guessed
//! declaration starts, scanned and fast-parsed chunk by chunk on the rayon
//! pool; if any chunk is refused, the whole file goes the way above, so the
//! tree and diagnostics never depend on the number of threads.
//!
//! **Invariant:** knows nothing of imports, types, environments or the
//! filesystem, and never panics, hangs or overflows the stack on any input.

mod chunked;
mod comments;
mod error;
mod fast;
pub mod grammar;
mod literal;
mod lower;
mod trim;
pub mod write;

use std::num::NonZeroUsize;

use pest::Parser;

pub use comments::{Comment, CommentKind};

use crate::ast;
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use grammar::{Grammar, Rule};

/// Maximum nesting depth of brackets, braces, parentheses, `${…}` and `if`.
pub const MAX_NESTING: usize = 256;

/// Maximum depth of an expression's syntax tree, counting every operator,
/// so that later recursive phases (and dropping the tree) stay bounded.
pub const MAX_EXPR_DEPTH: usize = 512;

/// Minimum pest call budget; it grows with the file size (see [`call_limit`]).
pub const MIN_CALL_LIMIT: usize = 20_000_000;

/// The pest call budget for a text of `len` bytes: linear in the size, so
/// that only super-linear backtracking runs out of it.
pub fn call_limit(len: usize) -> NonZeroUsize {
    let limit = len.saturating_mul(64).max(MIN_CALL_LIMIT);
    NonZeroUsize::new(limit).unwrap_or(NonZeroUsize::MIN)
}

/// Parses one file. `text` has had any BOM removed already by the caller.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub fn parse(file: FileId, text: &str) -> Result<ast::File, Diagnostic> {
    // Only a text worth two chunks asks for the thread pool (which starts it).
    let threads = match text.len() >= 2 * chunked::MIN_CHUNK_BYTES {
        true => rayon::current_num_threads(),
        false => 1,
    };
    let chunks = (2 * threads).min(text.len() / chunked::MIN_CHUNK_BYTES);
    if threads > 1 && chunks > 1 {
        let bounds = chunked::plan(text, chunks);
        if let Some(decls) = chunked::parse(file, text, &bounds) {
            return Ok(ast::File {
                decls,
                span: Span::new(file, 0, text.len()),
            });
        }
    }
    let (mut ast, comments) = parse_with(file, text, true)?;
    trim::trim_spans(&mut ast, text, &comments);
    Ok(ast)
}

/// The grammar's own parser; the oracle for the fast path. Same contract
/// and result as [`parse`], through pest only.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub fn parse_reference(file: FileId, text: &str) -> Result<ast::File, Diagnostic> {
    parse_with(file, text, false).map(|(ast, _)| ast)
}

#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
fn parse_with(
    file: FileId,
    text: &str,
    try_fast: bool,
) -> Result<(ast::File, Vec<Comment>), Diagnostic> {
    let scan = comments::scan(file, text, MAX_NESTING);
    if let Some(offset) = scan.too_deep {
        return Err(error::too_deep(file, text, offset));
    }
    let all = scan.comments;
    let docs: Vec<Comment> = all
        .iter()
        .filter(|c| c.kind == CommentKind::Doc)
        .cloned()
        .collect();
    if try_fast {
        if let Ok(ast) = fast::parse(file, text, &docs) {
            return Ok((ast, all));
        }
    }
    pest::set_call_limit(Some(call_limit(text.len())));
    let Ok(pairs) = Grammar::parse(Rule::file, text) else {
        return Err(detailed_error(file, text));
    };
    let ast = lower::Lower::new(file, text, &docs)
        .lower_file(pairs)
        .map_err(|d| *d)?;
    Ok((ast, all))
}

/// Parses one expression that fills `text[start..]` (a command-line
/// override's value, LANGUAGE.md §9.7); spans are offsets into `text`, so a
/// diagnostic points into the whole argument. The bytes before `start` are
/// not parsed.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub fn parse_expr(file: FileId, text: &str, start: usize) -> Result<ast::Expr, Diagnostic> {
    // The text before `start` becomes blanks, so that pest's offsets are the argument's.
    let mut blanked = " ".repeat(start);
    blanked.push_str(text.get(start..).unwrap_or(""));
    let scan = comments::scan(file, &blanked, MAX_NESTING);
    if let Some(offset) = scan.too_deep {
        return Err(error::too_deep(file, &blanked, offset));
    }
    pest::set_call_limit(Some(call_limit(blanked.len())));
    pest::set_error_detail(true);
    let res = Grammar::parse(Rule::expr_text, &blanked);
    pest::set_error_detail(false);
    let mut pairs = match res {
        Ok(pairs) => pairs,
        Err(err) => return Err(error::from_pest(file, &blanked, &err)),
    };
    let lower = lower::Lower::new(file, &blanked, &[]);
    lower.lower_expr_text(&mut pairs).map_err(|d| *d)
}

/// Parses again with pest's error details on, for a message that names the
/// expected tokens. Only runs for files that failed to parse.
#[cold]
fn detailed_error(file: FileId, text: &str) -> Diagnostic {
    pest::set_error_detail(true);
    let res = Grammar::parse(Rule::file, text);
    pest::set_error_detail(false);
    match res {
        Err(err) => error::from_pest(file, text, &err),
        Ok(_) => error::syntax(error::char_span(file, text, 0), "the file does not parse"),
    }
}

/// Every comment of a file in source order (for the formatter): `//`, `///`
/// and `/* */`.
pub fn comments(file: FileId, text: &str) -> Vec<Comment> {
    comments::scan(file, text, usize::MAX).comments
}

#[cfg(test)]
mod tests;
