//! Schemas of structural configs: the types of their artifacts' values in
//! every environment, merged (LANGUAGE.md §5: a structural config's shape is
//! whatever it assigns).

use serde_json::{json, Map, Value as Json};

use super::type_only;
use crate::eval::Value;

/// The merged shape of a structural config's artifacts.
pub(super) fn structural<'v>(values: impl Iterator<Item = &'v Value>) -> Json {
    let mut acc: Option<Json> = None;
    for v in values {
        let s = shape(v);
        acc = Some(match acc {
            None => s,
            Some(a) => merge(a, s),
        });
    }
    acc.unwrap_or_else(|| json!({}))
}

/// The types-only schema of one value.
fn shape(v: &Value) -> Json {
    match v {
        Value::Null => json!({"type": "null"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Int(_) => json!({"type": "integer"}),
        Value::Float(_) | Value::Duration(_) => json!({"type": "number"}),
        Value::Str(_) | Value::Secret(_) => json!({"type": "string"}),
        Value::List(items) => {
            let mut m = type_only("array");
            if !items.is_empty() {
                m.insert("items".into(), structural(items.iter()));
            }
            Json::Object(m)
        }
        Value::Object(fields) => {
            let props: Map<String, Json> = fields
                .iter()
                .map(|(k, v)| (k.to_string(), shape(v)))
                .collect();
            let required: Vec<Json> = fields.keys().map(|k| k.to_string().into()).collect();
            json!({
                "type": "object",
                "properties": props,
                "required": required,
                "additionalProperties": false,
            })
        }
    }
}

/// A schema accepting what `a` or `b` accepts (both from [`shape`]).
fn merge(a: Json, b: Json) -> Json {
    if a == b {
        return a;
    }
    let (ta, tb) = (a.get("type").cloned(), b.get("type").cloned());
    match (
        ta.as_ref().and_then(Json::as_str),
        tb.as_ref().and_then(Json::as_str),
    ) {
        (Some("object"), Some("object")) => merge_objects(&a, &b),
        (Some("array"), Some("array")) => match (a.get("items"), b.get("items")) {
            (Some(x), Some(y)) => json!({"type": "array", "items": merge(x.clone(), y.clone())}),
            (Some(x), None) | (None, Some(x)) => json!({"type": "array", "items": x}),
            (None, None) => json!({"type": "array"}),
        },
        _ => {
            let mut options = match a {
                Json::Object(ref m) if m.contains_key("anyOf") => {
                    m["anyOf"].as_array().cloned().unwrap_or_default()
                }
                other => vec![other],
            };
            if !options.contains(&b) {
                options.push(b);
            }
            json!({ "anyOf": options })
        }
    }
}

fn merge_objects(a: &Json, b: &Json) -> Json {
    let empty = Map::new();
    let pa = a
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let pb = b
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let mut props = pa.clone();
    for (k, v) in pb {
        let merged = match props.get(k) {
            Some(old) => merge(old.clone(), v.clone()),
            None => v.clone(),
        };
        props.insert(k.clone(), merged);
    }
    let req = |s: &Json| -> Vec<Json> {
        s.get("required")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let rb = req(b);
    let required: Vec<Json> = req(a).into_iter().filter(|k| rb.contains(k)).collect();
    json!({
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": false,
    })
}
