//! One path, one spelling: in a deployed artifact or a runtime update a key
//! is a dotted path (`"serving.timeout"` is `serving` → `timeout`), so the
//! same leaf can be written twice in different spellings
//! (`{"serving": {"timeout": 45}, "serving.timeout": 0.1}`), or a path can be
//! written both as a value and as an object holding fields. Either is a
//! `mcfg::duplicate` error at the second key, naming the first: nothing wins
//! silently.

use indexmap::IndexMap;

use super::{duplicate, DocError, Key, Node, Value};
use crate::source::Span;

/// What a path was first written as, and where.
#[derive(Clone, Copy)]
struct Seen {
    key: Span,
    /// Written as an object holding fields (not as a value).
    object: bool,
}

/// Checks the mapping `node` (the document's top level) for a path written twice.
pub(super) fn check(node: &Node) -> Result<(), DocError> {
    let Value::Map(entries) = &node.value else {
        return Ok(());
    };
    let mut seen: IndexMap<String, Seen> = IndexMap::new();
    walk(entries, "", &mut seen)
}

fn walk(
    entries: &[(Key, Node)],
    prefix: &str,
    seen: &mut IndexMap<String, Seen>,
) -> Result<(), DocError> {
    for (key, value) in entries {
        let mut path = prefix.to_owned();
        let parts: Vec<&str> = key.name.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(part);
            let last = i + 1 == parts.len();
            let object = !last || matches!(&value.value, Value::Map(m) if !m.is_empty());
            match seen.get(&path) {
                // Two spellings may both open the same object.
                Some(s) if s.object && object => {}
                Some(s) => {
                    return Err(duplicate(
                        format!("`{path}` is written twice"),
                        key.span,
                        s.key,
                        "write each path once, either nested or dotted",
                    ))
                }
                None => {
                    seen.insert(
                        path.clone(),
                        Seen {
                            key: key.span,
                            object,
                        },
                    );
                }
            }
        }
        if let Value::Map(inner) = &value.value {
            walk(inner, &path, seen)?;
        }
    }
    Ok(())
}
