//! Hydra/OmegaConf reading of imported values (`mcfg import --hydra`),
//! applied to the planned base and overlay differences before writing:
//!
//! - `${a.b}` as a whole value becomes the reference `self.a.b` (OmegaConf
//!   keeps the referenced value's type); inside a string it becomes
//!   `"...${self.a.b}..."`. Relative paths (`${.x}`, `${..x}`) are made
//!   absolute from the key holding them; numeric segments are list indexes.
//!   Since `self` is late-bound, a child config's reference sees the child's
//!   value, as OmegaConf resolves on the merged config.
//! - Resolver calls (`${oc.env:USER}`, `${hydra:runtime.cwd}`, `${now:...}`)
//!   and nested interpolations have no mcfg equivalent: the string is kept
//!   as written (with `$` escaped) and a `FIXME(import)` note names them.
//! - `???` (OmegaConf's mandatory missing value) is a declaration without a
//!   value, `key: any` (docs/language.md): required, so a build that does not
//!   give it (child config, `env` block, `--set`) is `mcfg::missing-field`.
//!   In an overlay that may become an `env` block it is left out with a note.
//! - `defaults:` lists at the top level are not composed: they are left out
//!   with a comment saying so (import the composed config, `python app.py --cfg job`).
//! - In an overlay, a value whose kind changes (a mapping set to `null`, a
//!   list replaced by a mapping) is written `key := value` (LANGUAGE.md §9.2),
//!   and a `~key` entry (Hydra's delete) is `unset key`.

use super::literal::{is_ident, quote, QUOTED_WORDS};
use super::overlay::Plan;
use super::value::{Entry, Map, Op, Value};

/// Applies the Hydra reading to the base and every overlay of `plan`.
pub(crate) fn apply(plan: &mut Plan) {
    defaults(&mut plan.base);
    walk_map(&mut plan.base, &mut Vec::new(), true);
    let composed = plan.composed;
    for (i, layer) in plan.layers.iter_mut().enumerate() {
        defaults(&mut layer.diff);
        // A composition's steps are child configs, which may declare; an
        // overlay may become an `env` block, which may not.
        walk_map(&mut layer.diff, &mut Vec::new(), i < composed);
        overlay_ops(&mut layer.diff);
    }
}

fn defaults(map: &mut Map) {
    if let Some(entry) = map.entries.get_mut("defaults") {
        if matches!(entry.value, Value::List(_)) {
            entry.value = Value::Missing;
            entry.notes.fixme = Some(
                "Hydra `defaults` list not composed: import the composed config \
                 (`python app.py --cfg job`), or its group files as overlays"
                    .to_owned(),
            );
        }
    }
}

/// `declare`: whether a `???` may be written as a declaration without a
/// value (`key: any`, required); otherwise it is left out with a note.
fn walk_map(map: &mut Map, path: &mut Vec<String>, declare: bool) {
    for (key, entry) in &mut map.entries {
        path.push(key.clone());
        if matches!(&entry.value, Value::Str(s) if s == "???") {
            entry.value = Value::Missing;
            if declare {
                entry.notes.op = Op::Declare;
            } else {
                entry.notes.fixme = Some(format!(
                    "`{key}` is `???` in OmegaConf: required, and no value is given here; \
                     declare it `{key}: any` in the config's body, or give it with `--set CONFIG.{}=VALUE`",
                    path.join(".")
                ));
            }
        } else {
            walk_value(&mut entry.value, &mut entry.notes.fixme, path, declare);
        }
        path.pop();
    }
}

fn walk_value(
    value: &mut Value,
    fixme: &mut Option<String>,
    path: &mut Vec<String>,
    declare: bool,
) {
    match value {
        Value::Map(m) => walk_map(m, path, declare),
        Value::List(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                path.push(i.to_string());
                // A list element is an object literal, which cannot declare.
                walk_value(item, fixme, path, false);
                path.pop();
            }
        }
        Value::Str(s) if s.contains("${") => match interpolation(s, path) {
            Ok(Some(expr)) => *value = Value::Expr(expr),
            Ok(None) => {}
            Err(why) => {
                fixme.get_or_insert(why);
            }
        },
        _ => {}
    }
}

/// The mcfg expression for an OmegaConf string with interpolations at `path`,
/// `None` when it has none after all, or why it cannot be converted.
fn interpolation(s: &str, path: &[String]) -> Result<Option<String>, String> {
    let mut parts: Vec<Part> = Vec::new();
    let mut lit = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        // `\${` is a literal `${` in OmegaConf.
        if rest[..i].ends_with('\\') {
            lit.push_str(&rest[..i - 1]);
            lit.push_str("${");
            rest = &rest[i + 2..];
            continue;
        }
        lit.push_str(&rest[..i]);
        let body_start = i + 2;
        let Some(end) = rest[body_start..].find('}') else {
            return Err(format!("unclosed interpolation in {}", quote(s)));
        };
        let body = &rest[body_start..body_start + end];
        if body.contains("${") || body.contains(':') || body.contains('(') {
            let what = body.split(':').next().unwrap_or(body);
            return Err(format!(
                "`${{{body}}}` needs OmegaConf's `{what}` resolver, which mcfg does not have: kept as text"
            ));
        }
        let target = absolute(body.trim(), path)
            .ok_or_else(|| format!("`${{{body}}}` goes above the config root"))?;
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(&mut lit)));
        }
        parts.push(Part::Ref(reference(&target)));
        rest = &rest[body_start + end + 1..];
    }
    lit.push_str(rest);
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(match parts.as_slice() {
        [] => None,
        [Part::Ref(r)] => Some(r.clone()),
        _ if !parts.iter().any(|p| matches!(p, Part::Ref(_))) => None,
        _ => {
            let mut out = String::from("\"");
            for p in &parts {
                match p {
                    Part::Lit(l) => {
                        let q = quote(l);
                        out.push_str(&q[1..q.len() - 1]);
                    }
                    Part::Ref(r) => out.push_str(&format!("${{{r}}}")),
                }
            }
            out.push('"');
            Some(out)
        }
    })
}

enum Part {
    Lit(String),
    Ref(String),
}

/// The absolute key path an interpolation body names from the key at `path`.
fn absolute(body: &str, path: &[String]) -> Option<Vec<String>> {
    let dots = body.len() - body.trim_start_matches('.').len();
    let rest = &body[dots..];
    let mut out: Vec<String> = if dots == 0 {
        Vec::new()
    } else {
        // One dot: the node holding the key; each further dot one level up.
        let holder = path.len().checked_sub(1)?;
        path[..holder.checked_sub(dots - 1)?].to_vec()
    };
    for seg in rest.split('.').filter(|s| !s.is_empty()) {
        // `a[0]` and `a.0` both index lists.
        let mut seg = seg;
        while let Some(open) = seg.find('[') {
            if open > 0 {
                out.push(seg[..open].to_owned());
            }
            let close = seg[open..].find(']')? + open;
            out.push(seg[open + 1..close].to_owned());
            seg = &seg[close + 1..];
        }
        if !seg.is_empty() {
            out.push(seg.to_owned());
        }
    }
    Some(out)
}

/// `self.a.b`, `self.list[0]`, `self.m["odd-key"]`.
fn reference(path: &[String]) -> String {
    let mut out = String::from("self");
    for seg in path {
        if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else if is_ident(seg) && !QUOTED_WORDS.contains(&seg.as_str()) {
            out.push('.');
            out.push_str(seg);
        } else {
            out.push_str(&format!("[{}]", quote(seg)));
        }
    }
    out
}

/// In an overlay: `~key` entries become `unset key`; a value whose kind
/// changes is replaced with `:=` instead of carrying a FIXME.
fn overlay_ops(map: &mut Map) {
    let entries = std::mem::take(&mut map.entries);
    for (key, mut entry) in entries {
        if let Some(name) = key.strip_prefix('~').filter(|n| !n.is_empty()) {
            let notes = entry.notes;
            map.entries.insert(
                name.to_owned(),
                Entry {
                    value: Value::Null,
                    notes: super::value::Notes {
                        op: Op::Unset,
                        ..notes
                    },
                },
            );
            continue;
        }
        if entry
            .notes
            .fixme
            .as_deref()
            .is_some_and(|f| f.contains("a structural config may reject"))
        {
            entry.notes.fixme = None;
            entry.notes.op = Op::Replace;
        } else if let Value::Map(inner) = &mut entry.value {
            overlay_ops(inner);
        }
        map.entries.insert(key, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(path: &[&str]) -> Vec<String> {
        path.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn interpolations_become_references() {
        let at = p(&["model", "dim"]);
        assert_eq!(interpolation("${a.b}", &at), Ok(Some("self.a.b".into())));
        assert_eq!(
            interpolation("${.width}", &at),
            Ok(Some("self.model.width".into()))
        );
        assert_eq!(interpolation("${..top}", &at), Ok(Some("self.top".into())));
        assert_eq!(interpolation("${l.0}", &at), Ok(Some("self.l[0]".into())));
        assert_eq!(
            interpolation("${l[1].x}", &at),
            Ok(Some("self.l[1].x".into()))
        );
        assert_eq!(
            interpolation("${a.in}", &at),
            Ok(Some("self.a[\"in\"]".into()))
        );
        assert_eq!(
            interpolation("${root}/logs/$x", &at),
            Ok(Some("\"${self.root}/logs/\\$x\"".into()))
        );
        assert_eq!(interpolation("no \\${x}", &at), Ok(None));
        assert!(
            interpolation("${oc.env:USER}/x", &at).is_err_and(|e| e.contains("`oc.env` resolver"))
        );
        assert!(interpolation("${...x}", &at).is_err());
    }
}
