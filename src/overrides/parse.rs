//! The text of one `--set` argument: `[~][ENV:]CONFIG.PATH=EXPR`.
//!
//! The path is identifiers and quoted keys joined by dots, so the value
//! starts after the first `=` outside a quoted key (`a.name="x=y"` sets
//! `a.name` to `"x=y"`). The value is parsed by the real expression parser
//! with its spans in the argument's own pseudo-file.

use crate::ast::{Assign, AssignOp, Expr, Key, Name, Path, Stmt};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};

use super::Override;

/// What an argument asks for after its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `PATH=EXPR`.
    Set,
    /// `PATH+=EXPR` (append to a list, add map entries).
    Append,
    /// `PATH:=EXPR`: replace without merging (LANGUAGE.md §9.2).
    Replace,
    /// `~PATH`: remove the value.
    Unset,
}

struct Cursor<'t> {
    file: FileId,
    text: &'t str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    /// A one-character span at the cursor (empty at the end of the text).
    fn here(&self) -> Span {
        let len = self.text[self.pos..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        self.span(self.pos, self.pos + len)
    }

    fn ident(&mut self) -> Option<Key> {
        let start = self.pos;
        let bytes = self.text.as_bytes();
        if !bytes
            .get(start)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
        {
            return None;
        }
        let mut end = start + 1;
        while bytes
            .get(end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            end += 1;
        }
        self.pos = end;
        Some(Key {
            name: Name::from(&self.text[start..end]),
            quoted: false,
            span: self.span(start, end),
        })
    }

    /// `"..."` with `\"` and `\\` escapes.
    fn quoted(&mut self) -> Result<Key, Diagnostic> {
        let start = self.pos;
        let mut name = String::new();
        let mut chars = self.text[start + 1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos = start + 1 + i + 1;
                    return Ok(Key {
                        name: Name::from(name.as_str()),
                        quoted: true,
                        span: self.span(start, self.pos),
                    });
                }
                '\\' => match chars.next() {
                    Some((_, e @ ('"' | '\\'))) => name.push(e),
                    Some((_, 'n')) => name.push('\n'),
                    Some((_, 't')) => name.push('\t'),
                    _ => {
                        let at = start + 1 + i;
                        return Err(err(
                            self.span(at, at + 1),
                            "unknown escape in a quoted key",
                            "quoted keys know `\\\"`, `\\\\`, `\\n` and `\\t`",
                        ));
                    }
                },
                c => name.push(c),
            }
        }
        Err(err(
            self.span(start, self.text.len()),
            "this quoted key is not closed",
            "close it with `\"`; quote the whole argument for the shell: --set 'a.\"b.c\"=1'",
        ))
    }

    fn key(&mut self) -> Result<Option<Key>, Diagnostic> {
        match self.peek() {
            Some(b'"') => self.quoted().map(Some),
            _ => Ok(self.ident()),
        }
    }
}

fn err(span: Span, message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Override, span, message).with_help(help)
}

const FORM: &str = "write `--set CONFIG.PATH=VALUE` (VALUE is an mcfg expression: 3, \"gpu\", [1, 2]), `--set ENV:CONFIG.PATH=VALUE`, `--set '+CONFIG.PATH=VALUE'` to add a key, or `--set '~CONFIG.PATH'` to remove a value";

/// The part of an argument before its value: `[~][ENV:]PATH` and the operator.
#[derive(Debug)]
pub(crate) struct Head {
    pub env: Option<Key>,
    pub keys: Vec<Key>,
    pub path_span: Span,
    pub action: Action,
    /// `+PATH=EXPR`: the path must not exist yet (Hydra's `+key=value`).
    pub adds: bool,
    /// Where the value starts (`None` for `~`).
    pub value_start: Option<usize>,
}

impl Head {
    /// The path as written in the argument.
    pub fn path_text<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.path_span.start as usize..self.path_span.end as usize)
            .unwrap_or("")
    }
}

/// Parses the argument `text` held by pseudo-file `file`.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub fn parse(file: FileId, text: &str, index: u32) -> Result<Override, Diagnostic> {
    let h = head(file, text)?;
    let value = match h.value_start {
        None => None,
        Some(start) => Some(value(file, text, start, h.path_text(text))?),
    };
    let mut ov = Override::new(
        index,
        file,
        text,
        h.env,
        h.keys,
        h.path_span,
        h.action,
        value,
    );
    ov.adds = h.adds;
    Ok(ov)
}

/// `~` or `+`, and `ENV:`, before the path (either order): (unset, adds, env).
fn prefix(cur: &mut Cursor<'_>, text: &str) -> (bool, bool, Option<Key>) {
    let mut unset = false;
    let mut adds = false;
    match cur.peek() {
        Some(b'~') => unset = true,
        Some(b'+') => adds = true,
        _ => {}
    }
    if unset || adds {
        cur.pos += 1;
    }
    // `ENV:` before the path: an identifier followed by `:` (not `:=`).
    let mut env = None;
    let save = cur.pos;
    if let Some(k) = cur.ident() {
        if cur.peek() == Some(b':') && text.as_bytes().get(cur.pos + 1) != Some(&b'=') {
            cur.pos += 1;
            env = Some(k);
            match cur.peek() {
                Some(b'~') if !unset && !adds => {
                    unset = true;
                    cur.pos += 1;
                }
                Some(b'+') if !unset && !adds => {
                    adds = true;
                    cur.pos += 1;
                }
                _ => {}
            }
        } else {
            cur.pos = save;
        }
    } else {
        cur.pos = save;
    }
    (unset, adds, env)
}

/// Parses `[~|+][ENV:][~|+]PATH` and the operator after it.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub(crate) fn head(file: FileId, text: &str) -> Result<Head, Diagnostic> {
    let mut cur = Cursor { file, text, pos: 0 };
    cur.skip_blanks();
    let (unset, adds, env) = prefix(&mut cur, text);
    let path_start = cur.pos;
    let mut keys = Vec::new();
    loop {
        match cur.key()? {
            Some(k) => keys.push(k),
            None => {
                let span = cur.here();
                let (msg, help) = match cur.peek() {
                    None if keys.is_empty() && text.trim().is_empty() => {
                        ("empty override".to_owned(), FORM.to_owned())
                    }
                    Some(b'=') if keys.is_empty() => {
                        ("this override has no path before `=`".to_owned(), FORM.to_owned())
                    }
                    None => (
                        "the path ends after `.`".to_owned(),
                        "name the field after the dot".to_owned(),
                    ),
                    Some(_) => (
                        format!("expected a field name, found `{}`", cur.text[span.start as usize..span.end as usize].escape_debug()),
                        "paths are names joined by `.`; quote other keys: --set 'svc.labels.\"app-name\"=\"x\"'".to_owned(),
                    ),
                };
                return Err(err(span, msg, help));
            }
        }
        if cur.peek() == Some(b'.') {
            cur.pos += 1;
            continue;
        }
        break;
    }
    let path_span = cur.span(path_start, cur.pos);
    cur.skip_blanks();
    let path_text = &text[path_start..path_span.end as usize];
    let (action, value_start) = match (cur.peek(), unset) {
        (None, true) => (Action::Unset, None),
        (_, true) => {
            return Err(err(
                cur.here(),
                "`~` removes a value: nothing may follow its path",
                format!("write `--set '~{path_text}'`"),
            ))
        }
        (Some(b'='), false) => (Action::Set, Some(cur.pos + 1)),
        (Some(b'+'), false) if text.as_bytes().get(cur.pos + 1) == Some(&b'=') => {
            (Action::Append, Some(cur.pos + 2))
        }
        (Some(b':'), false) if text.as_bytes().get(cur.pos + 1) == Some(&b'=') => {
            (Action::Replace, Some(cur.pos + 2))
        }
        (None, false) => {
            return Err(err(
                path_span,
                format!("override `{path_text}` has no value"),
                format!(
                "write `--set {path_text}=VALUE`, or `--set '~{path_text}'` to remove the value"
            ),
            )
            .with_primary_message("expected `=` and a value after this path"))
        }
        (Some(_), false) => {
            return Err(err(
                cur.here(),
                format!("expected `=` after the path `{path_text}`"),
                FORM,
            ))
        }
    };
    if adds && action != Action::Set {
        return Err(err(
            path_span,
            format!("`+{path_text}` adds a key: it takes `=` and a value"),
            format!("write `--set '+{path_text}=VALUE'`"),
        ));
    }
    Ok(Head {
        env,
        keys,
        path_span,
        action,
        adds,
        value_start,
    })
}

/// The value after `=` (at `start`), parsed by the expression parser.
#[allow(clippy::result_large_err)] // reason: `Diagnostic` is the agreed error type of every phase
pub(crate) fn value(
    file: FileId,
    text: &str,
    start: usize,
    path_text: &str,
) -> Result<Expr, Diagnostic> {
    if text[start..].trim().is_empty() {
        return Err(err(
            Span::new(file, start.saturating_sub(1), start),
            format!("no value after `=` for `{path_text}`"),
            format!("give a value; an empty string is written `--set '{path_text}=\"\"'`"),
        ));
    }
    crate::syntax::parse_expr(file, text, start).map_err(|mut d| {
        if d.code == Code::Syntax {
            d.code = Code::Override;
            if d.help.is_none() {
                d.help = Some("the value is an mcfg expression; strings need double quotes, so quote the argument for the shell: --set 'a.device=\"gpu\"'".into());
            }
        }
        d
    })
}

/// The statement `keys = value` (`+=` for [`Action::Append`]).
pub(super) fn stmt(keys: &[Key], action: Action, value: &Expr) -> Stmt {
    let span = match (keys.first(), keys.last()) {
        (Some(a), Some(b)) => a.span.join(b.span),
        _ => value.span,
    };
    Stmt::Assign(Assign {
        path: Path {
            keys: keys.to_vec(),
            span,
        },
        op: match action {
            Action::Append => AssignOp::Append,
            Action::Replace => AssignOp::Replace,
            Action::Unset => AssignOp::Unset,
            Action::Set => AssignOp::Set,
        },
        value: value.clone(),
        span: span.join(value.span),
    })
}
