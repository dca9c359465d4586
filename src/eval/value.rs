//! Runtime values of evaluation and their artifact (JSON) form.

use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeSeq};

use crate::ast::Name;

/// Duration units live in `types` (below `eval`), re-exported here.
pub use crate::types::{format_duration, NANOS_PER_SEC};

/// The fields of an object value, in order.
pub type Fields = crate::map::Map<Name, Value>;

/// A value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    /// Nanoseconds.
    Duration(i64),
    /// A secret reference (`secret("vault:...")`).
    Secret(Arc<str>),
    List(Vec<Value>),
    Object(Fields),
}

impl Value {
    /// The type name used in messages: `int`, `string`, `object`…
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Duration(_) => "duration",
            Value::Secret(_) => "secret",
            Value::List(_) => "list",
            Value::Object(_) => "object",
        }
    }

    /// The type name with its article, for messages: `an int`, `a string`…
    pub fn a_type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a bool",
            Value::Int(_) => "an int",
            Value::Float(_) => "a float",
            Value::Str(_) => "a string",
            Value::Duration(_) => "a duration",
            Value::Secret(_) => "a secret",
            Value::List(_) => "a list",
            Value::Object(_) => "an object",
        }
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// Converts to `serde_json::Value` (durations as seconds, secrets as their reference).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) | Value::Secret(s) => J::String(s.to_string()),
            Value::Duration(ns) => duration_json(*ns),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(map) => J::Object(
                map.iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Reads a `serde_json::Value` (artifact form) back.
    pub fn from_json(v: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::str(s),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (Name::from(k.as_str()), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// A short rendering for messages: `64`, `"gpu"`, `200ms`, `[…3 items]`.
    pub fn short(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Str(s) => {
                let mut out: String = s.chars().take(60).collect();
                if s.chars().count() > 60 {
                    out.push('…');
                }
                format!("{out:?}")
            }
            Value::Duration(ns) => format_duration(*ns),
            Value::Secret(_) => "secret(…)".into(),
            Value::List(items) if items.len() <= 4 => {
                format!(
                    "[{}]",
                    items
                        .iter()
                        .map(Value::short)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Value::List(items) => format!("[… {} items]", items.len()),
            Value::Object(map) if map.len() <= 3 => format!(
                "{{ {} }}",
                map.iter()
                    .map(|(k, v)| format!("{k} = {}", v.short()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Object(map) => format!("{{… {} fields}}", map.len()),
        }
    }
}

/// A duration in artifact form: whole seconds as an integer, otherwise a float.
pub fn duration_json(ns: i64) -> serde_json::Value {
    if ns % NANOS_PER_SEC == 0 {
        serde_json::Value::from(ns / NANOS_PER_SEC)
    } else {
        let secs = ns as f64 / NANOS_PER_SEC as f64;
        serde_json::Number::from_f64(secs)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Renders a float the way the source would write it (`0.5`, `1.0`, `3e-4`).
pub fn format_float(f: f64) -> String {
    let s = format!("{f:?}");
    s
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => ser.serialize_unit(),
            Value::Bool(b) => ser.serialize_bool(*b),
            Value::Int(i) => ser.serialize_i64(*i),
            Value::Float(f) => ser.serialize_f64(*f),
            Value::Str(s) | Value::Secret(s) => ser.serialize_str(s),
            Value::Duration(ns) => {
                if ns % NANOS_PER_SEC == 0 {
                    ser.serialize_i64(ns / NANOS_PER_SEC)
                } else {
                    ser.serialize_f64(*ns as f64 / NANOS_PER_SEC as f64)
                }
            }
            Value::List(items) => {
                let mut seq = ser.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(fields) => {
                let mut map = ser.serialize_map(Some(fields.len()))?;
                for (k, v) in fields {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_render_in_seconds() {
        assert_eq!(duration_json(200_000_000), serde_json::json!(0.2));
        assert_eq!(
            duration_json(1_800 * NANOS_PER_SEC),
            serde_json::json!(1800)
        );
        assert_eq!(format_duration(200_000_000), "200ms");
        assert_eq!(format_duration(1_500_000_000), "1500ms");
        assert_eq!(format_duration(1_500_000), "0.0015s");
        assert_eq!(format_duration(30 * 60 * NANOS_PER_SEC), "30m");
    }
}
