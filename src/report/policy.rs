//! `mcfg test` (LANGUAGE.md §9.9, CLI.md): runs the `test` declarations of
//! a compiled project, each in every environment it lists (default: all),
//! and reports one case per (test, environment).
//!
//! Environments are evaluated in parallel, one evaluation context each,
//! shared by every test that runs there; cases come out in declaration order
//! (files in load order, tests in source order, environments as listed, or
//! in declared order), so the report never depends on thread scheduling.

use rayon::prelude::*;

use crate::ast::{Decl, TestDecl};
use crate::compile::with_program_overrides;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::eval::assert::{run_test, Verdict};
use crate::eval::{Ctx, LayerCache};
use crate::loader::Project;
use crate::overrides::Override;
use crate::resolve::{ConfigId, EnvId, Program};

/// How one test fared in one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    /// An assert is false.
    Failed,
    /// An assert could not be evaluated (and none was false).
    Error,
}

/// One test in one environment.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    /// The file declaring the test, as diagnostics name it.
    pub file: String,
    /// `None` in a project without environments.
    pub env: Option<String>,
    pub status: Status,
    /// Why it did not pass: one diagnostic per failing assert.
    pub diags: Vec<Diagnostic>,
}

/// The result of `mcfg test`.
#[derive(Debug, Clone, Default)]
pub struct TestRun {
    pub cases: Vec<Case>,
    /// Tests the name filters left out.
    pub filtered_out: usize,
    /// How many environments the sources declare.
    pub n_envs: usize,
}

impl TestRun {
    pub fn passed(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| c.status == Status::Passed)
            .count()
    }

    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// Every diagnostic of the run, sorted: one per failing assert, listing
    /// the environments where it fails the same way (`envs`) as the
    /// compiler's diagnostics do (none when it fails so in every one).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let each = self.cases.iter().flat_map(|c| c.diags.iter().cloned());
        let mut all = Diagnostics::new();
        all.extend(crate::compile::collapse_envs(each.collect(), self.n_envs));
        all.into_sorted()
    }
}

/// One test to run: where it is declared and the environment slots it runs in.
struct Planned<'p> {
    test: &'p TestDecl,
    file: String,
    anchor: Option<ConfigId>,
    slots: Vec<Option<EnvId>>,
}

/// Runs the tests of `project` (with the command-line `overrides` applied)
/// whose name contains one of `filters` (every test when there is none).
/// The project is expected to compile without errors.
pub fn run(project: &Project, overrides: &[Override], filters: &[String]) -> TestRun {
    with_program_overrides(
        project,
        overrides,
        &mut Diagnostics::new(),
        |prog, cache| run_program(prog, cache, filters),
    )
}

fn run_program(prog: &Program<'_>, cache: &LayerCache<'_>, filters: &[String]) -> TestRun {
    let (planned, filtered_out) = plan(prog, filters);
    let slots = prog.env_slots();
    let run_env = |&slot: &Option<EnvId>| -> Vec<Vec<Verdict>> {
        let cx = Ctx::new(prog, cache, slot);
        planned
            .iter()
            .map(|p| match p.anchor {
                Some(anchor) if p.slots.contains(&slot) => run_test(&cx, anchor, p.test),
                _ => Vec::new(),
            })
            .collect()
    };
    let per_env: Vec<Vec<Vec<Verdict>>> = if slots.len() > 1 {
        slots.par_iter().map(run_env).collect()
    } else {
        slots.iter().map(run_env).collect()
    };
    let mut cases = Vec::new();
    for (ti, p) in planned.iter().enumerate() {
        for &slot in &p.slots {
            let Some(si) = slots.iter().position(|s| *s == slot) else {
                continue;
            };
            let env = prog.env_name(slot).map(str::to_owned);
            let (status, diags) = match p.anchor {
                Some(_) => outcome(&per_env[si][ti]),
                None => (Status::Error, vec![no_config(p.test, env.as_deref())]),
            };
            cases.push(Case {
                name: p.test.name.clone(),
                file: p.file.clone(),
                env,
                status,
                diags,
            });
        }
    }
    TestRun {
        cases,
        filtered_out,
        n_envs: prog.envs.len(),
    }
}

/// The tests to run, and how many the filters left out.
fn plan<'p>(prog: &Program<'p>, filters: &[String]) -> (Vec<Planned<'p>>, usize) {
    let mut out = Vec::new();
    let mut filtered_out = 0;
    for file in &prog.project.files {
        let Some(ast) = &file.ast else { continue };
        if file.is_std || !prog.project.is_selected(file.id) {
            continue;
        }
        for decl in &ast.decls {
            let Decl::Test(t) = decl else { continue };
            if !filters.is_empty() && !filters.iter().any(|f| t.name.contains(f.as_str())) {
                filtered_out += 1;
                continue;
            }
            let slots = if t.envs.is_empty() {
                prog.env_slots()
            } else {
                // Unknown names are static errors (`resolve::policy`).
                t.envs
                    .iter()
                    .filter_map(|e| prog.envs.position(|d| d.name == e.name))
                    .map(Some)
                    .collect()
            };
            // Any config evaluates the asserts; one of the test's file reads best.
            let anchor = prog
                .configs
                .position(|c| c.file == file.id)
                .or(prog.configs.ids().next());
            out.push(Planned {
                test: t,
                file: prog.project.sources.get(file.id).name.clone(),
                anchor,
                slots,
            });
        }
    }
    (out, filtered_out)
}

fn outcome(verdicts: &[Verdict]) -> (Status, Vec<Diagnostic>) {
    let mut status = Status::Passed;
    let mut diags = Vec::new();
    for v in verdicts {
        match v {
            Verdict::Pass => {}
            Verdict::Fail(d) => {
                status = Status::Failed;
                diags.push(d.clone());
            }
            Verdict::Error(ds) => {
                if status == Status::Passed {
                    status = Status::Error;
                }
                diags.extend(ds.iter().cloned());
            }
        }
    }
    (status, diags)
}

fn no_config(t: &TestDecl, env: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        crate::diagnostics::Code::TestFailed,
        t.name_span,
        "the test has nothing to read: the project declares no configs",
    )
    .with_help("declare the configs the test is about")
    .with_env(env)
}

/// The report as people read it, `cargo test` style: one line per test and
/// environment (`test "name" in prod ... ok`), then the summary.
pub fn render_lines(run: &TestRun) -> String {
    let mut out = String::new();
    for c in &run.cases {
        let env = c
            .env
            .as_ref()
            .map(|e| format!(" in {e}"))
            .unwrap_or_default();
        let status = match c.status {
            Status::Passed => "ok",
            Status::Failed | Status::Error => "FAILED",
        };
        out.push_str(&format!("test {:?}{env} ... {status}\n", c.name));
    }
    out
}

/// The last line: `N passed, M failed` (and how many tests a filter left out).
pub fn summary(run: &TestRun) -> String {
    let mut line = format!("{} passed, {} failed", run.passed(), run.failed());
    if run.filtered_out > 0 {
        line.push_str(&format!("; {} filtered out", run.filtered_out));
    }
    line
}
