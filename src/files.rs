//! Bounded reads of regular files: the one way mcfg opens a file it reads
//! (sources, manifests, artifacts, deployed files, runtime updates, import
//! inputs).
//!
//! A path is opened without blocking (so a FIFO cannot hang the open), the
//! open file is checked to be a regular file (no FIFO, device, socket or
//! folder) and at most the limit in size before a byte is read, and the read
//! itself stops one byte past the limit (a file that grows while it is read
//! is still refused). Every limit is listed in docs/limits.md.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Largest source file (`.mcfg`).
pub const MAX_SOURCE_BYTES: u64 = 256 << 20;
/// Largest JSON/YAML document mcfg parses (deployed artifacts, runtime
/// updates, import inputs, manifests).
pub const MAX_DOCUMENT_BYTES: u64 = 64 << 20;
/// Most values (scalars, lists, mappings) in one JSON/YAML document, each
/// copy of an alias counted as it is made (against "billion laughs").
pub const MAX_DOCUMENT_NODES: usize = 1_000_000;
/// Deepest nesting of lists and mappings in one JSON/YAML document.
pub const MAX_DOCUMENT_DEPTH: usize = 200;

/// `n` bytes as the limits are written in messages (`256 MiB`).
pub fn size_name(n: u64) -> String {
    if n >= 1 << 20 && n % (1 << 20) == 0 {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// Opens `path` for reading if it is a regular file of at most `limit`
/// bytes (`None`: any size, for files that are streamed, never held whole).
pub fn open_regular(path: &Path, limit: Option<u64>) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("is a folder, not a file"));
    }
    if !meta.is_file() {
        return Err(io::Error::other(
            "is not a regular file (a FIFO, device or socket)",
        ));
    }
    if let Some(limit) = limit {
        if meta.len() > limit {
            return Err(too_large(limit));
        }
    }
    Ok(file)
}

/// The bytes of `path`, a regular file of at most `limit` bytes.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path, Some(limit))?;
    let len = file.metadata().map_or(0, |m| m.len());
    // Sized once (plus one byte to see the end), not grown by doubling.
    let mut buf = Vec::with_capacity(len.min(limit) as usize + 1);
    file.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(too_large(limit));
    }
    Ok(buf)
}

/// [`read_regular`] as UTF-8 text without a leading byte-order mark.
pub fn read_text(path: &Path, limit: u64) -> io::Result<String> {
    let bytes = read_regular(path, limit)?;
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        io::Error::other(format!(
            "is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn too_large(limit: u64) -> io::Error {
    io::Error::other(format!("is larger than {}", size_name(limit)))
}

#[cfg(target_os = "linux")]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of
    // waiting; the file is then refused as not regular. It has no effect on
    // reads of a regular file.
    let flags = rustix::fs::OFlags::NONBLOCK.bits() as i32;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags)
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    // Without O_NONBLOCK, refuse what is not a regular file before opening.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() && !meta.is_dir() {
        return Err(io::Error::other(
            "is not a regular file (a FIFO, device or socket)",
        ));
    }
    File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_kinds_are_checked_before_reading() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let p = tmp.path().join("a.json");
        std::fs::write(&p, "0123456789").expect("write");
        assert_eq!(read_regular(&p, 10).expect("fits").len(), 10);
        let err = read_regular(&p, 9).expect_err("too large");
        assert_eq!(err.to_string(), "is larger than 9 bytes");
        let err = read_regular(tmp.path(), 9).expect_err("folder");
        assert_eq!(err.to_string(), "is a folder, not a file");
        #[cfg(unix)]
        {
            let err = read_regular(Path::new("/dev/zero"), 9).expect_err("device");
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let p = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here; the CLI tests cover it too
        }
        let err = read_regular(&p, 1 << 20).expect_err("fifo");
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn sizes_are_named_in_mib() {
        assert_eq!(size_name(MAX_SOURCE_BYTES), "256 MiB");
        assert_eq!(size_name(MAX_DOCUMENT_BYTES), "64 MiB");
    }
}
