//! Reading the sources as they were at a git revision, and the history of the
//! project folder, for `mcfg diff --against` and `mcfg log`.
//!
//! Shells out to `git` with a fixed environment (`LC_ALL=C`,
//! `GIT_CONFIG_NOSYSTEM=1`, `GIT_TERMINAL_PROMPT=0`, no pager) so output is
//! parseable and nothing prompts. Revisions are read with `git ls-tree` and
//! `git show REV:path` into a [`MemoryFs`]; nothing is ever checked out and
//! only `.mcfg` files and `mcfg.toml` project files below the project root
//! are read (a revision's project file decides which of its sources load).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::diagnostics::CommandError;
use crate::loader::MemoryFs;

mod walk;

pub use walk::{Blobs, Revision, Tree, Walk};

/// Whether `path` (relative, `/`-separated) is read from revisions: a
/// `.mcfg` source or a project file.
fn is_source(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.ends_with(".mcfg") || name == crate::project::FILE_NAME
}

/// Why the history cannot be read (exit 2).
#[derive(Debug)]
pub enum GitError {
    /// The project root is not inside a git repository.
    NotARepository { dir: PathBuf },
    /// `git` cannot be started.
    CannotRun(std::io::Error),
    /// A git command failed: the command and the first line git printed.
    Failed { command: String, message: String },
    /// A revision on the command line that names no commit (or looks like an option).
    UnknownRevision(String),
    /// `git cat-file --batch` broke off or answered unexpectedly.
    CatFile(String),
}

impl crate::diagnostics::Stop for GitError {
    fn command_error(&self) -> CommandError {
        match self {
            GitError::NotARepository { dir } => CommandError::io("not inside a git repository")
                .in_file(dir)
                .with_help("`log`, `blame` and `diff --against` read the git history: run them on sources in a git repository"),
            GitError::CannotRun(err) => CommandError::io(format!("cannot run git: {err}"))
                .with_help("install git and make sure `git` is on PATH"),
            GitError::Failed { command, message } => {
                CommandError::io(format!("`git {command}` failed: {message}"))
            }
            GitError::UnknownRevision(rev) if rev.starts_with('-') => {
                CommandError::usage(format!("`{rev}` is not a revision"))
                    .with_help("name a commit, branch or tag: `HEAD~1`, `main`, `v1.2`")
            }
            GitError::UnknownRevision(rev) => {
                CommandError::usage(format!("unknown git revision `{rev}`"))
                    .with_help("name a commit, branch or tag: `HEAD~1`, `main`, `v1.2` (`git log --oneline` lists commits)")
            }
            GitError::CatFile(message) => {
                CommandError::io(format!("reading from `git cat-file`: {message}"))
            }
        }
    }
}

crate::diagnostics::display_as_command_error!(GitError);

/// The git repository holding a project root.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The project root (where git runs).
    dir: PathBuf,
    /// The root's path inside the repository, `""` or ending in `/`.
    prefix: String,
}

/// One commit of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub hash: String,
    pub author: String,
    /// Author date, ISO-8601 in UTC (`2026-11-20T10:04:00Z`).
    pub date: String,
    pub subject: String,
}

impl Repo {
    /// The repository holding `root`, or an error saying there is none.
    pub fn discover(root: &Path) -> Result<Repo, GitError> {
        let dir = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root.to_path_buf()
        };
        let mut repo = Repo {
            dir,
            prefix: String::new(),
        };
        let out = repo
            .run(&["rev-parse", "--show-prefix"])
            .map_err(|e| match e {
                GitError::CannotRun(err) => GitError::CannotRun(err),
                _ => GitError::NotARepository {
                    dir: repo.dir.clone(),
                },
            })?;
        repo.prefix = String::from_utf8_lossy(&out)
            .trim_end_matches('\n')
            .to_owned();
        Ok(repo)
    }

    /// Runs `git ARGS` in the project root; stdout, or stderr's first line as the error.
    fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        let out = Command::new("git")
            .arg("--no-pager")
            .args(args)
            .current_dir(&self.dir)
            .env("LC_ALL", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_PAGER", "cat")
            .env("PAGER", "cat")
            .output()
            .map_err(GitError::CannotRun)?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        let err = String::from_utf8_lossy(&out.stderr);
        Err(GitError::Failed {
            command: args.first().copied().unwrap_or_default().to_owned(),
            message: err.lines().next().unwrap_or("no message").to_owned(),
        })
    }

    /// The full commit hash `rev` names, or an error for an unknown revision.
    pub fn resolve(&self, rev: &str) -> Result<String, GitError> {
        let unknown = || GitError::UnknownRevision(rev.to_owned());
        if rev.starts_with('-') {
            return Err(unknown());
        }
        let spec = format!("{rev}^{{commit}}");
        let out = self
            .run(&["rev-parse", "--verify", "--quiet", &spec])
            .map_err(|e| match e {
                GitError::CannotRun(err) => GitError::CannotRun(err),
                _ => unknown(),
            })?;
        let hash = String::from_utf8_lossy(&out).trim().to_owned();
        if hash.is_empty() {
            return Err(unknown());
        }
        Ok(hash)
    }

    /// The `.mcfg` files (and `mcfg.toml` project files) below the project root at commit `hash`, placed under
    /// `shown_root` (the root as the working-tree build names it) so that file
    /// names in reports match on both sides.
    pub fn files_at(&self, hash: &str, shown_root: &Path) -> Result<MemoryFs, GitError> {
        let listing = self.run(&[
            "ls-tree",
            "-r",
            "-z",
            "--full-name",
            "--name-only",
            hash,
            "--",
            ".",
        ])?;
        let mut fs = MemoryFs::new();
        for path in listing.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            let path = String::from_utf8_lossy(path);
            if !is_source(&path) {
                continue;
            }
            let Some(rel) = path.strip_prefix(&self.prefix) else {
                continue;
            };
            let bytes = self.run(&["show", &format!("{hash}:{path}")])?;
            fs.insert(shown_root.join(rel), bytes);
        }
        Ok(fs)
    }

    /// Commits that touched the project root, oldest first.
    pub fn log(&self) -> Result<Vec<Commit>, GitError> {
        let out = self.run(&[
            "log",
            "--reverse",
            "--no-color",
            "--format=%H%x1f%an%x1f%at%x1f%s%x1e",
            "--",
            ".",
        ])?;
        let text = String::from_utf8_lossy(&out);
        let mut commits = Vec::new();
        for record in text.split('\x1e') {
            let fields: Vec<&str> = record.trim_start_matches('\n').split('\x1f').collect();
            let [hash, author, time, subject] = fields[..] else {
                continue;
            };
            commits.push(Commit {
                hash: hash.to_owned(),
                author: author.to_owned(),
                date: iso_utc(time.parse().unwrap_or(0)),
                subject: subject.to_owned(),
            });
        }
        Ok(commits)
    }
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's days-to-civil conversion (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::iso_utc;

    #[test]
    fn iso_dates_in_utc() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso_utc(1_795_687_440), "2026-11-26T10:04:00Z");
    }
}
