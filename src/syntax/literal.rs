//! Literal tokens (LANGUAGE.md §1): numbers, durations, string escapes and
//! the layout of `"""` strings. Everything is checked: an out-of-range literal
//! is a diagnostic, never a wrap, an infinity or a panic.
//!
//! These helpers know nothing about pest or spans; errors carry a byte offset
//! and length relative to the text they were given, and the caller turns them
//! into diagnostics at the right place.

use crate::ast::ExprKind;
use crate::diagnostics::Code;

/// A problem with a literal: what, where (relative offset and length), and
/// which diagnostic code it deserves.
#[derive(Debug, Clone, PartialEq)]
pub struct LitError {
    pub code: Code,
    pub message: String,
    pub offset: usize,
    pub len: usize,
}

impl LitError {
    fn syntax(offset: usize, len: usize, message: impl Into<String>) -> LitError {
        LitError {
            code: Code::Syntax,
            message: message.into(),
            offset,
            len,
        }
    }

    fn arithmetic(len: usize, message: impl Into<String>) -> LitError {
        LitError {
            code: Code::Arithmetic,
            message: message.into(),
            offset: 0,
            len,
        }
    }
}

/// Nanoseconds per unit of a duration literal.
fn unit_nanos(unit: &str) -> Option<i128> {
    Some(match unit {
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return None,
    })
}

/// Parses a `number` token: an int, a float or a duration, with an optional
/// leading `-` and `_` digit separators.
pub fn parse_number(text: &str) -> Result<ExprKind, LitError> {
    let unit_len = ["ms", "s", "m", "h", "d"]
        .iter()
        .find(|u| text.ends_with(*u))
        .map_or(0, |u| u.len());
    let (num, unit) = text.split_at(text.len() - unit_len);
    let clean: String = num.chars().filter(|&c| c != '_').collect();
    if !unit.is_empty() {
        return parse_duration(&clean, unit, text.len());
    }
    if clean.contains(['.', 'e', 'E']) {
        let value: f64 = clean
            .parse()
            .map_err(|_| LitError::syntax(0, text.len(), "invalid float literal"))?;
        if !value.is_finite() {
            return Err(LitError::arithmetic(
                text.len(),
                "float literal does not fit in 64 bits",
            ));
        }
        return Ok(ExprKind::Float(value));
    }
    clean
        .parse::<i64>()
        .map(ExprKind::Int)
        .map_err(|_| LitError::arithmetic(text.len(), "integer literal does not fit in 64 bits"))
}

/// A duration `[-]int[.frac]` of `unit`, in nanoseconds, rounded to nearest
/// (halves away from zero).
fn parse_duration(num: &str, unit: &str, len: usize) -> Result<ExprKind, LitError> {
    if num.contains(['e', 'E']) {
        return Err(LitError::syntax(
            0,
            len,
            "a duration cannot have an exponent",
        ));
    }
    let nanos = unit_nanos(unit).expect("grammar: duration unit");
    let (negative, digits) = num.strip_prefix('-').map_or((false, num), |d| (true, d));
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let overflow = || LitError::arithmetic(len, "duration literal does not fit in 64 bits");
    let mut total: i128 = 0;
    for b in int_part.bytes() {
        total = total
            .checked_mul(10)
            .and_then(|t| t.checked_add(i128::from(b - b'0')))
            .ok_or_else(overflow)?;
        if total > i128::from(i64::MAX) {
            return Err(overflow());
        }
    }
    total = total.checked_mul(nanos).ok_or_else(overflow)?;
    // Only the first 20 fractional digits matter below one nanosecond.
    let frac: String = frac_part.chars().take(20).collect();
    if !frac.is_empty() {
        let scale = 10i128.pow(frac.len() as u32);
        let numer: i128 = frac.parse::<i128>().map_err(|_| overflow())? * nanos;
        let (q, r) = (numer / scale, numer % scale);
        total += q + i128::from(2 * r >= scale);
    }
    let signed = if negative { -total } else { total };
    i64::try_from(signed)
        .map(ExprKind::Duration)
        .map_err(|_| overflow())
}

/// Decodes the escapes of a piece of string source: `\" \\ \n \t \r \$ \u{…}`.
pub fn decode_escapes(raw: &str, out: &mut String) -> Result<(), LitError> {
    let mut rest = raw;
    let mut offset = 0;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let esc = &rest[pos..];
        let (ch, used) = decode_one(esc).map_err(|mut e| {
            e.offset += offset + pos;
            e
        })?;
        out.push(ch);
        rest = &esc[used..];
        offset += pos + used;
    }
    out.push_str(rest);
    Ok(())
}

/// Decodes the escape at the start of `esc` (which starts with `\`): the
/// character and the number of bytes used.
fn decode_one(esc: &str) -> Result<(char, usize), LitError> {
    let next = esc[1..].chars().next();
    let simple = match next {
        Some('"') => Some('"'),
        Some('\\') => Some('\\'),
        Some('n') => Some('\n'),
        Some('t') => Some('\t'),
        Some('r') => Some('\r'),
        Some('$') => Some('$'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Ok((ch, 2));
    }
    match next {
        Some('u') => decode_unicode(esc),
        Some(c) if !c.is_control() => Err(LitError::syntax(
            0,
            1 + c.len_utf8(),
            format!("invalid escape `\\{c}`; valid escapes are \\\" \\\\ \\n \\t \\r \\$ \\u{{…}}"),
        )),
        _ => Err(LitError::syntax(
            0,
            1,
            "invalid escape `\\` at the end of a line",
        )),
    }
}

/// `\u{1F600}`: one to six hex digits naming a Unicode scalar value.
fn decode_unicode(esc: &str) -> Result<(char, usize), LitError> {
    let bad = |len: usize| {
        LitError::syntax(
            0,
            len,
            "invalid unicode escape; write `\\u{…}` with 1 to 6 hex digits",
        )
    };
    let Some(body) = esc.get(2..).and_then(|s| s.strip_prefix('{')) else {
        return Err(bad(2));
    };
    let Some(close) = body.find('}') else {
        return Err(bad(3));
    };
    let hex = &body[..close];
    let used = 4 + close;
    if hex.is_empty() || hex.len() > 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(used));
    }
    let code = u32::from_str_radix(hex, 16).map_err(|_| bad(used))?;
    let ch = char::from_u32(code).ok_or_else(|| {
        LitError::syntax(
            0,
            used,
            format!("`\\u{{{hex}}}` is not a Unicode scalar value"),
        )
    })?;
    Ok((ch, used))
}

/// A piece of string source: text at a byte offset (relative to the file), or
/// an interpolation hole carrying the caller's payload.
#[derive(Debug, Clone)]
pub enum RawPart<'a, T> {
    Text(usize, &'a str),
    Hole(T),
}

/// Lays out the pieces of a `"""` string (LANGUAGE.md §1): drops the line
/// break after the opening `"""` and the line holding the closing `"""`,
/// removes the closing delimiter's indentation from every line and turns
/// `\r\n` into `\n`. The result is still raw (escapes undecoded). `close` is
/// the file offset of the closing `"""`, for errors.
pub fn dedent<'a, T>(
    parts: Vec<RawPart<'a, T>>,
    close: usize,
) -> Result<Vec<RawPart<'a, T>>, LitError> {
    let lines = split_lines(parts);
    if lines.len() == 1 {
        return Ok(lines.into_iter().flatten().collect());
    }
    let last = lines
        .last()
        .expect("split_lines returns at least one line, and this branch has two or more");
    let indent = match last.as_slice() {
        [] => "",
        [RawPart::Text(_, t)] if t.bytes().all(|b| b == b' ' || b == b'\t') => *t,
        _ => {
            return Err(LitError::syntax(
                close,
                3,
                "the closing `\"\"\"` must be on its own line",
            ))
        }
    };
    let n = lines.len();
    let mut out = Vec::new();
    let mut kept = 0;
    for (i, line) in lines.into_iter().enumerate() {
        if (i == 0 && is_blank(&line)) || i == n - 1 {
            continue;
        }
        if kept > 0 {
            out.push(RawPart::Text(usize::MAX, "\n"));
        }
        kept += 1;
        strip_indent(line, indent, i > 0, &mut out)?;
    }
    Ok(fix_newlines(out))
}

/// Splits pieces into lines at `\n` (dropping a `\r` before it).
fn split_lines<T>(parts: Vec<RawPart<'_, T>>) -> Vec<Vec<RawPart<'_, T>>> {
    let mut lines = vec![Vec::new()];
    for part in parts {
        match part {
            RawPart::Hole(h) => lines
                .last_mut()
                .expect("lines starts with one entry and only grows")
                .push(RawPart::Hole(h)),
            RawPart::Text(off, text) => {
                let mut start = 0;
                for (i, _) in text.match_indices('\n') {
                    let line = text[start..i].strip_suffix('\r').unwrap_or(&text[start..i]);
                    push_text(
                        lines
                            .last_mut()
                            .expect("lines starts with one entry and only grows"),
                        off + start,
                        line,
                    );
                    lines.push(Vec::new());
                    start = i + 1;
                }
                push_text(
                    lines
                        .last_mut()
                        .expect("lines starts with one entry and only grows"),
                    off + start,
                    &text[start..],
                );
            }
        }
    }
    lines
}

fn push_text<'a, T>(line: &mut Vec<RawPart<'a, T>>, off: usize, text: &'a str) {
    if !text.is_empty() {
        line.push(RawPart::Text(off, text));
    }
}

fn is_blank<T>(line: &[RawPart<'_, T>]) -> bool {
    line.iter()
        .all(|p| matches!(p, RawPart::Text(_, t) if t.trim_matches([' ', '\t']).is_empty()))
}

/// Removes `indent` from the start of a line; a blank line becomes empty.
fn strip_indent<'a, T>(
    line: Vec<RawPart<'a, T>>,
    indent: &str,
    check: bool,
    out: &mut Vec<RawPart<'a, T>>,
) -> Result<(), LitError> {
    if is_blank(&line) {
        return Ok(());
    }
    let mut parts = line.into_iter();
    match parts.next() {
        Some(RawPart::Text(off, t)) if t.starts_with(indent) => {
            push_text(out, off + indent.len(), &t[indent.len()..]);
        }
        Some(RawPart::Text(off, _)) if check => {
            return Err(LitError::syntax(
                off,
                1,
                "this line is indented less than the closing `\"\"\"`",
            ))
        }
        Some(first) => out.push(first),
        None => {}
    }
    out.extend(parts);
    Ok(())
}

/// Newline markers carry no source offset; give them the previous piece's end
/// so errors never point at `usize::MAX`.
fn fix_newlines<T>(parts: Vec<RawPart<'_, T>>) -> Vec<RawPart<'_, T>> {
    let mut last_end = 0;
    parts
        .into_iter()
        .map(|p| match p {
            RawPart::Text(usize::MAX, t) => RawPart::Text(last_end, t),
            RawPart::Text(off, t) => {
                last_end = off + t.len();
                RawPart::Text(off, t)
            }
            hole @ RawPart::Hole(_) => hole,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> ExprKind {
        parse_number(s).unwrap()
    }

    #[test]
    fn integers() {
        assert_eq!(num("42"), ExprKind::Int(42));
        assert_eq!(num("1_000_000"), ExprKind::Int(1_000_000));
        assert_eq!(num("-9223372036854775808"), ExprKind::Int(i64::MIN));
        let err = parse_number("99999999999999999999").unwrap_err();
        assert_eq!(err.code, Code::Arithmetic);
        assert_eq!(err.message, "integer literal does not fit in 64 bits");
    }

    #[test]
    fn floats() {
        assert_eq!(num("0.5"), ExprKind::Float(0.5));
        assert_eq!(num("3e-4"), ExprKind::Float(3e-4));
        assert_eq!(num("1.0e6"), ExprKind::Float(1.0e6));
        assert_eq!(num("1e300"), ExprKind::Float(1e300));
        assert_eq!(parse_number("1e400").unwrap_err().code, Code::Arithmetic);
    }

    #[test]
    fn durations() {
        assert_eq!(num("200ms"), ExprKind::Duration(200_000_000));
        assert_eq!(num("1.5s"), ExprKind::Duration(1_500_000_000));
        assert_eq!(num("30m"), ExprKind::Duration(1_800_000_000_000));
        assert_eq!(num("2h"), ExprKind::Duration(7_200_000_000_000));
        assert_eq!(num("1d"), ExprKind::Duration(86_400_000_000_000));
        assert_eq!(num("-10ms"), ExprKind::Duration(-10_000_000));
        // Fractional nanoseconds round to nearest.
        assert_eq!(num("0.0000000015s"), ExprKind::Duration(2));
        assert_eq!(num("0.0000000014s"), ExprKind::Duration(1));
        assert_eq!(parse_number("200000d").unwrap_err().code, Code::Arithmetic);
        assert_eq!(
            parse_number("99999999999999999999999ms").unwrap_err().code,
            Code::Arithmetic
        );
        assert_eq!(parse_number("1e3s").unwrap_err().code, Code::Syntax);
    }

    #[test]
    fn escapes() {
        let mut s = String::new();
        decode_escapes(r#"a\"b\\c\nd\te\rf\$g\u{1F600}"#, &mut s).unwrap();
        assert_eq!(s, "a\"b\\c\nd\te\rf$g\u{1F600}");
        let err = decode_escapes(r"ab\q", &mut String::new()).unwrap_err();
        assert_eq!((err.offset, err.len), (2, 2));
        let err = decode_escapes(r"x\u{D800}", &mut String::new()).unwrap_err();
        assert_eq!(err.offset, 1);
        assert!(decode_escapes(r"\u{1234567}", &mut String::new()).is_err());
        assert!(decode_escapes(r"\u1234", &mut String::new()).is_err());
    }

    fn texts(parts: &[RawPart<'_, ()>]) -> String {
        parts
            .iter()
            .map(|p| match p {
                RawPart::Text(_, t) => (*t).to_string(),
                RawPart::Hole(()) => "<>".to_string(),
            })
            .collect()
    }

    #[test]
    fn dedent_layout() {
        let src = "\n    hello\n      world\n\n    end\n    ";
        let out = dedent::<()>(vec![RawPart::Text(0, src)], 99).unwrap();
        assert_eq!(texts(&out), "hello\n  world\n\nend");
        let src = "\r\n  a\r\n  ";
        assert_eq!(
            texts(&dedent::<()>(vec![RawPart::Text(0, src)], 9).unwrap()),
            "a"
        );
        let parts = vec![
            RawPart::Text(0, "\n  x "),
            RawPart::Hole(()),
            RawPart::Text(9, "\n  "),
        ];
        assert_eq!(texts(&dedent(parts, 9).unwrap()), "x <>");
        assert!(dedent::<()>(vec![RawPart::Text(0, "\n  a\n b\n  ")], 9).is_err());
        assert!(dedent::<()>(vec![RawPart::Text(0, "\n  a\n  b")], 9).is_err());
        assert_eq!(
            texts(&dedent::<()>(vec![RawPart::Text(0, "one line")], 9).unwrap()),
            "one line"
        );
    }
}
