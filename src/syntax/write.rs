//! mcfg keys and one-line strings as source text, the inverse of
//! `literal.rs`: used by every module that writes mcfg (the importer) or
//! quotes a key in a message (`merge`'s `+= { key = … }` help), so that
//! none of them depends on another for it.

/// Identifier-shaped keys written as strings because they could start a
/// construct or read as a literal or operator.
pub const QUOTED_WORDS: &[&str] = &[
    "env", "check", "true", "false", "null", "self", "if", "then", "else", "and", "or", "not",
    "in", "extends", "as",
];

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A key as written in a body or object literal.
pub fn key_text(key: &str) -> String {
    if is_ident(key) && !QUOTED_WORDS.contains(&key) {
        key.to_owned()
    } else {
        quote(key)
    }
}

/// A one-line string literal.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '$' => out.push_str("\\$"),
            c if needs_unicode_escape(c) => out.push_str(&format!("\\u{{{:X}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn needs_unicode_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}
