//! One look at a runtime file (`<config>.runtime.json`) for a watcher such
//! as the Python package's `RuntimeConfig`: stat, bounded read, hash and
//! re-stat in one call, so an embedder that holds a global lock (Python's
//! GIL) releases it once per look instead of once per system call.
//!
//! A file is read only when it is a regular file of at most the limit (no
//! FIFO, device or folder is ever opened for a blocking read), and its bytes
//! are returned only when the path's signature (device, inode, size,
//! modification and change times, mode) was the same before and after the
//! read: a file caught while a writer replaces or rewrites it is reported as
//! [`Look::Changed`], to be looked at again.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::files;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Signature {
    pub dev: u64,
    pub ino: u64,
    pub len: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub mode: u32,
}

/// A file modified less than this long ago is read again even when its
/// signature is the one seen before: timestamps advance in coarse ticks, so
/// two writes of the same size within one tick have the same signature.
pub const HOT: Duration = Duration::from_secs(2);

/// Why a look found no usable bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Refusal {
    /// Missing, or cannot be opened or read (`mcfg::io`).
    Io,
    /// Not a regular file, or over the limit (`mcfg::limit`).
    Limit,
}

/// The outcome of [`look`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Look {
    /// The signature is `seen` and the file was not modified lately: not read.
    Unchanged(Signature),
    /// The whole file, the same before and after the read, and its SHA-256 (hex).
    Read(Signature, Vec<u8>, String),
    /// The file changed while it was looked at: look again later.
    Changed,
    /// The file cannot be used as it is.
    Refused(Option<Signature>, Refusal, String),
}

/// The signature of the file `path` names (symbolic links followed, so a
/// Kubernetes-style `..data` link swap is a change).
pub fn signature(path: &Path) -> std::io::Result<Signature> {
    std::fs::metadata(path).map(|m| of(&m))
}

#[cfg(unix)]
fn of(m: &std::fs::Metadata) -> Signature {
    use std::os::unix::fs::MetadataExt;
    let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
    Signature {
        dev: m.dev(),
        ino: m.ino(),
        len: m.len(),
        mtime_ns: ns(m.mtime(), m.mtime_nsec()),
        ctime_ns: ns(m.ctime(), m.ctime_nsec()),
        mode: m.mode(),
    }
}

#[cfg(not(unix))]
fn of(m: &std::fs::Metadata) -> Signature {
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Signature {
        dev: 0,
        ino: 0,
        len: m.len(),
        mtime_ns,
        ctime_ns: 0,
        mode: u32::from(m.is_file()),
    }
}

fn is_hot(sig: &Signature) -> bool {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    now - sig.mtime_ns < HOT.as_nanos() as i128
}

/// Looks at the runtime file `path`: not read when its signature is `seen`
/// and it is not hot, refused when it is not a regular file of at most
/// `limit` bytes (memory stays bounded by `limit`), else read whole.
pub fn look(path: &Path, limit: u64, seen: Option<&Signature>) -> Look {
    let (sig, regular) = match std::fs::metadata(path) {
        Ok(m) => (of(&m), m.is_file()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Look::Refused(None, Refusal::Io, "the runtime file does not exist".into())
        }
        Err(e) => {
            let msg = format!("cannot read the runtime file: {e}");
            return Look::Refused(None, Refusal::Io, msg);
        }
    };
    if seen == Some(&sig) && !is_hot(&sig) {
        return Look::Unchanged(sig);
    }
    if !regular {
        let msg = "the runtime file is not a regular file (a FIFO, device or folder)";
        return Look::Refused(Some(sig), Refusal::Limit, msg.into());
    }
    if sig.len > limit {
        let msg = format!(
            "the runtime file is {} bytes, over the limit of {}; not read",
            sig.len,
            files::size_name(limit)
        );
        return Look::Refused(Some(sig), Refusal::Limit, msg);
    }
    let file = match files::open_regular(path, Some(limit)) {
        Ok(f) => f,
        // Replaced between the stat and the open: the next look sees what it became.
        Err(_) if signature(path).ok() != Some(sig) => return Look::Changed,
        Err(e) => {
            let msg = format!("cannot read the runtime file: {e}");
            return Look::Refused(Some(sig), Refusal::Io, msg);
        }
    };
    if file.metadata().map(|m| of(&m)).ok() != Some(sig) {
        return Look::Changed;
    }
    let mut buf = Vec::with_capacity(sig.len.min(limit) as usize + 1);
    if let Err(e) = file.take(limit + 1).read_to_end(&mut buf) {
        let msg = format!("cannot read the runtime file: {e}");
        return Look::Refused(Some(sig), Refusal::Io, msg);
    }
    if buf.len() as u64 > limit {
        let msg = format!(
            "the runtime file grew over the limit of {} while read",
            files::size_name(limit)
        );
        return Look::Refused(Some(sig), Refusal::Limit, msg);
    }
    if signature(path).ok() != Some(sig) || buf.len() as u64 != sig.len {
        return Look::Changed;
    }
    let digest = crate::emit::manifest::sha256_hex(&buf);
    Look::Read(sig, buf, digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_refuses_and_skips_what_it_has_seen() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let p = tmp.path().join("r.runtime.json");
        assert!(matches!(
            look(&p, 100, None),
            Look::Refused(None, Refusal::Io, m) if m == "the runtime file does not exist"
        ));
        std::fs::write(&p, b"{\"a\": 1}").expect("write");
        let Look::Read(sig, bytes, digest) = look(&p, 100, None) else {
            panic!("a small regular file is read")
        };
        assert_eq!((bytes.as_slice(), sig.len), (&b"{\"a\": 1}"[..], 8));
        assert_eq!(digest, crate::emit::manifest::sha256_hex(b"{\"a\": 1}"));
        // Just written, so hot: read again although the signature is the same.
        assert!(matches!(look(&p, 100, Some(&sig)), Look::Read(..)));
        let old = std::fs::File::options().write(true).open(&p).expect("open");
        old.set_modified(SystemTime::now() - Duration::from_secs(60))
            .expect("set mtime");
        let sig = signature(&p).expect("stat");
        assert_eq!(look(&p, 100, Some(&sig)), Look::Unchanged(sig));
        assert!(matches!(
            look(&p, 4, None),
            Look::Refused(Some(_), Refusal::Limit, m)
                if m == "the runtime file is 8 bytes, over the limit of 4 bytes; not read"
        ));
        assert!(matches!(
            look(tmp.path(), 100, None),
            Look::Refused(Some(_), Refusal::Limit, _)
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let p = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here; the Python tests cover it too
        }
        assert!(matches!(
            look(&p, 100, None),
            Look::Refused(Some(_), Refusal::Limit, m) if m.contains("FIFO")
        ));
    }
}
