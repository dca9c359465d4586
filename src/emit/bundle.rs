//! Bundles (`mcfg build --bundle`, issue #17 item 4): one document per
//! environment, `<env>.json` / `<env>.yaml` (`bundle.<ext>` when no
//! environments are declared), holding every config of that environment
//! keyed by config name, in build order: `{"ranker": {...}, "search": {...}}`.
//! The `@runtime` parts go to `<env>.runtime.<ext>` the same way, when a
//! config has any. This is the shape the peers (jsonnet, Pkl, CUE) produce
//! and the one a single ConfigMap or object-store upload wants.
//!
//! A bundle is spliced from the artifacts' own bytes, so each config's value
//! in a bundle is exactly its artifact: JSON artifacts (two-space pretty
//! JSON, never a raw line break inside a string) are indented by two spaces
//! under their key; YAML artifacts (block style, one scalar per line, `{}`
//! for an empty mapping) likewise. Rendering stays a pure function.

use serde_json::Value;

use super::manifest::{sha256_hex, ArtifactEntry, BundleEntry};
use super::{Artifact, Format};

/// One config's rendered artifact (and runtime artifact) for a bundle.
#[derive(Debug)]
pub struct Part {
    /// The manifest entry the per-config build would list.
    pub entry: ArtifactEntry,
    /// The artifact's bytes.
    pub main: Artifact,
    /// The runtime artifact's bytes, when the config has `@runtime` fields.
    pub runtime: Option<Artifact>,
}

/// The bundles of `parts`, one per environment of `envs` (in that order; a
/// single `None` environment when `envs` is empty), with their manifest
/// entries. An environment no part belongs to (all filtered out by
/// `--env`) gets no bundle.
pub fn bundles(
    parts: &[Part],
    envs: &[String],
    format: Format,
) -> Vec<(Vec<Artifact>, BundleEntry)> {
    let envs: Vec<Option<&str>> = if envs.is_empty() {
        vec![None]
    } else {
        envs.iter().map(|e| Some(e.as_str())).collect()
    };
    let mut out = Vec::new();
    for env in envs {
        let members: Vec<&Part> = parts
            .iter()
            .filter(|p| p.entry.env.as_deref() == env)
            .collect();
        if members.is_empty() {
            continue;
        }
        let main: Vec<(&str, &[u8])> = members
            .iter()
            .map(|p| (p.entry.config.as_str(), p.main.bytes.as_slice()))
            .collect();
        let runtime: Vec<(&str, &[u8])> = members
            .iter()
            .filter_map(|p| {
                Some((
                    p.entry.config.as_str(),
                    p.runtime.as_ref()?.bytes.as_slice(),
                ))
            })
            .collect();
        let main = Artifact::new(path(env, format, false), splice(&main, format));
        let runtime = (!runtime.is_empty())
            .then(|| Artifact::new(path(env, format, true), splice(&runtime, format)));
        let entry = BundleEntry {
            env: env.map(str::to_owned),
            path: main.rel_path.clone(),
            sha256: sha256_hex(&main.bytes),
            runtime_path: runtime.as_ref().map(|r| r.rel_path.clone()),
            runtime_sha256: runtime.as_ref().map(|r| sha256_hex(&r.bytes)),
            configs: members.iter().map(|p| p.entry.config.clone()).collect(),
        };
        let mut files = vec![main];
        files.extend(runtime);
        out.push((files, entry));
    }
    out
}

/// `<env>.<ext>`, `<env>.runtime.<ext>`, or `bundle.<ext>` without environments.
pub fn path(env: Option<&str>, format: Format, runtime: bool) -> String {
    let stem = env.unwrap_or("bundle");
    let ext = format.extension();
    if runtime {
        format!("{stem}.runtime.{ext}")
    } else {
        format!("{stem}.{ext}")
    }
}

/// One document keyed by the parts' names, each value the part's bytes.
pub fn splice(parts: &[(&str, &[u8])], format: Format) -> Vec<u8> {
    let total: usize = parts.iter().map(|(_, b)| b.len() + b.len() / 16 + 64).sum();
    let mut out = Vec::with_capacity(total + 4);
    match format {
        Format::Json => {
            if parts.is_empty() {
                out.extend_from_slice(b"{}\n");
                return out;
            }
            out.extend_from_slice(b"{\n");
            for (i, (name, bytes)) in parts.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b",\n");
                }
                out.extend_from_slice(b"  ");
                out.extend_from_slice(Value::String((*name).to_owned()).to_string().as_bytes());
                out.extend_from_slice(b": ");
                indent_into(&mut out, trim_newline(bytes));
            }
            out.extend_from_slice(b"\n}\n");
        }
        Format::Yaml => {
            if parts.is_empty() {
                out.extend_from_slice(b"{}\n");
                return out;
            }
            for (name, bytes) in parts {
                out.extend_from_slice(super::yaml::quote_str(name).as_bytes());
                out.push(b':');
                let body = trim_newline(bytes);
                if !body.contains(&b'\n') && (body.starts_with(b"{") || body.starts_with(b"[")) {
                    // An empty collection (`{}`, the only flow style) stays on the key's line.
                    out.push(b' ');
                    out.extend_from_slice(body);
                } else {
                    out.extend_from_slice(b"\n  ");
                    indent_into(&mut out, body);
                }
                out.push(b'\n');
            }
        }
    }
    out
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

/// Appends `bytes`, with two spaces after every line break.
fn indent_into(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| b == b'\n') {
        out.extend_from_slice(&rest[..=at]);
        out.extend_from_slice(b"  ");
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_bundle_holds_each_artifact_under_its_name() {
        let a = json!({"x": 1, "nested": {"list": [1, "a\nb"], "empty": {}}});
        let b = json!({});
        let (ab, bb) = (
            super::super::json::to_bytes(&a),
            super::super::json::to_bytes(&b),
        );
        let bytes = splice(&[("a", &ab), ("b-2", &bb)], Format::Json);
        let got: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(got, json!({"a": a, "b-2": b}));
        let keys: Vec<&String> = got.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b-2"]);
        assert!(
            bytes.starts_with(b"{\n  \"a\": {\n    \"x\": 1,"),
            "{}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(splice(&[], Format::Json), b"{}\n");
    }

    #[test]
    fn a_yaml_bundle_holds_each_artifact_under_its_name() {
        let a = json!({"x": 1, "nested": {"list": [1, "a: b"], "empty": {}}, "l": []});
        let b = json!({});
        let (ab, bb) = (
            super::super::yaml::to_bytes(&a),
            super::super::yaml::to_bytes(&b),
        );
        let bytes = splice(&[("a", &ab), ("b", &bb)], Format::Yaml);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("a:\n  x: 1\n  nested:\n    list:\n"),
            "{text}"
        );
        assert!(text.ends_with("\nb: {}\n"), "{text}");
    }

    #[test]
    fn paths_name_the_environment() {
        assert_eq!(path(Some("prod"), Format::Json, false), "prod.json");
        assert_eq!(path(Some("prod"), Format::Yaml, true), "prod.runtime.yaml");
        assert_eq!(path(None, Format::Json, false), "bundle.json");
    }
}
