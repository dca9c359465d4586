//! Scalar resolution: which YAML scalars are null, bool, int, float or string.
//!
//! Quoted and block scalars are always strings. A plain (unquoted) scalar is
//! resolved by one of two tables:
//!
//! - [`Schema::Core`], the YAML 1.2 core schema: `null Null NULL ~` and the empty
//!   scalar are null; `true True TRUE false False FALSE` are bools; `[-+]?[0-9]+`,
//!   `0o17`, `0x1F` are ints; `1.5`, `.5`, `1e-4`, `1.0e6` are floats.
//! - [`Schema::Yaml11`], YAML 1.1 as Helm (go-yaml v2 through sigs.k8s.io/yaml) and
//!   Hydra/OmegaConf (PyYAML plus OmegaConf's float fix) read it: additionally
//!   `y Y yes Yes YES n N no No NO on On ON off Off OFF` are bools, `017` is
//!   octal (15), `0b101` binary, `1_000` is 1000, `1:20` is sexagesimal (80),
//!   and `1:20.5` a sexagesimal float. Where the tools disagree the YAML 1.1
//!   spec wins (`y`/`n` are bools: Helm agrees, PyYAML reads strings; `08` is a
//!   string: PyYAML agrees, go-yaml reads 8.0), except that `1e-4` (no dot) is a
//!   float as in Helm and OmegaConf (plain PyYAML alone reads a string).
//!
//! In both tables `.inf`, `-.inf` and `.nan` are errors (mcfg cannot express
//! them), and an integer outside the 64-bit signed range is an error.

use std::sync::LazyLock;

use regex::Regex;

use super::{Schema, Value};

static INT_12: LazyLock<Regex> = LazyLock::new(|| re(r"^[-+]?[0-9]+$"));
static FLOAT_12: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"));
static DEC_11: LazyLock<Regex> = LazyLock::new(|| re(r"^[-+]?(0|[1-9][0-9_]*)$"));
static OCT_11: LazyLock<Regex> = LazyLock::new(|| re(r"^[-+]?0[0-7_]+$"));
static SEXA_INT: LazyLock<Regex> = LazyLock::new(|| re(r"^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+$"));
static SEXA_FLOAT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$"));
static FLOAT_11: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[-+]?(([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)$")
});
static SPECIAL: LazyLock<Regex> = LazyLock::new(|| re(r"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$"));

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex compiles")
}

/// Resolves a plain scalar's text to a value.
pub(crate) fn resolve_plain(text: &str, schema: Schema) -> Result<Value, String> {
    if SPECIAL.is_match(text) {
        return Err(format!(
            "`{text}` (infinity or NaN) cannot be expressed in mcfg"
        ));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_of(text, schema) {
        return Ok(Value::Bool(b));
    }
    let resolved = match schema {
        Schema::Core => resolve_number_12(text)?,
        Schema::Yaml11 => resolve_number_11(text)?,
    };
    Ok(resolved.unwrap_or_else(|| Value::Str(text.to_owned())))
}

/// Resolves a scalar with an explicit core-schema tag (`!!str`, `!!int`, ...).
pub(crate) fn resolve_tagged(text: &str, tag: &str, schema: Schema) -> Result<Value, String> {
    let value = match tag {
        "str" => return Ok(Value::Str(text.to_owned())),
        "null" | "bool" | "int" | "float" => resolve_plain(text, schema)?,
        _ => return Err(format!("the tag `!!{tag}` is not supported")),
    };
    match (tag, value) {
        ("float", Value::Int(i)) => Ok(Value::Float(i as f64)),
        ("null", v @ Value::Null)
        | ("bool", v @ Value::Bool(_))
        | ("int", v @ Value::Int(_))
        | ("float", v @ Value::Float(_)) => Ok(v),
        _ => Err(format!("`{text}` is not a valid `!!{tag}`")),
    }
}

fn bool_of(text: &str, schema: Schema) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ if schema == Schema::Core => None,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn resolve_number_12(text: &str) -> Result<Option<Value>, String> {
    if INT_12.is_match(text) {
        return int_radix(text, text, 10).map(Some);
    }
    for (prefix, radix) in [("0o", 8), ("0x", 16)] {
        if let Some(digits) = text.strip_prefix(prefix) {
            if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
                return int_radix(text, digits, radix).map(Some);
            }
        }
    }
    if FLOAT_12.is_match(text) {
        return float(text, text).map(Some);
    }
    Ok(None)
}

fn resolve_number_11(text: &str) -> Result<Option<Value>, String> {
    let (sign, body) = split_sign(text);
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    for (prefix, radix) in [("0b", 2), ("0o", 8), ("0x", 16)] {
        if let Some(digits) = clean.strip_prefix(prefix) {
            if !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix)) {
                return int_radix(text, &format!("{sign}{digits}"), radix).map(Some);
            }
        }
    }
    if DEC_11.is_match(text) {
        return int_radix(text, &format!("{sign}{clean}"), 10).map(Some);
    }
    if OCT_11.is_match(text) {
        return int_radix(text, &format!("{sign}{}", &clean[1..]), 8).map(Some);
    }
    if SEXA_INT.is_match(text) {
        return sexagesimal_int(text, sign, &clean).map(Some);
    }
    if SEXA_FLOAT.is_match(text) {
        return sexagesimal_float(text, sign, &clean).map(Some);
    }
    if FLOAT_11.is_match(text) && clean.chars().any(|c| c.is_ascii_digit()) {
        return float(text, &format!("{sign}{clean}")).map(Some);
    }
    Ok(None)
}

fn split_sign(text: &str) -> (&str, &str) {
    match text.as_bytes().first() {
        Some(b'-') => ("-", &text[1..]),
        Some(b'+') => ("", &text[1..]),
        _ => ("", text),
    }
}

fn int_radix(text: &str, digits: &str, radix: u32) -> Result<Value, String> {
    i64::from_str_radix(digits, radix)
        .map(Value::Int)
        .map_err(|_| format!("the integer `{text}` does not fit in 64 bits"))
}

fn float(text: &str, clean: &str) -> Result<Value, String> {
    // Rust's parser wants a digit after the dot (`1.` and `1.e5` are YAML floats).
    let fixed = clean.replace(".e", ".0e").replace(".E", ".0E");
    let fixed = if fixed.ends_with('.') {
        format!("{fixed}0")
    } else {
        fixed
    };
    match fixed.parse::<f64>() {
        Ok(f) if f.is_finite() => Ok(Value::Float(f)),
        Ok(_) => Err(format!("the float `{text}` is out of range")),
        Err(_) => Ok(Value::Str(text.to_owned())),
    }
}

fn sexagesimal_int(text: &str, sign: &str, clean: &str) -> Result<Value, String> {
    let overflow = || format!("the integer `{text}` does not fit in 64 bits");
    let mut total: i64 = 0;
    for part in clean.split(':') {
        let n: i64 = part.parse().map_err(|_| overflow())?;
        total = total
            .checked_mul(60)
            .and_then(|t| t.checked_add(n))
            .ok_or_else(overflow)?;
    }
    Ok(Value::Int(if sign == "-" { -total } else { total }))
}

fn sexagesimal_float(text: &str, sign: &str, clean: &str) -> Result<Value, String> {
    let mut total = 0.0_f64;
    for part in clean.split(':') {
        let n: f64 = part
            .parse()
            .map_err(|_| format!("`{text}` is not a number"))?;
        total = total * 60.0 + n;
    }
    Ok(Value::Float(if sign == "-" { -total } else { total }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r11(s: &str) -> Value {
        resolve_plain(s, Schema::Yaml11).unwrap()
    }

    fn r12(s: &str) -> Value {
        resolve_plain(s, Schema::Core).unwrap()
    }

    fn s(text: &str) -> Value {
        Value::Str(text.to_owned())
    }

    #[test]
    fn yaml11_bools_and_numbers() {
        for t in ["y", "Yes", "ON", "true", "True"] {
            assert_eq!(r11(t), Value::Bool(true), "{t}");
        }
        for t in ["n", "NO", "off", "False"] {
            assert_eq!(r11(t), Value::Bool(false), "{t}");
        }
        assert_eq!(r11("yEs"), s("yEs"));
        assert_eq!(r11("017"), Value::Int(15));
        assert_eq!(r11("0o17"), Value::Int(15));
        assert_eq!(r11("0x1F"), Value::Int(31));
        assert_eq!(r11("0b101"), Value::Int(5));
        assert_eq!(r11("1_000"), Value::Int(1000));
        assert_eq!(r11("-1_000"), Value::Int(-1000));
        assert_eq!(r11("1:20"), Value::Int(80));
        assert_eq!(r11("190:20:30"), Value::Int(685_230));
        assert_eq!(r11("1:20.5"), Value::Float(80.5));
        assert_eq!(r11("1e-4"), Value::Float(1e-4));
        assert_eq!(r11("1.0e-8"), Value::Float(1e-8));
        assert_eq!(r11("1."), Value::Float(1.0));
        assert_eq!(r11("08"), s("08"));
        assert_eq!(r11("."), s("."));
        assert_eq!(r11("v1.2"), s("v1.2"));
    }

    #[test]
    fn yaml12_reads_only_core_schema() {
        for t in ["y", "yes", "on", "off", "no", "N", "1:20", "1_000", "0b101"] {
            assert_eq!(r12(t), s(t), "{t}");
        }
        assert_eq!(r12("017"), Value::Int(17));
        assert_eq!(r12("0o17"), Value::Int(15));
        assert_eq!(r12("TRUE"), Value::Bool(true));
        assert_eq!(r12("~"), Value::Null);
        assert_eq!(r12(""), Value::Null);
        assert_eq!(r12("1e-05"), Value::Float(1e-5));
        assert_eq!(r12("-3"), Value::Int(-3));
    }

    #[test]
    fn unrepresentable_numbers_are_errors() {
        for t in [".inf", "-.Inf", ".NaN", "99999999999999999999", "1e999"] {
            assert!(resolve_plain(t, Schema::Yaml11).is_err(), "{t}");
            assert!(resolve_plain(t, Schema::Core).is_err(), "{t}");
        }
        assert_eq!(r11("-9223372036854775808"), Value::Int(i64::MIN));
    }

    #[test]
    fn tags_force_a_type() {
        assert_eq!(
            resolve_tagged("yes", "str", Schema::Yaml11).unwrap(),
            s("yes")
        );
        assert_eq!(
            resolve_tagged("3", "float", Schema::Yaml11).unwrap(),
            Value::Float(3.0)
        );
        assert!(resolve_tagged("abc", "int", Schema::Yaml11).is_err());
        assert!(resolve_tagged("abc", "binary", Schema::Yaml11).is_err());
    }
}
