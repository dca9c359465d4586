//! `mcfg schema [--config C] [-o DIR] PATHS...`: the JSON Schema of each
//! emitted config's artifact (see [`crate::emit::schema`]), and of the
//! runtime artifact of each config with `@runtime` fields
//! (`<config>.runtime`). Without `--config` and `-o`, one document holds every
//! config's artifact schema under `$defs` with an `anyOf` over them (the
//! runtime schemas, whose `x-mcfg-*` annotations ajv's strict mode refuses
//! unless declared, only with `-o` or `--config C.runtime`).

use std::path::PathBuf;

use clap::Args;

use super::{Output, Sources};
use crate::diagnostics::{CommandError, Diagnostics};
use crate::emit::schema::{config_schemas, runtime_schemas, DEFAULT_ID_BASE};

/// Arguments of `mcfg schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    #[command(flatten)]
    pub sources: Sources,
    /// Print only this config's schema (`C.runtime`: its runtime artifact's).
    #[arg(long)]
    pub config: Option<String>,
    /// Write `DIR/<config>.schema.json` per config (and
    /// `DIR/<config>.runtime.schema.json` per config with `@runtime` fields)
    /// instead of printing.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
    /// The prefix of each schema's `$id`: `https://schemas.example.com/ml/`
    /// gives `https://schemas.example.com/ml/<config>.schema.json`.
    #[arg(long, value_name = "URI", default_value = DEFAULT_ID_BASE)]
    pub id_base: String,
}

/// Runs `mcfg schema`.
pub fn run(out: &Output, args: &SchemaArgs) -> u8 {
    let Some(comp) = out.compile(&args.sources) else {
        return 2;
    };
    out.diagnostics(&comp.project.sources, &comp.diags);
    if comp.has_errors() {
        return 1;
    }
    let mut diags = Diagnostics::new();
    let (schemas, runtime) = crate::compile::with_program(&comp.project, &mut diags, |prog, _| {
        (
            config_schemas(prog, &comp.artifacts),
            runtime_schemas(prog, &comp.artifacts),
        )
    });
    let schemas = rebase_ids(schemas, &args.id_base);
    let runtime = rebase_ids(runtime, &args.id_base);
    if let Some(name) = &args.config {
        let Some(schema) = schemas.get(name).or_else(|| runtime.get(name)) else {
            let known: Vec<&str> = schemas.keys().map(String::as_str).collect();
            let e = CommandError::usage(format!(
                "no emitted config `{name}` (emitted: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            ))
            .with_help(
                "`--config` takes an emitted config, or `CONFIG.runtime` for its runtime schema",
            );
            return out.error(&e);
        };
        return emit_one(out, args, name, schema);
    }
    match &args.out {
        Some(_) => {
            for (name, schema) in schemas.iter().chain(&runtime) {
                let code = emit_one(out, args, name, schema);
                if code != 0 {
                    return code;
                }
            }
            0
        }
        None => {
            println!("{}", pretty(&combined(schemas, &args.id_base)));
            0
        }
    }
}

/// One schema document for every config: each config's schema under
/// `$defs`, and `anyOf` over them, so the document validates the artifact of
/// any emitted config (and is exactly that config's schema when there is one).
fn combined(
    schemas: indexmap::IndexMap<String, serde_json::Value>,
    id_base: &str,
) -> serde_json::Value {
    let mut defs = serde_json::Map::new();
    let mut any_of = Vec::new();
    for (name, mut schema) in schemas {
        // Plain definitions of the one document (an `$id` would make each a
        // separate resource that `#/$defs/...` pointers cross into).
        if let Some(obj) = schema.as_object_mut() {
            obj.remove("$schema");
            obj.remove("$id");
        }
        any_of.push(serde_json::json!({ "$ref": format!("#/$defs/{name}") }));
        defs.insert(name, schema);
    }
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("{id_base}schemas.json"),
        "$defs": defs,
        "anyOf": any_of,
    })
}

/// The schemas with `$id`s under `base` instead of [`DEFAULT_ID_BASE`].
fn rebase_ids(
    mut schemas: indexmap::IndexMap<String, serde_json::Value>,
    base: &str,
) -> indexmap::IndexMap<String, serde_json::Value> {
    if base != DEFAULT_ID_BASE {
        for (name, schema) in &mut schemas {
            if let Some(obj) = schema.as_object_mut() {
                obj.insert("$id".into(), format!("{base}{name}.schema.json").into());
            }
        }
    }
    schemas
}

fn emit_one(out: &Output, args: &SchemaArgs, name: &str, schema: &serde_json::Value) -> u8 {
    let text = format!("{}\n", pretty(schema));
    let Some(dir) = &args.out else {
        print!("{text}");
        return 0;
    };
    let path = dir.join(format!("{name}.schema.json"));
    let res = std::fs::create_dir_all(dir).and_then(|()| {
        let tmp = dir.join(format!(".{name}.schema.json.tmp-{}", std::process::id()));
        std::fs::write(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, &path)
    });
    match res {
        Ok(()) => 0,
        Err(e) => out.error(&CommandError::io(format!("cannot write: {e}")).in_file(&path)),
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}
