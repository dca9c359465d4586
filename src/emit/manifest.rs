//! `manifest.json` (CLI.md "Manifest", LANGUAGE.md §7): the compiler version,
//! the git state of the sources, every source and artifact with its SHA-256,
//! and the invariant and runtime paths of each artifact.
//!
//! Field order is CLI.md's: `compiler`, `git`, `environments`, `sources`,
//! `artifacts`; each artifact entry has `config`, `env` (`null` when the
//! project declares no environments), `path`, `sha256`, then `runtime_path`
//! and `runtime_sha256` only when a runtime artifact exists, then `invariant`
//! and `runtime`. After the artifacts, `flags` lists the flagd flag sets
//! (`env`, `path`, `sha256`, `keys`) when there are any; a `--bundle` build
//! lists its per-environment documents under `bundles` (`env`, `path`,
//! `sha256`, optional `runtime_path`/`runtime_sha256`, `configs`) instead
//! of `artifacts`. Hashes are lowercase hex. There are no timestamps: the same
//! sources give the same bytes. The manifest is rendered with the JSON
//! emitter ([`super::json`]).
//!
//! [`git_info`] is the one place here that runs a program: `git` with a fixed
//! environment (`GIT_CONFIG_NOSYSTEM=1`, `LC_ALL=C`, no pager, no optional
//! locks, and no inherited `GIT_DIR`/`GIT_WORK_TREE`/`GIT_INDEX_FILE`).

use std::path::Path;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Artifact;

/// The manifest's file name inside the output folder.
pub const MANIFEST_NAME: &str = "manifest.json";

/// The whole manifest, in CLI.md field order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// `mcfg <version>`, e.g. `mcfg 0.1.0`.
    pub compiler: String,
    /// The git state of the sources; `None` (JSON `null`) outside a repository.
    pub git: Option<GitInfo>,
    /// Declared environments in declaration order (empty when there are none).
    pub environments: Vec<String>,
    /// Every source file of the build.
    pub sources: Vec<SourceEntry>,
    /// The command-line overrides (`--set`) the artifacts were built with,
    /// in command-line order; absent when there are none, so the artifacts
    /// are exactly what the sources give.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::overrides::OverrideEntry>,
    /// Every artifact written, in build order.
    pub artifacts: Vec<ArtifactEntry>,
    /// The points of a `--sweep` build, in point order (each point's folder
    /// has its own manifest); absent for a build without `--sweep`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep: Vec<crate::sweep::SweepEntry>,
    /// The flagd flag sets (`<env>/flags.flagd.json`), one per environment
    /// in declaration order; absent when no config has a flag.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<FlagSetEntry>,
    /// The bundles of a `--bundle` build (one document per environment, in
    /// declaration order), which then holds no per-config `artifacts`;
    /// absent for a build without `--bundle`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles: Vec<BundleEntry>,
}

/// One bundle: an environment's configs in one document keyed by config name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleEntry {
    /// The environment, or `None` (JSON `null`) when none are declared.
    pub env: Option<String>,
    /// Path relative to the output folder (`prod.json`, or `bundle.json`
    /// without environments).
    pub path: String,
    /// Lowercase hex SHA-256 of the bundle's bytes.
    pub sha256: String,
    /// Path of the runtime bundle (`prod.runtime.json`: the `@runtime`
    /// parts, keyed by config), present only when a config has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_path: Option<String>,
    /// SHA-256 of the runtime bundle, present exactly when `runtime_path` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_sha256: Option<String>,
    /// The configs the bundle holds, in build order (its key order).
    pub configs: Vec<String>,
}

/// One flagd flag set: where it is, its hash and the flag keys it defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSetEntry {
    /// The environment, or `None` (JSON `null`) when none are declared.
    pub env: Option<String>,
    /// Path relative to the output folder, with `/`.
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The flag keys (`<config>.<path>`) in file order.
    pub keys: Vec<String>,
}

/// The git commit of the sources and whether their folder has changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    /// Full hex id of `HEAD`.
    pub commit: String,
    /// True when `git status --porcelain -- <dir>` lists anything (tracked
    /// changes or untracked files that are not ignored).
    pub dirty: bool,
}

/// One source file: its path as shown to users and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceEntry {
    /// Path relative to the project root, with `/`.
    pub path: String,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// One (config, environment) artifact and its optional runtime artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArtifactEntry {
    /// The config's name.
    pub config: String,
    /// The environment, or `None` (JSON `null`) when none are declared.
    pub env: Option<String>,
    /// Artifact path relative to the output folder, with `/`.
    pub path: String,
    /// Lowercase hex SHA-256 of the artifact's bytes.
    pub sha256: String,
    /// Path of `<config>.runtime.<ext>`, present only when it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_path: Option<String>,
    /// SHA-256 of the runtime artifact, present exactly when `runtime_path` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime_sha256: Option<String>,
    /// Dotted paths of the config's `@invariant` fields.
    #[serde(default)]
    pub invariant: Vec<String>,
    /// Dotted paths of the config's `@runtime` fields.
    #[serde(default)]
    pub runtime: Vec<String>,
}

impl ArtifactEntry {
    /// An entry for `artifact` (and `runtime_artifact` when the config has
    /// `@runtime` fields), hashing their bytes.
    pub fn new(
        config: impl Into<String>,
        env: Option<String>,
        artifact: &Artifact,
        runtime_artifact: Option<&Artifact>,
        invariant: Vec<String>,
        runtime: Vec<String>,
    ) -> ArtifactEntry {
        ArtifactEntry {
            config: config.into(),
            env,
            path: artifact.rel_path.clone(),
            sha256: artifact.sha256_hex(),
            runtime_path: runtime_artifact.map(|it| it.rel_path.clone()),
            runtime_sha256: runtime_artifact.map(Artifact::sha256_hex),
            invariant,
            runtime,
        }
    }
}

impl SourceEntry {
    /// An entry for the source at `path` holding `bytes`.
    pub fn new(path: impl Into<String>, bytes: &[u8]) -> SourceEntry {
        SourceEntry {
            path: path.into(),
            sha256: sha256_hex(bytes),
        }
    }
}

impl Manifest {
    /// Every file the manifest lists with its hash, in manifest order:
    /// artifacts (each followed by its runtime artifact), flag sets, bundles
    /// (each followed by its runtime bundle). Err: the path of an entry that
    /// lists `runtime_path` without `runtime_sha256` or the reverse.
    pub fn files(&self) -> Result<Vec<(&String, &String)>, &String> {
        fn runtime<'m>(
            path: &'m String,
            runtime: (&'m Option<String>, &'m Option<String>),
        ) -> Result<Option<(&'m String, &'m String)>, &'m String> {
            match runtime {
                (Some(p), Some(h)) => Ok(Some((p, h))),
                (None, None) => Ok(None),
                _ => Err(path),
            }
        }
        let mut files = Vec::new();
        for a in &self.artifacts {
            files.push((&a.path, &a.sha256));
            files.extend(runtime(&a.path, (&a.runtime_path, &a.runtime_sha256))?);
        }
        files.extend(self.flags.iter().map(|f| (&f.path, &f.sha256)));
        for b in &self.bundles {
            files.push((&b.path, &b.sha256));
            files.extend(runtime(&b.path, (&b.runtime_path, &b.runtime_sha256))?);
        }
        Ok(files)
    }

    /// The compiler field for this build of mcfg: `mcfg <crate version>`.
    pub fn compiler_version() -> String {
        format!("mcfg {}", env!("CARGO_PKG_VERSION"))
    }

    /// The manifest as JSON bytes (two-space indentation, final newline).
    pub fn to_bytes(&self) -> Vec<u8> {
        match serde_json::to_value(self) {
            Ok(value) => super::json::to_bytes(&value),
            // Plain structs of strings, bools and vectors always serialize.
            Err(err) => unreachable!("manifest serializes: {err}"),
        }
    }

    /// The manifest as the artifact `manifest.json`.
    pub fn to_artifact(&self) -> Artifact {
        Artifact::new(MANIFEST_NAME, self.to_bytes())
    }

    /// Parses a manifest from the bytes of a `manifest.json`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        serde_json::from_slice(bytes).map_err(ManifestError)
    }
}

/// Bytes that are not a manifest mcfg writes: JSON that does not parse or
/// lacks a field, with the place the JSON reader stopped.
#[derive(Debug)]
pub struct ManifestError(serde_json::Error);

impl ManifestError {
    /// The error in the manifest at `path` (exit 2: not an output folder of mcfg's).
    pub fn in_file(&self, path: &Path) -> crate::diagnostics::CommandError {
        let err = &self.0;
        let text = err.to_string();
        let place = format!(" at line {} column {}", err.line(), err.column());
        let reason = text.strip_suffix(&place).unwrap_or(&text);
        let e =
            crate::diagnostics::CommandError::io(format!("not a valid mcfg manifest: {reason}"))
                .in_file(path)
                .with_help("a manifest is written by `mcfg build`; build the folder again");
        if err.line() == 0 {
            e
        } else {
            e.at(err.line(), err.column())
        }
    }
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a valid mcfg manifest: {}", self.0)
    }
}

impl std::error::Error for ManifestError {}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(2 * digest.len());
    for &byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0xF)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The git commit and dirty state of the sources in `dir`, or `None` when
/// `dir` is not inside a git work tree, the repository has no commit yet, or
/// `git` cannot be run. Dirty means `git status --porcelain -- .` run in `dir`
/// lists anything: tracked changes or untracked, not-ignored files under `dir`.
pub fn git_info(dir: &Path) -> Option<GitInfo> {
    let commit = run_git(dir, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
    let commit = commit.trim().to_owned();
    if commit.is_empty() {
        return None;
    }
    let status = run_git(
        dir,
        &[
            "status",
            "--porcelain",
            "--untracked-files=normal",
            "--",
            // Only the sources count: an output folder inside the repository
            // (or any other file) does not make the build dirty.
            "*.mcfg",
        ],
    )?;
    Some(GitInfo {
        commit,
        dirty: !status.trim().is_empty(),
    })
}

/// Runs `git -C dir args...` in a fixed environment; stdout on success.
fn run_git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("--no-pager")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .env("GIT_PAGER", "cat")
        .env("PAGER", "cat")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn sample(env: Option<&str>, runtime: bool) -> Manifest {
        let main = Artifact::new("prod/ranker.json", b"{}\n".to_vec());
        let rt = Artifact::new("prod/ranker.runtime.json", b"{\n  \"t\": 1\n}\n".to_vec());
        Manifest {
            compiler: "mcfg 0.1.0".to_owned(),
            git: Some(GitInfo {
                commit: "3f2c".to_owned(),
                dirty: false,
            }),
            environments: env.iter().map(|it| (*it).to_owned()).collect(),
            sources: vec![SourceEntry::new("models/ranker.mcfg", b"")],
            overrides: vec![],
            sweep: Vec::new(),
            flags: vec![],
            bundles: vec![],
            artifacts: vec![ArtifactEntry::new(
                "ranker",
                env.map(str::to_owned),
                &main,
                runtime.then_some(&rt),
                vec!["model_version".to_owned()],
                vec!["serving.timeout".to_owned()],
            )],
        }
    }

    #[test]
    fn sha256_is_lowercase_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn field_order_and_runtime_fields_as_in_cli_md() {
        let text = String::from_utf8(sample(Some("prod"), true).to_bytes()).unwrap();
        let expected = r#"{
  "compiler": "mcfg 0.1.0",
  "git": {
    "commit": "3f2c",
    "dirty": false
  },
  "environments": [
    "prod"
  ],
  "sources": [
    {
      "path": "models/ranker.mcfg",
      "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    }
  ],
  "artifacts": [
    {
      "config": "ranker",
      "env": "prod",
      "path": "prod/ranker.json",
      "sha256": "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356",
      "runtime_path": "prod/ranker.runtime.json",
      "runtime_sha256": "RT",
      "invariant": [
        "model_version"
      ],
      "runtime": [
        "serving.timeout"
      ]
    }
  ]
}
"#
        .replace("RT", &sha256_hex(b"{\n  \"t\": 1\n}\n"));
        assert_eq!(text, expected);
    }

    #[test]
    fn no_environments_and_no_runtime() {
        let mut manifest = sample(None, false);
        manifest.git = None;
        let value: serde_json::Value = serde_json::from_slice(&manifest.to_bytes()).unwrap();
        assert_eq!(value["git"], serde_json::Value::Null);
        assert_eq!(value["environments"], serde_json::json!([]));
        let entry = value["artifacts"][0].as_object().unwrap();
        assert_eq!(entry["env"], serde_json::Value::Null);
        let keys: Vec<&String> = entry.keys().collect();
        assert_eq!(
            keys,
            ["config", "env", "path", "sha256", "invariant", "runtime"]
        );
        assert_eq!(
            Manifest::from_bytes(&manifest.to_bytes()).unwrap(),
            manifest
        );
        assert_eq!(manifest.to_artifact().rel_path, "manifest.json");
    }

    #[test]
    fn unparsable_manifest_is_an_error() {
        let err = Manifest::from_bytes(b"{\"compiler\": 1}").unwrap_err();
        assert!(
            err.to_string().starts_with("not a valid mcfg manifest"),
            "{err}"
        );
        let e = err.in_file(Path::new("out/manifest.json"));
        assert_eq!(e.at, Some((1, 14)));
        assert_eq!(
            e.message,
            "not a valid mcfg manifest: invalid type: integer `1`, expected a string"
        );
    }

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn git_info_outside_a_repository_is_none() {
        let tmp = tempfile::tempdir().unwrap();
        // The system temporary folder is not inside a git work tree.
        let dir = tmp.path().join("plain");
        fs::create_dir(&dir).unwrap();
        assert_eq!(git_info(&dir), None);
        assert_eq!(git_info(&tmp.path().join("does-not-exist")), None);
    }

    #[test]
    fn git_info_commit_and_dirty_state_of_the_sources_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        let src = repo.join("src");
        fs::create_dir(&src).unwrap();
        git(repo, &["init", "-q"]);
        assert_eq!(git_info(&src), None, "no commit yet");
        fs::write(src.join("a.mcfg"), "config a {}\n").unwrap();
        fs::write(repo.join(".gitignore"), "ignored.txt\n").unwrap();
        git(repo, &["add", "."]);
        git(repo, &["commit", "-q", "-m", "one"]);
        let info = git_info(&src).unwrap();
        assert_eq!(info.commit.len(), 40);
        assert!(info.commit.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(!info.dirty);
        // Ignored files and changes outside the sources folder do not count.
        fs::write(src.join("ignored.txt"), "x").unwrap();
        fs::write(repo.join("outside.txt"), "x").unwrap();
        assert!(!git_info(&src).unwrap().dirty);
        // Nor does a build's output folder next to the sources.
        fs::create_dir_all(src.join("build/prod")).unwrap();
        fs::write(src.join("build/prod/a.json"), "{}\n").unwrap();
        assert!(!git_info(&src).unwrap().dirty);
        // An untracked file under the sources folder does.
        fs::write(src.join("new.mcfg"), "x").unwrap();
        assert!(git_info(&src).unwrap().dirty);
        fs::remove_file(src.join("new.mcfg")).unwrap();
        // So does a change to a tracked file.
        fs::write(src.join("a.mcfg"), "config a { x = 1 }\n").unwrap();
        assert_eq!(
            git_info(&src).unwrap(),
            GitInfo {
                commit: info.commit,
                dirty: true
            }
        );
    }
}
