//! Literal tokens of the fast parser: `number` and the two string rules,
//! decoded by the same `literal` helpers as the pest path (any decoding
//! error rejects, so pest reports it).

use super::{is_ident_char, Parser, Reject, R};
use crate::ast::{ExprKind, StrPart};
use crate::syntax::literal::{self, RawPart};

impl Parser<'_> {
    /// Whether a `number` token starts at the cursor.
    pub(super) fn at_number(&self) -> bool {
        let c = self.peek();
        c.is_ascii_digit() || (c == b'-' && self.peek_at(1).is_ascii_digit())
    }

    /// The `number` token at the cursor, decoded.
    pub(super) fn number(&mut self) -> R<ExprKind> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        let digits = |i: &mut usize| {
            while b.get(*i).is_some_and(|&c| c.is_ascii_digit() || c == b'_') {
                *i += 1;
            }
        };
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        if at(i) == b'-' {
            i += 1;
        }
        if !at(i).is_ascii_digit() {
            return Err(Reject);
        }
        digits(&mut i);
        if at(i) == b'.' && at(i + 1).is_ascii_digit() {
            i += 1;
            digits(&mut i);
        }
        if matches!(at(i), b'e' | b'E') {
            let mut j = i + 1;
            if matches!(at(j), b'+' | b'-') {
                j += 1;
            }
            if at(j).is_ascii_digit() {
                while at(j).is_ascii_digit() {
                    j += 1;
                }
                i = j;
            }
        }
        if at(i) == b'm' && at(i + 1) == b's' {
            i += 2;
        } else if matches!(at(i), b's' | b'm' | b'h' | b'd') {
            i += 1;
        }
        if is_ident_char(at(i)) {
            return Err(Reject);
        }
        self.pos = i;
        let token = &self.text[start..i];
        // `parse_number` without its `_`-stripping copy, for the common
        // plain ints and floats (same results, same refusals).
        let plain = |c: u8| c.is_ascii_digit() || c == b'-' || c == b'.';
        if token.bytes().all(plain) {
            if token.contains('.') {
                let value: f64 = token.parse().map_err(|_| Reject)?;
                return if value.is_finite() {
                    Ok(ExprKind::Float(value))
                } else {
                    Err(Reject)
                };
            }
            return token.parse::<i64>().map(ExprKind::Int).map_err(|_| Reject);
        }
        literal::parse_number(token).map_err(|_| Reject)
    }

    /// A string that may not hold `${…}`: keys, paths, messages, regexes.
    pub(super) fn plain_string(&mut self) -> R<String> {
        match self.string()? {
            ExprKind::Str(s) => Ok(s.to_string()),
            _ => Err(Reject),
        }
    }

    /// `string = mstring | sstring` at the cursor, lowered like
    /// `Lower::lower_string`; interpolations are parsed at `rel + 1`.
    pub(super) fn string(&mut self) -> R<ExprKind> {
        let multi = self.b[self.pos..].starts_with(b"\"\"\"");
        let delim = if multi { 3 } else { 1 };
        self.pos += delim;
        let start = self.pos;
        let mut raw: Vec<RawPart<'_, usize>> = Vec::new();
        let mut holes = Vec::new();
        let mut piece = start;
        let end = loop {
            let Some(&c) = self.b.get(self.pos) else {
                return Err(Reject);
            };
            match c {
                b'"' if !multi => break self.pos,
                b'"' if self.b[self.pos..].starts_with(b"\"\"\"") => break self.pos,
                b'\\' => {
                    if self.pos + 1 >= self.b.len() {
                        return Err(Reject);
                    }
                    self.pos += 2;
                }
                b'\n' | b'\r' if !multi => return Err(Reject),
                b'$' if self.peek_at(1) == b'{' => {
                    raw.push(RawPart::Text(piece, &self.text[piece..self.pos]));
                    self.pos += 2;
                    self.skip_nl()?;
                    let saved = self.rel;
                    self.rel += 1;
                    let e = self.expr();
                    self.rel = saved;
                    holes.push(e?);
                    self.skip_nl()?;
                    self.expect("}")?;
                    raw.push(RawPart::Hole(holes.len() - 1));
                    piece = self.pos;
                }
                _ => self.pos += 1,
            }
        };
        self.pos = end + delim;
        if raw.is_empty() && !multi {
            // The common case: one piece of text.
            let mut lit = String::with_capacity(end - start);
            literal::decode_escapes(&self.text[start..end], &mut lit).map_err(|_| Reject)?;
            return Ok(ExprKind::Str(lit.into()));
        }
        raw.push(RawPart::Text(piece, &self.text[piece..end]));
        if multi {
            raw = literal::dedent(raw, end).map_err(|_| Reject)?;
        }
        let mut holes: Vec<Option<_>> = holes.into_iter().map(Some).collect();
        let mut out = Vec::new();
        let mut lit = String::new();
        for part in raw {
            match part {
                RawPart::Text(_, t) => literal::decode_escapes(t, &mut lit).map_err(|_| Reject)?,
                RawPart::Hole(i) => {
                    if !lit.is_empty() {
                        out.push(StrPart::Lit(std::mem::take(&mut lit)));
                    }
                    let e = holes.get_mut(i).and_then(Option::take).ok_or(Reject)?;
                    out.push(StrPart::Expr(e));
                }
            }
        }
        if out.is_empty() {
            return Ok(ExprKind::Str(lit.into()));
        }
        if !lit.is_empty() {
            out.push(StrPart::Lit(lit));
        }
        Ok(ExprKind::Interp(out))
    }
}
