//! The language server's view of the sources: the disk with the editor's
//! open documents laid over it.
//!
//! An open document replaces the file at its path (saved or not) and is seen
//! even when it does not exist on disk yet, so the project the server compiles
//! is exactly what the user sees in the editor.

use std::io;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::loader::{normalize, FileSystem, Kind, RealFs, MAX_FILE_BYTES};

/// The disk ([`RealFs`]) overlaid with in-memory documents keyed by normalized path.
#[derive(Debug, Clone, Default)]
pub struct OverlayFs {
    docs: IndexMap<PathBuf, String>,
}

impl OverlayFs {
    /// An overlay holding `docs` (path → text).
    pub fn new(docs: impl IntoIterator<Item = (PathBuf, String)>) -> OverlayFs {
        OverlayFs {
            docs: docs.into_iter().map(|(p, t)| (normalize(&p), t)).collect(),
        }
    }
}

impl FileSystem for OverlayFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.docs.get(&normalize(path)) {
            Some(text) if text.len() as u64 > MAX_FILE_BYTES => {
                Err(io::Error::other("is larger than 256 MiB"))
            }
            Some(text) => Ok(text.as_bytes().to_vec()),
            None => RealFs.read(path),
        }
    }

    fn kind(&self, path: &Path) -> Option<Kind> {
        let norm = normalize(path);
        if self.docs.contains_key(&norm) {
            return Some(Kind::File);
        }
        RealFs.kind(path).or_else(|| {
            self.docs
                .keys()
                .any(|p| p.starts_with(&norm))
                .then_some(Kind::Dir)
        })
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<PathBuf>> {
        let norm = normalize(path);
        let mut out = RealFs.list_dir(path).unwrap_or_default();
        for doc in self.docs.keys() {
            let Ok(rest) = doc.strip_prefix(&norm) else {
                continue;
            };
            if let Some(first) = rest.components().next() {
                let child = norm.join(first);
                if !out.iter().any(|p| normalize(p) == child) {
                    out.push(child);
                }
            }
        }
        if out.is_empty() && RealFs.kind(path).is_none() {
            return Err(io::Error::new(io::ErrorKind::NotFound, "no such folder"));
        }
        Ok(out)
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        RealFs.canonical(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_documents_shadow_and_extend_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let on_disk = dir.path().join("a.mcfg");
        std::fs::write(&on_disk, "disk").unwrap();
        let fresh = dir.path().join("sub/new.mcfg");
        let fs = OverlayFs::new([
            (on_disk.clone(), "editor".to_owned()),
            (fresh.clone(), "new".to_owned()),
        ]);
        assert_eq!(fs.read(&on_disk).unwrap(), b"editor");
        assert_eq!(fs.read(&fresh).unwrap(), b"new");
        assert_eq!(fs.kind(&dir.path().join("sub")), Some(Kind::Dir));
        let inputs = crate::loader::collect_inputs(&fs, &[dir.path().to_path_buf()]).unwrap();
        assert_eq!(inputs.len(), 2);
    }
}
