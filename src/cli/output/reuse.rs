//! Keeping the unchanged files of the previous build (issue #17, item 3).
//!
//! A build into a folder that holds a previous build still stages a whole
//! new folder and swaps it in (all or nothing, see the parent module), but
//! an artifact whose path and SHA-256 are those the old manifest lists, and
//! whose old file still holds exactly the new bytes, is hard-linked from the
//! old folder into the staging folder instead of being written again. The
//! old file is read back and compared byte for byte (reading is far cheaper
//! than creating a file), so a file edited by hand after the build is never
//! kept: it is written afresh. Any error while linking (another file system,
//! a file system without hard links) falls back to writing.
//!
//! The manifest itself is always written, last, as before. Since the old and
//! new folders share the kept files' inodes only until the old folder is
//! removed right after the swap, nothing ever writes through a shared inode.
//!
//! Reading every old file back costs an open, a read and a close per file,
//! about as much as linking it. On Unix the read is skipped for a file whose
//! status-change time (`ctime`, which no user call can set back, and which
//! any write, `chmod`, link or rename moves forward) is strictly older than
//! the manifest's: after the old folder is removed, a build stamps its
//! manifest with the current time ([`stamp_built`]), so every file of the
//! build is older than it, and any change made to a file afterwards makes it
//! at least as new (the same clock tick included: then it is read as before).
//! What this does not catch: an edit made to the new folder while the build
//! that wrote it was still removing the old one, or a system clock set back
//! between the builds.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::emit::manifest::{Manifest, MANIFEST_NAME};
use crate::emit::Artifact;

/// The previous build in the output folder: where it is and the hash its
/// manifest lists for every file.
pub(super) struct Previous {
    dir: PathBuf,
    old: BTreeMap<String, String>,
    new: BTreeMap<String, String>,
    /// The old manifest's status-change time (Unix): files strictly older
    /// were not changed since that build ended.
    stamp: Option<(i64, i64)>,
}

impl Previous {
    /// The previous build in `dir` set against the build of `files`; `None`
    /// when there is none (no folder, no readable manifest) or when `files`
    /// hold no manifest to take the new hashes from.
    pub(super) fn read(dir: &Path, files: &[Artifact]) -> Option<Previous> {
        let bytes =
            crate::files::read_regular(&dir.join(MANIFEST_NAME), crate::files::MAX_DOCUMENT_BYTES)
                .ok()?;
        let old = hashes(&Manifest::from_bytes(&bytes).ok()?)?;
        let new_manifest = files.iter().find(|f| f.rel_path == MANIFEST_NAME)?;
        let new = hashes(&Manifest::from_bytes(&new_manifest.bytes()).ok()?)?;
        let stamp = fs::symlink_metadata(dir.join(MANIFEST_NAME))
            .ok()
            .and_then(|m| changed_at(&m));
        Some(Previous {
            dir: dir.to_path_buf(),
            old,
            new,
            stamp,
        })
    }

    /// Hard-links the previous build's copy of `file` to `dest` when it holds
    /// exactly `file`'s bytes; false (nothing done) otherwise or on any error.
    pub(super) fn link(&self, file: &Artifact, dest: &Path) -> bool {
        let path = file.rel_path.as_str();
        let (Some(old), Some(new)) = (self.old.get(path), self.new.get(path)) else {
            return false;
        };
        if !old.eq_ignore_ascii_case(new) {
            return false;
        }
        let source = self.dir.join(path);
        self.same_bytes(&source, file) && fs::hard_link(&source, dest).is_ok()
    }

    /// Whether the regular file at `path` holds exactly `file`'s bytes: read
    /// back unless it was not changed since the previous build ended.
    fn same_bytes(&self, path: &Path, file: &Artifact) -> bool {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return false;
        };
        if !meta.is_file() || meta.len() != file.len() as u64 {
            return false;
        }
        let unchanged = self
            .stamp
            .zip(changed_at(&meta))
            .is_some_and(|(stamp, at)| at < stamp);
        unchanged || read_same(path, file)
    }
}

/// The status-change time of a file, where there is one (Unix).
fn changed_at(meta: &fs::Metadata) -> Option<(i64, i64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.ctime(), meta.ctime_nsec()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Stamps the manifest of a build that is in place, and whose old folder is
/// removed, with the current time of the file system's clock (the clock of
/// `ctime`): the reference [`Previous`] compares the next build's files
/// with. Failing leaves the old stamp: files then are read back.
pub(super) fn stamp_built(manifest: &Path) {
    #[cfg(unix)]
    {
        use rustix::fs::{utimensat, AtFlags, Timespec, Timestamps, CWD, UTIME_NOW, UTIME_OMIT};
        let times = Timestamps {
            last_access: Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            },
            last_modification: Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_NOW,
            },
        };
        let _ = utimensat(CWD, manifest, &times, AtFlags::SYMLINK_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = manifest;
}

/// Whether the file at `path` (of `expected.len()` bytes) holds exactly
/// `expected`'s bytes.
fn read_same(path: &Path, expected: &Artifact) -> bool {
    let Ok(mut file) = fs::File::open(path) else {
        return false;
    };
    // One byte more than expected, to notice a file that grew meanwhile.
    let mut buf = Vec::with_capacity(expected.len() + 1);
    match file
        .by_ref()
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut buf)
    {
        Ok(_) => expected.holds(&buf),
        Err(_) => false,
    }
}

/// Every file path a manifest lists with its hash (`None` for a manifest
/// whose runtime entries are inconsistent: nothing is kept then).
fn hashes(manifest: &Manifest) -> Option<BTreeMap<String, String>> {
    let files = manifest.files().ok()?;
    Some(
        files
            .into_iter()
            .map(|(p, h)| (p.clone(), h.clone()))
            .collect(),
    )
}
