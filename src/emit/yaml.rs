//! YAML artifacts (`--format yaml`, CLI.md "Build output", LANGUAGE.md §7): block-style YAML
//! that a YAML 1.1 reader (PyYAML `safe_load`) and a YAML 1.2 reader (core or
//! JSON schema) both load to exactly the JSON artifact's value.
//!
//! # Layout
//!
//! Objects are block mappings and lists block sequences, nested by two spaces;
//! a list item that is a collection starts on the `- ` line (`- a: 1`,
//! `- - x`). Empty collections are `[]` and `{}`. `null`, `true` and `false`
//! are lower case. The file ends with a newline. Every scalar stays on one
//! line: multi-line strings are double-quoted with `\n` escapes.
//!
//! # Numbers
//!
//! Integers are written exactly (`-9223372036854775808`); integers above
//! `i64::MAX` are exact too, but readers limited to 64-bit signed integers
//! (saphyr) do not read them as integers. Floats use the same
//! shortest round-trip digits as the JSON artifact, but always with a `.` in
//! the mantissa and a signed exponent (`1.0`, `1.0e+300`, `5.0e-324`),
//! because YAML 1.1 reads `1e300` as a string and `1` as an integer.
//!
//! # Quoting rules
//!
//! Keys follow exactly the same rules as string values. A string is written
//! *plain* (unquoted) only when all of these hold:
//!
//! 1. it is not empty and every character is a printable ASCII character or a
//!    space, other than `#` and `:` (so no `: `, ` #`, tabs, line breaks,
//!    control characters, or any non-ASCII character such as U+0085,
//!    U+2028/U+2029 or emoji);
//! 2. its first character is not an ASCII digit, a space, an indicator
//!    (`-` `?` `:` `,` `[` `]` `{` `}` `#` `&` `*` `!` `|` `>` `'` `"` `%` `@`
//!    and the backtick), nor `+` `.` `=` `<` `~` — this covers
//!    every YAML 1.1/1.2 number form (sign, digit or `.` first: `1_000`,
//!    `0o17`, `0x1F`, `0b101`, `+1`, `.inf`, `-.Inf`, `.NaN`, `1e3`, `1:20`
//!    sexagesimal), dates and timestamps (`2001-12-14`, `12:30:00`), the
//!    null `~`, the value key `=` and the merge key `<<`, and every indicator;
//! 3. it does not end with a space;
//! 4. lower-cased, it is none of `y n yes no true false on off null inf
//!    infinity nan` (YAML 1.1 booleans `y`, `On`, `NO` ... and nulls in any
//!    casing, plus words some readers take for floats).
//!
//! Every other string is *double-quoted*. Inside double quotes `"` and `\`
//! are escaped, line feed, tab, carriage return and NUL become `\n`, `\t`,
//! `\r` and `\0`, and every character YAML does not count as printable, plus
//! U+0085, U+2028, U+2029 and U+FEFF (which YAML 1.1 readers treat as line
//! breaks or a byte-order mark), becomes `\xXX`, `\uXXXX` or `\UXXXXXXXX`.
//! Other non-ASCII characters are written as UTF-8.
//!
//! A key whose written form is longer than 128 characters uses the explicit
//! key form (`? "..."` then `: value`), because implicit keys are limited to
//! 1024 characters by YAML and PyYAML.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// Keys whose written form is longer than this use the explicit `? key` form.
const MAX_IMPLICIT_KEY_CHARS: usize = 128;

/// Characters that may not start a plain scalar (see the module doc, rule 2).
const NOT_FIRST: &str = "-?:,[]{}#&*!|>'\"%@`+.=<~ ";

/// Words (compared lower-cased) that some YAML reader resolves to a non-string.
const RESERVED_WORDS: [&str; 13] = [
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "inf", "infinity", "nan",
];

/// Renders `value` as block-style YAML with a final newline.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    to_string(value).into_bytes()
}

/// Renders `value` as a block-style YAML string with a final newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_block(&mut out, value, 0);
    out
}

/// Writes `s` as a YAML scalar: plain when that is unambiguous, else double-quoted.
pub fn quote_str(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

/// True when `s` may be written without quotes (module doc, "Quoting rules").
pub fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    s.chars()
        .all(|c| c == ' ' || (c.is_ascii_graphic() && c != '#' && c != ':'))
        && !first.is_ascii_digit()
        && !NOT_FIRST.contains(first)
        && !s.ends_with(' ')
        && !RESERVED_WORDS.contains(&s.to_ascii_lowercase().as_str())
}

/// Non-empty lists and objects are written in block style; everything else inline.
fn is_block(value: &Value) -> bool {
    match value {
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

/// Writes `value` starting at the cursor, which stands at column `indent`;
/// later lines of a non-empty collection are indented by `indent` spaces.
/// Scalars and empty collections take one line.
fn write_block(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => write_object(out, map, indent),
        Value::Array(items) if !items.is_empty() => write_list(out, items, indent),
        _ => {
            out.push_str(&scalar(value));
            out.push('\n');
        }
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>, indent: usize) {
    for (idx, (key, value)) in map.iter().enumerate() {
        if idx > 0 {
            pad(out, indent);
        }
        let key_text = quote_str(key);
        if key_text.chars().count() > MAX_IMPLICIT_KEY_CHARS {
            out.push_str("? ");
            out.push_str(&key_text);
            out.push('\n');
            pad(out, indent);
        } else {
            out.push_str(&key_text);
        }
        out.push(':');
        write_mapping_value(out, value, indent);
    }
}

/// Writes the value after a `key:` (the cursor stands right after the colon).
fn write_mapping_value(out: &mut String, value: &Value, indent: usize) {
    if is_block(value) {
        out.push('\n');
        pad(out, indent + 2);
        write_block(out, value, indent + 2);
    } else {
        out.push(' ');
        out.push_str(&scalar(value));
        out.push('\n');
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    for (idx, item) in items.iter().enumerate() {
        if idx > 0 {
            pad(out, indent);
        }
        out.push_str("- ");
        write_block(out, item, indent + 2);
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// The inline form of a scalar or an empty collection.
fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) => quote_str(s),
        Value::Array(_) => "[]".to_owned(),
        Value::Object(_) => "{}".to_owned(),
    }
}

fn number(n: &Number) -> String {
    let text = n.to_string();
    if n.is_f64() {
        float_text(&text)
    } else {
        text
    }
}

/// Turns serde_json's shortest float text (`1e300`, `1.0`, `5e-324`) into a
/// form every YAML reader takes for a float: a `.` in the mantissa and a
/// signed exponent (`1.0e+300`, `1.0`, `5.0e-324`).
fn float_text(text: &str) -> String {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (text, None),
    };
    let mut out = mantissa.to_owned();
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    if let Some(exponent) = exponent {
        out.push('e');
        if !exponent.starts_with(['+', '-']) {
            out.push('+');
        }
        out.push_str(exponent);
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if is_printable(c) => out.push(c),
            c => {
                let code = u32::from(c);
                // Writing into a String cannot fail.
                let _ = if code <= 0xFF {
                    write!(out, "\\x{code:02X}")
                } else if code <= 0xFFFF {
                    write!(out, "\\u{code:04X}")
                } else {
                    write!(out, "\\U{code:08X}")
                };
            }
        }
    }
    out.push('"');
    out
}

/// YAML's `c-printable`, less the characters that YAML 1.1 readers take for
/// line breaks (U+0085, U+2028, U+2029) and the byte-order mark U+FEFF.
fn is_printable(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nested_layout() {
        let value = json!({
            "name": "ranker",
            "serving": {"batch_size": 64, "timeout": 0.2},
            "tags": ["a", "b"],
            "layers": [{"units": 128, "act": "relu"}, {"units": 1}],
            "grid": [[1, 2], []],
            "empty": {},
            "none": null,
            "flag": false
        });
        assert_eq!(
            to_string(&value),
            r"name: ranker
serving:
  batch_size: 64
  timeout: 0.2
tags:
  - a
  - b
layers:
  - units: 128
    act: relu
  - units: 1
grid:
  - - 1
    - 2
  - []
empty: {}
none: null
flag: false
"
        );
    }

    #[test]
    fn floats_always_have_a_dot_and_a_signed_exponent() {
        let value = json!([
            1.0,
            0.1,
            1e300,
            -0.0,
            5e-324,
            1.7976931348623157e308,
            1e-7,
            7
        ]);
        assert_eq!(
            to_string(&value),
            "- 1.0\n- 0.1\n- 1.0e+300\n- -0.0\n- 5.0e-324\n- 1.7976931348623157e+308\n- 1.0e-7\n- 7\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "no", "On", "y", "~", "null", "1_000", "0o17", "0x1F", "+1", ".inf", "-.Inf",
        ] {
            assert_eq!(quote_str(s), format!("\"{s}\""), "{s}");
        }
        for s in [
            "12:30:00",
            "1:20",
            "2001-12-14",
            "=",
            "<<",
            "",
            " a",
            "a ",
            "- x",
            "a: b",
        ] {
            assert!(quote_str(s).starts_with('"'), "{s}");
        }
        assert_eq!(quote_str("a #b"), "\"a #b\"");
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "relu",
            "hello world",
            "s3/bucket/path",
            "a-b_c.d",
            "Yesterday",
            "nano",
        ] {
            assert_eq!(quote_str(s), s);
        }
    }

    #[test]
    fn escapes_in_double_quotes() {
        assert_eq!(quote_str("two\nlines"), r#""two\nlines""#);
        assert_eq!(quote_str("tab\there"), r#""tab\there""#);
        assert_eq!(quote_str("\"q\\"), r#""\"q\\""#);
        assert_eq!(
            quote_str("q\"b\\"),
            "q\"b\\",
            "quotes and backslashes inside plain are literal"
        );
        assert_eq!(quote_str("\u{1}\u{7f}\u{85}"), r#""\x01\x7F\x85""#);
        assert_eq!(
            quote_str("\u{2028}\u{2029}\u{feff}"),
            r#""\u2028\u2029\uFEFF""#
        );
        assert_eq!(quote_str("é🙂"), "\"é🙂\"");
        assert_eq!(quote_str("\u{FFFF}"), r#""\uFFFF""#);
    }

    #[test]
    fn long_keys_use_the_explicit_form() {
        let key = "k".repeat(200);
        let value = json!({ key.clone(): {"a": 1}, "b": [key] });
        assert_eq!(
            to_string(&value),
            format!("? {key}\n:\n  a: 1\nb:\n  - {key}\n")
        );
    }

    #[test]
    fn scalar_roots() {
        assert_eq!(to_string(&json!("no")), "\"no\"\n");
        assert_eq!(to_string(&json!({})), "{}\n");
        assert_eq!(to_string(&json!(null)), "null\n");
    }
}
