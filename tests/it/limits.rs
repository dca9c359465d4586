//! Pathological inputs: each must end quickly with a clear diagnostic
//! (code + message) or the correct result, never a crash or a hang.
//!
//! Every case runs the `mcfg` binary (`MCFG_BIN` overrides the test build's) in a child process with a
//! deadline, so a stack overflow or a hang fails only its own test and
//! `cargo test` stays bounded. No timing is asserted (the figures are in
//! docs/limits.md); the deadline only turns a hang into a failure.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A hang is reported after this long (debug builds are ~10× slower than release).
const DEADLINE: Duration = Duration::from_secs(120);

/// What one `mcfg` run produced.
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    /// `--message-format json` diagnostics, one object each.
    pub(crate) diags: Vec<Value>,
    pub(crate) stderr: String,
    pub(crate) dir: tempfile::TempDir,
}

impl Run {
    /// The (code, message) of every diagnostic.
    pub(crate) fn codes(&self) -> Vec<(String, String)> {
        self.diags
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or("").to_owned(),
                    d["message"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Asserts exactly one error with `code` whose message contains `needle`.
    pub(crate) fn expect_one(&self, code: &str, needle: &str) {
        let codes = self.codes();
        assert_eq!(self.code, Some(1), "exit code; stderr: {}", self.head());
        assert!(
            codes.len() == 1 && codes[0].0 == code && codes[0].1.contains(needle),
            "expected one {code} containing {needle:?}, got {codes:?}"
        );
    }

    /// Asserts a clean build and returns artifact `rel` of the output folder.
    pub(crate) fn artifact(&self, rel: &str) -> Value {
        assert_eq!(self.code, Some(0), "exit code; stderr: {}", self.head());
        let bytes = std::fs::read(self.dir.path().join("out").join(rel)).expect("artifact");
        serde_json::from_slice(&bytes).expect("artifact is JSON")
    }

    pub(crate) fn head(&self) -> String {
        self.stderr.chars().take(2000).collect()
    }
}

/// Writes `files` into a temp folder and runs `mcfg --message-format json ARGS`
/// there (stdout/stderr go to files, so no pipe can fill up), killing it after
/// [`DEADLINE`].
pub(crate) fn run_in(files: &[(&str, &str)], args: &[&str], setup: impl FnOnce(&Path)) -> Run {
    run_within(files, args, setup, DEADLINE)
}

/// [`run_in`] with an explicit deadline.
pub(crate) fn run_within(
    files: &[(&str, &str)],
    args: &[&str],
    setup: impl FnOnce(&Path),
    deadline: Duration,
) -> Run {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    setup(dir.path());
    let err_path = dir.path().join("stderr.txt");
    let bin = std::env::var_os("MCFG_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_mcfg").into());
    let mut child = Command::new(bin)
        .arg("--message-format")
        .arg("json")
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("mcfg runs");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mcfg {args:?} still running after {deadline:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    report_time(args, dir.path(), start.elapsed());
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(
        status.code().is_some(),
        "mcfg {args:?} died from a signal ({status}): {}",
        stderr.chars().take(2000).collect::<String>()
    );
    let diags = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("code").is_some())
        .collect();
    Run {
        code: status.code(),
        diags,
        stderr,
        dir,
    }
}

/// Prints the wall time of one run (seen with `--nocapture`; docs/limits.md quotes it).
#[allow(clippy::print_stderr)] // reason: the measurement is for humans, never asserted
fn report_time(args: &[&str], dir: &Path, took: Duration) {
    let name = std::thread::current().name().unwrap_or("?").to_owned();
    let ms = took.as_secs_f64() * 1e3;
    eprintln!(
        "limits: {name}: mcfg {} in {} took {ms:.1} ms",
        args.join(" "),
        dir.display()
    );
}

pub(crate) fn check(main: &str) -> Run {
    run_in(&[("main.mcfg", main)], &["check", "main.mcfg"], |_| {})
}

pub(crate) fn build(main: &str) -> Run {
    run_in(
        &[("main.mcfg", main)],
        &["build", "main.mcfg", "-o", "out"],
        |_| {},
    )
}

/// `config c { x = OPEN^n 1 CLOSE^n }`.
fn nested_value(open: &str, close: &str, n: usize) -> String {
    format!(
        "config c {{\n  x = {}1{}\n}}\n",
        open.repeat(n),
        close.repeat(n)
    )
}

#[test]
fn deep_blocks_hit_the_nesting_limit() {
    let n = 100_000;
    let src = format!(
        "config c {{\n{} x = 1 {}\n}}\n",
        "a { ".repeat(n),
        "} ".repeat(n)
    );
    check(&src).expect_one("mcfg::limit", "nesting deeper than 256 levels");
}

#[test]
fn deep_parentheses_hit_the_nesting_limit() {
    check(&nested_value("(", ")", 100_000)).expect_one("mcfg::limit", "nesting deeper than 256");
}

#[test]
fn deep_lists_hit_the_nesting_limit() {
    check(&nested_value("[", "]", 100_000)).expect_one("mcfg::limit", "nesting deeper than 256");
}

#[test]
fn deep_objects_hit_the_nesting_limit() {
    check(&nested_value("{ a = ", " }", 100_000))
        .expect_one("mcfg::limit", "nesting deeper than 256");
}

#[test]
fn deep_not_hits_the_expression_depth_limit() {
    let src = format!("config c {{\n  x = {}true\n}}\n", "not ".repeat(100_000));
    check(&src).expect_one("mcfg::limit", "expression nested deeper than 512");
}

#[test]
fn deep_unary_minus_hits_the_expression_depth_limit() {
    let src = format!("config c {{\n  x = {}1\n}}\n", "- ".repeat(100_000));
    check(&src).expect_one("mcfg::limit", "expression nested deeper than 512");
}

#[test]
fn long_operator_chain_hits_the_expression_depth_limit() {
    let src = format!("config c {{\n  x = 1{}\n}}\n", " + 1".repeat(100_000));
    check(&src).expect_one("mcfg::limit", "expression nested deeper than 512");
}

#[test]
fn five_megabyte_string_is_emitted_whole() {
    let s = "ab".repeat(5 << 19);
    let run = build(&format!("config c {{\n  s = \"{s}\"\n  n = len(s)\n}}\n"));
    let out = run.artifact("c.json");
    assert_eq!(out["n"], 5 << 20);
    assert_eq!(out["s"].as_str().map(str::len), Some(5 << 20));
}

#[test]
fn two_hundred_thousand_keys() {
    let mut src = String::from("config c {\n");
    for i in 0..200_000 {
        let _ = writeln!(src, "  k{i} = {i}");
    }
    src.push_str("}\n");
    let out = build(&src).artifact("c.json");
    let obj = out.as_object().expect("object");
    assert_eq!(obj.len(), 200_000);
    assert_eq!(obj["k199999"], 199_999);
    assert_eq!(obj.keys().nth(12_345).map(String::as_str), Some("k12345"));
}

#[test]
fn three_thousand_deep_inheritance_chain() {
    let n = 3_000;
    let mut src = String::from("abstract config c0 {\n  depth = 0\n  xs = [0]\n}\n");
    for i in 1..n {
        let _ = writeln!(
            src,
            "abstract config c{i} extends c{} {{\n  depth = {i}\n  f{i} = {i}\n  xs += [{i}]\n}}",
            i - 1
        );
    }
    let _ = writeln!(src, "config leaf extends c{} {{ last = true }}", n - 1);
    let out = build(&src).artifact("leaf.json");
    assert_eq!(out["depth"], n - 1);
    assert_eq!(out["f1"], 1);
    assert_eq!(out["f2999"], 2999);
    let xs = out["xs"].as_array().expect("list");
    assert_eq!(xs.len(), n);
    assert_eq!(xs[1234], 1234);
}

/// `a{n-1} = a{n-2} + 1` … `a0 = 0`, written last-first so that evaluation
/// has to follow the whole chain before anything is memoized.
fn reference_chain(n: usize) -> String {
    let mut src = String::from("config c {\n");
    for i in (1..n).rev() {
        let _ = writeln!(src, "  a{i} = a{} + 1", i - 1);
    }
    src.push_str("  a0 = 0\n}\n");
    src
}

#[test]
fn five_thousand_long_reference_chain() {
    let out = build(&reference_chain(5_000)).artifact("c.json");
    assert_eq!(out["a4999"], 4999);
    assert_eq!(out["a0"], 0);
}

#[test]
fn reference_chain_beyond_the_depth_limit_is_a_limit_error() {
    let run = check(&reference_chain(12_000));
    let codes = run.codes();
    assert_eq!(run.code, Some(1), "{}", run.head());
    assert!(!codes.is_empty());
    assert!(
        codes
            .iter()
            .all(|(c, m)| c == "mcfg::limit" && m.contains("references nest deeper than 10000")),
        "{codes:?}"
    );
}

/// `x0 = SEED`, `x{i} = x{i-1} + x{i-1}` up to `x{n}`.
fn doubling(seed: &str, n: usize) -> String {
    let mut src = format!("config c {{\n  x0 = {seed}\n");
    for i in 1..=n {
        let _ = writeln!(src, "  x{i} = x{p} + x{p}", p = i - 1);
    }
    src.push_str("}\n");
    src
}

#[test]
fn doubling_strings_hits_the_string_size_limit() {
    let run = check(&doubling("\"ab\"", 40));
    let codes = run.codes();
    assert_eq!(run.code, Some(1), "{}", run.head());
    assert!(!codes.is_empty());
    assert!(
        codes
            .iter()
            .all(|(c, m)| c == "mcfg::limit" && m.contains("string longer than 32 MiB")),
        "{codes:?}"
    );
}

#[test]
fn doubling_ints_computes_two_to_the_forty_exactly() {
    let out = build(&doubling("1", 40)).artifact("c.json");
    assert_eq!(out["x40"], 1_u64 << 40);
    assert_eq!(out["x20"], 1_u64 << 20);
}

#[test]
fn doubling_ints_past_63_bits_is_an_overflow() {
    let run = check(&doubling("1", 64));
    assert_eq!(run.code, Some(1), "{}", run.head());
    let codes = run.codes();
    assert!(!codes.is_empty());
    assert!(
        codes.iter().all(|(c, _)| c == "mcfg::arithmetic"),
        "{codes:?}"
    );
}

#[test]
fn doubling_lists_hits_the_list_size_limit() {
    let run = check(&doubling("[1, 2]", 40));
    let codes = run.codes();
    assert_eq!(run.code, Some(1), "{}", run.head());
    assert!(!codes.is_empty());
    assert!(
        codes
            .iter()
            .all(|(c, m)| c == "mcfg::limit" && m.contains("list longer than 1048576")),
        "{codes:?}"
    );
}

#[test]
fn two_thousand_environments() {
    let n = 2_000;
    let mut src = String::from("environments {\n");
    for i in 0..n {
        let _ = writeln!(src, "  e{i}");
    }
    src.push_str(
        "}\nconfig c {\n  name = env\n  x = 1\n  env e1999 { x = 2 }\n  env e7 { x = 3 }\n}\n",
    );
    let run = build(&src);
    assert_eq!(run.artifact("e0/c.json")["x"], 1);
    assert_eq!(run.artifact("e7/c.json")["x"], 3);
    let last = run.artifact("e1999/c.json");
    assert_eq!(last["x"], 2);
    assert_eq!(last["name"], "e1999");
    let envs = std::fs::read_dir(run.dir.path().join("out"))
        .expect("out")
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    assert_eq!(envs, n);
}

#[test]
fn more_environments_than_the_limit_is_one_limit_error_at_the_first_one_past_it() {
    let n = mcfg::resolve::MAX_ENVS + 1;
    let mut src = String::from("environments {\n");
    for i in 0..n {
        let _ = writeln!(src, "  e{i}");
    }
    src.push_str("}\nconfig c {\n  x = 1\n  env e3 { x = 2 }\n}\n");
    let run = check(&src);
    run.expect_one("mcfg::limit", "more than 10000 environments");
    // Line 1 is `environments {`, so environment `e{i}` is on line i + 2.
    assert_eq!(run.diags[0]["line"], n + 1);
    assert_eq!(run.diags[0]["length"], "e10000".len());
}

#[test]
fn more_configs_than_the_limit_is_one_limit_error_at_the_first_one_past_it() {
    let n = mcfg::resolve::MAX_CONFIGS + 1;
    let mut src = String::with_capacity(n * 24);
    for i in 0..n {
        let _ = writeln!(src, "abstract config c{i} {{}}");
    }
    let run = check(&src);
    run.expect_one("mcfg::limit", "more than 1000000 configs");
    assert_eq!(run.diags[0]["line"], n);
    assert_eq!(run.diags[0]["length"], "c1000000".len());
}

#[test]
fn catastrophic_backtracking_regex_is_linear() {
    let value = format!("{}b", "a".repeat(100_000));
    let src = format!(
        "schema S {{\n  s: string(matches \"(a+)+$\")\n}}\nconfig c: S {{\n  s = \"{value}\"\n}}\n"
    );
    check(&src).expect_one("mcfg::constraint", "does not match \"(a+)+$\"");
}

#[test]
fn catastrophic_backtracking_regex_accepts_a_match() {
    let value = "a".repeat(100_000);
    let src = format!(
        "schema S {{\n  s: string(matches \"(a+)+$\")\n}}\nconfig c: S {{\n  s = \"{value}\"\n}}\n"
    );
    let run = run_in(
        &[("main.mcfg", &src)],
        &["build", "main.mcfg", "-o", "out"],
        |_| {},
    );
    assert_eq!(
        run.artifact("c.json")["s"].as_str().map(str::len),
        Some(100_000)
    );
}

#[cfg(unix)]
#[test]
fn import_of_dev_zero_through_a_symlink_is_refused() {
    let main = "import \"./zero.mcfg\" as z\nconfig c { x = 1 }\n";
    let run = run_in(&[("main.mcfg", main)], &["check", "main.mcfg"], |dir| {
        std::os::unix::fs::symlink("/dev/zero", dir.join("zero.mcfg")).expect("symlink");
    });
    // Refused on its canonical path, before anything is opened.
    run.expect_one(
        "mcfg::import",
        "out of the project root through a symbolic link",
    );
}

#[test]
fn absolute_import_of_dev_zero_is_refused() {
    let run = check("import \"/dev/zero\" as z\nconfig c { x = 1 }\n");
    let codes = run.codes();
    assert_eq!(run.code, Some(1), "{}", run.head());
    assert!(
        codes.len() == 1 && codes[0].0 == "mcfg::import",
        "{codes:?}"
    );
}

#[test]
fn import_of_a_folder_is_refused() {
    let main = "import \"./sub\" as s\nconfig c { x = 1 }\n";
    let run = run_in(
        &[("main.mcfg", main), ("sub/a.mcfg", "config a { y = 1 }\n")],
        &["check", "main.mcfg"],
        |_| {},
    );
    run.expect_one("mcfg::import", "folder");
}

#[test]
fn import_of_the_file_itself_is_a_cycle() {
    let run = check("import \"./main.mcfg\" as m\nconfig c { x = 1 }\n");
    run.expect_one("mcfg::cycle", "main.mcfg");
}

/// A project whose only errors must be `mcfg::cycle`/`mcfg::limit`, reached
/// within a deadline (the fuzz findings below allocated about 0.5 GB a second).
fn ends_with_cycle_only(src: &str) {
    let run = run_within(
        &[("main.mcfg", src)],
        &["check", "main.mcfg"],
        |_| {},
        Duration::from_secs(3),
    );
    assert_eq!(run.code, Some(1), "{}", run.head());
    let codes = run.codes();
    assert!(
        !codes.is_empty()
            && codes
                .iter()
                .all(|(c, _)| c == "mcfg::cycle" || c == "mcfg::limit"),
        "{codes:?}"
    );
}

/// Found by `fuzz/` (target `compile`): a schema with two required fields of
/// its own type expanded its template 2^64 ways and never finished. Case file:
/// `tests/cases/fuzz/recursive-schema-two-fields.mcfg`. Fixed: `resolve`
/// reports the containment cycle and skips its configs.
#[test]
fn recursive_schema_with_two_self_typed_fields_ends() {
    ends_with_cycle_only("schema S0 {\n  b: S0\n  xs: S0\n}\nconfig c0: S0 {\n}\n");
}

/// Found by `fuzz/` (target `compile`, an OOM at 4 GB): two schemas that
/// contain each other through required fields. Case file:
/// `tests/cases/fuzz/mutually-recursive-schemas.mcfg`.
#[test]
fn mutually_recursive_schemas_end() {
    ends_with_cycle_only(
        "schema S0 {\n  c: S1\n}\nschema S1 {\n  xs: S0\n  ys: S0\n}\nconfig c0: S0 {\n}\n",
    );
}
