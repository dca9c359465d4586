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
//!
//! For speed (`docs/performance.md`, "Incremental builds, bundles and cold
//! start") each config is turned into its indented form ([`Part`]) on the
//! thread that evaluated it, plain JSON directly by [`json_member`] (a
//! pretty formatter one level deep) rather than rendered and re-indented;
//! per-config artifacts are never hashed, since the manifest lists only the
//! bundles; and the environments' bundles are assembled and hashed in
//! parallel.

use std::io;

use rayon::prelude::*;
use serde_json::Value;

use super::manifest::BundleEntry;
use super::{Artifact, Format};

/// One config's value as it goes into a bundle: its artifact's bytes without
/// the final line break and with two spaces after every other line break
/// ([`member`]), so that assembling a bundle only copies bytes.
#[derive(Debug)]
pub struct Part {
    pub config: String,
    /// `None` for a build without environments.
    pub env: Option<String>,
    /// The artifact's bytes, as a bundle member.
    pub main: Vec<u8>,
    /// The runtime artifact's bytes as a bundle member, when the config has
    /// `@runtime` fields.
    pub runtime: Option<Vec<u8>>,
}

/// An artifact's bytes as a bundle member: the final line break dropped and
/// two spaces after every other one.
pub fn member(artifact: &[u8]) -> Vec<u8> {
    let body = trim_newline(artifact);
    let mut out = Vec::with_capacity(body.len() + body.len() / 8 + 8);
    indent_into(&mut out, body);
    out
}

/// Renders `value` as a JSON bundle member directly: the bytes
/// [`member`] makes of its two-space pretty JSON artifact
/// (`serde_json::to_writer_pretty`), without rendering the artifact first.
pub fn json_member<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    thread_local! {
        /// Rendered into, then copied out at its exact size: no chain of
        /// reallocations per member, and no unused capacity kept.
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SCRATCH.with(|scratch| {
        let Ok(mut buf) = scratch.try_borrow_mut() else {
            // Re-entered (never, in practice): render without the scratch.
            let mut out = Vec::new();
            value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut out,
                Nested::default(),
            ))?;
            return Ok(out);
        };
        buf.clear();
        value.serialize(&mut serde_json::Serializer::with_formatter(
            &mut *buf,
            Nested::default(),
        ))?;
        Ok(buf.to_vec())
    })
}

/// serde_json's two-space `PrettyFormatter`, one level deeper: every line
/// after the first is indented by two more spaces.
#[derive(Debug, Default)]
struct Nested {
    /// Open collections, the bundle's own object included.
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn newline<W: ?Sized + io::Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }

    fn indent<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        const SPACES: &[u8; 64] =
            b"                                                                ";
        // One level for the bundle itself.
        let mut width = 2 * (self.depth + 1);
        while width > 0 {
            let n = width.min(SPACES.len());
            w.write_all(&SPACES[..n])?;
            width -= n;
        }
        Ok(())
    }

    fn close<W: ?Sized + io::Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(w, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.newline(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The bundles of `parts`, one per environment of `envs` (in that order; a
/// single `None` environment when `envs` is empty), with their manifest
/// entries. An environment no part belongs to (all filtered out by
/// `--env`) gets no bundle. A bundle holds its members' bytes as pieces
/// ([`Artifact::from_pieces`]): they are hashed and written where they are,
/// never copied into one buffer. Environments are hashed in parallel; the
/// result does not depend on the thread count.
pub fn bundles(
    parts: Vec<Part>,
    envs: &[String],
    format: Format,
) -> Vec<(Vec<Artifact>, BundleEntry)> {
    let envs: Vec<Option<&str>> = if envs.is_empty() {
        vec![None]
    } else {
        envs.iter().map(|e| Some(e.as_str())).collect()
    };
    let each = parts.len() / envs.len().max(1) + 1;
    let mut by_env: Vec<Vec<Part>> = envs.iter().map(|_| Vec::with_capacity(each)).collect();
    for p in parts {
        if let Some(i) = envs.iter().position(|&e| e == p.env.as_deref()) {
            by_env[i].push(p);
        }
    }
    let one = |(env, members): (Option<&str>, Vec<Part>)| -> Option<(Vec<Artifact>, BundleEntry)> {
        if members.is_empty() {
            return None;
        }
        let mut configs = Vec::with_capacity(members.len());
        let mut mains = Vec::with_capacity(members.len());
        let mut runtimes = Vec::new();
        for (i, p) in members.into_iter().enumerate() {
            configs.push(p.config);
            mains.push(p.main);
            if let Some(r) = p.runtime {
                runtimes.push((i, r));
            }
        }
        let main = pieces(configs.iter().map(String::as_str).zip(mains), format);
        let main = Artifact::from_pieces(path(env, format, false), main);
        let runtime = (!runtimes.is_empty()).then(|| {
            let named = runtimes.into_iter().map(|(i, r)| (configs[i].as_str(), r));
            Artifact::from_pieces(path(env, format, true), pieces(named, format))
        });
        let entry = BundleEntry {
            env: env.map(str::to_owned),
            path: main.rel_path.clone(),
            sha256: main.sha256_hex(),
            runtime_path: runtime.as_ref().map(|r| r.rel_path.clone()),
            runtime_sha256: runtime.as_ref().map(Artifact::sha256_hex),
            configs,
        };
        let mut files = vec![main];
        files.extend(runtime);
        Some((files, entry))
    };
    let work: Vec<(Option<&str>, Vec<Part>)> = envs.into_iter().zip(by_env).collect();
    let out: Vec<Option<(Vec<Artifact>, BundleEntry)>> = if work.len() > 1 {
        work.into_par_iter().map(one).collect()
    } else {
        work.into_iter().map(one).collect()
    };
    out.into_iter().flatten().collect()
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

/// One document keyed by the parts' names, each value a bundle member
/// ([`member`], [`json_member`]).
pub fn splice(parts: &[(&str, &[u8])], format: Format) -> Vec<u8> {
    pieces(parts.iter().map(|&(n, b)| (n, b.to_vec())), format).concat()
}

/// [`splice`] as pieces: the text before each member, the member, and the
/// text after the last.
fn pieces<'n>(parts: impl IntoIterator<Item = (&'n str, Vec<u8>)>, format: Format) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut glue = Vec::new();
    for (i, (name, body)) in parts.into_iter().enumerate() {
        match format {
            Format::Json => {
                glue.extend_from_slice(if i == 0 { b"{\n  " } else { b",\n  " });
                glue.extend_from_slice(Value::String(name.to_owned()).to_string().as_bytes());
                glue.extend_from_slice(b": ");
            }
            Format::Yaml => {
                glue.extend_from_slice(super::yaml::quote_str(name).as_bytes());
                glue.push(b':');
                if !body.contains(&b'\n') && (body.starts_with(b"{") || body.starts_with(b"[")) {
                    // An empty collection (`{}`, the only flow style) stays on the key's line.
                    glue.push(b' ');
                } else {
                    glue.extend_from_slice(b"\n  ");
                }
            }
        }
        out.push(std::mem::take(&mut glue));
        out.push(body);
        if format == Format::Yaml {
            glue.push(b'\n');
        }
    }
    if out.is_empty() {
        glue.extend_from_slice(b"{}\n");
    } else if format == Format::Json {
        glue.extend_from_slice(b"\n}\n");
    }
    out.push(glue);
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
        let bytes = splice(&[("a", &member(&ab)), ("b-2", &member(&bb))], Format::Json);
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
        let bytes = splice(&[("a", &member(&ab)), ("b", &member(&bb))], Format::Yaml);
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.starts_with("a:\n  x: 1\n  nested:\n    list:\n"),
            "{text}"
        );
        assert!(text.ends_with("\nb: {}\n"), "{text}");
    }

    #[test]
    fn a_json_member_is_the_pretty_artifact_indented() {
        let values = [
            json!({"x": 1, "nested": {"list": [1, "a\nb", [], {}], "empty": {}}, "l": [[1, [2]], {"k": null}]}),
            json!({}),
            json!([]),
            json!([{"a": [true, 1.5e300, "\u{1f600}\"q\""]}]),
            json!("scalar"),
        ];
        for v in &values {
            let mut pretty = serde_json::to_vec_pretty(v).unwrap();
            pretty.push(b'\n');
            assert_eq!(
                String::from_utf8(json_member(v).unwrap()).unwrap(),
                String::from_utf8(member(&pretty)).unwrap()
            );
        }
    }

    #[test]
    fn paths_name_the_environment() {
        assert_eq!(path(Some("prod"), Format::Json, false), "prod.json");
        assert_eq!(path(Some("prod"), Format::Yaml, true), "prod.runtime.yaml");
        assert_eq!(path(None, Format::Json, false), "bundle.json");
    }
}
