//! `mcfg drift --env E --config C --deployed FILE [--json] PATHS...`: compare
//! a deployed artifact with the sources (`report::drift`); exit 1 on any
//! difference, 2 when the deployed file cannot be read. `--bundle FILE`
//! instead of `--deployed` takes a deployed bundle (`mcfg build --bundle`,
//! configs keyed by name) and compares its entry for `--config`.

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};
use crate::compile::with_program;
use crate::diagnostics::{Code, CommandError, Diagnostic, Diagnostics};
use crate::report::{document, drift};
use crate::source::{SourceFile, SourceMap};

/// Arguments of `mcfg drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The environment the artifact was built for (required with environments).
    #[arg(long)]
    pub env: Option<String>,
    /// The config the artifact was built from.
    #[arg(long)]
    pub config: String,
    /// The deployed artifact (JSON or YAML).
    #[arg(long, required_unless_present = "bundle", conflicts_with = "bundle")]
    pub deployed: Option<PathBuf>,
    /// A deployed bundle (`mcfg build --bundle`): its entry for `--config` is compared.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub sources: Sources,
    /// Print one JSON report on stdout.
    #[arg(long)]
    pub json: bool,
}

/// The text of a file named on the command line, without a leading BOM.
pub fn read_text(path: &std::path::Path) -> Result<String, CommandError> {
    crate::files::read_text(path, crate::files::MAX_DOCUMENT_BYTES)
        .map_err(|e| CommandError::io(format!("cannot read: {e}")).in_file(path))
}

/// Runs `mcfg drift`.
pub fn run(out: &Output, args: &DriftArgs) -> u8 {
    let Some(path) = args.deployed.as_ref().or(args.bundle.as_ref()) else {
        // clap requires one of the two.
        return out.error(&CommandError::usage(
            "give `--deployed FILE` or `--bundle FILE`",
        ));
    };
    let text = match read_text(path) {
        Ok(text) => text,
        Err(e) => {
            out.error(&e);
            return 2;
        }
    };
    // The deployed file in its own source map, so that a document error is
    // a diagnostic rendered like any other.
    let mut doc_sources = SourceMap::default();
    let fid = doc_sources.add(SourceFile::new(path.display().to_string(), text.as_str()));
    let deployed = match document::read(&text, fid) {
        Ok(node) if matches!(node.value, document::DocValue::Map(_)) => node.to_json(),
        Ok(node) => {
            let message = format!(
                "the deployed artifact must be an object, not a {}",
                node.kind()
            );
            let d = Diagnostic::error(Code::TypeMismatch, node.span, message)
                .with_help("pass the artifact mcfg built for this config and environment");
            out.diagnostics(&doc_sources, &[d]);
            return 1;
        }
        // Bad input, located in the deployed file: exit 1, as `import` and
        // `check-runtime` do for the same document errors.
        Err(e) => {
            out.diagnostics(&doc_sources, &[e.to_diagnostic()]);
            return 1;
        }
    };
    let deployed = if args.bundle.is_some() {
        match deployed.get(&args.config) {
            Some(entry @ serde_json::Value::Object(_)) => entry.clone(),
            _ => {
                return out.error(
                    &CommandError::usage(format!(
                        "the bundle holds no config `{}` (an object under that key)",
                        args.config
                    ))
                    .in_file(path)
                    .with_help("pass the bundle mcfg built for this environment (`<env>.json`)"),
                );
            }
        }
    } else {
        deployed
    };
    let Some(comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    let report = with_program(&comp.project, &mut Diagnostics::new(), |prog, cache| {
        drift::drift(prog, cache, &args.config, args.env.as_deref(), &deployed)
    });
    match report {
        Ok(r) => {
            if args.json {
                out.json(&r);
            } else {
                print!("{}", drift::render_human(&r));
            }
            u8::from(!r.differences.is_empty())
        }
        Err(msg) => {
            out.error(&msg);
            2
        }
    }
}
