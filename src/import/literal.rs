//! mcfg literals as text (LANGUAGE.md §1): keys, strings, floats, names.
//!
//! - Keys are bare when they are identifiers and not one of [`QUOTED_WORDS`]
//!   (`env` and `check` start body items; the expression keywords are quoted
//!   too, to be safe). Declaration keywords such as `type` stay bare: they are
//!   reserved only at the start of a declaration. Other keys are strings.
//! - Strings escape `\" \\ \n \t \r`, every `$` as `\$` (so no `${` can start
//!   an interpolation) and other control characters as `\u{..}`.
//! - A string with two or more lines is a `"""` block when that round-trips:
//!   no `"""` inside, no `\r` or other control character except tab, no line
//!   ending in a space or tab. The block's lines are the string's lines
//!   (joined by `\n`; a final `\n` shows as an empty last line), all indented
//!   like the closing `"""`, whose indentation the reader removes.
//! - Floats use the shortest round-trip form and always hold a `.` or an
//!   exponent (`1.0`, `1e-5`, `1e16`), so they read back as floats.

/// Every keyword, avoided in generated config and environment names.
const KEYWORDS: &[&str] = &[
    "import",
    "environments",
    "type",
    "schema",
    "abstract",
    "config",
];

use crate::syntax::write::needs_unicode_escape;
pub(crate) use crate::syntax::write::{is_ident, key_text, quote, QUOTED_WORDS};

/// A `"""` block for `s` whose content lines and closing delimiter are
/// indented by `indent` spaces, or `None` when `s` should be a one-line string.
pub(crate) fn block_string(s: &str, indent: usize) -> Option<String> {
    let multi_line = s.trim_end_matches('\n').contains('\n');
    let unsafe_char = s
        .chars()
        .any(|c| c != '\n' && c != '\t' && needs_unicode_escape(c));
    let trailing_blank = s.split('\n').any(|l| l.ends_with(' ') || l.ends_with('\t'));
    if !multi_line || unsafe_char || trailing_blank || s.contains("\"\"\"") {
        return None;
    }
    let pad = " ".repeat(indent);
    let mut out = String::from("\"\"\"\n");
    for line in s.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(&line.replace('\\', "\\\\").replace('$', "\\$"));
        }
        out.push('\n');
    }
    out.push_str(&pad);
    out.push_str("\"\"\"");
    Some(out)
}

/// A float literal that reads back as the same float.
pub(crate) fn float_text(f: f64) -> String {
    // `Debug` is the shortest round-trip form and keeps `.0` or an exponent.
    format!("{f:?}")
}

/// `raw` made into an identifier usable as a config or environment name.
pub(crate) fn ident(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if QUOTED_WORDS.contains(&out.as_str()) || KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bare_or_quoted() {
        assert_eq!(key_text("batch_size"), "batch_size");
        assert_eq!(key_text("type"), "type");
        assert_eq!(key_text("env"), "\"env\"");
        assert_eq!(key_text("check"), "\"check\"");
        assert_eq!(key_text("true"), "\"true\"");
        assert_eq!(
            key_text("app.kubernetes.io/name"),
            "\"app.kubernetes.io/name\""
        );
        assert_eq!(key_text("1x"), "\"1x\"");
        assert_eq!(key_text(""), "\"\"");
        assert_eq!(key_text("naïve"), "\"naïve\"");
    }

    #[test]
    fn every_escape() {
        assert_eq!(quote("a\"b\\c\nd\te\rf"), r#""a\"b\\c\nd\te\rf""#);
        assert_eq!(quote("${x} costs $5"), r#""\${x} costs \$5""#);
        assert_eq!(quote("\u{1}\u{7f}é😀"), "\"\\u{1}\\u{7F}é😀\"");
    }

    #[test]
    fn block_strings() {
        assert_eq!(
            block_string("a\n  b $x\\\n", 4).as_deref(),
            Some("\"\"\"\n    a\n      b \\$x\\\\\n\n    \"\"\"")
        );
        assert_eq!(
            block_string("a\nb", 0).as_deref(),
            Some("\"\"\"\na\nb\n\"\"\"")
        );
        assert_eq!(block_string("one line\n", 2), None);
        assert_eq!(block_string("a \nb", 2), None);
        assert_eq!(block_string("a\n\"\"\"\nb", 2), None);
        assert_eq!(block_string("a\r\nb\r\n", 2), None);
    }

    #[test]
    fn floats_stay_floats() {
        assert_eq!(float_text(1.0), "1.0");
        assert_eq!(float_text(1e-5), "1e-5");
        assert_eq!(float_text(0.0006), "0.0006");
        assert_eq!(float_text(1e16), "1e16");
        assert_eq!(float_text(-2.5), "-2.5");
    }

    #[test]
    fn idents() {
        assert_eq!(
            ident("values-06-session.routing"),
            "values_06_session_routing"
        );
        assert_eq!(ident("125M"), "_125M");
        assert_eq!(ident("env"), "env_");
        assert_eq!(ident(""), "_");
    }
}
