//! Finding 3: One path, one spelling: a path written twice in a runtime update or a
//! deployed artifact (nested and dotted) is a duplicate, never last-wins.

use super::{mcfg, project, write};

#[test]
fn check_runtime_refuses_a_path_written_nested_and_dotted() {
    let tmp = project();
    write(
        tmp.path(),
        "up.json",
        r#"{"serving": {"timeout": 45}, "serving.timeout": 0.1}"#,
    );
    // SVC has `timeout` at the top; give it a nested one too.
    write(
        tmp.path(),
        "v/a.mcfg",
        &super::SVC.replace(
            "  api_key: secret @runtime\n",
            "  api_key: secret @runtime\n  serving: { timeout: duration (<= 30s) @runtime = 10s }\n",
        ),
    );
    let c = mcfg(
        tmp.path(),
        &["check-runtime", "--config", "svc", "up.json", "v"],
    );
    assert_eq!(c.code, Some(1), "{}{}", c.stdout, c.stderr);
    assert!(!c.stdout.contains("ok:"), "{}", c.stdout);
    assert!(c.stderr.contains("mcfg::duplicate"), "{}", c.stderr);
    assert!(
        c.stderr.contains("`serving.timeout` is written twice"),
        "{}",
        c.stderr
    );
    // Both places are shown, in the update file.
    assert!(c.stderr.contains("up.json:1:30"), "{}", c.stderr);
    assert!(c.stderr.contains("first written here"), "{}", c.stderr);
    // The first spelling is a label at 1:14, located by the renderer.
    let j = mcfg(
        tmp.path(),
        &[
            "--message-format",
            "json",
            "check-runtime",
            "--config",
            "svc",
            "up.json",
            "v",
        ],
    );
    let d: serde_json::Value = serde_json::from_str(j.stderr.trim()).expect("one JSON line");
    assert_eq!((&d["line"], &d["column"]), (&1.into(), &30.into()), "{d}");
    let label = &d["labels"][0];
    assert_eq!(
        (&label["line"], &label["column"]),
        (&1.into(), &14.into()),
        "{d}"
    );
    // The other order and a value-vs-object clash too.
    for text in [
        r#"{"serving.timeout": 0.1, "serving": {"timeout": 45}}"#,
        r#"{"serving": {"timeout": 1}, "serving.timeout.x": 1}"#,
    ] {
        write(tmp.path(), "up.json", text);
        let c = mcfg(
            tmp.path(),
            &["check-runtime", "--config", "svc", "up.json", "v"],
        );
        assert_eq!(c.code, Some(1), "{text}: {}", c.stderr);
        assert!(c.stderr.contains("mcfg::duplicate"), "{text}: {}", c.stderr);
    }
    // Two spellings of different fields of one object are fine.
    write(
        tmp.path(),
        "up.json",
        r#"{"serving": {"timeout": 5}, "timeout": 3}"#,
    );
    let c = mcfg(
        tmp.path(),
        &["check-runtime", "--config", "svc", "up.json", "v"],
    );
    assert_eq!(c.code, Some(0), "{}", c.stderr);
}

#[test]
fn drift_refuses_a_deployed_path_written_twice() {
    let tmp = project();
    write(
        tmp.path(),
        "dep.yaml",
        "serving.replicas: 8\nserving:\n  replicas: 9\n",
    );
    let d = mcfg(
        tmp.path(),
        &["drift", "--config", "svc", "--deployed", "dep.yaml", "v"],
    );
    assert_eq!(d.code, Some(1), "{}{}", d.stdout, d.stderr);
    // A diagnostic in the deployed file, with the first spelling labelled.
    assert!(
        d.stderr.contains("`serving.replicas` is written twice"),
        "{}",
        d.stderr
    );
    assert!(d.stderr.contains("[dep.yaml:3:3]"), "{}", d.stderr);
    assert!(d.stderr.contains("first written here"), "{}", d.stderr);
}

// 5. YAML alias bombs: alias expansion counts against the node budget as it happens.

/// ~300 bytes that expand to 10^9 values ("billion laughs").
fn alias_bomb() -> String {
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let p = i - 1;
        s.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    s
}

#[test]
fn an_alias_bomb_is_refused_by_import_and_drift() {
    let tmp = project();
    write(tmp.path(), "bomb.yaml", &alias_bomb());
    let i = mcfg(tmp.path(), &["import", "bomb.yaml"]);
    assert_eq!(i.code, Some(1), "{}", i.stderr);
    assert!(i.stderr.contains("bomb.yaml:6:"), "{}", i.stderr);
    assert!(
        i.stderr
            .contains("aliases expand to more than 1000000 values"),
        "{}",
        i.stderr
    );
    let d = mcfg(
        tmp.path(),
        &["drift", "--config", "svc", "--deployed", "bomb.yaml", "v"],
    );
    assert_eq!(d.code, Some(1), "{}", d.stderr);
    assert!(
        d.stderr
            .contains("aliases expand to more than 1000000 values"),
        "{}",
        d.stderr
    );
    // Located on the alias that crossed the budget (line 6 of the file).
    assert!(d.stderr.contains("bomb.yaml:6:"), "{}", d.stderr);
}
