//! JSON reading with `serde_json` into the importer's value tree.
//!
//! Key order is kept, duplicate keys are an error (serde_json alone would keep
//! the last), integers beyond the 64-bit signed range are an error, as in
//! YAML: an integer literal (no `.`, no exponent) never silently becomes a
//! float. serde_json reads integers too large for u64 as floats, so integer
//! literals are checked on the text, and the error points at the number.

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
    if parsed.is_ok() {
        if let Some(err) = big_integer(text) {
            return Some(Err(err));
        }
    }
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
        Err(e) if e.classify() == Category::Data => {
            Some(Err(big_integer(text).unwrap_or(ReadError {
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            })))
        }
        Err(_) => None,
    }
}

/// The first integer literal of well-formed JSON `text` outside the 64-bit
/// signed range, located at its first character.
fn big_integer(text: &str) -> Option<ReadError> {
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let token = &text[start..i];
                let integral = !token.contains(['.', 'e', 'E']);
                if integral && token.parse::<i64>().is_err() {
                    return Some(ReadError {
                        line,
                        column: text[line_start..start].chars().count() + 1,
                        message: format!("the integer `{token}` does not fit in 64 bits"),
                    });
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
    fn integers_beyond_64_bits_are_refused_at_the_number() {
        for (text, col, int) in [
            ("{\"a\": 18446744073709551616}", 7, "18446744073709551616"),
            (
                "{\"a\":\n [1, 99999999999999999999999]}",
                6,
                "99999999999999999999999",
            ),
            ("{\"a\": 9223372036854775808}", 7, "9223372036854775808"),
            ("{\"a\": -9223372036854775809}", 7, "-9223372036854775809"),
        ] {
            let err = read_json(text).unwrap().unwrap_err();
            assert_eq!(err.column, col, "{text}");
            assert_eq!(
                err.message,
                format!("the integer `{int}` does not fit in 64 bits")
            );
        }
        let ok = read_json(
            "{\"a\": -9223372036854775808, \"b\": 1e23, \"c\": \"99999999999999999999\"}",
        );
        assert!(ok.unwrap().is_ok());
    }

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
