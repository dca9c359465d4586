//! Writing the output folder all or nothing (LANGUAGE.md §7, CLI.md "Build
//! output"), and comparing it with a would-be build for `build --check`.
//!
//! # How a build is written
//!
//! [`write_atomic`] writes every artifact into a fresh temporary folder beside
//! the output folder (same parent, so renames stay on one file system), named
//! `.mcfg-tmp-<dirname>-<pid>`. `manifest.json` is written last, so a folder
//! with a manifest is a complete build. With `durable` (`mcfg build --fsync`,
//! and always through [`write_atomic`]) every file and folder is fsynced
//! first: thousands of fsyncs cost seconds, so plain builds skip them — the
//! swap is still all or nothing for a killed build, only a power loss right
//! after a build can lose it.
//! Then the temporary folder takes the output folder's place:
//!
//! - on Linux with one `renameat2(RENAME_EXCHANGE)`, which swaps the two
//!   folders atomically: a reader (or a kill) sees either the whole old build
//!   or the whole new one, never neither;
//! - elsewhere, or when the file system refuses the exchange, with two
//!   renames: the old folder to `.mcfg-old-<dirname>-<pid>`, the new one into
//!   place (a failure of the second rename moves the old one back).
//!
//! Then the old build is removed.
//!
//! A file the previous build holds unchanged (same path, same hash in its
//! manifest, same bytes on disk) is hard-linked into the temporary folder
//! rather than written again ([`reuse`]): a rebuild after a small change
//! creates few files, and reads back only the old files changed since the
//! previous build ended (the manifest's timestamp, see [`reuse`]). The swap is the same, so it stays all or nothing. A failure at any step before the swap
//! removes the temporary folder and leaves the output folder as it was.
//!
//! # The output folder belongs to mcfg
//!
//! Only an empty folder or a previous mcfg build (a folder whose
//! `manifest.json` is an mcfg manifest: a JSON object whose `compiler` starts
//! with `mcfg`) is replaced. A successful build **replaces the whole
//! folder**: files added to a previous build (say `keep.txt`) do not survive
//! it, so the folder always holds exactly what the manifest lists and `mcfg
//! verify` finds no `extra` file. (A failed build never calls this and so
//! leaves everything, `keep.txt` included, as it was.) Any other existing
//! folder — one holding `notes.txt` and no manifest, `-o .`, `-o src` — is
//! refused with an error of kind `AlreadyExists` naming it, and left
//! untouched. A build that loses a race with a concurrent build of the same
//! folder says so.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::emit::manifest::MANIFEST_NAME;
use crate::emit::{is_safe_rel_path, Artifact};
use crate::report::verify::{list_files, Problem, ProblemKind};

mod reuse;

/// One way the output folder differs from what a build would write: kind
/// (`modified`, `missing`, `extra`) and `/`-separated relative path.
pub type DirDifference = Problem;

/// Replaces the folder `dir` with exactly `files`, all or nothing (see the
/// module doc). `files` should include `manifest.json`, which is written last.
///
/// Errors: an unsafe or repeated relative path (`InvalidInput`), a `dir`
/// without a final name such as `.` (`InvalidInput`), an existing `dir` that
/// is not a folder (a symbolic link counts as not a folder) or not an mcfg
/// output folder (`AlreadyExists`), or any
/// I/O error while writing or renaming. On error `dir` is as it was.
pub fn write_atomic(dir: &Path, files: &[Artifact]) -> io::Result<()> {
    write_atomic_with(dir, files, true)
}

/// [`write_atomic`], choosing whether every file and folder is fsynced before
/// the swap (`durable`). Without it the swap is still all or nothing for a
/// killed process, but a power loss right after the build may lose data.
pub fn write_atomic_with(dir: &Path, files: &[Artifact], durable: bool) -> io::Result<()> {
    check_paths(files)?;
    let (parent, name) = split_dir(dir)?;
    let existed = check_replaceable(dir)?;
    remove_stale(&parent, &name);
    let tmp = parent.join(format!(".mcfg-tmp-{name}-{}", std::process::id()));
    if fs::symlink_metadata(&tmp).is_ok() {
        // Left by a killed build that had our process id; never a user folder.
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir(&tmp)?;
    let previous = existed.then(|| reuse::Previous::read(dir, files)).flatten();
    if let Err(err) = fill(&tmp, files, durable, previous.as_ref()) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(err);
    }
    if let Err(err) = swap_into_place(&tmp, dir, &parent, &name, existed) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(err);
    }
    // After the old folder's removal, which moves the kept files' ctime.
    reuse::stamp_built(&dir.join(MANIFEST_NAME));
    // The new build is in place; failing to fsync the parent does not undo it.
    let _ = sync_dir(&parent);
    Ok(())
}

/// How `dir` differs from `files`, sorted by kind then path. A missing `dir`
/// makes every file `missing`; a file that cannot be read is `modified`.
pub fn compare_dir(dir: &Path, files: &[Artifact]) -> Vec<DirDifference> {
    let expected: BTreeMap<&str, &Artifact> = files
        .iter()
        .map(|file| (file.rel_path.as_str(), file))
        .collect();
    let present: BTreeSet<String> = list_files(dir).unwrap_or_default().into_iter().collect();
    let mut out = Vec::new();
    for (&path, &file) in &expected {
        let kind = if !present.contains(path) {
            Some(ProblemKind::Missing)
        } else if !fs::read(dir.join(path)).is_ok_and(|b| file.holds(&b)) {
            Some(ProblemKind::Modified)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Problem {
                kind,
                path: path.to_owned(),
            });
        }
    }
    for path in present {
        if !expected.contains_key(path.as_str()) {
            out.push(Problem {
                kind: ProblemKind::Extra,
                path,
            });
        }
    }
    out.sort();
    out
}

fn check_paths(files: &[Artifact]) -> io::Result<()> {
    let mut seen = BTreeSet::new();
    for file in files {
        if !is_safe_rel_path(&file.rel_path) || !seen.insert(file.rel_path.as_str()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad or repeated artifact path `{}`", file.rel_path),
            ));
        }
    }
    Ok(())
}

/// The parent folder (`.` for a bare name) and the final name of `dir`.
fn split_dir(dir: &Path) -> io::Result<(PathBuf, String)> {
    let Some(name) = dir.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("output folder `{}` has no name of its own", dir.display()),
        ));
    };
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name.to_string_lossy().into_owned()))
}

/// Whether `dir` exists; an error when it exists but may not be replaced.
fn check_replaceable(dir: &Path) -> io::Result<bool> {
    let meta = match fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(err),
    };
    let refuse = |why: &str| {
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("refusing to replace `{}`: {why}", dir.display()),
        ))
    };
    if !meta.is_dir() {
        return refuse("it is not a folder");
    }
    if holds_sources(dir, 0)? {
        return refuse(
            "it holds .mcfg sources or a git repository; choose a separate output folder",
        );
    }
    if fs::read_dir(dir)?.next().is_some() && !is_mcfg_build(dir) {
        return refuse(
            "it holds files but is not a previous mcfg build (no mcfg `manifest.json`); \
             remove it or choose another output folder",
        );
    }
    Ok(true)
}

/// Whether `dir/manifest.json` is an mcfg manifest (a previous build).
fn is_mcfg_build(dir: &Path) -> bool {
    let Ok(bytes) =
        crate::files::read_regular(&dir.join(MANIFEST_NAME), crate::files::MAX_DOCUMENT_BYTES)
    else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|m| {
        m.get("compiler")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|c| c == "mcfg" || c.starts_with("mcfg "))
    })
}

/// The error of a build whose folder another build changed meanwhile.
fn lost_race(dir: &Path, err: &io::Error) -> io::Error {
    io::Error::new(
        err.kind(),
        format!(
            "another build wrote `{}` at the same time (this build's files were discarded); \
             run the build again",
            dir.display()
        ),
    )
}

/// Whether `dir` (or a folder below it, a few levels deep) holds `.mcfg` files or `.git`.
fn holds_sources(dir: &Path, depth: usize) -> io::Result<bool> {
    if depth > 4 {
        return Ok(false);
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == ".git" || name.ends_with(".mcfg") {
            return Ok(true);
        }
        if entry.file_type()?.is_dir() && holds_sources(&entry.path(), depth + 1)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Writes `files` below `root`, `manifest.json` last, fsyncing files and
/// folders; an artifact `previous` holds unchanged is hard-linked instead.
fn fill(
    root: &Path,
    files: &[Artifact],
    durable: bool,
    previous: Option<&reuse::Previous>,
) -> io::Result<()> {
    let (manifests, artifacts): (Vec<&Artifact>, Vec<&Artifact>) = files
        .iter()
        .partition(|file| file.rel_path == MANIFEST_NAME);
    let mut folders = BTreeSet::new();
    for file in &artifacts {
        if let Some(folder) = root.join(&file.rel_path).parent() {
            if folders.insert(folder.to_path_buf()) {
                fs::create_dir_all(folder)?;
            }
        }
    }
    // Artifacts in parallel (file creation dominates large builds), the
    // manifest last. A file is synced and closed as soon as it is written, so
    // huge builds never hold thousands of descriptors open.
    let write = |file: &&Artifact| -> io::Result<()> {
        let dest = root.join(&file.rel_path);
        if let Some(previous) = previous.filter(|_| file.rel_path != MANIFEST_NAME) {
            if previous.link(file, &dest) {
                if durable {
                    File::open(&dest)?.sync_all()?;
                }
                return Ok(());
            }
        }
        let mut out = File::create(dest)?;
        file.write_to(&mut out)?;
        if durable {
            out.sync_all()?;
        }
        Ok(())
    };
    artifacts.par_iter().try_for_each(write)?;
    for file in &manifests {
        write(file)?;
    }
    if durable {
        sync_folders(root, &folders)?;
    }
    Ok(())
}

/// Makes the new folder entries durable, deepest folders first so each entry
/// is durable before its parent's.
fn sync_folders(root: &Path, folders: &BTreeSet<PathBuf>) -> io::Result<()> {
    for folder in folders.iter().rev() {
        sync_dir(folder)?;
    }
    sync_dir(root)
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Opening a folder read-only and fsyncing it works on Unix; elsewhere
    // folders cannot be opened this way and there is nothing to sync.
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Moves the finished `tmp` folder to `dir`; on success `tmp` no longer exists.
fn swap_into_place(
    tmp: &Path,
    dir: &Path,
    parent: &Path,
    name: &str,
    existed: bool,
) -> io::Result<()> {
    if !existed {
        // The folder did not exist a moment ago: if it does now, another
        // build put it there.
        return fs::rename(tmp, dir).map_err(|e| {
            if fs::symlink_metadata(dir).is_ok() {
                lost_race(dir, &e)
            } else {
                e
            }
        });
    }
    if exchange(tmp, dir).is_ok() {
        // `tmp` now holds the old build; losing it is harmless but untidy.
        remove_tree(tmp);
        return Ok(());
    }
    swap_by_renames(tmp, dir, parent, name)
}

/// The portable swap: old build aside, new build in, old build removed.
fn swap_by_renames(tmp: &Path, dir: &Path, parent: &Path, name: &str) -> io::Result<()> {
    let old = parent.join(format!(".mcfg-old-{name}-{}", std::process::id()));
    if fs::symlink_metadata(&old).is_ok() {
        fs::remove_dir_all(&old)?;
    }
    fs::rename(dir, &old).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            lost_race(dir, &e)
        } else {
            e
        }
    })?;
    if let Err(err) = fs::rename(tmp, dir) {
        fs::rename(&old, dir)?;
        return Err(err);
    }
    remove_tree(&old);
    Ok(())
}

/// Removes `.mcfg-tmp-<name>-<pid>` and `.mcfg-old-<name>-<pid>` folders left
/// by builds that were killed: those whose process no longer runs (Linux
/// `/proc`; elsewhere nothing is removed, as liveness cannot be told).
fn remove_stale(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let pid = [".mcfg-tmp-", ".mcfg-old-"].iter().find_map(|prefix| {
            let rest = file_name
                .strip_prefix(prefix)?
                .strip_prefix(name)?
                .strip_prefix('-')?;
            rest.parse::<u32>().ok()
        });
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                remove_tree(&entry.path());
            }
        }
    }
}

/// Removes a previous build, one top-level entry per task (thousands of
/// unlinks dominate replacing a large build).
fn remove_tree(dir: &Path) {
    let entries: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => return,
    };
    entries.par_iter().for_each(|p| {
        let _ = if p.is_dir() {
            fs::remove_dir_all(p)
        } else {
            fs::remove_file(p)
        };
    });
    let _ = fs::remove_dir_all(dir);
}

/// Atomically swaps two folders (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

/// No atomic exchange here: the caller falls back to two renames.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "no atomic folder exchange",
    ))
}

/// A failed [`write_atomic_with`] of the output folder `dir` as the error
/// that stops the command: a refused folder (`AlreadyExists`) or a bad
/// folder name (`InvalidInput`) with what to do, else the system's reason.
pub fn write_error(dir: &Path, err: &io::Error) -> crate::diagnostics::CommandError {
    use crate::diagnostics::CommandError;
    match err.kind() {
        io::ErrorKind::AlreadyExists => CommandError::io(err.to_string())
            .in_file(dir)
            .with_help("the output folder must be new, empty, or a previous mcfg build"),
        io::ErrorKind::InvalidInput => CommandError::usage(err.to_string())
            .in_file(dir)
            .with_help("`-o` takes a folder with a name of its own, such as `build`"),
        _ => CommandError::io(format!("cannot write: {err}")).in_file(dir),
    }
}

#[cfg(test)]
mod tests;
