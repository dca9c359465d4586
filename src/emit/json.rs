//! JSON artifacts (CLI.md "Build output"): two-space indentation, keys in the
//! order of the value, a final newline, floats in shortest round-trip form.
//!
//! Numbers are printed by serde_json: integers exactly, `f64` through `ryu`
//! (shortest form that reads back to the same bits; an integral float keeps
//! its `.0`, e.g. `1.0`, and large or small ones use an exponent, e.g. `1e+300`, `5e-324`).
//! Strings escape `"`, `\` and control characters; other characters are
//! written as UTF-8.

use serde_json::Value;

/// Renders `value` as pretty JSON with a final newline.
pub fn to_bytes(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"  ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Serializing a `Value` into a `Vec` cannot fail: keys are strings and
    // numbers are finite by construction of `serde_json::Number`.
    if serde::Serialize::serialize(value, &mut serializer).is_err() {
        unreachable!("serializing a serde_json::Value into memory cannot fail");
    }
    out.push(b'\n');
    out
}

/// Renders `value` as a pretty JSON string with a final newline.
pub fn to_string(value: &Value) -> String {
    // The serializer writes only valid UTF-8.
    String::from_utf8_lossy(&to_bytes(value)).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pretty_two_spaces_in_given_order_with_final_newline() {
        let value = json!({"zeta": 1, "alpha": [1, 2], "mid": {"b": true, "a": null}});
        assert_eq!(
            to_string(&value),
            r#"{
  "zeta": 1,
  "alpha": [
    1,
    2
  ],
  "mid": {
    "b": true,
    "a": null
  }
}
"#
        );
    }

    #[test]
    fn empty_collections_stay_compact() {
        assert_eq!(
            to_string(&json!({"l": [], "o": {}})),
            "{\n  \"l\": [],\n  \"o\": {}\n}\n"
        );
    }

    #[test]
    fn floats_are_shortest_round_trip_and_stay_floats() {
        let value = json!([1.0, 0.1, 1e300, -0.0, 5e-324, 1.7976931348623157e308, 0.2]);
        assert_eq!(
            to_string(&value),
            "[\n  1.0,\n  0.1,\n  1e+300,\n  -0.0,\n  5e-324,\n  1.7976931348623157e+308,\n  0.2\n]\n"
        );
    }

    #[test]
    fn big_integers_are_exact() {
        let value = json!([i64::MIN, i64::MAX, u64::MAX]);
        assert_eq!(
            to_string(&value),
            "[\n  -9223372036854775808,\n  9223372036854775807,\n  18446744073709551615\n]\n"
        );
    }

    #[test]
    fn strings_escape_quotes_and_controls_only() {
        let value = json!("a\"b\\c\nd\u{1}é🙂");
        assert_eq!(to_string(&value), "\"a\\\"b\\\\c\\nd\\u0001é🙂\"\n");
    }
}
