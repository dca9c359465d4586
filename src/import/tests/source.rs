//! An independent reading of the source files, to check imports against:
//! JSON with `serde_json`, YAML with the `saphyr` loader (raw scalars) and a
//! separately written YAML 1.1 resolution, plus a Helm-style deep merge.

use saphyr::{ScalarStyle, Yaml, YamlLoader};
use saphyr_parser::Parser;
use serde_json::{Map as JsonMap, Value as Json};

/// The source text as JSON, read the way `Yaml11::Yes` reads it.
pub(super) fn source_value(text: &str) -> Json {
    if let Ok(json) = serde_json::from_str::<Json>(text) {
        return json;
    }
    let mut text = text.to_owned();
    loop {
        match load(&text) {
            Ok(json) => return json,
            // PyYAML accepts a closing bracket at its key's indentation.
            Err((line, info)) if info == "invalid indentation" => {
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                let target = &mut lines[line - 1];
                assert!(target.trim_start().starts_with(']'), "{info}");
                target.insert(0, ' ');
                text = lines.join("\n");
            }
            Err((line, info)) => panic!("saphyr loads the source: line {line}: {info}"),
        }
    }
}

fn load(text: &str) -> Result<Json, (usize, String)> {
    let mut loader: YamlLoader<'_, Yaml<'_>> = YamlLoader::default();
    loader.early_parse(false);
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut loader, true) {
        return Err((e.marker().line(), e.info().to_owned()));
    }
    let docs = loader.into_documents();
    Ok(match docs.first() {
        None => Json::Object(JsonMap::new()),
        Some(doc) => match to_json(doc) {
            Json::Null => Json::Object(JsonMap::new()),
            other => other,
        },
    })
}

fn to_json(node: &Yaml<'_>) -> Json {
    match node {
        Yaml::Representation(text, style, tag) => {
            assert!(tag.is_none(), "the corpus has no tags");
            if *style == ScalarStyle::Plain {
                plain_11(text)
            } else {
                Json::String(text.to_string())
            }
        }
        Yaml::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Yaml::Mapping(map) => {
            let mut out = JsonMap::new();
            for (k, v) in map {
                let key = match to_json(k) {
                    Json::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, to_json(v));
            }
            Json::Object(out)
        }
        other => panic!("unexpected node {other:?}"),
    }
}

/// YAML 1.1 plain scalars, written without the importer's regex tables.
fn plain_11(text: &str) -> Json {
    let lower = text.to_ascii_lowercase();
    let three_cases = text == lower || text == text.to_ascii_uppercase() || capitalised(text);
    if ["", "~"].contains(&text) || (lower == "null" && three_cases) {
        return Json::Null;
    }
    if three_cases {
        match lower.as_str() {
            "y" | "yes" | "on" | "true" => return Json::Bool(true),
            "n" | "no" | "off" | "false" => return Json::Bool(false),
            _ => {}
        }
    }
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if let Some(n) = int_11(&digits) {
        return Json::from(n);
    }
    let numeric = digits
        .chars()
        .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
    let has_digit = digits.chars().any(|c| c.is_ascii_digit());
    let starts_ok = digits.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c));
    if numeric && has_digit && starts_ok {
        if let Ok(f) = digits.parse::<f64>() {
            return Json::from(f);
        }
    }
    Json::String(text.to_owned())
}

fn capitalised(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_lowercase())
}

fn int_11(digits: &str) -> Option<i64> {
    let (neg, body) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits.strip_prefix('+').unwrap_or(digits)),
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if neg { -n } else { n })
}

/// Helm/Hydra merge: objects deeply, everything else replaced.
/// Helm's merge of values files: mappings merge, other values replace, and
/// an overlay's `null` deletes the key.
pub(super) fn deep_merge(base: &mut Json, overlay: &Json) {
    match (base, overlay) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(k) {
                    _ if v.is_null() => {
                        b.shift_remove(k);
                    }
                    Some(slot) if slot.is_object() && v.is_object() => deep_merge(slot, v),
                    _ => {
                        b.insert(k.clone(), without_nulls(v));
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// A new mapping's `null`s delete nothing: they are not there.
fn without_nulls(v: &Json) -> Json {
    match v {
        Json::Object(m) => Json::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}
