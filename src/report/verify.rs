//! `mcfg verify DIR` (CLI.md): recompute every artifact hash listed in
//! `DIR/manifest.json` and report each artifact that was edited by hand
//! (`modified`), deleted (`missing`), or any file that the manifest does not
//! list (`extra`). The flagd flag sets the manifest lists under `flags`
//! and the bundles of a `--bundle` build (`bundles`) count as artifacts.
//!
//! The report serializes to CLI.md's `verify --json` shape,
//! `{"ok": false, "problems": [{"kind": "modified", "path": "prod/svc.json"}]}`.
//! Problems are sorted by kind (`modified`, `missing`, `extra`) and then by
//! path, so the output is deterministic. Paths use `/`. `manifest.json`
//! itself is never an extra file. A file that exists but cannot be read (for
//! example a folder where an artifact should be) counts as `modified`.
//!
//! This module reads the output folder but never writes it.

use std::collections::BTreeSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostics::CommandError;
use crate::emit::is_safe_rel_path;
use crate::emit::manifest::{Manifest, ManifestError, MANIFEST_NAME};
use crate::files;

/// Why a folder cannot be verified (exit 2): its manifest is missing,
/// unreadable or not one mcfg writes, or the folder cannot be listed.
#[derive(Debug)]
pub enum VerifyError {
    /// The manifest cannot be read.
    Unreadable { manifest: PathBuf, err: io::Error },
    /// The manifest does not parse as one.
    Invalid {
        manifest: PathBuf,
        err: ManifestError,
    },
    /// The manifest breaks a rule every manifest mcfg writes keeps.
    Inconsistent { manifest: PathBuf, what: String },
    /// The output folder cannot be listed.
    Unlistable { dir: PathBuf, err: io::Error },
}

impl crate::diagnostics::Stop for VerifyError {
    fn command_error(&self) -> CommandError {
        match self {
            VerifyError::Unreadable { manifest, err } => CommandError::io(format!(
                "cannot read the manifest: {err}"
            ))
            .in_file(manifest)
            .with_help(
                "`mcfg verify DIR` takes the output folder of `mcfg build` (`build/` by default)",
            ),
            VerifyError::Invalid { manifest, err } => err.in_file(manifest),
            VerifyError::Inconsistent { manifest, what } => {
                CommandError::io(format!("not a manifest mcfg writes: it {what}"))
                    .in_file(manifest)
                    .with_help("a manifest is written by `mcfg build`; build the folder again")
            }
            VerifyError::Unlistable { dir, err } => {
                CommandError::io(format!("cannot list the folder: {err}")).in_file(dir)
            }
        }
    }
}

crate::diagnostics::display_as_command_error!(VerifyError);

/// What is wrong with one path of the output folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemKind {
    /// The file's SHA-256 differs from the manifest's.
    Modified,
    /// The manifest lists the file but it does not exist.
    Missing,
    /// The file exists but the manifest does not list it.
    Extra,
}

impl ProblemKind {
    /// The lower-case name used in JSON and human output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Modified => "modified",
            ProblemKind::Missing => "missing",
            ProblemKind::Extra => "extra",
        }
    }
}

/// One problem: its kind and the path relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Problem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// Path relative to the output folder, with `/`.
    pub path: String,
}

/// The result of `mcfg verify`: `ok` is true exactly when `problems` is empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// True when every listed file matches and nothing else is present.
    pub ok: bool,
    /// Problems sorted by kind, then path.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// A report over `problems`, sorted and deduplicated.
    pub fn from_problems(mut problems: Vec<Problem>) -> VerifyReport {
        problems.sort();
        problems.dedup();
        VerifyReport {
            ok: problems.is_empty(),
            problems,
        }
    }

    /// The report as one line of JSON (CLI.md `verify --json`).
    pub fn to_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(text) => text,
            Err(err) => unreachable!("a verify report serializes: {err}"),
        }
    }
}

/// Checks the output folder `dir` against `dir/manifest.json`.
///
/// Errors when the manifest is missing, unreadable, not a valid manifest, or
/// lists an unsafe path (absolute or with `..`), or when `dir` cannot be listed.
pub fn verify(dir: &Path) -> Result<VerifyReport, VerifyError> {
    let manifest_path = dir.join(MANIFEST_NAME);
    let manifest = read_manifest(&manifest_path)?;
    let inconsistent = |what: String| VerifyError::Inconsistent {
        manifest: manifest_path.clone(),
        what,
    };
    let mut listed = BTreeSet::from([MANIFEST_NAME.to_owned()]);
    let mut problems = Vec::new();
    // The flagd flag sets and the bundles are checked like any artifact.
    let files = manifest.files().map_err(|path| {
        inconsistent(format!(
            "lists `runtime_path` and `runtime_sha256` apart for `{path}`"
        ))
    })?;
    for (path, hash) in files {
        if !is_safe_rel_path(path) {
            return Err(inconsistent(format!(
                "lists an unsafe artifact path `{path}`"
            )));
        }
        if !listed.insert(path.clone()) {
            return Err(inconsistent(format!("lists the artifact `{path}` twice")));
        }
        if let Some(kind) = check_file(dir, path, hash) {
            problems.push(Problem {
                kind,
                path: path.clone(),
            });
        }
    }
    let points = verify_sweep(dir, &manifest, &manifest_path, &mut problems)?;
    let present = list_files(dir).map_err(|err| VerifyError::Unlistable {
        dir: dir.to_path_buf(),
        err,
    })?;
    for path in present {
        let in_point = points.iter().any(|p| path.starts_with(p.as_str()));
        if !listed.contains(&path) && !in_point {
            problems.push(Problem {
                kind: ProblemKind::Extra,
                path,
            });
        }
    }
    Ok(VerifyReport::from_problems(problems))
}

/// Checks the point folders of a `--sweep` build: each point's manifest
/// against its hash in the top manifest, then the point's folder against
/// that manifest. Returns the point folders (`sweep/3/`), whose files the
/// point manifests account for.
fn verify_sweep(
    dir: &Path,
    manifest: &Manifest,
    manifest_path: &Path,
    problems: &mut Vec<Problem>,
) -> Result<Vec<String>, VerifyError> {
    let mut points = Vec::new();
    for point in &manifest.sweep {
        if !is_safe_rel_path(&point.dir) {
            return Err(VerifyError::Inconsistent {
                manifest: manifest_path.to_path_buf(),
                what: format!("lists an unsafe sweep folder `{}`", point.dir),
            });
        }
        let inner = format!("{}/{MANIFEST_NAME}", point.dir);
        points.push(format!("{}/", point.dir));
        if let Some(kind) = check_file(dir, &inner, &point.manifest_sha256) {
            problems.push(Problem { kind, path: inner });
            continue;
        }
        let sub_dir = dir.join(&point.dir);
        let sub_path = sub_dir.join(MANIFEST_NAME);
        let sub = read_manifest(&sub_path)?;
        if !sub.sweep.is_empty() {
            return Err(VerifyError::Inconsistent {
                manifest: sub_path,
                what: "lists sweep points of its own".to_owned(),
            });
        }
        for p in verify(&sub_dir)?.problems {
            problems.push(Problem {
                kind: p.kind,
                path: format!("{}/{}", point.dir, p.path),
            });
        }
    }
    Ok(points)
}

/// The problem with `dir/path` given its expected hash, if any. The file is
/// hashed as a stream (any size, constant memory); what is not a regular file
/// (a FIFO, a device, a folder) is never read and counts as modified.
fn check_file(dir: &Path, path: &str, expected_sha256: &str) -> Option<ProblemKind> {
    match stream_sha256(&dir.join(path)) {
        Ok(hash) if hash.eq_ignore_ascii_case(expected_sha256) => None,
        Ok(_) => Some(ProblemKind::Modified),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Some(ProblemKind::Missing),
        Err(_) => Some(ProblemKind::Modified),
    }
}

/// The lower-case hex SHA-256 of a regular file, read in 64 KiB blocks.
/// The manifest at `path`.
fn read_manifest(path: &Path) -> Result<Manifest, VerifyError> {
    let bytes = files::read_regular(path, files::MAX_DOCUMENT_BYTES).map_err(|err| {
        VerifyError::Unreadable {
            manifest: path.to_path_buf(),
            err,
        }
    })?;
    Manifest::from_bytes(&bytes).map_err(|err| VerifyError::Invalid {
        manifest: path.to_path_buf(),
        err,
    })
}

fn stream_sha256(path: &Path) -> io::Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut file = files::open_regular(path, None)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Every file below `dir` (recursively; symbolic links count as files and are
/// not followed), as sorted `/`-separated paths relative to `dir`. A missing
/// `dir` is an error of kind `NotFound`.
pub fn list_files(dir: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    list_into(&mut out, dir, "")?;
    out.sort();
    Ok(out)
}

fn list_into(out: &mut Vec<String>, dir: &Path, prefix: &str) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            list_into(out, &entry.path(), &format!("{rel}/"))?;
        } else {
            out.push(rel);
        }
    }
    Ok(())
}

/// The report for a terminal: one `kind  path` line per problem and a
/// closing summary line, or a single line saying everything matches.
pub fn render_human(report: &VerifyReport) -> String {
    if report.ok {
        return "ok: every artifact matches manifest.json\n".to_owned();
    }
    let mut out = String::new();
    for problem in &report.problems {
        out.push_str(&format!("{:<9}{}\n", problem.kind.as_str(), problem.path));
    }
    let n = report.problems.len();
    let noun = if n == 1 { "problem" } else { "problems" };
    out.push_str(&format!(
        "verify failed: {n} {noun} against manifest.json\n"
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::manifest::ArtifactEntry;
    use crate::emit::Artifact;

    /// Writes a small verified build: two environments, one runtime artifact.
    fn build(dir: &Path) {
        let dev = Artifact::new("dev/svc.json", b"{\"replicas\": 1}\n".to_vec());
        let prod = Artifact::new("prod/svc.json", b"{\"replicas\": 3}\n".to_vec());
        let prod_rt = Artifact::new("prod/svc.runtime.json", b"{}\n".to_vec());
        let manifest = Manifest {
            compiler: Manifest::compiler_version(),
            git: None,
            environments: vec!["dev".to_owned(), "prod".to_owned()],
            sources: vec![],
            overrides: vec![],
            sweep: Vec::new(),
            flags: vec![],
            bundles: vec![],
            artifacts: vec![
                ArtifactEntry::new("svc", Some("dev".to_owned()), &dev, None, vec![], vec![]),
                ArtifactEntry::new(
                    "svc",
                    Some("prod".to_owned()),
                    &prod,
                    Some(&prod_rt),
                    vec![],
                    vec![],
                ),
            ],
        };
        for file in [dev, prod, prod_rt, manifest.to_artifact()] {
            let path = dir.join(&file.rel_path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, file.bytes()).unwrap();
        }
    }

    #[test]
    fn a_fresh_build_verifies() {
        let tmp = tempfile::tempdir().unwrap();
        build(tmp.path());
        let report = verify(tmp.path()).unwrap();
        assert_eq!(
            report,
            VerifyReport {
                ok: true,
                problems: vec![]
            }
        );
        assert_eq!(report.to_json(), r#"{"ok":true,"problems":[]}"#);
        assert_eq!(
            render_human(&report),
            "ok: every artifact matches manifest.json\n"
        );
    }

    #[test]
    fn modified_missing_and_extra_in_cli_md_shape_and_order() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        build(dir);
        fs::write(dir.join("prod/svc.json"), "{\"replicas\": 30}\n").unwrap();
        fs::remove_file(dir.join("dev/svc.json")).unwrap();
        fs::write(dir.join("prod/notes.json"), "{}").unwrap();
        fs::write(dir.join("prod/svc.runtime.json"), "{\"t\": 1}\n").unwrap();
        fs::create_dir(dir.join("zz")).unwrap();
        fs::write(dir.join("zz/a.txt"), "").unwrap();
        let report = verify(dir).unwrap();
        assert_eq!(
            report.to_json(),
            concat!(
                r#"{"ok":false,"problems":[{"kind":"modified","path":"prod/svc.json"},"#,
                r#"{"kind":"modified","path":"prod/svc.runtime.json"},"#,
                r#"{"kind":"missing","path":"dev/svc.json"},"#,
                r#"{"kind":"extra","path":"prod/notes.json"},{"kind":"extra","path":"zz/a.txt"}]}"#
            )
        );
        assert_eq!(
            render_human(&report),
            "modified prod/svc.json\nmodified prod/svc.runtime.json\nmissing  dev/svc.json\n\
             extra    prod/notes.json\nextra    zz/a.txt\nverify failed: 5 problems against manifest.json\n"
        );
    }

    #[test]
    fn missing_or_broken_manifest_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = verify(tmp.path()).unwrap_err();
        assert!(matches!(err, VerifyError::Unreadable { .. }), "{err}");
        let e = crate::diagnostics::Stop::command_error(&err);
        assert!(e.message.starts_with("cannot read the manifest"), "{err}");
        assert!(e.file.is_some_and(|f| f.ends_with("manifest.json")));
        fs::write(tmp.path().join("manifest.json"), "{not json").unwrap();
        let err = verify(tmp.path()).unwrap_err();
        assert!(matches!(err, VerifyError::Invalid { .. }), "{err}");
        let e = crate::diagnostics::Stop::command_error(&err);
        assert!(e
            .message
            .starts_with("not a valid mcfg manifest: key must be a string"));
        assert_eq!(e.at, Some((1, 2)));
    }

    #[test]
    fn unsafe_manifest_paths_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let manifest = Manifest {
            compiler: "mcfg 0.1.0".to_owned(),
            git: None,
            environments: vec![],
            sources: vec![],
            overrides: vec![],
            sweep: Vec::new(),
            flags: vec![],
            bundles: vec![],
            artifacts: vec![ArtifactEntry::new(
                "x",
                None,
                &Artifact::new("../x.json", vec![]),
                None,
                vec![],
                vec![],
            )],
        };
        fs::write(tmp.path().join("manifest.json"), manifest.to_bytes()).unwrap();
        let err = verify(tmp.path()).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("it lists an unsafe artifact path `../x.json`"),
            "{err}"
        );
    }

    #[test]
    fn list_files_is_recursive_sorted_and_slash_separated() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir_all(tmp.path().join("b/c")).unwrap();
        fs::create_dir(tmp.path().join("empty")).unwrap();
        fs::write(tmp.path().join("b/c/d.json"), "").unwrap();
        fs::write(tmp.path().join("a.json"), "").unwrap();
        assert_eq!(list_files(tmp.path()).unwrap(), ["a.json", "b/c/d.json"]);
        let err = list_files(&tmp.path().join("nope")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
