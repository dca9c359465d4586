//! Artifact bytes: turning evaluated values into JSON or YAML files (LANGUAGE.md §7).
//!
//! This module knows output formats and nothing of the disk: it returns
//! [`Artifact`]s (a relative path plus bytes) and the [`manifest`]; only `cli`
//! writes them (see `cli::output`). Object keys come out in the order of the
//! given `serde_json::Value` (the crate enables `preserve_order`), so the order
//! the front end chose (schema field order) is the order in every artifact.
//!
//! **Invariant:** rendering is a pure function of its input: no timestamps,
//! no hash-map iteration, no environment lookups.

pub mod bundle;
pub mod flagd;
pub mod flat;
pub mod json;
pub mod manifest;
pub mod schema;
pub mod yaml;

use serde_json::Value;

/// One file of a build: where it goes inside the output folder and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Path relative to the output folder, with `/` as the separator
    /// (`prod/ranker.json`, `manifest.json`).
    pub rel_path: String,
    contents: Contents,
}

/// A file's exact contents: one buffer, or pieces that are written and
/// hashed in order and never joined (a bundle: its members as they were
/// rendered, and the text between them). Equal contents compare equal
/// however they are cut.
#[derive(Debug, Clone)]
enum Contents {
    One(Vec<u8>),
    Pieces(Vec<Vec<u8>>),
}

impl PartialEq for Contents {
    fn eq(&self, other: &Contents) -> bool {
        self.len() == other.len() && self.to_bytes() == other.to_bytes()
    }
}

impl Eq for Contents {}

impl Contents {
    fn len(&self) -> usize {
        match self {
            Contents::One(b) => b.len(),
            Contents::Pieces(p) => p.iter().map(Vec::len).sum(),
        }
    }

    fn pieces(&self) -> &[Vec<u8>] {
        match self {
            Contents::One(b) => std::slice::from_ref(b),
            Contents::Pieces(p) => p,
        }
    }

    fn to_bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        match self {
            Contents::One(b) => std::borrow::Cow::Borrowed(b),
            Contents::Pieces(p) => std::borrow::Cow::Owned(p.concat()),
        }
    }
}

impl Artifact {
    /// An artifact at `rel_path` holding `bytes`.
    pub fn new(rel_path: impl Into<String>, bytes: Vec<u8>) -> Artifact {
        Artifact {
            rel_path: rel_path.into(),
            contents: Contents::One(bytes),
        }
    }

    /// An artifact at `rel_path` holding `pieces` one after the other.
    pub fn from_pieces(rel_path: impl Into<String>, pieces: Vec<Vec<u8>>) -> Artifact {
        Artifact {
            rel_path: rel_path.into(),
            contents: Contents::Pieces(pieces),
        }
    }

    /// The same contents at another path.
    pub fn moved_to(self, rel_path: impl Into<String>) -> Artifact {
        Artifact {
            rel_path: rel_path.into(),
            contents: self.contents,
        }
    }

    /// The number of bytes.
    pub fn len(&self) -> usize {
        self.contents.len()
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The contents, joined if they are in pieces.
    pub fn bytes(&self) -> std::borrow::Cow<'_, [u8]> {
        self.contents.to_bytes()
    }

    /// Whether the contents are exactly `bytes`.
    pub fn holds(&self, bytes: &[u8]) -> bool {
        if bytes.len() != self.len() {
            return false;
        }
        let mut rest = bytes;
        for piece in self.contents.pieces() {
            let (head, tail) = rest.split_at(piece.len());
            if head != piece.as_slice() {
                return false;
            }
            rest = tail;
        }
        true
    }

    /// Lowercase hex SHA-256 of the contents.
    pub fn sha256_hex(&self) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        match &self.contents {
            Contents::One(b) => h.update(b),
            Contents::Pieces(pieces) => {
                // Small pieces are gathered into whole blocks first: hashing
                // thousands of short slices one by one is slower than copying.
                let mut buf = Vec::with_capacity(1 << 16);
                for piece in pieces {
                    if buf.len() + piece.len() > buf.capacity() {
                        h.update(&buf);
                        buf.clear();
                    }
                    if piece.len() >= buf.capacity() {
                        h.update(piece);
                    } else {
                        buf.extend_from_slice(piece);
                    }
                }
                h.update(&buf);
            }
        }
        manifest::hex(&h.finalize())
    }

    /// Writes the contents to `w`; pieces a batch at a time
    /// (`write_vectored`), so small ones do not each cost a system call.
    pub fn write_to(&self, mut w: impl std::io::Write) -> std::io::Result<()> {
        let pieces = match &self.contents {
            Contents::One(b) => return w.write_all(b),
            Contents::Pieces(pieces) => pieces,
        };
        // At most this many slices per call (Linux's `IOV_MAX`).
        const BATCH: usize = 1024;
        let mut rest: &[Vec<u8>] = pieces;
        // Bytes of `rest[0]` already written.
        let mut done = 0;
        while let Some(first) = rest.first() {
            let n = rest.len().min(BATCH);
            let mut slices = Vec::with_capacity(n);
            slices.push(std::io::IoSlice::new(&first[done..]));
            slices.extend(rest[1..n].iter().map(|p| std::io::IoSlice::new(p)));
            let mut written = match w.write_vectored(&slices) {
                Ok(0) if slices.iter().any(|s| !s.is_empty()) => {
                    return Err(std::io::ErrorKind::WriteZero.into());
                }
                Ok(k) => k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            // Skip the pieces written whole, then into the first one left.
            while let Some(first) = rest.first() {
                let left = first.len() - done;
                if written < left {
                    done += written;
                    break;
                }
                written -= left;
                done = 0;
                rest = &rest[1..];
            }
        }
        Ok(())
    }
}

/// True when `rel_path` is a safe relative artifact path: non-empty, `/`
/// separated, not absolute, no `\`, and no empty, `.` or `..` component.
/// Paths in a manifest or a build that fail this are never read or written.
pub fn is_safe_rel_path(rel_path: &str) -> bool {
    !rel_path.is_empty()
        && !rel_path.contains('\\')
        && rel_path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The file format of config artifacts (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// JSON, two-space indentation (the default).
    #[default]
    Json,
    /// Block-style YAML that YAML 1.1 and 1.2 readers load to the JSON value.
    Yaml,
}

impl Format {
    /// The file extension for this format, without the dot: `json` or `yaml`.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }
}

/// Renders one artifact value in `format`; with `flat`, nested objects are
/// first turned into dotted keys ([`flat::flatten`]).
pub fn render(value: &Value, format: Format, flat: bool) -> Vec<u8> {
    let flattened;
    let value = if flat {
        flattened = flat::flatten(value);
        &flattened
    } else {
        value
    };
    match format {
        Format::Json => json::to_bytes(value),
        Format::Yaml => yaml::to_bytes(value),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn render_dispatches_on_format_and_flat() {
        let value = json!({"serving": {"batch_size": 64}});
        let json_flat = render(&value, Format::Json, true);
        assert_eq!(
            String::from_utf8(json_flat).unwrap(),
            "{\n  \"serving.batch_size\": 64\n}\n"
        );
        let yaml = render(&value, Format::Yaml, false);
        assert_eq!(
            String::from_utf8(yaml).unwrap(),
            "serving:\n  batch_size: 64\n"
        );
        assert_eq!(Format::Yaml.extension(), "yaml");
    }

    /// A writer that takes at most `step` bytes per call, and fails with
    /// `Interrupted` every third call.
    struct Trickle {
        out: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.write_vectored(&[std::io::IoSlice::new(buf)])
        }

        fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let mut left = self.step;
            for b in bufs {
                let n = b.len().min(left);
                self.out.extend_from_slice(&b[..n]);
                left -= n;
                if left == 0 {
                    break;
                }
            }
            Ok(self.step - left)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn pieces_of(joined: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut at = 0;
        for &c in cuts {
            out.push(joined[at..c].to_vec());
            at = c;
        }
        out.push(joined[at..].to_vec());
        out
    }

    #[test]
    fn an_artifact_in_pieces_is_its_joined_bytes() {
        // 3,000 pieces of 0 to 6 bytes (empty ones too), then one of 200 kB:
        // more than one batch of slices, and one piece longer than the
        // hashing buffer.
        let mut joined: Vec<u8> = (0..9_000u32).map(|i| (i % 251) as u8).collect();
        joined.extend((0..200_000u32).map(|i| (i % 13) as u8));
        let cuts: Vec<usize> = (0..3_000).map(|i| i * 3 - i % 2).collect();
        let whole = Artifact::new("a.json", joined.clone());
        let cut = Artifact::from_pieces("a.json", pieces_of(&joined, &cuts[1..]));
        assert_eq!(cut.len(), joined.len());
        assert_eq!(cut, whole);
        assert_eq!(cut.bytes().as_ref(), joined.as_slice());
        assert_eq!(cut.sha256_hex(), manifest::sha256_hex(&joined));
        assert!(cut.holds(&joined));
        let mut other = joined.clone();
        *other.last_mut().unwrap() ^= 1;
        assert!(!cut.holds(&other));
        assert!(!cut.holds(&joined[1..]));
        assert_ne!(cut, Artifact::new("a.json", other));
        for step in [1, 7, 4096, 1 << 20] {
            let mut w = Trickle {
                out: Vec::new(),
                step,
                calls: 0,
            };
            cut.write_to(&mut w).unwrap();
            assert!(w.out == joined, "step {step}");
        }
    }

    #[test]
    fn safe_rel_paths() {
        for ok in ["manifest.json", "prod/ranker.json", "a/b/c.yaml", ".hidden"] {
            assert!(is_safe_rel_path(ok), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../b",
            "a//b",
            "./a",
            "a/",
            "a\\b",
        ] {
            assert!(!is_safe_rel_path(bad), "{bad}");
        }
    }
}
