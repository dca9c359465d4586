//! The audit log of runtime changes: `mcfg check-runtime --record LOG`
//! appends one JSON line per accepted update, and `mcfg log --record LOG`
//! interleaves those entries with the commits that changed the same value.
//!
//! An entry's `changes` compare the runtime values in effect before and after
//! the update. The values in effect are the built runtime values with the
//! update laid over them (what an update does not name keeps its built
//! value); "before" is the `values` of the log's last entry for the same
//! config and environment, or the built values when there is none. A secret
//! field's value is never written: its change is `{"path", "secret": true}`
//! (listed when the update names it) and `values` holds `"(secret)"`.
//!
//! The log is only ever appended to: opened with `O_APPEND` (never
//! truncated, never rewritten), each entry written by one `write` of one
//! whole line, then synced. A FIFO, device or folder is refused without
//! blocking. Lines that are not entries (hand edits, a torn last line) are
//! skipped when read, with a warning.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as J};

use super::history::{self, History};
use crate::eval::Value;

/// What `values` holds in place of a secret.
pub const SECRET: &str = "(secret)";

/// Longest line of a log that is read (longer lines are skipped).
const MAX_LINE_BYTES: u64 = 1 << 20;

/// One path an update changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedChange {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<J>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// One accepted runtime update.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// When it was recorded, ISO-8601 UTC (`SOURCE_DATE_EPOCH` when set).
    pub time: String,
    /// `git config user.name`, else `$USER`.
    pub who: String,
    pub config: String,
    pub env: Option<String>,
    /// The update file as named on the command line.
    pub update: String,
    /// SHA-256 of the update file's bytes.
    pub sha256: String,
    /// The sources' commit (`null` outside git), and whether they had changes.
    pub commit: Option<String>,
    pub dirty: bool,
    pub changes: Vec<LoggedChange>,
    /// The runtime values in effect after the update (secrets redacted).
    pub values: J,
}

/// The runtime values in effect with `update` laid over the built `runtime`,
/// secrets redacted, and the paths of secrets.
pub fn effective(runtime: &Value, update: &J) -> (J, Vec<String>) {
    let mut secrets = Vec::new();
    let mut values = redact(runtime, "", &mut secrets);
    if let J::Object(map) = update {
        lay_over(&mut values, map, "", &secrets);
    }
    (values, secrets)
}

fn redact(v: &Value, at: &str, secrets: &mut Vec<String>) -> J {
    match v {
        Value::Secret(_) => {
            secrets.push(at.to_owned());
            J::String(SECRET.into())
        }
        Value::Object(map) => J::Object(
            map.iter()
                .map(|(k, x)| (k.to_string(), redact(x, &join(at, k), secrets)))
                .collect(),
        ),
        other => other.to_json(),
    }
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    }
}

fn lay_over(values: &mut J, update: &Map<String, J>, at: &str, secrets: &[String]) {
    for (k, v) in update {
        // A dotted key is a path (`"serving.timeout": 0.1`).
        let parts: Vec<&str> = k.split('.').collect();
        set_path(values, &parts, v, at, secrets);
    }
}

fn set_path(cur: &mut J, parts: &[&str], v: &J, at: &str, secrets: &[String]) {
    let Some((first, rest)) = parts.split_first() else {
        match v {
            J::Object(inner) if !inner.is_empty() => lay_over(cur, inner, at, secrets),
            _ if secrets.iter().any(|s| s == at) => *cur = J::String(SECRET.into()),
            _ => *cur = v.clone(),
        }
        return;
    };
    if !cur.is_object() {
        *cur = J::Object(Map::new());
    }
    if let J::Object(map) = cur {
        let slot = map.entry((*first).to_owned()).or_insert(J::Null);
        set_path(slot, rest, v, &join(at, first), secrets);
    }
}

/// The leaves of `before` and `after` that differ (a secret: when `update` names it).
pub fn changes(before: &J, after: &J, secrets: &[String], update: &J) -> Vec<LoggedChange> {
    let mut paths = Vec::new();
    leaves(before, "", &mut paths);
    leaves(after, "", &mut paths);
    let mut named = Vec::new();
    leaves(update, "", &mut named);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for p in paths {
        if !seen.insert(p.clone()) {
            continue;
        }
        if secrets.contains(&p) {
            if named.contains(&p) {
                out.push(LoggedChange {
                    path: p,
                    old: None,
                    new: None,
                    secret: true,
                });
            }
            continue;
        }
        let (old, new) = (at(before, &p), at(after, &p));
        if old != new {
            out.push(LoggedChange {
                path: p,
                old: old.cloned(),
                new: new.cloned(),
                secret: false,
            });
        }
    }
    out
}

fn leaves(v: &J, at: &str, out: &mut Vec<String>) {
    match v {
        J::Object(map) if !map.is_empty() => {
            for (k, x) in map {
                leaves(x, &join(at, k), out);
            }
        }
        _ if !at.is_empty() => out.push(at.to_owned()),
        _ => {}
    }
}

/// The value at dotted `path` of `v`.
pub fn at<'v>(v: &'v J, path: &str) -> Option<&'v J> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

/// Why the runtime log cannot be read or appended to (exit 2).
#[derive(Debug)]
pub enum RuntimeLogError {
    /// The log exists and cannot be read.
    Read { path: PathBuf, err: std::io::Error },
    /// The log cannot be opened for appending or written.
    Append { path: PathBuf, err: std::io::Error },
    /// The log is a FIFO, device or folder.
    NotRegular { path: PathBuf },
    /// Only part of the entry was written.
    Short {
        path: PathBuf,
        written: usize,
        len: usize,
    },
}

impl crate::diagnostics::Stop for RuntimeLogError {
    fn command_error(&self) -> crate::diagnostics::CommandError {
        use crate::diagnostics::CommandError;
        match self {
            RuntimeLogError::Read { path, err } => {
                CommandError::io(format!("cannot read the runtime log: {err}")).in_file(path)
            }
            RuntimeLogError::Append { path, err } => {
                CommandError::io(format!("cannot append to the runtime log: {err}")).in_file(path)
            }
            RuntimeLogError::NotRegular { path } => CommandError::io(
                "cannot append to the runtime log: not a regular file (a FIFO, device or folder)",
            )
            .in_file(path)
            .with_help("`--record` takes the path of a JSON-lines file (created when missing)"),
            RuntimeLogError::Short { path, written, len } => CommandError::io(format!(
                "cannot append to the runtime log: only {written} of {len} bytes written (disk full?)"
            ))
            .in_file(path),
        }
    }
}

crate::diagnostics::display_as_command_error!(RuntimeLogError);

/// Every entry of the log at `path` (missing: none), and a warning per line
/// that is not one. Memory is bounded by the longest line read.
pub fn read(path: &Path) -> Result<(Vec<Entry>, Vec<String>), RuntimeLogError> {
    let failed = |err| RuntimeLogError::Read {
        path: path.to_path_buf(),
        err,
    };
    let file = match crate::files::open_regular(path, None) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), Vec::new())),
        Err(e) => return Err(failed(e)),
    };
    let mut reader = BufReader::new(file);
    let (mut entries, mut warnings) = (Vec::new(), Vec::new());
    let mut line = Vec::new();
    for n in 1.. {
        line.clear();
        let got = (&mut reader)
            .take(MAX_LINE_BYTES + 1)
            .read_until(b'\n', &mut line)
            .map_err(failed)?;
        if got == 0 {
            break;
        }
        if line.last() != Some(&b'\n') && got as u64 > MAX_LINE_BYTES {
            warnings.push(format!("{}:{n}: line over 1 MiB; skipped", path.display()));
            // Skip the rest of the long line.
            let mut rest = Vec::new();
            let _ = reader.read_until(b'\n', &mut rest);
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&text) {
            Ok(e) => entries.push(e),
            Err(e) => warnings.push(format!(
                "{}:{n}: not a runtime log entry ({e}); skipped",
                path.display()
            )),
        }
    }
    Ok((entries, warnings))
}

/// Appends `entry` as one line, in one write, and syncs it.
pub fn append(path: &Path, entry: &Entry) -> Result<(), RuntimeLogError> {
    let fail = |err: std::io::Error| RuntimeLogError::Append {
        path: path.to_path_buf(),
        err,
    };
    let mut file = open_append(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if !meta.is_file() {
        return Err(RuntimeLogError::NotRegular {
            path: path.to_path_buf(),
        });
    }
    let mut line = Vec::new();
    // A torn last line (a crash mid-write) stays a line of its own.
    if meta.len() > 0 && !ends_with_newline(path) {
        line.push(b'\n');
    }
    serde_json::to_writer(&mut line, entry).map_err(|e| fail(std::io::Error::other(e)))?;
    line.push(b'\n');
    let n = file.write(&line).map_err(fail)?;
    if n != line.len() {
        return Err(RuntimeLogError::Short {
            path: path.to_path_buf(),
            written: n,
            len: line.len(),
        });
    }
    file.sync_data().map_err(fail)
}

fn ends_with_newline(path: &Path) -> bool {
    use std::io::{Seek, SeekFrom};
    let Ok(mut f) = crate::files::open_regular(path, None) else {
        return true;
    };
    let mut last = [0u8; 1];
    f.seek(SeekFrom::End(-1)).is_ok() && f.read_exact(&mut last).is_ok() && last[0] == b'\n'
}

#[cfg(target_os = "linux")]
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: a FIFO with no reader fails at once instead of hanging.
    let flags = rustix::fs::OFlags::NONBLOCK.bits() as i32;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_append(path: &Path) -> std::io::Result<std::fs::File> {
    if let Ok(m) = std::fs::metadata(path) {
        if !m.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
    }
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
}

/// Who records: `git config user.name` in `dir`, else `$USER`, else `unknown`.
pub fn who(dir: &Path) -> String {
    let git = std::process::Command::new("git")
        .args(["config", "user.name"])
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output();
    if let Ok(out) = git {
        let name = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        if out.status.success() && !name.is_empty() {
            return name;
        }
    }
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// Now as ISO-8601 UTC; `SOURCE_DATE_EPOCH` (seconds) when set, for reproducible logs.
pub fn now() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    crate::git::iso_utc(secs)
}

/// Whether `entry` is for `config`/`env` and changed `path` (or a path below or above it).
pub fn touches(entry: &Entry, config: &str, env: Option<&str>, path: &str) -> bool {
    entry.config == config
        && entry.env.as_deref() == env
        && entry.changes.iter().any(|c| related(&c.path, path))
}

/// `p` is `path`, or below or above it.
fn related(p: &str, path: &str) -> bool {
    path.is_empty()
        || p == path
        || p.strip_prefix(path).is_some_and(|r| r.starts_with('.'))
        || path.strip_prefix(p).is_some_and(|r| r.starts_with('.'))
}

/// `v` (artifact form) as `mcfg log` shows values: a number where the
/// sources hold a duration is shown as one (`0.1` as `100ms`).
pub fn show(v: Option<&J>, like: Option<&Value>) -> String {
    match (v, like) {
        (None, _) => "(absent)".into(),
        (Some(J::Number(n)), Some(Value::Duration(_))) => match n.as_f64() {
            Some(secs) => super::lookup::show(&Value::Duration((secs * 1e9).round() as i64)),
            None => n.to_string(),
        },
        (Some(v), _) => super::lookup::show_json(v),
    }
}

/// The history with the runtime entries interleaved by time (a commit
/// first at the same second). `like`: the value as the sources hold it now,
/// to show the entries' values in its type.
pub fn render_interleaved(h: &History, entries: &[&Entry], like: Option<&Value>) -> String {
    let mut out = history::render_head(h);
    if h.changes.is_empty() && entries.is_empty() {
        out.push_str(history::NEVER_CHANGED);
    }
    let mut runtime = entries.iter().peekable();
    for c in &h.changes {
        while let Some(e) = runtime.next_if(|e| e.time < c.date) {
            out.push_str(&entry_block(e, &h.path, like));
        }
        out.push_str(&history::render_change(c));
    }
    for e in runtime {
        out.push_str(&entry_block(e, &h.path, like));
    }
    out.push_str(&history::render_foot(h));
    out
}

fn entry_block(e: &Entry, path: &str, like: Option<&Value>) -> String {
    let short = |s: &str| s.get(..12).unwrap_or(s).to_owned();
    let sources = match &e.commit {
        Some(c) if e.dirty => format!("sources {} + changes", short(c)),
        Some(c) => format!("sources {}", short(c)),
        None => "sources not in git".into(),
    };
    let mut out = format!(
        "runtime       {}  {}  check-runtime {} (sha256 {}, {sources})\n",
        e.time,
        e.who,
        e.update,
        short(&e.sha256)
    );
    for c in e.changes.iter().filter(|c| related(&c.path, path)) {
        let below = c.path != path;
        let name = if below {
            format!("{}: ", c.path)
        } else {
            String::new()
        };
        if c.secret {
            out.push_str(&format!("    {name}(secret changed)\n"));
            continue;
        }
        let like = if below { None } else { like };
        out.push_str(&format!(
            "    {name}{} -> {}\n",
            show(c.old.as_ref(), like),
            show(c.new.as_ref(), like)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn effective_values_and_changes_redact_secrets() {
        let runtime = Value::Object(
            [
                ("timeout".into(), Value::Duration(200_000_000)),
                ("key".into(), Value::Secret("env:KEY".into())),
            ]
            .into_iter()
            .collect(),
        );
        let update = json!({"timeout": 0.1, "key": "env:OTHER"});
        let (after, secrets) = effective(&runtime, &update);
        assert_eq!(after, json!({"timeout": 0.1, "key": SECRET}));
        let (before, _) = effective(&runtime, &json!({}));
        let ch = changes(&before, &after, &secrets, &update);
        let shown = serde_json::to_value(&ch).expect("serialisable");
        assert_eq!(
            shown,
            json!([{"path": "timeout", "old": 0.2, "new": 0.1}, {"path": "key", "secret": true}])
        );
        let (dotted, _) = effective(&runtime, &json!({"timeout": 0.3}));
        assert_eq!(at(&dotted, "timeout"), Some(&json!(0.3)));
    }
}
