//! The history of a project's `.mcfg` files in two git processes, whatever
//! its length: for `mcfg log` and `mcfg blame`.
//!
//! One `git log --first-parent --raw` lists only the commits that change a
//! `.mcfg` file below the root, each with the blobs it adds, modifies and
//! deletes; the tree of every later commit is the one before it plus those
//! changes, so no commit's tree is listed again. One `git cat-file --batch`
//! serves each distinct blob once, and a blob is read at most once however
//! many commits keep it (a file unchanged across 1,000 commits is one read
//! and one shared buffer).
//!
//! Merge commits are followed along their first parent only (the history of
//! the branch the project was built on, as `git log --first-parent` shows
//! it): a merge counts as one commit holding everything it brought in.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;

use indexmap::IndexMap;

use super::{iso_utc, Commit, GitError, Repo};
use crate::loader::{MemoryFs, MAX_FILE_BYTES};

/// One commit and the `.mcfg` files it changes (path below the root, the new
/// blob or `None` for a deletion).
#[derive(Debug, Clone)]
pub struct Revision {
    pub commit: Commit,
    pub changes: Vec<(String, Option<String>)>,
}

/// The commits a walk sees, oldest first, and how far back that is.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    pub revisions: Vec<Revision>,
    /// The oldest commit seen, when the history goes further back than the
    /// walk could see (a shallow clone's boundary, or `--max-count`).
    pub cut_at: Option<String>,
    /// Why the walk stops there: `"shallow clone"` or `"--max-count"`.
    pub cut_reason: Option<&'static str>,
}

impl Repo {
    /// The commits that change a `.mcfg` file below the root, oldest first;
    /// with `max_count`, only the newest that many.
    pub fn walk(&self, max_count: Option<usize>) -> Result<Walk, GitError> {
        let mut args = vec![
            "log".to_owned(),
            "--first-parent".to_owned(),
            "--diff-merges=first-parent".to_owned(),
            "--reverse".to_owned(),
            "--no-renames".to_owned(),
            "--raw".to_owned(),
            "--no-abbrev".to_owned(),
            "-z".to_owned(),
            "--no-color".to_owned(),
            "--format=%x1e%H%x1f%an%x1f%at%x1f%s".to_owned(),
        ];
        if let Some(n) = max_count {
            args.push(format!("--max-count={}", n.saturating_add(1)));
        }
        // The project file decides which sources a revision has (its `exclude`).
        args.extend([
            "--".to_owned(),
            "*.mcfg".to_owned(),
            "*mcfg.toml".to_owned(),
        ]);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.run(&argv)?;
        let mut revisions = parse_log(&out, &self.prefix);
        let mut walk = Walk::default();
        if let Some(n) = max_count {
            if revisions.len() > n {
                // The one commit beyond the limit proves the history goes on.
                revisions.remove(0);
                walk.cut_reason = Some("--max-count");
            }
        }
        if walk.cut_reason.is_none() && self.is_shallow() {
            walk.cut_reason = Some("shallow clone");
        }
        if let Some(first) = revisions.first_mut() {
            if walk.cut_reason.is_some() {
                walk.cut_at = Some(first.commit.hash.clone());
                // The first commit seen carries its whole tree, not its diff.
                first.changes = self.tree_blobs(&first.commit.hash)?;
            }
        }
        walk.revisions = revisions;
        Ok(walk)
    }

    fn is_shallow(&self) -> bool {
        self.run(&["rev-parse", "--is-shallow-repository"])
            .is_ok_and(|out| out.starts_with(b"true"))
    }

    /// Every `.mcfg` blob below the root at commit `hash`.
    fn tree_blobs(&self, hash: &str) -> Result<Vec<(String, Option<String>)>, GitError> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", hash])?;
        let mut files = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            let entry = String::from_utf8_lossy(entry);
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let mut meta = meta.split(' ');
            let (Some(_mode), Some("blob"), Some(blob)) = (meta.next(), meta.next(), meta.next())
            else {
                continue;
            };
            if let Some(rel) = below_root(path, &self.prefix) {
                files.push((rel.to_owned(), Some(blob.to_owned())));
            }
        }
        Ok(files)
    }

    /// A reader of blobs by hash (one `git cat-file --batch` process).
    pub fn blobs(&self) -> Result<Blobs, GitError> {
        let mut child = Command::new("git")
            .args(["cat-file", "--batch"])
            .current_dir(&self.dir)
            .env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(GitError::CannotRun)?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(GitError::CatFile("no pipe to the process".into()));
        };
        Ok(Blobs {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            cache: IndexMap::new(),
        })
    }
}

/// Source paths (`.mcfg` files and project files) below the root: the
/// path relative to the root.
fn below_root<'p>(path: &'p str, prefix: &str) -> Option<&'p str> {
    path.strip_prefix(prefix).filter(|p| super::is_source(p))
}

/// Parses `git log -z --raw` with the format of [`Repo::walk`].
fn parse_log(out: &[u8], prefix: &str) -> Vec<Revision> {
    let mut revisions = Vec::new();
    for record in out.split(|&b| b == 0x1e).filter(|r| !r.is_empty()) {
        let mut tokens = record.split(|&b| b == 0);
        let Some(header) = tokens.next() else {
            continue;
        };
        let header = String::from_utf8_lossy(header);
        let fields: Vec<&str> = header.split('\x1f').collect();
        let [hash, author, time, subject] = fields[..] else {
            continue;
        };
        let commit = Commit {
            hash: hash.to_owned(),
            author: author.to_owned(),
            date: iso_utc(time.parse().unwrap_or(0)),
            subject: subject.to_owned(),
        };
        let mut changes = Vec::new();
        while let Some(meta) = tokens.next() {
            let meta = String::from_utf8_lossy(meta);
            let meta = meta.trim_start_matches('\n');
            if !meta.starts_with(':') {
                continue;
            }
            let Some(path) = tokens.next() else { break };
            let path = String::from_utf8_lossy(path);
            // `:old_mode new_mode old_blob new_blob STATUS`
            let parts: Vec<&str> = meta.split(' ').collect();
            let [_, new_mode, _, new_blob, status] = parts[..] else {
                continue;
            };
            let Some(rel) = below_root(&path, prefix) else {
                continue;
            };
            // A deletion, or a path that stopped being a regular file.
            let gone = status.starts_with('D') || !new_mode.starts_with("100");
            changes.push((rel.to_owned(), (!gone).then(|| new_blob.to_owned())));
        }
        revisions.push(Revision { commit, changes });
    }
    revisions
}

/// Blobs read through one `git cat-file --batch`, each at most once.
#[derive(Debug)]
pub struct Blobs {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    cache: IndexMap<String, Option<Arc<[u8]>>>,
}

impl Blobs {
    /// The bytes of blob `hash`; `None` for a blob that is missing or larger
    /// than a source file may be ([`MAX_FILE_BYTES`]).
    pub fn get(&mut self, hash: &str) -> Result<Option<Arc<[u8]>>, GitError> {
        if let Some(b) = self.cache.get(hash) {
            return Ok(b.clone());
        }
        let bytes = self.fetch(hash)?;
        self.cache.insert(hash.to_owned(), bytes.clone());
        Ok(bytes)
    }

    fn fetch(&mut self, hash: &str) -> Result<Option<Arc<[u8]>>, GitError> {
        let broken = |e: std::io::Error| GitError::CatFile(e.to_string());
        writeln!(self.stdin, "{hash}").map_err(broken)?;
        self.stdin.flush().map_err(broken)?;
        let mut header = String::new();
        self.stdout.read_line(&mut header).map_err(broken)?;
        // `<hash> blob <size>` or `<hash> missing`
        let mut parts = header.split_whitespace();
        let (Some(_), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            return Ok(None);
        };
        let size: u64 = size
            .parse()
            .map_err(|_| GitError::CatFile(format!("unexpected header `{}`", header.trim_end())))?;
        let mut body = Vec::new();
        let want = if kind == "blob" && size <= MAX_FILE_BYTES {
            size as usize
        } else {
            0
        };
        body.try_reserve_exact(want)
            .map_err(|_| GitError::CatFile("out of memory reading a blob".into()))?;
        (&mut self.stdout)
            .take(size + 1)
            .read_to_end(&mut body)
            .map_err(broken)?;
        if kind != "blob" || size > MAX_FILE_BYTES {
            return Ok(None);
        }
        body.truncate(want);
        Ok(Some(body.into()))
    }
}

impl Drop for Blobs {
    fn drop(&mut self) {
        // Closing stdin ends `git cat-file`; reap it so no zombie is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `.mcfg` files of the root as the walk goes: each revision's changes
/// applied to the tree before it.
#[derive(Debug, Default)]
pub struct Tree {
    files: IndexMap<String, String>,
}

impl Tree {
    /// Applies one revision's changes.
    pub fn apply(&mut self, rev: &Revision) {
        for (path, blob) in &rev.changes {
            match blob {
                Some(b) => {
                    self.files.insert(path.clone(), b.clone());
                }
                None => {
                    self.files.shift_remove(path);
                }
            }
        }
        self.files.sort_keys();
    }

    /// The blob of `path` (below the root) in the tree, if it holds the file.
    pub fn blob(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// The tree as files under `shown_root`; `None` when a blob cannot be
    /// read (missing in a shallow clone, or too large).
    pub fn files(
        &self,
        blobs: &mut Blobs,
        shown_root: &Path,
    ) -> Result<Option<MemoryFs>, GitError> {
        let mut fs = MemoryFs::new();
        for (path, blob) in &self.files {
            let Some(bytes) = blobs.get(blob)? else {
                return Ok(None);
            };
            fs.insert(shown_root.join(path), bytes.to_vec());
        }
        Ok(Some(fs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_log_records_parse_into_changes() {
        let out = b"\x1eaaa\x1fA\x1f0\x1fone\0\n:000000 100644 0000 b1 A\0cfg/f.mcfg\0:000000 100644 0000 b2 A\0cfg/notes.txt\0\
\x1ebbb\x1fB\x1f86400\x1ftwo\0\n:100644 000000 b1 0000 D\0cfg/f.mcfg\0:000000 120000 0000 b3 A\0cfg/l.mcfg\0";
        let revs = parse_log(out, "cfg/");
        assert_eq!(revs.len(), 2);
        assert_eq!(revs[0].commit.subject, "one");
        assert_eq!(
            revs[0].changes,
            vec![("f.mcfg".to_owned(), Some("b1".to_owned()))]
        );
        assert_eq!(revs[1].commit.date, "1970-01-02T00:00:00Z");
        // A deletion, and a symlink with a `.mcfg` name, are no files.
        assert_eq!(
            revs[1].changes,
            vec![("f.mcfg".to_owned(), None), ("l.mcfg".to_owned(), None)]
        );
    }
}
