//! Unit tests of the emitter.

use super::*;
use crate::import::overlay::plan;
use crate::import::read::read_yaml;
use crate::import::value::Notes;
use crate::import::{ImportOptions, Yaml11};

fn emit(text: &str) -> String {
    let map = read_yaml(text, Yaml11::Yes).unwrap();
    let opts = ImportOptions {
        config_name: "c".to_owned(),
        yaml11_strings: Yaml11::Yes,
        overlays: OverlayStyle::Children,
        hydra: false,
    };
    emit_file(&["f.yaml"], &opts, &plan(map, Vec::new(), true))
}

#[test]
fn long_lists_wrap_and_short_ones_do_not() {
    let out = emit("short: [1, 2]\nlong: [aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccccc, dddddddddddddddddd]\n");
    assert!(out.contains("  short = [1, 2]\n"), "{out}");
    assert!(
        out.contains("  long = [\n    \"aaaaaaaaaaaaaaaaaaaa\",\n"),
        "{out}"
    );
    assert!(out.contains("    \"dddddddddddddddddd\"\n  ]\n"), "{out}");
}

#[test]
fn empty_collections() {
    let out = emit("m: {}\nl: []\no: [{}]\n");
    assert!(out.contains("  m = {}\n  l = []\n  o = [{}]\n"), "{out}");
    assert_eq!(
        emit(""),
        "// Imported by mcfg import from f.yaml.\n\nconfig c {}\n"
    );
}

#[test]
fn notes_are_written_around_items() {
    let mut map = Map::default();
    let notes = Notes {
        before: vec![" doc".to_owned()],
        trailing: Some(" tail".to_owned()),
        blank_before: true,
        fixme: Some("kind changes".to_owned()),
        ..Notes::default()
    };
    map.entries
        .insert("a".to_owned(), Entry::plain(Value::Int(1)));
    map.entries.insert(
        "b".to_owned(),
        Entry {
            value: Value::Null,
            notes: notes.clone(),
        },
    );
    let mut inner = Map::default();
    inner
        .entries
        .insert("x".to_owned(), Entry::plain(Value::Bool(true)));
    map.entries.insert(
        "c".to_owned(),
        Entry {
            value: Value::Map(inner),
            notes,
        },
    );
    let mut out = String::new();
    write_body(&mut out, &map, 2);
    assert_eq!(
        out,
        "  a = 1\n\n  // doc\n  // FIXME(import): kind changes\n  b = null // tail\n\n  // doc\n  // tail\n  // FIXME(import): kind changes\n  c {\n    x = true\n  }\n"
    );
}

#[test]
fn objects_with_comments_are_multi_line() {
    let out = emit("l:\n  - a: 1\n    # doc\n    b: 2\n  - {a: 3}\n");
    assert!(
        out.contains(
            "  l = [\n    {\n      a = 1\n      // doc\n      b = 2\n    },\n    { a = 3 }\n  ]\n"
        ),
        "{out}"
    );
}
