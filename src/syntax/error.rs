//! Diagnostics of the syntax phase: pest errors turned into readable
//! `mcfg::syntax` messages, and the limit and literal errors.

use pest::error::{ErrorVariant, InputLocation};

use super::grammar::{rule_name, Rule};
use super::literal::LitError;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

/// The span of the character at `offset` (empty at the end of the text).
pub(super) fn char_span(file: FileId, text: &str, offset: usize) -> Span {
    let offset = offset.min(text.len());
    let len = text[offset..].chars().next().map_or(0, char::len_utf8);
    Span::new(file, offset, offset + len)
}

/// Nesting deeper than [`super::MAX_NESTING`] at `offset`.
pub(super) fn too_deep(file: FileId, text: &str, offset: usize) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        char_span(file, text, offset),
        format!("nesting deeper than {} levels", super::MAX_NESTING),
    )
    .with_help("split the value into smaller named parts")
}

/// An expression whose syntax tree would be deeper than [`super::MAX_EXPR_DEPTH`].
pub(super) fn expr_too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        span,
        format!(
            "expression nested deeper than {} levels",
            super::MAX_EXPR_DEPTH
        ),
    )
    .with_help("split the expression into smaller named parts")
}

/// A literal error at `base` (the file offset its offsets are relative to).
pub(super) fn literal(file: FileId, base: usize, err: LitError) -> Diagnostic {
    let start = base + err.offset;
    Diagnostic::error(
        err.code,
        Span::new(file, start, start + err.len.max(1)),
        err.message,
    )
}

/// A general syntax error at `span`.
pub(super) fn syntax(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Syntax, span, message)
}

/// Converts a pest error into a diagnostic at the error position.
pub(super) fn from_pest(file: FileId, text: &str, err: &pest::error::Error<Rule>) -> Diagnostic {
    let rule_pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    // Literal tokens tried further on than any rule give the better position.
    let token_pos = err.parse_attempts().map_or(0, |a| a.max_position);
    let offset = rule_pos.max(token_pos);
    let span = char_span(file, text, offset);
    if let ErrorVariant::CustomError { message } = &err.variant {
        return Diagnostic::error(Code::Limit, span, format!("the parser gave up: {message}"))
            .with_help("the file is too large or too deeply nested; split it");
    }
    let found = describe_found(text, offset);
    if let Some(ch) = text[offset.min(text.len())..].chars().next() {
        if ch.is_control() && !matches!(ch, '\n' | '\t' | '\r') {
            return Diagnostic::error(Code::Syntax, span, format!("unexpected {found}"))
                .with_help("control characters are only allowed inside strings");
        }
    }
    let expected = expectations(err, rule_pos >= token_pos);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_or(&expected))
    };
    let mut diag = Diagnostic::error(Code::Syntax, span, message);
    if expected.is_empty() {
        diag = diag.with_help(
            "is a value missing after `=` or an operator just before? (the expression then \
             continues on the next line); items are separated by a line break, `;` or `,`",
        );
    } else if expected.iter().any(|e| e == "`;`") {
        diag = diag.with_help("separate items with a line break, `;` or `,`");
    }
    diag
}

/// What the parser would have accepted, in friendly words, deduplicated.
fn expectations(err: &pest::error::Error<Rule>, with_rules: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    fn add(out: &mut Vec<String>, s: String) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if let Some(attempts) = err.parse_attempts() {
        let tokens: Vec<String> = attempts
            .expected_tokens()
            .iter()
            .map(|t| t.to_string())
            .collect();
        // Many operator characters mean "an operator could continue here".
        let n_ops = tokens
            .iter()
            .filter(|t| OPERATORS.contains(&t.as_str()))
            .count();
        for token in &tokens {
            if n_ops > 3 && OPERATORS.contains(&token.as_str()) {
                add(&mut out, "an operator".to_string());
            } else if let Some(word) = token_name(token) {
                add(&mut out, word);
            }
        }
    }
    if let (true, ErrorVariant::ParsingError { positives, .. }) = (with_rules, &err.variant) {
        for rule in positives {
            let name = rule_name(*rule);
            // Token-like rule names repeat what the expected tokens already say.
            if !name.starts_with('`') || out.is_empty() {
                add(&mut out, name.to_string());
            }
        }
    }
    out
}

/// Operator tokens of expressions.
const OPERATORS: &[&str] = &[
    "%", "*", "+", "-", "/", "<", "<=", "=", "==", ">", ">=", "!", "!=",
];

/// A literal token of the grammar as shown to users; whitespace, comment
/// openers and the grammar's one-character lookahead guards are not worth
/// mentioning (the rules they guard are named instead).
fn token_name(token: &str) -> Option<String> {
    match token {
        "\n" | "\r\n" | " " | "\t" | "/" | "//" | "/*" | "\\" | "$" | "!" | "_" => None,
        "env" | "check" => None,
        t if t.len() == 1 && t.bytes().all(|b| b.is_ascii_alphabetic()) => None,
        "\"" | "\"\"\"" => Some("a string".to_string()),
        // Character ranges (`a..z`) and built-in rules are covered by rule names.
        "BUILTIN_RULE" => None,
        t if t.chars().count() == 4 && t.get(1..3) == Some("..") => None,
        t => Some(format!("`{t}`")),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The text at `offset` as shown in "found …".
fn describe_found(text: &str, offset: usize) -> String {
    let rest = &text[offset.min(text.len())..];
    let Some(ch) = rest.chars().next() else {
        return "end of file".to_string();
    };
    match ch {
        '\n' | '\r' => "a line break".to_string(),
        c if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
        c if c.is_ascii_alphanumeric() || c == '_' => {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            format!("`{word}`")
        }
        c => format!("`{c}`"),
    }
}
