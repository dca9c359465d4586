//! Which configs a piece of source text may read: every identifier that the
//! file's scope (or the scope of a module it names) maps to a config. An
//! over-approximation (words in strings and comments count too), used where
//! a superset is safe: the language server's dependency fingerprints and the
//! order in which the compiler evaluates configs (`eval::board`).

use crate::resolve::{ConfigId, Id, Item, Program};
use crate::source::FileId;

/// The configs that the identifiers of `text` (written in `file`) may name,
/// directly or through import aliases, sorted by id.
pub fn referenced(prog: &Program<'_>, file: FileId, text: &str) -> Vec<ConfigId> {
    let mut out = Vec::new();
    let mut files = vec![file];
    let mut seen = Vec::new();
    while let Some(f) = files.pop() {
        if seen.contains(&f) {
            continue;
        }
        seen.push(f);
        let Some(scope) = prog.scopes.get(f.0 as usize) else {
            continue;
        };
        // Each occurrence is looked up: cheaper than sorting the words to
        // look each up once (most are field names, found in no scope).
        for w in identifiers(text) {
            match scope.get(w) {
                Some((Item::Config(c), _)) => out.push(*c),
                Some((Item::Module(m), _)) => files.push(*m),
                _ => {}
            }
        }
    }
    out.sort_by_key(|c| c.index());
    out.dedup();
    out
}

/// The identifier-like words of `text` (in strings and comments too: an
/// over-approximation), in order, repeats included.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_alphabetic() || b == b'_' {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                // ASCII bytes bound the word: `start..i` are char boundaries.
                return text.get(start..i);
            }
            i += 1;
        }
        None
    })
}
