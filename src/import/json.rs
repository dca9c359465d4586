//! JSON reading with `serde_json` into the importer's value tree.
//!
//! Key order is kept, duplicate keys are an error (serde_json alone would keep
//! the last), integers beyond the 64-bit signed range are an error. Integers
//! too large even for u64 are read by serde_json as floats, as Helm (which
//! reads numbers as float64) would.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::error::Category;

use super::value::{Entry, Map, Value};
use super::ReadError;

/// `None` when `text` is not JSON (then it is read as YAML); otherwise the
/// top-level mapping or the error of a well-formed but unimportable file.
pub(crate) fn read_json(text: &str) -> Option<Result<Map, ReadError>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = JsonValue::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(JsonValue(Value::Map(map))) => Some(Ok(map)),
        Ok(JsonValue(other)) => Some(Err(ReadError {
            line: 1,
            column: 1,
            message: format!(
                "the top-level value must be a mapping, not a {}",
                other.kind()
            ),
        })),
        Err(e) if e.classify() == Category::Data => Some(Err(ReadError {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })),
        Err(_) => None,
    }
}

/// serde_json appends " at line L column C"; the position is kept separately.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

struct JsonValue(Value);

impl<'de> Deserialize<'de> for JsonValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonValue)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("the integer `{v}` does not fit in 64 bits")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::default();
        while let Some(key) = access.next_key::<String>()? {
            if map.entries.contains_key(&key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            let JsonValue(v) = access.next_value()?;
            map.entries.insert(key, Entry::plain(v));
        }
        Ok(Value::Map(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_in_order() {
        let map = read_json(r#"{"b": 1, "a": [true, null, 1.5, "x"]}"#)
            .unwrap()
            .unwrap();
        let keys: Vec<&String> = map.entries.keys().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(map.entries["b"].value, Value::Int(1));
    }

    #[test]
    fn duplicate_keys_are_errors_with_position() {
        let err = read_json("{\n  \"a\": 1,\n  \"a\": 2\n}")
            .unwrap()
            .unwrap_err();
        assert_eq!(err.message, "duplicate key `a`");
        assert_eq!(err.line, 3);
    }

    #[test]
    fn non_json_is_left_to_yaml() {
        assert!(read_json("a: 1").is_none());
        assert!(read_json("{ \"a\": 1, }").is_none());
    }

    #[test]
    fn big_integers_and_non_mappings_are_errors() {
        assert!(read_json(r#"{"a": 18446744073709551615}"#)
            .unwrap()
            .is_err());
        assert!(read_json("[1]").unwrap().is_err());
    }
}
