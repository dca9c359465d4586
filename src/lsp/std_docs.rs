//! The standard library as files an editor can open.
//!
//! `std/...` modules exist only inside the binary ([`crate::stdlib`]). So
//! that go-to-definition, diagnostics' related locations and workspace symbols
//! can point into them, the server writes each module once to a read-only
//! file in a cache folder named after a hash of the embedded sources:
//! `$XDG_CACHE_HOME/mcfg/std-<hash>/std/ml.mcfg` (`~/.cache` without
//! `XDG_CACHE_HOME`, the temporary folder without a home). A plain file
//! works in every client with no extension code, unlike a custom URI scheme;
//! the hash keeps servers of different versions apart, and a copy is written
//! to a temporary name and renamed, so concurrent servers never see half a
//! file. A client may choose the folder with the initialization option
//! `stdCacheDir` (a read-only home, tests). Opening the copy in the editor gives hover, definition, symbols and
//! highlighting; its edits are ignored (it is not part of the project).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::stdlib::MODULES;

/// The folder holding the copies (created on first use).
#[derive(Debug, Default)]
pub(super) struct StdDocs {
    /// The cache folder chosen by the client (`initializationOptions.stdCacheDir`).
    base: Option<PathBuf>,
    dir: OnceLock<Option<PathBuf>>,
}

impl StdDocs {
    /// Copies below `base` instead of the user's cache folder.
    pub fn at(base: &Path) -> StdDocs {
        StdDocs {
            base: Some(crate::loader::normalize(base)),
            dir: OnceLock::new(),
        }
    }

    fn base(&self) -> Option<PathBuf> {
        self.base.clone().or_else(base)
    }

    /// The folder of this binary's copies, written if needed (`None` if it cannot be).
    fn dir(&self) -> Option<&Path> {
        self.dir.get_or_init(|| write_all(&self.base()?)).as_deref()
    }

    /// The read-only copy of a loaded std module (`std/ml.mcfg`).
    pub fn path(&self, loader_path: &Path) -> Option<PathBuf> {
        Some(self.dir()?.join(loader_path))
    }

    /// The module (`std/ml`) and source whose copy is at `path`, if it is one.
    pub fn module_at(&self, path: &Path) -> Option<(&'static str, &'static str)> {
        let rest = path.strip_prefix(self.base()?).ok()?;
        // `std-<hash>/std/ml.mcfg`: any version's copy maps to this binary's module.
        let mut parts = rest.components();
        parts.next()?;
        let rel = parts.as_path().to_str()?.strip_suffix(".mcfg")?;
        MODULES.iter().find(|(n, _)| *n == rel).copied()
    }
}

/// `$XDG_CACHE_HOME/mcfg`, `~/.cache/mcfg`, or `<tmp>/mcfg-cache`.
fn base() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = from("XDG_CACHE_HOME")
        .map(|d| d.join("mcfg"))
        .or_else(|| from("HOME").map(|h| h.join(".cache/mcfg")))
        .unwrap_or_else(|| std::env::temp_dir().join("mcfg-cache"));
    Some(crate::loader::normalize(&dir))
}

/// Writes every module below `<base>/std-<hash>/`; the folder, or `None`.
fn write_all(base: &Path) -> Option<PathBuf> {
    let mut hash = Sha256::new();
    for (name, text) in MODULES {
        hash.update(name.as_bytes());
        hash.update([0]);
        hash.update(text.as_bytes());
    }
    let digest = hash.finalize();
    let short: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    let dir = base.join(format!("std-{short}"));
    for (name, text) in MODULES {
        let path = dir.join(format!("{name}.mcfg"));
        if std::fs::read(&path).is_ok_and(|b| b == text.as_bytes()) {
            continue;
        }
        std::fs::create_dir_all(path.parent()?).ok()?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text).ok()?;
        let mut perms = std::fs::metadata(&tmp).ok()?.permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&tmp, perms).ok()?;
        if std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
            return None;
        }
    }
    Some(dir)
}
