//! The project file `mcfg.toml` (LANGUAGE.md §9.8) through the command line.

use crate::cli::{mcfg, project};

/// Environments in one file, a schema in another, two model files, an excluded draft.
fn sample() -> tempfile::TempDir {
    project(&[
        ("mcfg.toml", "exclude = [\"drafts\"]\n"),
        ("envs.mcfg", "environments {\n  dev\n  prod\n}\n"),
        (
            "schemas/model.mcfg",
            "schema Model {\n  device: \"cpu\" | \"gpu\" = \"cpu\"\n  replicas: int(>= 1) = 1\n}\n",
        ),
        (
            "models/ranker.mcfg",
            "import \"../schemas/model.mcfg\" as m\n\nconfig ranker: m.Model {\n  env prod { device = \"gpu\" }\n}\n",
        ),
        (
            "models/broken.mcfg",
            "import \"../schemas/model.mcfg\" as m\n\nconfig broken: m.Model {\n  replicas = 0\n}\n",
        ),
        ("drafts/wip.mcfg", "config wip { = }\n"),
    ])
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_single_file_sees_the_environments_of_the_whole_project() {
    let dir = sample();
    let out = mcfg(dir.path(), &["check", "models/ranker.mcfg"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The same file without the project file has no environments.
    std::fs::remove_file(dir.path().join("mcfg.toml")).unwrap();
    let out = mcfg(dir.path(), &["check", "models/ranker.mcfg"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("mcfg::unknown-env"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_whole_project_reports_every_config_but_not_excluded_files() {
    let dir = sample();
    let out = mcfg(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("models/broken.mcfg"), "{err}");
    assert!(!err.contains("wip"), "drafts are excluded: {err}");
    assert!(err.ends_with("1 error, 0 warnings\n"), "{err}");
}

#[test]
fn running_from_a_subfolder_finds_the_project_file_upward() {
    let dir = sample();
    let models = dir.path().join("models");
    let out = mcfg(&models, &["check", "ranker.mcfg"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = mcfg(&models, &["check"]);
    assert_eq!(out.status.code(), Some(1), "the folder holds broken.mcfg");
    assert!(stderr(&out).contains("broken.mcfg"), "{}", stderr(&out));
    let out = mcfg(&models, &["build", "ranker.mcfg", "-o", "../out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let prod = std::fs::read_to_string(dir.path().join("out/prod/ranker.json")).unwrap();
    assert_eq!(prod, "{\n  \"device\": \"gpu\",\n  \"replicas\": 1\n}\n");
    assert!(
        !dir.path().join("out/prod/broken.json").exists(),
        "not selected"
    );
}

#[test]
fn explain_reads_a_config_of_the_whole_project() {
    let dir = sample();
    let out = mcfg(
        &dir.path().join("models"),
        &["explain", "ranker.device", "--env", "prod", "ranker.mcfg"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"gpu\""), "{stdout}");
}

#[test]
fn a_bad_project_file_is_a_located_error() {
    let dir = sample();
    std::fs::write(
        dir.path().join("mcfg.toml"),
        "exclude = [\"drafts\"]\nexclud = 3\n",
    )
    .unwrap();
    let out = mcfg(&dir.path().join("models"), &["check", "ranker.mcfg"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("mcfg::project"), "{err}");
    assert!(err.contains("unknown field `exclud`"), "{err}");
    assert!(err.contains("mcfg.toml:2:1"), "{err}");
}

#[test]
fn fmt_formats_only_the_given_files() {
    let dir = sample();
    std::fs::write(
        dir.path().join("models/ranker.mcfg"),
        "config   ranker {\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("envs.mcfg"),
        "environments {   dev\n prod }\n",
    )
    .unwrap();
    let out = mcfg(
        &dir.path().join("models"),
        &["fmt", "--check", "ranker.mcfg"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ranker.mcfg\n");
    // The whole project: both files, never the excluded draft (which does not parse).
    let out = mcfg(dir.path(), &["fmt", "--check"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "envs.mcfg\nmodels/ranker.mcfg\n"
    );
}
