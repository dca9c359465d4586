//! Policy tests in the editor (LANGUAGE.md §9.9): a "run test" code lens on
//! every `test` declaration, the `mcfg.runTest` command it invokes, and the
//! failing asserts as diagnostics after a save.
//!
//! Tests run on `didSave` only (they evaluate across configs and
//! environments; typing should not wait for them). Their diagnostics are
//! published with the compiler's, one per assert listing the environments
//! where it fails the same way, and last until the next edit recompiles the
//! project. The hooks in the server's dispatch (`lsp/mod.rs`) are: the
//! capabilities `codeLensProvider` and `executeCommandProvider` (with
//! [`RUN_TEST`]), `textDocument/codeLens` →
//! [`code_lenses`], `workspace/executeCommand` → [`execute`], and on
//! `didSave` [`add_test_diagnostics`] on the new compilation.

use std::path::Path;

use lsp_types::{CodeLens, Command};
use serde_json::{json, Value as Json};

use super::text::{uri_to_path, Encoding, LineIndex};
use crate::ast::Decl;
use crate::compile::Compilation;
use crate::report::policy;

/// The command a lens runs: arguments `[uri, test name]`.
pub const RUN_TEST: &str = "mcfg.runTest";

/// `textDocument/codeLens`: one "▶ run test" lens on the name of each test
/// declared in the document (`[]` when it has none or did not compile).
pub fn code_lenses(comp: Option<&Compilation>, params: &Json, encoding: Encoding) -> Json {
    let uri = params["textDocument"]["uri"].as_str().unwrap_or("");
    let (Some(comp), Some(path)) = (comp, uri_to_path(uri)) else {
        return json!([]);
    };
    json!(lenses(comp, &path, uri, encoding))
}

fn lenses(comp: &Compilation, path: &Path, uri: &str, encoding: Encoding) -> Vec<CodeLens> {
    let Some(file) = comp
        .project
        .files
        .iter()
        .find(|f| f.path == path && !f.is_std)
    else {
        return Vec::new();
    };
    let Some(ast) = &file.ast else {
        return Vec::new();
    };
    let text = &comp.project.sources.get(file.id).text;
    let index = LineIndex::new(text, encoding);
    ast.decls
        .iter()
        .filter_map(|d| match d {
            Decl::Test(t) => Some(t),
            _ => None,
        })
        .map(|t| CodeLens {
            range: index.range(text, t.name_span.start as usize, t.name_span.end as usize),
            command: Some(Command {
                title: "▶ run test".to_owned(),
                command: RUN_TEST.to_owned(),
                arguments: Some(vec![json!(uri), json!(t.name)]),
            }),
            data: None,
        })
        .collect()
}

/// `workspace/executeCommand` for [`RUN_TEST`]: runs the test named by the
/// second argument in each of its environments and answers
/// `{"passed", "failed", "report"}` (the `mcfg test` lines and summary), or
/// `null` for another command or when the project has errors.
pub fn execute(comp: Option<&Compilation>, params: &Json) -> Json {
    let (Some(comp), RUN_TEST) = (comp, params["command"].as_str().unwrap_or("")) else {
        return Json::Null;
    };
    let Some(name) = params["arguments"][1].as_str() else {
        return Json::Null;
    };
    if !compiles(comp) {
        return Json::Null;
    }
    let mut run = policy::run(&comp.project, &comp.overrides, &[name.to_owned()]);
    // The filter matches substrings; the lens means this test only.
    let before = run.cases.len();
    run.cases.retain(|c| c.name == name);
    run.filtered_out += before - run.cases.len();
    json!({
        "passed": run.passed(),
        "failed": run.failed(),
        "report": format!("{}{}\n", policy::render_lines(&run), policy::summary(&run)),
    })
}

/// Runs every test of a compilation without errors and adds the failing
/// asserts to its diagnostics (published with the compiler's).
pub fn add_test_diagnostics(comp: &mut Compilation) {
    if comp.has_errors() {
        return;
    }
    let run = policy::run(&comp.project, &comp.overrides, &[]);
    comp.diags.extend(run.diagnostics());
}

/// Whether the sources have no errors outside test declarations (the
/// diagnostics of a run on save are inside them).
fn compiles(comp: &Compilation) -> bool {
    let tests: Vec<crate::source::Span> = comp
        .project
        .files
        .iter()
        .filter_map(|f| f.ast.as_ref())
        .flat_map(|a| &a.decls)
        .filter_map(|d| match d {
            Decl::Test(t) => Some(t.span),
            _ => None,
        })
        .collect();
    !comp.diags.iter().any(|d| {
        let s = d.primary.span;
        d.is_error()
            && !tests
                .iter()
                .any(|t| t.file == s.file && t.start <= s.start && s.end <= t.end)
    })
}
