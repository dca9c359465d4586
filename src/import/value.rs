//! The importer's data model: a JSON-like value tree whose mappings keep
//! their source key order and the comments found next to each key.
//!
//! Both readers (`json`, `yaml`) produce it, `overlay` diffs and merges it,
//! `emit` writes it as mcfg. Equality (`same`) ignores comments.

use indexmap::IndexMap;

/// A value read from YAML or JSON, after tag and scalar resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// Always finite: readers reject `.inf` and `.nan`.
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Map),
    /// An mcfg expression written as is (`self.a.b`; Hydra interpolations).
    Expr(String),
    /// A key with no value (OmegaConf's `???`): written as its note only.
    Missing,
}

/// How an entry is assigned (LANGUAGE.md §9.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Op {
    /// `key = value` (mappings merge).
    #[default]
    Set,
    /// `key := value` (replaces whatever was there).
    Replace,
    /// `unset key`.
    Unset,
    /// `key: any`: declared without a value, required (OmegaConf's `???`;
    /// the value is `Missing`).
    Declare,
}

/// A mapping in source key order.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Map {
    pub(crate) entries: IndexMap<String, Entry>,
}

/// One key's value plus the comments the importer carries over.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) value: Value,
    pub(crate) notes: Notes,
}

/// Comments attached to a key: written before it, after it, or as a warning.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Notes {
    /// Full-line `# comments` directly above the key, without the `#`.
    pub(crate) before: Vec<String>,
    /// A `# comment` at the end of the key's line, without the `#`.
    pub(crate) trailing: Option<String>,
    /// The source had a blank line above the key (or above its comments).
    pub(crate) blank_before: bool,
    /// A `FIXME(import)` message the emitter writes above the key.
    pub(crate) fixme: Option<String>,
    /// How the key is assigned.
    pub(crate) op: Op,
}

impl Entry {
    /// An entry without comments.
    pub(crate) fn plain(value: Value) -> Entry {
        Entry {
            value,
            notes: Notes::default(),
        }
    }
}

impl Map {
    /// True when the mapping has no keys.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Value {
    /// The kind's name, for messages: `mapping`, `list`, `string`, ...
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Map(_) => "mapping",
            Value::Expr(_) => "expression",
            Value::Missing => "missing value",
        }
    }
}

/// Structural equality that ignores comments; `1` and `1.0` differ.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::List(xs), Value::List(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| same(x, y))
        }
        (Value::Map(xs), Value::Map(ys)) => {
            xs.entries.len() == ys.entries.len()
                && xs
                    .entries
                    .iter()
                    .zip(&ys.entries)
                    .all(|((kx, x), (ky, y))| kx == ky && same(&x.value, &y.value))
        }
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits() || x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Value {
        let mut m = Map::default();
        for (k, v) in pairs {
            m.entries.insert((*k).to_owned(), Entry::plain(v.clone()));
        }
        Value::Map(m)
    }

    #[test]
    fn same_ignores_comments_but_not_types() {
        let a = map(&[("a", Value::Int(1))]);
        let mut b = a.clone();
        if let Value::Map(m) = &mut b {
            m.entries[0].notes.before.push("doc".to_owned());
        }
        assert!(same(&a, &b));
        assert!(!same(&Value::Int(1), &Value::Float(1.0)));
        assert!(!same(
            &map(&[("a", Value::Null)]),
            &map(&[("b", Value::Null)])
        ));
    }

    #[test]
    fn kinds_are_named() {
        assert_eq!(Value::Map(Map::default()).kind(), "mapping");
        assert_eq!(Value::List(vec![]).kind(), "list");
    }
}
