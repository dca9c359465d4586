//! Carrying YAML comments over to mcfg (the YAML parser drops them).
//!
//! A line-based pass guided by the parser's key positions:
//! - **before**: the contiguous full-line `#` comments directly above a key
//!   that starts its line, at exactly the key's indentation, and below the
//!   end of the previous value (so text inside a block scalar is never taken);
//! - **trailing**: a `#` comment after the key's single-line value on the
//!   key's line (after an optional `,` of a flow mapping), or after `key:`
//!   when the value starts on a later line;
//! - **blank_before**: a blank line above the key or its comments.
//!
//! Everything else is dropped (see the module docs of `import`).

use super::value::Notes;

/// Where a key and its value sit in the source (lines 1-based, columns
/// 0-based in characters; `Lines::place` of the document reader's spans).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyPos {
    pub(crate) line: usize,
    pub(crate) col: usize,
    /// End of the key token.
    pub(crate) key_end: (usize, usize),
    /// Comments above the key must be below this line.
    pub(crate) after_line: usize,
    /// End of the value when it is a scalar.
    pub(crate) scalar_end: Option<(usize, usize)>,
}

/// The source split into lines, for comment look-ups.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    lines: Vec<&'a str>,
    /// The byte offset where each line starts.
    starts: Vec<u32>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        let mut lines = Vec::new();
        let mut at = 0;
        for l in text.split('\n') {
            at += l.len() + 1;
            starts.push(at as u32);
            lines.push(l.strip_suffix('\r').unwrap_or(l));
        }
        Lines { lines, starts }
    }

    /// The 1-based line and 0-based character column of byte `offset`, as
    /// the comment rules count them (text analysis, not a rendered position).
    pub(crate) fn place(&self, offset: u32) -> (usize, usize) {
        let i = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line = self.lines.get(i).copied().unwrap_or("");
        let within = (offset - self.starts[i]) as usize;
        let col = line
            .get(..within.min(line.len()))
            .map_or(within, |s| s.chars().count());
        (i + 1, col)
    }

    fn get(&self, n: usize) -> &'a str {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or("")
    }

    /// The comments that belong to the key at `pos`.
    pub(crate) fn notes(&self, pos: &KeyPos) -> Notes {
        let mut notes = Notes::default();
        let line = self.get(pos.line);
        let starts_line = line.chars().take(pos.col).all(char::is_whitespace);
        if starts_line {
            let mut n = pos.line;
            while n > pos.after_line + 1 {
                let above = self.get(n - 1);
                let Some(text) = full_line_comment(above, pos.col) else {
                    break;
                };
                notes.before.push(text);
                n -= 1;
            }
            notes.before.reverse();
            notes.blank_before = n > 1 && self.get(n - 1).trim().is_empty();
        }
        notes.trailing = match pos.scalar_end {
            Some((end_line, end_col)) if end_line == pos.line => {
                trailing_comment(line, end_col, false)
            }
            Some(_) => None,
            None if pos.key_end.0 == pos.line => trailing_comment(line, pos.key_end.1, true),
            None => None,
        };
        notes
    }
}

/// The text of a `#` comment that fills the line at indentation `col`.
fn full_line_comment(line: &str, col: usize) -> Option<String> {
    let indent = line.chars().take_while(|c| *c == ' ' || *c == '\t').count();
    let rest = line.trim_start_matches([' ', '\t']);
    let text = rest.strip_prefix('#')?;
    (indent == col).then(|| text.trim_end().to_owned())
}

/// A `# comment` after character column `col` of `line`, allowing `,` (flow
/// mappings) or, when `colon` is set, the `:` of `key:` before it.
fn trailing_comment(line: &str, col: usize, colon: bool) -> Option<String> {
    let rest: String = line.chars().skip(col).collect();
    let mut rest = rest.trim_start();
    if colon {
        rest = rest.strip_prefix(':')?.trim_start();
    } else if let Some(after) = rest.strip_prefix(',') {
        rest = after.trim_start();
    }
    let had_space = line.chars().skip(col).collect::<String>().len() > rest.len();
    let text = rest.strip_prefix('#')?;
    had_space.then(|| text.trim_end().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: usize, col: usize, key_len: usize, scalar_end: Option<(usize, usize)>) -> KeyPos {
        KeyPos {
            line,
            col,
            key_end: (line, col + key_len),
            after_line: 0,
            scalar_end,
        }
    }

    #[test]
    fn takes_comments_directly_above_at_the_key_indentation() {
        let text = "# header\n\n# first\n# second\na: 1\n  # too deep\nb: 2";
        let lines = Lines::new(text);
        let notes = lines.notes(&pos(5, 0, 1, Some((5, 4))));
        assert_eq!(notes.before, [" first", " second"]);
        assert!(notes.blank_before);
        let notes = lines.notes(&pos(7, 0, 1, Some((7, 4))));
        assert!(notes.before.is_empty());
        assert!(!notes.blank_before);
    }

    #[test]
    fn takes_trailing_comments() {
        let lines = Lines::new("a: 1 # one\nb:   # two\n  c: x\nd: \"#no\"\ne: 1, # flow");
        assert_eq!(
            lines.notes(&pos(1, 0, 1, Some((1, 4)))).trailing.as_deref(),
            Some(" one")
        );
        assert_eq!(
            lines.notes(&pos(2, 0, 1, None)).trailing.as_deref(),
            Some(" two")
        );
        assert_eq!(lines.notes(&pos(4, 0, 1, Some((4, 8)))).trailing, None);
        assert_eq!(
            lines.notes(&pos(5, 0, 1, Some((5, 4)))).trailing.as_deref(),
            Some(" flow")
        );
    }

    #[test]
    fn respects_the_previous_value_end() {
        let lines = Lines::new("a: |\n  x\n# c\nb: 1");
        let mut p = pos(4, 0, 1, Some((4, 4)));
        p.after_line = 3;
        assert!(lines.notes(&p).before.is_empty());
        p.after_line = 2;
        assert_eq!(lines.notes(&p).before, [" c"]);
    }
}
