//! mcfg's regex syntax (the Rust `regex` crate) translated into a JSON Schema
//! `pattern` that means exactly the same in ECMA-262 with the `u` flag (ajv's
//! default, `unicodeRegExp: true`) and in Python's `re` (what the
//! `jsonschema` package uses).
//!
//! The translation works on the regex's HIR (`regex-syntax`), where flags,
//! case folding, Perl and POSIX classes and Unicode properties are already
//! resolved into plain sets of code points, so `(?i)k`, `[[:alpha:]]`,
//! `\p{L}` and `\d` (Unicode digits in Rust, ASCII in ECMA-262) become explicit
//! classes that both engines read the same way. Anchors and word boundaries
//! become lookarounds where the engines' own shorthands differ (`$` also
//! matches before a final newline in Python; `\b` is ASCII-only in
//! ECMA-262). What has no exact form in both (`(?R)` CRLF anchors, byte
//! classes beyond ASCII) is refused, and the caller keeps the check out of
//! `pattern` with a `$comment`.
//!
//! A translated pattern is a *search* pattern, as JSON Schema's `pattern` is:
//! the input is the source mcfg itself compiles (with the `^(?:…)$` it adds
//! around an unanchored pattern, see [`crate::resolve::types::pattern_source`]).

use std::fmt::Write as _;

use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};

/// The longest translation put into `pattern` (an `\p{L}` class is about
/// 5,000 characters; a Unicode `\b` about four times that).
pub const MAX_PATTERN: usize = 16 * 1024;

/// Why a regex has no exact JSON Schema `pattern`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotExact {
    /// The regex does not parse (mcfg rejected it already; kept for safety).
    Parse,
    /// A byte class or literal outside ASCII (`(?-u:\xFF)`).
    Bytes,
    /// `(?R)` line anchors (CRLF-aware), which no lookaround of width one states.
    CrlfAnchor,
    /// The translation is longer than [`MAX_PATTERN`].
    TooLong(usize),
}

impl std::fmt::Display for NotExact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotExact::Parse => f.write_str("the regex does not parse"),
            NotExact::Bytes => f.write_str("it matches bytes that are not text"),
            NotExact::CrlfAnchor => f.write_str("CRLF line anchors `(?R)` have no ECMA-262 form"),
            NotExact::TooLong(n) => write!(
                f,
                "its exact ECMA-262 form is {n} characters (more than {MAX_PATTERN})"
            ),
        }
    }
}

/// The ECMA-262 (`u` flag) and Python `re` form of the Rust regex `source`.
pub fn ecma(source: &str) -> Result<String, NotExact> {
    let hir = regex_syntax::Parser::new()
        .parse(source)
        .map_err(|_| NotExact::Parse)?;
    let mut out = String::new();
    emit(&hir, &mut out)?;
    if out.len() > MAX_PATTERN {
        return Err(NotExact::TooLong(out.len()));
    }
    Ok(out)
}

fn emit(hir: &Hir, out: &mut String) -> Result<(), NotExact> {
    match hir.kind() {
        HirKind::Empty => {}
        HirKind::Literal(lit) => {
            let text = std::str::from_utf8(&lit.0).map_err(|_| NotExact::Bytes)?;
            for c in text.chars() {
                literal(c, out);
            }
        }
        HirKind::Class(class) => {
            let class = unicode(class)?;
            set(&class, out);
        }
        HirKind::Look(look) => emit_look(*look, out)?,
        HirKind::Repetition(rep) => {
            if atomic(&rep.sub) {
                emit(&rep.sub, out)?;
            } else {
                out.push_str("(?:");
                emit(&rep.sub, out)?;
                out.push(')');
            }
            match (rep.min, rep.max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (n, None) => {
                    let _ = write!(out, "{{{n},}}");
                }
                (n, Some(m)) if n == m => {
                    let _ = write!(out, "{{{n}}}");
                }
                (n, Some(m)) => {
                    let _ = write!(out, "{{{n},{m}}}");
                }
            }
            if !rep.greedy {
                out.push('?');
            }
        }
        // Rust regexes have no backreferences: a non-capturing group is exact
        // (and avoids the three engines' different named-group syntaxes).
        HirKind::Capture(cap) => {
            out.push_str("(?:");
            emit(&cap.sub, out)?;
            out.push(')');
        }
        HirKind::Concat(subs) => {
            for sub in subs {
                emit(sub, out)?;
            }
        }
        HirKind::Alternation(subs) => {
            out.push_str("(?:");
            for (i, sub) in subs.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(sub, out)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

/// Whether a quantifier can follow `hir`'s translation without a group.
fn atomic(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Class(_) | HirKind::Capture(_) | HirKind::Alternation(_) => true,
        HirKind::Literal(lit) => std::str::from_utf8(&lit.0).is_ok_and(|s| s.chars().count() == 1),
        _ => false,
    }
}

/// A class as code points (a byte class only when it is all ASCII).
fn unicode(class: &Class) -> Result<ClassUnicode, NotExact> {
    match class {
        Class::Unicode(c) => Ok(c.clone()),
        Class::Bytes(b) => b
            .to_unicode_class()
            .filter(|_| b.is_ascii())
            .ok_or(NotExact::Bytes),
    }
}

fn emit_look(look: Look, out: &mut String) -> Result<(), NotExact> {
    // `[\s\S]`-free forms: each is one assertion both engines agree on.
    let word = |unicode_word: bool| -> String {
        let mut w = String::new();
        if unicode_word {
            let hir = regex_syntax::Parser::new().parse(r"\w");
            if let Ok(HirKind::Class(Class::Unicode(c))) = hir.as_ref().map(Hir::kind) {
                set(c, &mut w);
                return w;
            }
        }
        w.push_str("[0-9A-Z_a-z]");
        w
    };
    let text = match look {
        Look::Start => "^".to_owned(),
        // Python's `$` also matches before a final newline.
        Look::End => r"$(?!\n)".to_owned(),
        Look::StartLF => r"(?<![^\n])".to_owned(),
        Look::EndLF => r"(?![^\n])".to_owned(),
        Look::StartCRLF | Look::EndCRLF => return Err(NotExact::CrlfAnchor),
        Look::WordAscii | Look::WordUnicode => {
            let w = word(look == Look::WordUnicode);
            format!("(?:(?<={w})(?!{w})|(?<!{w})(?={w}))")
        }
        Look::WordAsciiNegate | Look::WordUnicodeNegate => {
            let w = word(look == Look::WordUnicodeNegate);
            format!("(?:(?<={w})(?={w})|(?<!{w})(?!{w}))")
        }
        Look::WordStartAscii | Look::WordStartUnicode => {
            let w = word(look == Look::WordStartUnicode);
            format!("(?<!{w})(?={w})")
        }
        Look::WordEndAscii | Look::WordEndUnicode => {
            let w = word(look == Look::WordEndUnicode);
            format!("(?<={w})(?!{w})")
        }
        Look::WordStartHalfAscii | Look::WordStartHalfUnicode => {
            let w = word(look == Look::WordStartHalfUnicode);
            format!("(?<!{w})")
        }
        Look::WordEndHalfAscii | Look::WordEndHalfUnicode => {
            let w = word(look == Look::WordEndHalfUnicode);
            format!("(?!{w})")
        }
    };
    // Not atomic: under a quantifier it gets a group, which ECMA-262's `u`
    // mode requires around an assertion.
    out.push_str(&text);
    Ok(())
}

/// A set of code points: one literal, `[...]`, or `[^...]` when the
/// complement is shorter (Rust classes never hold surrogates, and neither do
/// the strings of an artifact, so the complements agree).
fn set(class: &ClassUnicode, out: &mut String) {
    let ranges = class.ranges();
    match ranges {
        [] => return out.push_str("(?!)"),
        [r] if r.start() == r.end() => return literal(r.start(), out),
        _ => {}
    }
    let mut neg = class.clone();
    neg.negate();
    if neg.ranges().is_empty() {
        return out.push_str(r"[\s\S]");
    }
    if neg.ranges().len() < ranges.len() {
        out.push_str("[^");
        items(neg.ranges(), out);
    } else {
        out.push('[');
        items(ranges, out);
    }
    out.push(']');
}

fn items(ranges: &[ClassUnicodeRange], out: &mut String) {
    for r in ranges {
        class_char(r.start(), out);
        if r.end() != r.start() {
            if u32::from(r.end()) > u32::from(r.start()) + 1 {
                out.push('-');
            }
            class_char(r.end(), out);
        }
    }
}

/// A character outside a class.
fn literal(c: char, out: &mut String) {
    if "^$\\.*+?()[]{}|/".contains(c) {
        out.push('\\');
        out.push(c);
    } else {
        plain(c, out);
    }
}

/// A character inside a class. `&` and `~` are written as `\x..` because
/// ECMA-262's `u` mode forbids `\&` and Python warns about doubled ones.
fn class_char(c: char, out: &mut String) {
    match c {
        '\\' | ']' | '[' | '^' | '-' | '|' => {
            out.push('\\');
            out.push(c);
        }
        '&' | '~' => {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        }
        _ => plain(c, out),
    }
}

/// Printable ASCII and characters beyond the BMP as themselves (ECMA-262's
/// `\u{...}` and Python's `\U...` differ); other characters as escapes both
/// engines read.
fn plain(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str(r"\n"),
        '\r' => out.push_str(r"\r"),
        '\t' => out.push_str(r"\t"),
        ' '..='~' => out.push(c),
        _ if u32::from(c) < 0x100 => {
            let _ = write!(out, "\\x{:02X}", u32::from(c));
        }
        _ if u32::from(c) <= 0xFFFF => {
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        }
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_forms() {
        let t = |s: &str| ecma(s).expect("translatable");
        assert_eq!(t("^[a-z][a-z0-9_]*$"), r"^[a-z][0-9_a-z]*$(?!\n)");
        assert_eq!(t("(?:^|a)*$"), r"(?:^|a)*$(?!\n)");
        assert_eq!(t("(?m:^)*x"), r"(?:(?<![^\n]))?x");
        assert_eq!(t("(?i)ab"), "[Aa][Bb]");
        assert_eq!(t("(?i)k"), "[Kk\\u212A]");
        assert_eq!(t("[[:alpha:]]+"), "[A-Za-z]+");
        assert_eq!(t("a.b"), r"a[^\n]b");
        assert_eq!(t("(?s)."), r"[\s\S]");
        assert_eq!(t(r"x{2,5}?(ab)+"), "x{2,5}?(?:ab)+");
        assert_eq!(t(r"\.json|a/b"), r"(?:\.json|a\/b)");
        assert_eq!(t("[&~^-]"), r"[\x26\-\^\x7E]");
        assert!(t(r"\d").contains("\\u0660"), "Unicode digits");
        assert!(t(r"\p{L}").starts_with("[A-Za-z"));
        assert_eq!(t(r"(?m)^a$"), r"(?<![^\n])a(?![^\n])");
        assert_eq!(
            t(r"(?-u:\b)x"),
            "(?:(?<=[0-9A-Z_a-z])(?![0-9A-Z_a-z])|(?<![0-9A-Z_a-z])(?=[0-9A-Z_a-z]))x"
        );
        assert_eq!(t("[^\\s\\S]"), "(?!)");
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(ecma("(?mR)^a"), Err(NotExact::CrlfAnchor));
        // mcfg matches text: a regex that could match non-UTF-8 bytes does not parse.
        assert_eq!(ecma(r"(?-u:\xFF)"), Err(NotExact::Parse));
        assert_eq!(ecma(r"(?-u:[a-c])"), Ok("[a-c]".into()));
        assert!(matches!(ecma(r"\b\w\b"), Ok(_) | Err(NotExact::TooLong(_))));
        assert!(matches!(ecma(r"\b\p{L}\b\b"), Err(NotExact::TooLong(_))));
    }
}
