//! Writing the imported values as mcfg source (LANGUAGE.md §2, §5).
//!
//! Layout: a header comment, then (env-block style with overlays) an
//! `environments` declaration, the base `config NAME { }`, and (child style)
//! one `config NAME_STEM extends PREVIOUS { }` per overlay. Two-space indents.
//!
//! In a body, a non-empty mapping is a nested block `key { … }`; an empty
//! mapping is `key = {}` (an empty block would assign nothing); anything else
//! is `key = expr`. Lists and object literals stay on one line when they fit
//! in [`WIDTH`] columns and hold no comments or block strings, else they are
//! written one item per line (`,` between items, none after the last).
//! Object literals use the same body layout as configs.

use super::literal::{block_string, float_text, ident, key_text, quote};
use super::overlay::Plan;
use super::value::{Entry, Map, Op, Value};
use super::{ImportOptions, OverlayStyle};

/// Lines are kept within this many columns where the layout allows.
const WIDTH: usize = 100;

/// The whole output file for `plan`, imported from the files `names`.
pub(crate) fn emit_file(names: &[&str], opts: &ImportOptions, plan: &Plan) -> String {
    let name = ident(&opts.config_name);
    let files = names.join(", ").replace(['\n', '\r'], " ");
    let mut out = format!("// Imported by mcfg import from {files}.\n\n");
    match opts.overlays {
        // A composition is a chain of configs whatever `--overlay` says.
        _ if plan.composed > 0 => {
            // A Hydra composition: abstract steps, the last one named `name`.
            let base = format!("{name}_{}", plan.base_stem);
            out.push_str(&format!("abstract config {base} {{"));
            write_block_rest(&mut out, &plan.base, 2, 0);
            let mut parent = base;
            for (i, layer) in plan.layers.iter().enumerate() {
                let (kind, child) = match (i + 1).cmp(&plan.composed) {
                    std::cmp::Ordering::Less => {
                        ("abstract config", format!("{name}_{}", layer.stem))
                    }
                    std::cmp::Ordering::Equal => ("config", name.clone()),
                    std::cmp::Ordering::Greater => ("config", format!("{name}_{}", layer.stem)),
                };
                out.push_str(&format!("\n{kind} {child} extends {parent} {{"));
                write_block_rest(&mut out, &layer.diff, 2, 0);
                parent = child;
            }
        }
        OverlayStyle::EnvBlocks if !plan.layers.is_empty() => {
            write_environments(&mut out, plan);
            out.push_str(&format!("config {name} {{\n"));
            write_body(&mut out, &plan.base, 2);
            for layer in &plan.layers {
                out.push_str(&format!("\n  env {} {{", layer.stem));
                write_block_rest(&mut out, &layer.diff, 4, 2);
            }
            out.push_str("}\n");
        }
        OverlayStyle::EnvBlocks | OverlayStyle::Children => {
            out.push_str(&format!("config {name} {{"));
            write_block_rest(&mut out, &plan.base, 2, 0);
            let mut parent = name.clone();
            for layer in &plan.layers {
                let child = format!("{name}_{}", layer.stem);
                out.push_str(&format!("\nconfig {child} extends {parent} {{"));
                write_block_rest(&mut out, &layer.diff, 2, 0);
                parent = child;
            }
        }
    }
    out
}

/// `environments { a  b extends a … }`: each overlay builds on the previous.
fn write_environments(out: &mut String, plan: &Plan) {
    out.push_str("environments {\n");
    let mut previous: Option<&str> = None;
    for layer in &plan.layers {
        match previous {
            Some(p) => out.push_str(&format!("  {} extends {p}\n", layer.stem)),
            None => out.push_str(&format!("  {}\n", layer.stem)),
        }
        previous = Some(&layer.stem);
    }
    out.push_str("}\n\n");
}

/// After an opening `{`: `}` for an empty body, else the body and `}`.
fn write_block_rest(out: &mut String, map: &Map, indent: usize, close_indent: usize) {
    if map.is_empty() {
        out.push_str("}\n");
    } else {
        out.push('\n');
        write_body(out, map, indent);
        out.push_str(&" ".repeat(close_indent));
        out.push_str("}\n");
    }
}

/// The statements for `map`, one per line, at `indent` spaces.
fn write_body(out: &mut String, map: &Map, indent: usize) {
    let pad = " ".repeat(indent);
    for (i, (key, entry)) in map.entries.iter().enumerate() {
        let item = item_text(key, entry, indent);
        let mut before = entry.notes.before.clone();
        let mut trailing = entry.notes.trailing.clone();
        if item.contains('\n') {
            before.extend(trailing.take());
        }
        if i > 0 && entry.notes.blank_before {
            out.push('\n');
        }
        for comment in &before {
            out.push_str(&format!("{pad}//{comment}\n"));
        }
        if let Some(fixme) = &entry.notes.fixme {
            out.push_str(&format!("{pad}// FIXME(import): {fixme}\n"));
        }
        if matches!(entry.value, Value::Missing) && entry.notes.op != Op::Declare {
            continue;
        }
        out.push_str(&pad);
        out.push_str(&item);
        if let Some(comment) = trailing {
            out.push_str(&format!(" //{comment}"));
        }
        out.push('\n');
    }
}

/// `key = expr` or `key { … }`, starting at column `indent`, without a final newline.
fn item_text(key: &str, entry: &Entry, indent: usize) -> String {
    let key = key_text(key);
    match (entry.notes.op, &entry.value) {
        (Op::Unset, _) => return format!("unset {key}"),
        (Op::Declare, _) => return format!("{key}: any"),
        (Op::Replace, value) => {
            let start = indent + key.len() + 4;
            return format!("{key} := {}", expr_text(value, indent, start));
        }
        (Op::Set, _) => {}
    }
    match &entry.value {
        Value::Map(map) if !map.is_empty() => {
            let mut text = format!("{key} {{\n");
            write_body(&mut text, map, indent + 2);
            text.push_str(&" ".repeat(indent));
            text.push('}');
            text
        }
        value => {
            let start = indent + key.len() + 3;
            format!("{key} = {}", expr_text(value, indent, start))
        }
    }
}

/// An expression on a line indented by `indent`, starting at column `start`.
fn expr_text(value: &Value, indent: usize, start: usize) -> String {
    if let Some(inline) = inline_text(value) {
        if start + inline.len() <= WIDTH || !matches!(value, Value::List(_) | Value::Map(_)) {
            return inline;
        }
    }
    let inner = " ".repeat(indent + 2);
    match value {
        Value::Str(s) => block_string(s, indent + 2).unwrap_or_else(|| quote(s)),
        Value::List(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| format!("{inner}{}", expr_text(item, indent + 2, indent + 2)))
                .collect();
            format!("[\n{}\n{}]", parts.join(",\n"), " ".repeat(indent))
        }
        Value::Map(map) => {
            let mut text = String::from("{\n");
            write_body(&mut text, map, indent + 2);
            text.push_str(&" ".repeat(indent));
            text.push('}');
            text
        }
        scalar => scalar_text(scalar),
    }
}

/// The one-line form, or `None` when the value holds comments or block strings.
fn inline_text(value: &Value) -> Option<String> {
    match value {
        Value::Str(s) if block_string(s, 0).is_some() => None,
        Value::List(items) => {
            let parts: Option<Vec<String>> = items.iter().map(inline_text).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        Value::Map(map) if map.is_empty() => Some("{}".to_owned()),
        Value::Map(map) => {
            let mut parts = Vec::with_capacity(map.entries.len());
            for (key, entry) in &map.entries {
                let notes = &entry.notes;
                if !notes.before.is_empty()
                    || notes.trailing.is_some()
                    || notes.fixme.is_some()
                    || notes.op != Op::Set
                    || matches!(entry.value, Value::Missing)
                {
                    return None;
                }
                parts.push(format!(
                    "{} = {}",
                    key_text(key),
                    inline_text(&entry.value)?
                ));
            }
            Some(format!("{{ {} }}", parts.join(", ")))
        }
        scalar => Some(scalar_text(scalar)),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => float_text(*f),
        Value::Str(s) => quote(s),
        Value::Expr(e) => e.clone(),
        // Invariant: `write_body` never writes a missing entry; elsewhere (lists) it is `null`.
        Value::Missing => "null".to_owned(),
        Value::List(_) | Value::Map(_) => unreachable!("scalar_text is called on scalars"),
    }
}

#[cfg(test)]
mod tests;
