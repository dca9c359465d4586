//! `mcfg._mcfg`: the compiler as a Python extension module.
//!
//! Every function takes and returns plain strings (JSON documents), so the
//! binding layer stays tiny: the Python package (`mcfg/`) decodes them and
//! raises its own exception classes. Each call releases the GIL while the
//! compiler runs and goes through [`mcfg::api`], which runs it on a thread of
//! its own and turns a panic into an error value: no input crashes the
//! interpreter.

use std::ffi::OsString;
use std::path::PathBuf;

use mcfg::api::runtime_file::{look, Look, Refusal, Signature};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

fn paths(list: Vec<String>) -> Vec<PathBuf> {
    list.into_iter().map(PathBuf::from).collect()
}

fn to_json<T: serde::Serialize>(r: &Result<T, mcfg::api::Error>) -> String {
    let doc = match r {
        Ok(v) => serde_json::json!({ "ok": v }),
        Err(e) => serde_json::json!({ "err": e }),
    };
    doc.to_string()
}

/// Compiles the sources; returns `{"ok": Compiled}` or `{"err": Error}` as JSON.
#[pyfunction]
#[pyo3(signature = (paths, root, overrides))]
fn compile_json(
    py: Python<'_>,
    paths: Vec<String>,
    root: Option<String>,
    overrides: Vec<String>,
) -> String {
    let (paths, root) = (self::paths(paths), root.map(PathBuf::from));
    py.detach(move || {
        to_json(&mcfg::api::guarded(|| {
            mcfg::api::compile_values(&paths, root.as_deref(), &overrides)
        }))
    })
}

/// The JSON Schema of each emitted config: `{"ok": {config: schema}}` or `{"err": ...}`.
#[pyfunction]
#[pyo3(signature = (paths, root))]
fn schemas_json(py: Python<'_>, paths: Vec<String>, root: Option<String>) -> String {
    let (paths, root) = (self::paths(paths), root.map(PathBuf::from));
    py.detach(move || {
        to_json(&mcfg::api::guarded(|| {
            mcfg::api::schemas(&paths, root.as_deref())
        }))
    })
}

/// Validates a runtime update as `mcfg check-runtime`: `{"ok": Report}` or `{"err": ...}`.
#[pyfunction]
#[pyo3(signature = (paths, root, config, env, update_name, update_text))]
fn check_runtime_json(
    py: Python<'_>,
    paths: Vec<String>,
    root: Option<String>,
    config: String,
    env: Option<String>,
    update_name: String,
    update_text: String,
) -> String {
    let (paths, root) = (self::paths(paths), root.map(PathBuf::from));
    py.detach(move || {
        to_json(&mcfg::api::guarded(|| {
            mcfg::api::check_runtime(
                &paths,
                root.as_deref(),
                &config,
                env.as_deref(),
                &update_name,
                &update_text,
            )
        }))
    })
}

/// A runtime file's signature as Python sees it: `(dev, ino, len, mtime_ns, ctime_ns, mode)`.
type Sig = (u64, u64, u64, i64, i64, u32);

fn sig_out(s: &Signature) -> Sig {
    let ns = |t: i128| i64::try_from(t).unwrap_or(i64::MAX);
    (s.dev, s.ino, s.len, ns(s.mtime_ns), ns(s.ctime_ns), s.mode)
}

fn sig_in(s: Sig) -> Signature {
    let (dev, ino, len, mtime_ns, ctime_ns, mode) = s;
    Signature {
        dev,
        ino,
        len,
        mtime_ns: i128::from(mtime_ns),
        ctime_ns: i128::from(ctime_ns),
        mode,
    }
}

/// One look at a runtime file (`mcfg::api::runtime_file::look`), with the GIL
/// released for the whole stat-read-hash-stat. Returns `(kind, sig, payload,
/// sha256)`: kind `"unchanged"`, `"read"` (payload: the bytes), `"changed"`
/// (look again), `"io"` or `"limit"` (payload: the reason).
#[pyfunction]
#[pyo3(signature = (path, limit, seen))]
fn look_runtime_file(
    py: Python<'_>,
    path: PathBuf,
    limit: u64,
    seen: Option<Sig>,
) -> (&'static str, Option<Sig>, Option<Py<PyAny>>, Option<String>) {
    let seen = seen.map(sig_in);
    let look = py.detach(move || look(&path, limit, seen.as_ref()));
    match look {
        Look::Unchanged(s) => ("unchanged", Some(sig_out(&s)), None, None),
        Look::Read(s, bytes, digest) => {
            let b = PyBytes::new(py, &bytes).into_any().unbind();
            ("read", Some(sig_out(&s)), Some(b), Some(digest))
        }
        Look::Changed => ("changed", None, None, None),
        Look::Refused(s, why, msg) => {
            let kind = match why {
                Refusal::Io => "io",
                Refusal::Limit => "limit",
            };
            let m = PyString::new(py, &msg).into_any().unbind();
            (kind, s.as_ref().map(sig_out), Some(m), None)
        }
    }
}

/// Runs the `mcfg` command line in-process; returns its exit status.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: Vec<OsString>) -> u8 {
    py.detach(move || {
        let code = mcfg::api::guarded(|| Ok(mcfg::cli::run_from(argv)));
        code.unwrap_or(2)
    })
}

/// The version of the compiler inside the extension.
#[pyfunction]
fn version() -> &'static str {
    mcfg::api::VERSION
}

#[pymodule]
fn _mcfg(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(compile_json, m)?)?;
    m.add_function(wrap_pyfunction!(schemas_json, m)?)?;
    m.add_function(wrap_pyfunction!(check_runtime_json, m)?)?;
    m.add_function(wrap_pyfunction!(look_runtime_file, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
