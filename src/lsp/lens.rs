//! Policy tests in the editor (LANGUAGE.md §9.9): a "run test" code lens on
//! every `test` declaration, the `mcfg.runTest` command it invokes, and the
//! failing asserts as diagnostics after a save.
//!
//! Tests run on `didSave` only (they evaluate across configs and
//! environments; typing should not wait for them). Their diagnostics are
//! published with the compiler's, one per assert listing the environments
//! where it fails the same way, and last until the next edit recompiles the
//! project. The hooks: in `dispatch.rs` the capabilities `code_lens_provider`
//! and `execute_command_provider` ([`RUN_TEST`]) and the handlers
//! [`code_lens`] and [`execute_command`]; `handlers::did_save` sets
//! `Server::tests_pending`, and `Server::reanalyze` then calls
//! [`add_test_diagnostics`] on the new compilation.

use std::path::Path;

use lsp_types::{CodeLens, CodeLensParams, Command, ExecuteCommandParams};
use serde_json::{json, Value as Json};

use super::text::{Encoding, LineIndex};
use super::Compilation;
use super::Server;
use crate::ast::Decl;
use crate::report::policy;

/// The command a lens runs: arguments `[uri, test name]`.
pub const RUN_TEST: &str = "mcfg.runTest";

/// `textDocument/codeLens`: one "▶ run test" lens on the name of each test
/// declared in the document (none when it did not compile).
pub(super) fn code_lens(s: &mut Server, p: CodeLensParams) -> Option<Vec<CodeLens>> {
    let path = s.path_of(&p.text_document.uri)?;
    let comp = s.analysis.as_ref()?;
    Some(lenses(
        comp,
        &path,
        p.text_document.uri.as_str(),
        s.encoding,
    ))
}

fn lenses(comp: &Compilation, path: &Path, uri: &str, encoding: Encoding) -> Vec<CodeLens> {
    let Some(file) = comp
        .project()
        .files
        .iter()
        .find(|f| f.path == path && !f.is_std)
    else {
        return Vec::new();
    };
    let Some(ast) = &file.ast else {
        return Vec::new();
    };
    let text = &comp.project().sources.get(file.id).text;
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
pub(super) fn execute_command(s: &mut Server, p: ExecuteCommandParams) -> Option<Json> {
    if p.command != RUN_TEST {
        return None;
    }
    let comp = s.analysis.as_ref()?;
    let name = p.arguments.get(1)?.as_str()?;
    if !compiles(comp) {
        return None;
    }
    let mut run = policy::run(comp.project(), &[], &[name.to_owned()]);
    // The filter matches substrings; the lens means this test only.
    let before = run.cases.len();
    run.cases.retain(|c| c.name == name);
    run.filtered_out += before - run.cases.len();
    Some(json!({
        "passed": run.passed(),
        "failed": run.failed(),
        "report": format!("{}{}\n", policy::render_lines(&run), policy::summary(&run)),
    }))
}

/// Runs every test of a compilation without errors and adds the failing
/// asserts to its diagnostics (published with the compiler's).
pub(super) fn add_test_diagnostics(comp: &mut Compilation) {
    if comp.has_errors() {
        return;
    }
    let run = policy::run(comp.project(), &[], &[]);
    comp.diags.extend(run.diagnostics());
}

/// Whether the sources have no errors outside test declarations (the
/// diagnostics of a run on save are inside them).
fn compiles(comp: &Compilation) -> bool {
    let tests: Vec<crate::source::Span> = comp
        .project()
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
