//! Proof that `emit::yaml` output loads back to exactly the JSON value, with
//! PyYAML (YAML 1.1, via `tests/yaml_roundtrip.py`) and with saphyr (YAML 1.2).
//!
//! The tricky strings are built by category below; each is used as a value
//! and as a key, alone, inside lists and inside nested objects, and in the
//! `--flat` form.

use std::path::Path;
use std::process::Command;

use mcfg::emit::{self, Format};
use saphyr::{LoadableYamlNode, ScalarOwned, YamlOwned};
use serde_json::{json, Map, Number, Value};

fn casings(word: &str) -> Vec<String> {
    let mut upper_first = word.to_owned();
    if let Some(first) = upper_first.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let mixed: String = word
        .chars()
        .enumerate()
        .map(|(i, c)| {
            if i % 2 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect();
    vec![
        word.to_owned(),
        upper_first,
        word.to_ascii_uppercase(),
        mixed,
    ]
}

/// Every YAML 1.1 bool and null spelling, in several casings.
fn bools_and_nulls() -> Vec<String> {
    let words = [
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "none", "nil",
    ];
    let mut out: Vec<String> = words.iter().flat_map(|w| casings(w)).collect();
    out.extend(["~", "~a", "a~"].map(str::to_owned));
    out
}

/// Numbers in every YAML 1.1 / 1.2 form, plus near misses.
fn numbers() -> Vec<String> {
    [
        "0",
        "1",
        "-1",
        "+1",
        "007",
        "-0",
        "+0",
        "00",
        "0.",
        "0.0",
        "-0.0",
        "1.",
        ".5",
        "-.5",
        "+.5",
        "1_000",
        "1__0",
        "_1",
        "1_",
        "1,000",
        "0o17",
        "0O17",
        "017",
        "-017",
        "0o",
        "0x1F",
        "0X1f",
        "-0x1F",
        "0x",
        "0xG",
        "0b101",
        "-0b101",
        "+0b1",
        "0b",
        "0b102",
        "1e3",
        "1E3",
        "1e+3",
        "-1e-3",
        "1.5e3",
        "6.8523015e+5",
        "685.230_15e+03",
        "685_230.15",
        "1e300",
        "1E-300",
        "1e",
        "e3",
        "190:20:30",
        "190:20:30.15",
        "1:20",
        "-1:20",
        "+1:20",
        "12:30",
        "12:30:00",
        "1:2:3:4",
        ".inf",
        ".Inf",
        ".INF",
        "-.inf",
        "+.inf",
        "-.Inf",
        "+.INF",
        ".nan",
        ".NaN",
        ".NAN",
        "inf",
        "-inf",
        "Infinity",
        "-Infinity",
        "infinity",
        "NaN",
        "nan",
        "NAN",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
        "1.7976931348623157e308",
        "4.9e-324",
        "0.1",
        "3.14",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn dates() -> Vec<String> {
    [
        "2001-12-14",
        "2002-12-14",
        "2026-11-26",
        "2001-1-1",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5",
        "2001-12-15T02:59:43.1Z",
        "2001-12-15 2:59:43.10",
        "1999-12-31T23:59:59Z",
        "12:30",
        "23:59:59",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Every indicator at the start, alone, before a letter and before a space.
fn indicators() -> Vec<String> {
    let mut out = Vec::new();
    for c in "-?:,[]{}#&*!|>'\"%@`=<.+".chars() {
        out.extend([c.to_string(), format!("{c}x"), format!("{c} x")]);
    }
    out.extend(
        [
            "<<",
            "<<a",
            "---",
            "...",
            "--- a",
            "... a",
            "%YAML 1.2",
            "!!str",
            "|-",
            ">+",
        ]
        .map(str::to_owned),
    );
    out
}

/// `: ` and ` #` inside, and other characters that matter mid-string.
fn inner_syntax() -> Vec<String> {
    [
        "a: b",
        "a:b",
        "a :b",
        "a:",
        "a: ",
        "a #b",
        "a#b",
        "a #",
        "key: value",
        "# not a comment",
        "http://x.y/z?q=1#frag",
        "a - b",
        "a, b",
        "a]",
        "a}",
        "a [b]",
        "a{b}",
        "a\\b",
        "\\",
        "\\n",
        "C:\\path\\to",
        "a\"b",
        "a'b",
        "it's",
        "a & b",
        "a * b",
        "a | b",
        "a > b",
        "a % b",
        "a@b.c",
        "a `b`",
        "a ? b",
        "a ! b",
        "a=b",
        "a<<b",
        "hello world",
        "s3://bucket/key",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn whitespace() -> Vec<String> {
    [
        "",
        " ",
        "  ",
        " a",
        "a ",
        " a ",
        "a  b",
        "\t",
        "a\tb",
        "\ta",
        "a\t",
        "\n",
        "a\n",
        "\na",
        "two\nlines",
        "a\n\nb",
        "trailing\n\n",
        "\r\n",
        "a\rb",
        " \n ",
        "\u{a0}",
        "\u{a0}x\u{a0}",
        "\u{3000}",
        "\u{200b}",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn unicode() -> Vec<String> {
    [
        "é",
        "日本語",
        "Ω≈ç√",
        "\u{85}",
        "a\u{85}b",
        "\u{2028}",
        "\u{2029}",
        "a\u{2028}b",
        "a\u{2029}b",
        "\u{feff}",
        "\u{feff}x",
        "🙂",
        "👩‍💻",
        "a🙂b",
        "\u{fffe}",
        "\u{ffff}",
        "\u{e000}",
        "\u{fffd}",
        "\u{10ffff}",
        "\u{d7ff}",
        "e\u{301}",
        "\u{202e}rtl",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// Every C0 control, DEL and every C1 control, inside a string.
fn controls() -> Vec<String> {
    let codes = (0u32..0x20).chain([0x7f]).chain(0x80..0xa0);
    codes
        .filter_map(char::from_u32)
        .map(|c| format!("x{c}y"))
        .collect()
}

fn long_and_json_like() -> Vec<String> {
    let mut out = vec![
        "a".repeat(129),
        "a".repeat(1025),
        "b".repeat(5000),
        "x y ".repeat(300).trim_end().to_owned(),
        format!("no{}", " no".repeat(400)),
        format!("{}\n{}", "l".repeat(2000), "m".repeat(2000)),
        "é".repeat(700),
    ];
    out.extend(
        [
            "{}",
            "[]",
            "{\"a\": 1}",
            "[1, 2]",
            "\"quoted\"",
            "'single'",
            "{a: 1}",
            "[a, b]",
        ]
        .map(str::to_owned),
    );
    out
}

fn tricky_strings() -> Vec<String> {
    let mut all = Vec::new();
    for group in [
        bools_and_nulls(),
        numbers(),
        dates(),
        indicators(),
        inner_syntax(),
        whitespace(),
        unicode(),
        controls(),
        long_and_json_like(),
    ] {
        for s in group {
            if !all.contains(&s) {
                all.push(s);
            }
        }
    }
    all
}

fn special_numbers() -> Value {
    json!({
        "floats": [0.1, 1.0, 1e300, -0.0, 0.0, 5e-324, 1.7976931348623157e308, -2.5e-7, 123456.0, 1e16, 1e15],
        "ints": [0, -1, i64::MIN, i64::MAX, 1_000_000],
        "bools": [true, false],
        "null": null,
        "empty_list": [],
        "empty_object": {},
        "nested_empty": [[], {}, [[]], [{}]]
    })
}

/// One document holding every string as a value and as a key, alone and nested.
fn document(strings: &[String]) -> Value {
    let mut values = Map::new();
    let mut keys = Map::new();
    let mut nested = Vec::new();
    for (idx, s) in strings.iter().enumerate() {
        values.insert(format!("v{idx}"), json!(s));
        keys.insert(s.clone(), json!(idx));
        nested.push(json!({ s.clone(): [s, {s.clone(): s}, [s, [s]]], "k": {s.clone(): {}} }));
    }
    json!({
        "values": values,
        "keys": keys,
        "list": strings,
        "nested": nested,
        "lists_of_lists": strings.iter().map(|s| json!([[s], []])).collect::<Vec<_>>(),
        "numbers": special_numbers(),
    })
}

/// Small documents, one per string, with the string at the top level.
fn singles(strings: &[String]) -> Vec<Value> {
    strings
        .iter()
        .map(|s| json!({ s.clone(): s, "list": [s, {s.clone(): [s]}] }))
        .collect()
}

fn yaml_to_json(node: &YamlOwned) -> Value {
    match node {
        YamlOwned::Value(ScalarOwned::Null) => Value::Null,
        YamlOwned::Value(ScalarOwned::Boolean(b)) => Value::Bool(*b),
        YamlOwned::Value(ScalarOwned::Integer(i)) => Value::Number((*i).into()),
        YamlOwned::Value(ScalarOwned::FloatingPoint(f)) => {
            Value::Number(Number::from_f64(f.into_inner()).expect("finite float"))
        }
        YamlOwned::Value(ScalarOwned::String(s)) => Value::String(s.clone()),
        YamlOwned::Sequence(items) => Value::Array(items.iter().map(yaml_to_json).collect()),
        YamlOwned::Mapping(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let YamlOwned::Value(ScalarOwned::String(key)) = key else {
                    panic!("non-string key {key:?}");
                };
                assert!(
                    out.insert(key.clone(), yaml_to_json(value)).is_none(),
                    "duplicate {key}"
                );
            }
            Value::Object(out)
        }
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// Loads `yaml` with saphyr and checks it equals `want` exactly (order and
/// float text included, by comparing the serialized JSON).
fn check_saphyr(name: &str, yaml: &str, want: &Value) {
    let docs = YamlOwned::load_from_str(yaml).unwrap_or_else(|err| panic!("{name}: {err}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    let got = yaml_to_json(&docs[0]);
    if got != *want
        || serde_json::to_string(&got).expect("json") != serde_json::to_string(want).expect("json")
    {
        let (Value::Object(g), Value::Object(w)) = (&got, want) else {
            panic!("{name}: saphyr loads {got} instead of {want}");
        };
        for (key, w_value) in w {
            assert_eq!(
                g.get(key),
                Some(w_value),
                "{name}: saphyr differs at {key:?}"
            );
        }
        panic!("{name}: saphyr loads a different key order");
    }
}

fn write_pair(dir: &Path, name: &str, value: &Value, flat: bool) -> String {
    let yaml = emit::render(value, Format::Yaml, flat);
    let json = emit::render(value, Format::Json, flat);
    std::fs::write(dir.join(format!("{name}.yaml")), &yaml).expect("write yaml");
    std::fs::write(dir.join(format!("{name}.json")), &json).expect("write json");
    let expected: Value = serde_json::from_slice(&json).expect("the JSON artifact parses");
    let yaml = String::from_utf8(yaml).expect("YAML is UTF-8");
    check_saphyr(name, &yaml, &expected);
    yaml
}

fn run_pyyaml(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/yaml_roundtrip.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(dir)
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run python3 ({err}); install Python 3 and `pip install pyyaml`")
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(
        output.status.code(),
        Some(3),
        "PyYAML is missing: pip install pyyaml\n{stderr}"
    );
    assert!(
        output.status.success(),
        "PyYAML round trip failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[test]
fn yaml_loads_back_exactly_in_pyyaml_and_saphyr() {
    let strings = tricky_strings();
    assert!(
        strings.len() >= 200,
        "only {} tricky strings",
        strings.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let doc = document(&strings);
    let yaml = write_pair(tmp.path(), "all", &doc, false);
    write_pair(tmp.path(), "all_flat", &doc, true);
    for (idx, single) in singles(&strings).iter().enumerate() {
        write_pair(tmp.path(), &format!("single{idx:03}"), single, false);
    }
    // Floats keep a dot and a signed exponent; no string is a bare `no`.
    assert!(
        yaml.contains("- 1.0e+300\n") && yaml.contains("- 5.0e-324\n"),
        "{yaml}"
    );
    assert!(yaml.contains("- \"no\"\n") && !yaml.contains("- no\n"));
    run_pyyaml(tmp.path());
    eprintln!("yaml round trip: {} tricky strings", strings.len());
}

#[test]
fn conformance_yaml_quoting_case() {
    let value: Value = serde_json::from_str(
        r##"{"a": "no", "b": "on", "c": "1e3", "d": "null", "e": "~", "f": "0x10", "g": "yes",
            "h": "2026-11-26", "i": "12:30", "j": "true", "k": "", "l": "two\nlines",
            "m": "# not a comment", "n": "key: value", "o": "- item", "p": 1.0, "q": 7,
            "r": ["NO", "Off", "0o17", "+1"]}"##,
    )
    .unwrap();
    let yaml = String::from_utf8(emit::render(&value, Format::Yaml, false)).unwrap();
    assert_eq!(
        yaml,
        r##"a: "no"
b: "on"
c: "1e3"
d: "null"
e: "~"
f: "0x10"
g: "yes"
h: "2026-11-26"
i: "12:30"
j: "true"
k: ""
l: "two\nlines"
m: "# not a comment"
"n": "key: value"
o: "- item"
p: 1.0
q: 7
r:
  - "NO"
  - "Off"
  - "0o17"
  - "+1"
"##
    );
    let tmp = tempfile::tempdir().unwrap();
    write_pair(tmp.path(), "y", &value, false);
    run_pyyaml(tmp.path());
}
