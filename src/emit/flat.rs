//! `--flat` artifacts (CLI.md "Build output"): nested objects become dotted
//! keys, `{"serving": {"batch_size": 64}}` → `{"serving.batch_size": 64}`.
//!
//! Rules:
//! - Keys keep the order of a depth-first walk of the value, so the flat
//!   artifact lists leaves in the same order as the nested one.
//! - Lists are leaves: they are kept as arrays, and objects inside a list are
//!   not flattened.
//! - An empty object is a leaf and stays `{}` (otherwise it would vanish).
//! - Key escaping, applied to each key segment before joining with `.`:
//!   `\` → `\\` and `.` → `\.`. So `{"a.b": {"c": 1}}` gives `"a\\.b.c"` in
//!   JSON (the key text `a\.b.c`), which cannot collide with
//!   `{"a": {"b": {"c": 1}}}` → `"a.b.c"`; the mapping is one-to-one.
//! - A value that is not an object (only possible for a non-config root) is
//!   returned unchanged.

use serde_json::{Map, Value};

/// The flat form of `value` (see the module doc).
pub fn flatten(value: &Value) -> Value {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let mut out = Map::new();
            flatten_into(&mut out, "", map);
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Escapes one key segment: `\` → `\\`, `.` → `\.`.
pub fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if c == '\\' || c == '.' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn flatten_into(out: &mut Map<String, Value>, prefix: &str, map: &Map<String, Value>) {
    for (key, value) in map {
        let path = format!("{prefix}{}", escape_key(key));
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                flatten_into(out, &format!("{path}."), inner);
            }
            leaf => {
                out.insert(path, leaf.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dotted_keys_in_order_lists_and_empty_objects_are_leaves() {
        let value = json!({
            "serving": {"batch_size": 64, "limits": {"cpu": 2}},
            "tags": [{"a": 1}],
            "extra": {},
            "name": "x"
        });
        let flat = flatten(&value);
        assert_eq!(
            serde_json::to_string(&flat).unwrap(),
            r#"{"serving.batch_size":64,"serving.limits.cpu":2,"tags":[{"a":1}],"extra":{},"name":"x"}"#
        );
    }

    #[test]
    fn dots_and_backslashes_in_keys_are_escaped() {
        let value = json!({"a.b": {"c\\d": 1}, "a": {"b": {"c\\d": 2}}});
        let flat = flatten(&value);
        let keys: Vec<&String> = flat.as_object().unwrap().keys().collect();
        assert_eq!(keys, [r"a\.b.c\\d", r"a.b.c\\d"]);
        assert_eq!(flat[r"a\.b.c\\d"], json!(1));
        assert_eq!(flat[r"a.b.c\\d"], json!(2));
    }

    #[test]
    fn non_objects_are_unchanged() {
        assert_eq!(
            flatten(&json!([1, {"a": {"b": 1}}])),
            json!([1, {"a": {"b": 1}}])
        );
        assert_eq!(flatten(&json!({})), json!({}));
    }
}
