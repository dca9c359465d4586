//! Go-to-definition: schema, type and config names (config schemas and parents,
//! field types, `extends`), import paths (the imported file), and assignment
//! keys (the schema field they set).

use lsp_types::{Location, Position, Range};

use crate::ast::QualName;
use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::merge::ROOT;
use crate::resolve::{Item, Program};
use crate::source::{FileId, Span};

use super::hover::{config_id, walk};
use super::locate::{self, Target};
use super::Ctx;

/// Where the thing under the cursor is declared.
pub(crate) fn definition(cx: &Ctx<'_>) -> Option<Location> {
    let file = cx.comp.project.file(cx.file);
    let target = locate::target_at(file.ast.as_ref()?, cx.offset)?;
    if let Target::Import(imp) = &target {
        let to = file.imports.get(&imp.alias.name).copied().flatten()?;
        return file_start(cx, to);
    }
    let mut diags = Diagnostics::new();
    let span = compile::with_program(&cx.comp.project, &mut diags, |prog, cache| match &target {
        Target::Qual { name, index } => qual(prog, cx, name, *index),
        Target::ConfigKey { config, path, .. } => {
            let cid = config_id(prog, config)?;
            let c = &prog.configs[cid];
            if let Some(f) = c
                .schema
                .and_then(|s| walk(prog, s, path))
                .and_then(|(f, _)| f)
            {
                return Some(Ok(f.name_span));
            }
            // Structural configs and fields below `any`: the node's field, if any.
            let env = prog.env_slots().first().copied().flatten();
            let mut d = Vec::new();
            let layers = cache.layers_for(prog, cid, env, &mut d);
            let node = layers.find(ROOT, path)?;
            let (o, i) = layers.node(node).field?;
            let (_, f) = prog.obj(o).fields.get_index(i as usize)?;
            Some(Ok(f.name_span))
        }
        Target::FieldDecl { key } => Some(Ok(key.span)),
        Target::Import(_) => None,
    })?;
    match span {
        Ok(span) => cx.location(span),
        Err(file) => file_start(cx, file),
    }
}

/// The declaration a qualified name's part names: a span, or a whole file (`Err`).
fn qual(
    prog: &Program<'_>,
    cx: &Ctx<'_>,
    name: &QualName,
    index: usize,
) -> Option<Result<Span, FileId>> {
    let prefix = QualName {
        parts: name.parts[..=index].to_vec(),
        span: name.span,
    };
    Some(match prog.lookup(cx.file, &prefix).ok()? {
        Item::Schema(o) => Ok(prog.obj(o).span),
        Item::Alias(i) => Ok(prog.aliases.get(i as usize)?.decl.name.span),
        Item::Config(c) => Ok(prog.configs[c].decl.name.span),
        Item::Module(f) => Err(f),
    })
}

fn file_start(cx: &Ctx<'_>, file: FileId) -> Option<Location> {
    Some(Location::new(
        cx.uri(file)?,
        Range::new(Position::new(0, 0), Position::new(0, 0)),
    ))
}
