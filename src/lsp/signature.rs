//! Signature help for the built-in functions (LANGUAGE.md §5, §9.6), read
//! from the text alone so it works while the call is being typed: the
//! innermost unclosed `name(` before the cursor, and the active parameter by
//! counting the commas at its depth (strings and nested brackets skipped).

use lsp_types::{
    Documentation, MarkupContent, MarkupKind, ParameterInformation, ParameterLabel, SignatureHelp,
    SignatureInformation,
};

/// A built-in: name, parameters, what it returns and does.
struct Builtin {
    name: &'static str,
    params: &'static [&'static str],
    doc: &'static str,
}

const BUILTINS: &[Builtin] = &[
    b("len", &["x: string | list | map"], "The number of characters, items or keys."),
    b("min", &["values: list | ...values"], "The smallest of a non-empty list or of the arguments (numbers, durations or strings of one kind); the winning operand unchanged."),
    b("max", &["values: list | ...values"], "The largest of a non-empty list or of the arguments (numbers, durations or strings of one kind); the winning operand unchanged."),
    b("sum", &["values: list[number | duration]"], "The sum of a list of numbers or durations (`0` for `[]`)."),
    b("abs", &["x: int | float | duration"], "The absolute value."),
    b("round", &["x: int | float"], "Rounds half away from zero to an int (`round(2.5)` is `3`)."),
    b("floor", &["x: int | float"], "Rounds toward negative infinity to an int."),
    b("ceil", &["x: int | float"], "Rounds toward positive infinity to an int."),
    b("keys", &["m: map"], "The keys of a map, in order."),
    b("values", &["m: map"], "The values of a map, in key order."),
    b("contains", &["haystack: list | string", "needle"], "Whether the list holds the item, or the string the substring."),
    b("lower", &["s: string"], "The string in lower case."),
    b("upper", &["s: string"], "The string in upper case."),
    b("join", &["items: list[string | int]", "sep: string"], "The items joined by the separator."),
    b("secret", &["ref: string"], "A secret reference (`\"vault:path#key\"`): emitted as the reference, never resolved; the only value a `secret` field accepts."),
    b("div", &["a: int", "b: int"], "Integer division rounding toward negative infinity (`div(-7, 2)` is `-4`); `div(x, 0)` is `mcfg::arithmetic`."),
    b("all", &["x in L: cond"], "Whether `cond` holds for every item of the list (or key of the map; `k, v in M` binds both)."),
    b("any", &["x in L: cond"], "Whether `cond` holds for some item of the list (or key of the map; `k, v in M` binds both)."),
];

const fn b(name: &'static str, params: &'static [&'static str], doc: &'static str) -> Builtin {
    Builtin { name, params, doc }
}

fn label(f: &Builtin) -> String {
    format!("{}({})", f.name, f.params.join(", "))
}

/// The hover text of built-in `name`.
pub(super) fn doc(name: &str) -> Option<String> {
    let f = BUILTINS.iter().find(|f| f.name == name)?;
    Some(format!(
        "```mcfg\n{}\n```\n\nbuilt-in function: {}",
        label(f),
        f.doc
    ))
}

/// The signature of the built-in call around `offset`.
pub(super) fn help(text: &str, offset: usize) -> Option<SignatureHelp> {
    let (name, commas) = open_call(text.get(..offset)?)?;
    let f = BUILTINS.iter().find(|f| f.name == name)?;
    let label = label(f);
    let mut at = f.name.len() + 1;
    let params = f
        .params
        .iter()
        .map(|p| {
            let start = at as u32;
            at += p.len() + 2;
            ParameterInformation {
                label: ParameterLabel::LabelOffsets([start, start + p.len() as u32]),
                documentation: None,
            }
        })
        .collect::<Vec<_>>();
    let active = commas.min(params.len().saturating_sub(1)) as u32;
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label,
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: f.doc.to_owned(),
            })),
            parameters: Some(params),
            active_parameter: Some(active),
        }],
        active_signature: Some(0),
        active_parameter: Some(active),
    })
}

/// The name of the innermost call left open at the end of `before`, and how
/// many commas at its depth precede the end.
fn open_call(before: &str) -> Option<(&str, usize)> {
    // Opening brackets still open: (byte offset, bracket, commas seen at that depth).
    let mut stack: Vec<(usize, u8, usize)> = Vec::new();
    let bytes = before.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            c @ (b'(' | b'[' | b'{') => stack.push((i, c, 0)),
            b')' | b']' | b'}' => {
                stack.pop();
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.2 += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    // The innermost open call of a built-in (a list inside its arguments counts for it).
    stack.iter().rev().find_map(|&(open, bracket, commas)| {
        if bracket != b'(' {
            return None;
        }
        let head = before[..open].trim_end();
        let start = head
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let name = &head[start..];
        BUILTINS
            .iter()
            .any(|f| f.name == name)
            .then_some((name, commas))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_open_call_and_its_argument() {
        assert_eq!(open_call("x = join(["), Some(("join", 0)));
        assert_eq!(open_call("x = foo(1, "), None);
        assert_eq!(open_call("x = join([a, b], "), Some(("join", 1)));
        assert_eq!(open_call("x = len(\"a,(\" "), Some(("len", 0)));
        assert_eq!(open_call("x = len(a) + max(1"), Some(("max", 0)));
        assert_eq!(open_call("x = (1"), None);
        assert!(BUILTINS
            .iter()
            .map(|f| f.name)
            .filter(|n| !["all", "any"].contains(n))
            .eq(crate::eval::BUILTIN_FUNCTIONS.iter().copied()));
    }
}
