//! The audit trail on a scripted repository history: `mcfg blame`, the
//! commit walk behind `log` (only commits that change a `.mcfg` file, first
//! parents, shallow clones, `--max-count`) and `diff --format markdown`.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::ops::{code, json_of, mcfg, stderr, stdout, write};

const SCHEMAS: &str = r#"schema Serving {
  replicas: int(>= 1) = 1
  timeout: duration = 200ms @runtime
  device: "cpu" | "gpu" = "cpu"
}

schema Svc {
  name: string
  version: string @invariant
  serving: Serving
  tags: list[string] = []
}
"#;

const BASE: &str = r#"import "../schemas.mcfg" as s

environments { dev; prod }

abstract config base: s.Svc {
  version = "1.0.0"
  serving.replicas = 2
  env prod { serving.replicas = 4 }
}
"#;

const SVC: &str = r#"import "./lib/base.mcfg" as lib

config svc extends lib.base {
  name = "svc"
}
"#;

/// Commits everything as `author` at `hour` hours after a fixed start.
fn commit_as(dir: &Path, author: &str, hour: u32, message: &str) {
    let date = format!("2026-11-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24);
    for args in [
        &["add", "-A"][..],
        &["commit", "-q", "--allow-empty", "-m", message],
    ] {
        let out = Command::new("git")
            .args([
                "-c",
                &format!("user.name={author}"),
                "-c",
                "user.email=x@example.com",
            ])
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("HOME", dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// 40 commits: values set in a parent in another file, moved between env
/// blocks and parents, appended to, lines shifted by unrelated edits, commits
/// that touch no `.mcfg` file, a broken commit, and 20 commits of an
/// unrelated config. The working tree also changes `name`, uncommitted.
fn scripted_history() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    super::ops::git(d, &["init", "-q"], "2026-11-01T00:00:00Z");
    write(d, "cfg/schemas.mcfg", SCHEMAS);
    write(d, "cfg/lib/base.mcfg", BASE);
    write(d, "cfg/svc.mcfg", SVC);
    commit_as(d, "Alice", 0, "first configs");
    let mut hour = 1;
    for i in 0..20 {
        write(
            d,
            "cfg/other.mcfg",
            &format!("config other {{ k = {i} }}\n"),
        );
        commit_as(d, "Bob", hour, &format!("other {i}"));
        hour += 1;
        write(d, "notes.txt", &format!("note {i}\n"));
        if i % 5 == 0 {
            commit_as(d, "Bob", hour, &format!("notes {i}"));
            hour += 1;
        }
    }
    let svc_prod = SVC.replace(
        "  name = \"svc\"\n",
        "  name = \"svc\"\n  env prod { serving.replicas = 6 }\n",
    );
    write(d, "cfg/svc.mcfg", &svc_prod);
    commit_as(d, "Carol", 30, "scale prod in svc");
    let base_timeout = BASE.replace(
        "  serving.replicas = 2\n",
        "  serving.replicas = 2\n  serving.timeout = 300ms\n",
    );
    write(d, "cfg/lib/base.mcfg", &base_timeout);
    commit_as(d, "Dave", 31, "slower timeout for every service");
    write(
        d,
        "cfg/svc.mcfg",
        &format!("// The svc service.\n// Owned by the ranking team.\n{svc_prod}"),
    );
    commit_as(d, "Alice", 32, "comments only: lines shift");
    write(d, "cfg/junk.mcfg", "\u{0}\u{1}binary\u{ff}");
    commit_as(d, "Mallory", 33, "binary junk with an mcfg name");
    std::fs::remove_file(d.join("cfg/junk.mcfg")).expect("remove junk");
    commit_as(d, "Mallory", 34, "remove the junk");
    // The prod override moves from svc's env block into the parent: same value.
    write(
        d,
        "cfg/svc.mcfg",
        &format!("// The svc service.\n// Owned by the ranking team.\n{SVC}"),
    );
    write(
        d,
        "cfg/lib/base.mcfg",
        &base_timeout.replace("serving.replicas = 4", "serving.replicas = 6"),
    );
    commit_as(d, "Erin", 35, "prod replicas belong in the parent");
    let tagged = format!(
        "// The svc service.\n// Owned by the ranking team.\n{}",
        SVC.replace(
            "  name = \"svc\"\n",
            "  name = \"svc\"\n  tags += [\"ranking\"]\n"
        )
    );
    write(d, "cfg/svc.mcfg", &tagged);
    commit_as(d, "Frank", 36, "tag svc");
    write(
        d,
        "cfg/svc.mcfg",
        &tagged.replace("name = \"svc\"", "name = \"svc2\""),
    );
    dir
}

fn leaf<'v>(report: &'v Value, path: &str) -> &'v Value {
    report["leaves"]
        .as_array()
        .and_then(|l| l.iter().find(|x| x["path"] == path))
        .unwrap_or_else(|| panic!("no leaf {path} in {report}"))
}

#[test]
fn blame_names_the_commit_and_step_behind_every_value() {
    let repo = scripted_history();
    let out = mcfg(
        repo.path(),
        &["blame", "svc", "--env", "prod", "--json", "cfg"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["config"], "svc");
    assert_eq!(report["env"], "prod");
    assert!(
        report.get("seen_since").is_none(),
        "the whole history is seen"
    );
    let paths: Vec<&str> = report["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "name",
            "version",
            "serving.replicas",
            "serving.timeout",
            "serving.device",
            "tags"
        ]
    );

    // Moved from svc's env block into the parent's: blamed on the move.
    let r = leaf(&report, "serving.replicas");
    assert_eq!(r["value"], 6);
    assert_eq!(r["op"], "set");
    assert_eq!(r["from"], "base, env prod");
    assert_eq!(r["author"], "Erin");
    assert_eq!(r["subject"], "prod replicas belong in the parent");
    assert_eq!(
        r["location"],
        json!({"file": "cfg/lib/base.mcfg", "line": 9, "column": 33})
    );
    assert_eq!(r["uncommitted"], false);

    // Set by the parent in another file: that file's commit.
    let t = leaf(&report, "serving.timeout");
    assert_eq!((&t["value"], &t["author"]), (&json!(0.3), &json!("Dave")));
    assert_eq!(t["date"], "2026-11-02T07:00:00Z");
    assert_eq!(t["location"]["file"], "cfg/lib/base.mcfg");

    // Lines shifted by the comment commit, and the junk commits, blame nothing.
    let v = leaf(&report, "version");
    assert_eq!(
        (&v["author"], &v["subject"]),
        (&json!("Alice"), &json!("first configs"))
    );

    // A schema default.
    let dev = leaf(&report, "serving.device");
    assert_eq!(
        (&dev["op"], &dev["value"]),
        (&json!("default"), &json!("cpu"))
    );
    assert_eq!(dev["from"], "Serving");
    assert_eq!(dev["location"]["file"], "cfg/schemas.mcfg");
    assert_eq!(dev["author"], "Alice");

    // `+=` holds.
    let tags = leaf(&report, "tags");
    assert_eq!(
        (&tags["op"], &tags["value"]),
        (&json!("append"), &json!(["ranking"]))
    );
    assert_eq!(tags["author"], "Frank");

    // The working tree's own change.
    let name = leaf(&report, "name");
    assert_eq!(
        (&name["value"], &name["uncommitted"]),
        (&json!("svc2"), &json!(true))
    );
    assert!(name["commit"].is_null());
}

#[test]
fn blame_of_a_subtree_in_another_environment_as_a_table() {
    let repo = scripted_history();
    let out = mcfg(
        repo.path(),
        &["blame", "svc.serving", "--env", "dev", "cfg"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert_eq!(
        rows[0],
        ["path", "value", "commit", "author", "date", "set", "at"]
    );
    let rows = &rows[1..];
    // path, value, commit, author, date, place
    assert_eq!(rows[0][0], "serving.replicas");
    assert_eq!(
        (rows[0][1], rows[0][3], rows[0][4]),
        ("2", "Alice", "2026-11-01")
    );
    assert_eq!(rows[0][5], "cfg/lib/base.mcfg:7:22");
    assert_eq!(rows[0][2].len(), 12);
    assert_eq!(
        (rows[1][0], rows[1][1], rows[1][3]),
        ("serving.timeout", "300ms", "Dave")
    );
    assert_eq!(
        &rows[2][..],
        [
            "serving.device",
            "\"cpu\"",
            rows[2][2],
            "Alice",
            "2026-11-01",
            "cfg/schemas.mcfg:4:27",
            "(default)"
        ]
    );
}

#[test]
fn blame_and_log_say_how_far_back_they_could_see() {
    let repo = scripted_history();
    let out = mcfg(
        repo.path(),
        &[
            "log",
            "svc.serving.replicas",
            "--env",
            "prod",
            "--json",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let changes = json_of(&out)["changes"].as_array().unwrap().clone();
    // Introduced as 4, then 6; moving the assignment is no change of value.
    let values: Vec<&Value> = changes.iter().map(|c| &c["new"]).collect();
    assert_eq!(values, [&json!(4), &json!(6)]);
    assert_eq!(changes[1]["author"], "Carol");

    let out = mcfg(
        repo.path(),
        &[
            "log",
            "svc.serving.replicas",
            "--env",
            "prod",
            "--max-count",
            "3",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("(--max-count); older changes are not shown"),
        "{text}"
    );
    assert!(!text.contains("Carol"), "{text}");

    // A shallow clone of the last 3 commits: the boundary is named.
    let shallow = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", repo.path().display());
    let out = Command::new("git")
        .args(["clone", "-q", "--depth", "3", &url, "c"])
        .current_dir(shallow.path())
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let clone = shallow.path().join("c");
    let out = mcfg(&clone, &["blame", "svc", "--env", "prod", "--json", "cfg"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let report = json_of(&out);
    assert_eq!(report["seen_since"]["reason"], "shallow clone");
    // The first commit seen holds everything it had: blamed on it, not lost.
    let version = leaf(&report, "version");
    assert_eq!(version["commit"], report["seen_since"]["commit"]);
    assert_eq!(leaf(&report, "tags")["author"], "Frank");
}

#[test]
fn blame_errors_are_usage_errors() {
    let repo = scripted_history();
    let out = mcfg(repo.path(), &["blame", "svc", "cfg"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("needs `--env`"), "{}", stderr(&out));
    let out = mcfg(repo.path(), &["blame", "svx", "--env", "prod", "cfg"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("did you mean `svc`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn diff_against_as_a_pull_request_comment() {
    let repo = scripted_history();
    let out = mcfg(
        repo.path(),
        &[
            "diff",
            "--against",
            "HEAD~2",
            "--format",
            "markdown",
            "svc",
            "cfg",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "### mcfg: resolved values changed\n\n\
         4 resolved values changed since `HEAD~2`.\n\n\
         #### `dev`\n\n\
         | path | before | after | set at | note |\n\
         |---|---|---|---|---|\n\
         | `svc.name` | `\"svc\"` | `\"svc2\"` | `cfg/svc.mcfg:6:10` |  |\n\
         | `svc.tags` | `[]` | `[\"ranking\"]` | `cfg/svc.mcfg:7:11` |  |\n\n\
         #### `prod`\n\n\
         | path | before | after | set at | note |\n\
         |---|---|---|---|---|\n\
         | `svc.name` | `\"svc\"` | `\"svc2\"` | `cfg/svc.mcfg:6:10` |  |\n\
         | `svc.tags` | `[]` | `[\"ranking\"]` | `cfg/svc.mcfg:7:11` |  |\n"
    );
    let out = mcfg(
        repo.path(),
        &[
            "diff", "--env", "dev", "--env", "prod", "--format", "markdown", "cfg",
        ],
    );
    assert_eq!(code(&out), Some(2));
}

/// `log` and `blame` over the scripted history as the walk runs them: the
/// `other` commits (a file outside svc's imports, naming neither svc nor
/// environments) are not evaluated again, and every report equals the one
/// of the full recompilation at each revision.
#[test]
fn unrelated_commits_are_skipped_with_the_same_reports() {
    use mcfg::compile::{compile_paths, with_program};
    use mcfg::diagnostics::Diagnostics;
    use mcfg::git::Repo;
    use mcfg::report::history::{history_walk, Query, Skip};
    use mcfg::report::revisions::{each_revision, At, Depends};
    use mcfg::report::{blame, history};

    let dir = scripted_history();
    let d = dir.path();
    // The rename, then a schema svc imports changes a default (a file that
    // names neither svc nor environments), then `other` once more.
    commit_as(d, "Frank", 37, "rename svc");
    write(
        d,
        "cfg/schemas.mcfg",
        &SCHEMAS.replace("= \"cpu\"", "= \"gpu\""),
    );
    commit_as(d, "Grace", 38, "gpu by default");
    write(d, "cfg/other.mcfg", "config other { k = 100 }\n");
    commit_as(d, "Bob", 39, "other 100");
    let root = d.join("cfg");
    let paths = [root.clone()];
    let repo = Repo::discover(&root).expect("a repository");
    let walk = repo.walk(None).expect("the walk");
    let (mut unchanged, mut evaluated) = (0, 0);
    each_revision(&repo, &walk, &root, |_, at| {
        let At::Files(fs, _) = at else {
            unchanged += usize::from(matches!(at, At::Unchanged));
            return None;
        };
        evaluated += 1;
        let comp = compile_paths(fs, &paths, Some(&root)).ok()?;
        with_program(&comp.project, &mut Diagnostics::new(), |prog, _| {
            Depends::of(prog, "svc", &root)
        })
    })
    .expect("walks");
    // 21 `other` commits: the first adds the file, the other 20 are
    // skipped; and the removal of the junk file (this visitor reads svc even
    // where another file is broken, as `log` does).
    assert_eq!((unchanged, evaluated), (21, walk.revisions.len() - 21));

    let now = compile_paths(&mcfg::loader::RealFs, &paths, Some(&root)).expect("compiles");
    for (target, env) in [
        ("svc.serving.replicas", Some("prod")),
        ("svc.serving.timeout", Some("dev")),
        ("svc.tags", Some("prod")),
        ("svc.serving.device", Some("prod")),
        ("other.k", Some("dev")),
    ] {
        let q = Query {
            paths: &paths,
            root: &root,
            target,
            env,
        };
        let fast = history_walk(&repo, &q, None, Skip::Unaffected).expect("log");
        let full = history_walk(&repo, &q, None, Skip::Never).expect("log");
        assert_eq!(json!(fast), json!(full), "log {target}");
        assert_eq!(history::render_human(&fast), history::render_human(&full));
        assert!(!fast.changes.is_empty(), "log {target} lists changes");
    }
    for (target, env) in [
        ("svc", Some("prod")),
        ("svc", Some("dev")),
        ("other", Some("dev")),
    ] {
        let q = Query {
            paths: &paths,
            root: &root,
            target,
            env,
        };
        let fast = blame::blame_walk(&repo, &now, &q, None, None, Skip::Unaffected).expect("blame");
        let full = blame::blame_walk(&repo, &now, &q, None, None, Skip::Never).expect("blame");
        assert_eq!(json!(fast), json!(full), "blame {target} {env:?}");
        assert_eq!(blame::render_human(&fast), blame::render_human(&full));
    }
}

/// A project file at every revision: its `exclude` decides which sources
/// the revision has, as it does in the working tree.
#[test]
fn log_and_blame_read_each_revisions_project_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    super::ops::git(d, &["init", "-q"], "2026-11-01T00:00:00Z");
    write(d, "mcfg.toml", "exclude = [\"drafts\"]\n");
    write(d, "envs.mcfg", "environments { dev; prod }\n");
    write(
        d,
        "svc.mcfg",
        "config svc {\n  replicas = 2\n  env prod { replicas = 4 }\n}\n",
    );
    // A draft of the same config: loaded, it would be a duplicate.
    write(d, "drafts/svc.mcfg", "config svc {\n  replicas = 99\n}\n");
    commit_as(d, "Alice", 1, "svc");
    write(
        d,
        "svc.mcfg",
        "config svc {\n  replicas = 2\n  env prod { replicas = 6 }\n}\n",
    );
    commit_as(d, "Bob", 2, "more replicas in prod");
    // Only the project file changes: the value does not.
    write(d, "mcfg.toml", "exclude = [\"drafts\", \"legacy\"]\n");
    commit_as(d, "Carol", 3, "exclude legacy too");

    let out = mcfg(
        d,
        &["log", "svc.replicas", "--env", "prod", "--json", "svc.mcfg"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let changes = json_of(&out)["changes"].as_array().unwrap().clone();
    let values: Vec<&Value> = changes.iter().map(|c| &c["new"]).collect();
    assert_eq!(values, [&json!(4), &json!(6)], "{changes:?}");
    assert_eq!(changes[1]["author"], "Bob");

    let out = mcfg(d, &["blame", "svc", "--env", "prod", "--json", "svc.mcfg"]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let blame = json_of(&out);
    let leaf = blame["leaves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == "replicas")
        .cloned()
        .unwrap();
    assert_eq!(leaf["value"], 6, "{leaf}");
    assert_eq!(leaf["author"], "Bob", "{leaf}");
}
