//! Overlays: what each later input changes in the merged result so far.
//!
//! The merge is Helm's and Hydra's: mappings merge key by key, recursively;
//! every other value (lists included) is replaced. With Helm's rule for
//! `null` (`helm_nulls`, the default import) an overlay's `key: null`
//! deletes the key and is written `unset key` (LANGUAGE.md §9.2); with
//! OmegaConf's (`--hydra`) `null` is a value. An overlay's diff keeps only
//! the keys whose merged value changes; a value whose kind changes is
//! written `key := value` in Helm mode and gets a `FIXME(import)` note that
//! `hydra::apply` turns into `:=`.

use indexmap::IndexSet;

use super::literal::ident;
use super::value::{same, Entry, Map, Op, Value};

/// The base mapping and each overlay's differences, in input order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) base: Map,
    pub(crate) layers: Vec<Layer>,
    /// How many leading layers compose a Hydra defaults list (`hydra_defaults`):
    /// the base and those layers but the last are abstract, and the last is
    /// the composed config, named as the base would be.
    pub(crate) composed: usize,
    /// With `composed`: the identifier of the first composed file (the base).
    pub(crate) base_stem: String,
}

/// One overlay: a unique identifier from its file stem and its differences.
#[derive(Debug)]
pub(crate) struct Layer {
    pub(crate) stem: String,
    pub(crate) diff: Map,
}

/// Diffs each overlay against the merged result of the inputs before it.
pub(crate) fn plan(base: Map, overlays: Vec<(&str, Map)>, helm_nulls: bool) -> Plan {
    let mut merged = base.clone();
    let mut stems = IndexSet::new();
    let mut layers = Vec::with_capacity(overlays.len());
    for (name, overlay) in overlays {
        let stem = unique(&mut stems, ident(file_stem(name)));
        let mut diff = diff(&merged, &overlay);
        if helm_nulls {
            helm_ops(&mut diff, &merged);
            merge_helm(&mut merged, overlay);
        } else {
            merge(&mut merged, overlay);
        }
        layers.push(Layer { stem, diff });
    }
    Plan {
        base,
        layers,
        composed: 0,
        base_stem: String::new(),
    }
}

pub(crate) fn file_stem(name: &str) -> &str {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    match file.rfind('.') {
        Some(i) if i > 0 => &file[..i],
        _ => file,
    }
}

fn unique(seen: &mut IndexSet<String>, stem: String) -> String {
    let mut candidate = stem.clone();
    let mut n = 2;
    while seen.contains(&candidate) {
        candidate = format!("{stem}_{n}");
        n += 1;
    }
    seen.insert(candidate.clone());
    candidate
}

/// The entries of `overlay` that change `base` once merged into it.
pub(crate) fn diff(base: &Map, overlay: &Map) -> Map {
    let mut out = Map::default();
    for (key, entry) in &overlay.entries {
        let Some(old) = base.entries.get(key) else {
            out.entries.insert(key.clone(), entry.clone());
            continue;
        };
        match (&old.value, &entry.value) {
            (Value::Map(old_map), Value::Map(new_map)) => {
                let inner = diff(old_map, new_map);
                if !inner.is_empty() {
                    let notes = entry.notes.clone();
                    out.entries.insert(
                        key.clone(),
                        Entry {
                            value: Value::Map(inner),
                            notes,
                        },
                    );
                }
            }
            (old_value, new_value) if same(old_value, new_value) => {}
            (old_value, new_value) => {
                let mut changed = entry.clone();
                if !matches!(old_value, Value::Null) && old_value.kind() != new_value.kind() {
                    changed.notes.fixme = Some(format!(
                        "`{key}` changes from {} to {}; a structural config may reject \
                         the change of type",
                        old_value.kind(),
                        new_value.kind()
                    ));
                }
                out.entries.insert(key.clone(), changed);
            }
        }
    }
    out
}

/// Helm's `null` and kind changes in an overlay's diff against `before`:
/// `key: null` of a key that holds a value becomes `unset key` (a `null`
/// for a key that is not there changes nothing and is dropped), a value of
/// another kind becomes `key := value`.
fn helm_ops(diff: &mut Map, before: &Map) {
    let entries = std::mem::take(&mut diff.entries);
    for (key, mut entry) in entries {
        let old = before.entries.get(&key).map(|e| &e.value);
        match (&mut entry.value, old) {
            (Value::Null, None | Some(Value::Null)) => continue,
            (Value::Null, Some(_)) => {
                entry.notes.fixme = None;
                entry.notes.op = Op::Unset;
            }
            (Value::Map(inner), Some(Value::Map(old))) => helm_ops(inner, old),
            (Value::Map(inner), _) => drop_nulls(inner),
            _ => {}
        }
        if entry.notes.fixme.take().is_some() {
            entry.notes.op = Op::Replace;
        }
        diff.entries.insert(key, entry);
    }
}

/// In a mapping new to the merged result, Helm's `null`s delete nothing.
fn drop_nulls(map: &mut Map) {
    map.entries.retain(|_, e| !matches!(e.value, Value::Null));
    for e in map.entries.values_mut() {
        if let Value::Map(inner) = &mut e.value {
            drop_nulls(inner);
        }
    }
}

/// [`merge`] with Helm's rule: an overlay's `null` deletes the key.
fn merge_helm(base: &mut Map, overlay: Map) {
    for (key, entry) in overlay.entries {
        match (base.entries.get_mut(&key), entry.value) {
            (_, Value::Null) => {
                base.entries.shift_remove(&key);
            }
            (
                Some(Entry {
                    value: Value::Map(old),
                    ..
                }),
                Value::Map(new),
            ) => merge_helm(old, new),
            (Some(old), value) => old.value = value,
            (None, mut value) => {
                if let Value::Map(m) = &mut value {
                    drop_nulls(m);
                }
                base.entries.insert(
                    key,
                    Entry {
                        value,
                        notes: entry.notes,
                    },
                );
            }
        }
    }
}

/// Merges `overlay` into `base`: mappings deeply, everything else replaced.
pub(crate) fn merge(base: &mut Map, overlay: Map) {
    for (key, entry) in overlay.entries {
        match (base.entries.get_mut(&key), entry.value) {
            (
                Some(Entry {
                    value: Value::Map(old),
                    ..
                }),
                Value::Map(new),
            ) => merge(old, new),
            (Some(old), value) => old.value = value,
            (None, value) => {
                base.entries.insert(
                    key,
                    Entry {
                        value,
                        notes: entry.notes,
                    },
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read::read_yaml;
    use crate::import::Yaml11;

    fn map(text: &str) -> Map {
        read_yaml(text, Yaml11::Yes).unwrap()
    }

    fn keys(m: &Map) -> Vec<&str> {
        m.entries.keys().map(String::as_str).collect()
    }

    #[test]
    fn diff_keeps_only_changes_recursively() {
        let base = map("a: 1\nb:\n  c: 1\n  d: [1, 2]\n  e: x\nf: {}\n");
        let over = map("a: 1\nb:\n  c: 2\n  d: [1, 2]\n  e: x\nf: {}\ng: new\n");
        let d = diff(&base, &over);
        assert_eq!(keys(&d), ["b", "g"]);
        let Value::Map(b) = &d.entries["b"].value else {
            panic!("mapping")
        };
        assert_eq!(keys(b), ["c"]);
    }

    #[test]
    fn lists_are_replaced_whole() {
        let d = diff(&map("l: [1, 2, 3]\n"), &map("l: [1, 2]\n"));
        assert_eq!(
            d.entries["l"].value,
            Value::List(vec![Value::Int(1), Value::Int(2)])
        );
    }

    #[test]
    fn kind_changes_get_a_fixme() {
        let d = diff(&map("m: {a: 1}\nk: null\n"), &map("m: null\nk: {a: 1}\n"));
        assert!(d.entries["m"]
            .notes
            .fixme
            .as_deref()
            .is_some_and(|f| f.contains("mapping to null")));
        assert!(d.entries["k"].notes.fixme.is_none());
    }

    #[test]
    fn identical_overlay_has_an_empty_diff() {
        let base = map("a: {b: [1, {c: 2}]}\n");
        assert!(diff(&base, &base).is_empty());
    }

    #[test]
    fn plan_diffs_against_the_merged_result_so_far() {
        let p = plan(
            map("a: 1\nb: {c: 1}\n"),
            vec![
                ("x/dev.yaml", map("a: 2\n")),
                ("y/dev.yml", map("a: 2\nb: {c: 3}\n")),
            ],
            true,
        );
        assert_eq!(p.layers[0].stem, "dev");
        assert_eq!(p.layers[1].stem, "dev_2");
        assert_eq!(keys(&p.layers[1].diff), ["b"]);
    }

    #[test]
    fn merge_is_deep() {
        let mut base = map("a: {b: 1, c: {d: 1}}\n");
        merge(&mut base, map("a: {c: {e: 2}}\n"));
        assert!(same(
            &Value::Map(base),
            &Value::Map(map("a: {b: 1, c: {d: 1, e: 2}}\n"))
        ));
    }
}
