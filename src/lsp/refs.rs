//! Find references and rename for the names mcfg declares: schemas, type
//! aliases and configs (their declarations and every qualified name that
//! resolves to them, `extends` included), schema fields (the declaration and
//! the assignment keys that set the field in configs of that schema),
//! environments (the `environments` block, `extends`, `env` blocks) and
//! import aliases (within their file).
//!
//! Rename refuses names declared in the standard library and new names that
//! are not identifiers; a quoted key is rewritten inside its quotes.

use lsp_types::{
    Location, OptionalVersionedTextDocumentIdentifier, PrepareRenameResponse, TextDocumentEdit,
    TextEdit, WorkspaceEdit,
};

use crate::ast::{Decl, File, Name, QualName, Stmt};
use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::eval::LayerCache;
use crate::resolve::{ConfigId, Item, Program};
use crate::source::{FileId, Span};

use super::expr::{self, Referent};
use super::hover::{config_id, walk};
use super::locate::{self, contains, Target};
use super::Ctx;

mod collect;
use collect::Collect;

/// A declared name.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Sym {
    Item(Item),
    /// A schema field, by the span of its name in its declaration.
    Field(Span),
    Env(Name),
    /// An import alias of a file.
    Alias(FileId, Name),
}

/// One occurrence: the span, whether it is the declaration, whether it is a quoted key.
pub(super) type Occ = (Span, bool, bool);

pub(crate) fn references(cx: &Ctx<'_>, with_decl: bool) -> Option<Vec<Location>> {
    let occs = occurrences(cx)?.1;
    Some(
        occs.into_iter()
            .filter(|(_, decl, _)| with_decl || !decl)
            .filter_map(|(s, _, _)| cx.location(s))
            .collect(),
    )
}

pub(crate) fn prepare_rename(cx: &Ctx<'_>) -> Option<PrepareRenameResponse> {
    let (_, occs) = occurrences(cx)?;
    if occs
        .iter()
        .any(|(s, _, _)| cx.comp.project.file(s.file).is_std)
    {
        return None;
    }
    let here = occs
        .iter()
        .find(|(s, _, _)| s.file == cx.file && contains(*s, cx.offset))?;
    let (index, text) = cx.index(cx.file);
    let range = index.range(text, here.0.start as usize, here.0.end as usize);
    Some(PrepareRenameResponse::Range(range))
}

/// The edits renaming the name under the cursor to `new`; `Err` when it cannot be renamed.
pub(crate) fn rename(cx: &Ctx<'_>, new: &str) -> Result<WorkspaceEdit, String> {
    let is_ident = new
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && new.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_ident {
        return Err(format!(
            "`{new}` is not a name: use letters, digits and `_`, not starting with a digit"
        ));
    }
    let Some((_, occs)) = occurrences(cx) else {
        return Err("nothing to rename here".to_owned());
    };
    if occs
        .iter()
        .any(|(s, _, _)| cx.comp.project.file(s.file).is_std)
    {
        return Err("names declared in the standard library cannot be renamed".to_owned());
    }
    let mut by_file: Vec<(FileId, Vec<TextEdit>)> = Vec::new();
    for (span, _, quoted) in occs {
        let (index, text) = cx.index(span.file);
        let range = index.range(text, span.start as usize, span.end as usize);
        let new_text = if quoted {
            format!("\"{new}\"")
        } else {
            new.to_owned()
        };
        match by_file.iter_mut().find(|(f, _)| *f == span.file) {
            Some((_, edits)) => edits.push(TextEdit::new(range, new_text)),
            None => by_file.push((span.file, vec![TextEdit::new(range, new_text)])),
        }
    }
    let mut changes = Vec::new();
    for (file, edits) in by_file {
        let Some(uri) = cx.uri(file) else { continue };
        changes.push(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier { uri, version: None },
            edits: edits.into_iter().map(lsp_types::OneOf::Left).collect(),
        });
    }
    Ok(WorkspaceEdit {
        document_changes: Some(lsp_types::DocumentChanges::Edits(changes)),
        ..WorkspaceEdit::default()
    })
}

/// The symbol under the cursor and all its occurrences (declaration first).
fn occurrences(cx: &Ctx<'_>) -> Option<(Sym, Vec<Occ>)> {
    let project = &cx.comp.project;
    let ast = project.file(cx.file).ast.as_ref()?;
    let mut diags = Diagnostics::new();
    compile::with_program(project, &mut diags, |prog, cache| {
        let sym = sym_at(prog, cache, cx.file, ast, cx.offset)?;
        let mut occs = Vec::new();
        for f in &project.files {
            if let Some(ast) = &f.ast {
                let mut c = Collect {
                    prog,
                    cache,
                    file: f.id,
                    config: None,
                    sym: &sym,
                    out: &mut occs,
                };
                c.file(ast);
            }
        }
        occs.sort_by_key(|(s, decl, _): &Occ| (!decl, s.file.0, s.start));
        occs.dedup_by_key(|(s, _, _)| *s);
        (!occs.is_empty()).then_some((sym, occs))
    })
}

/// The symbol at `offset`: a declaration's name or a use of it.
fn sym_at(
    prog: &Program<'_>,
    cache: &LayerCache<'_>,
    file: FileId,
    ast: &File,
    offset: usize,
) -> Option<Sym> {
    if let Some(r) = expr::at(prog, cache, file, ast, offset) {
        return match r {
            Referent::Node { config, path } => node_sym(prog, config, &path),
            Referent::Module(m) => {
                prog.scopes
                    .get(file.0 as usize)?
                    .iter()
                    .find_map(|(n, (it, _))| {
                        (*it == Item::Module(m)).then(|| Sym::Alias(file, n.clone()))
                    })
            }
            Referent::Var(_) | Referent::Builtin(_) => None,
        };
    }
    let scope = prog.scopes.get(file.0 as usize)?;
    for d in ast.decls.iter().filter(|d| contains(d.span(), offset)) {
        let named = match d {
            Decl::Import(i) if contains(i.alias.span, offset) => {
                return Some(Sym::Alias(file, i.alias.name.clone()))
            }
            Decl::Environments(e) => {
                return e.envs.iter().find_map(|v| {
                    [Some(&v.name), v.parent.as_ref()]
                        .into_iter()
                        .flatten()
                        .find(|i| contains(i.span, offset))
                        .map(|i| Sym::Env(i.name.clone()))
                })
            }
            Decl::Test(t) => {
                if let Some(i) = t.envs.iter().find(|i| contains(i.span, offset)) {
                    return Some(Sym::Env(i.name.clone()));
                }
                None
            }
            Decl::Type(t) => Some(&t.name),
            Decl::Schema(s) => Some(&s.name),
            Decl::Config(c) => {
                if let Some(i) = env_block_ident(&c.body, offset) {
                    return Some(Sym::Env(i));
                }
                Some(&c.name)
            }
            Decl::Import(_) => None,
        };
        if let Some(n) = named.filter(|n| contains(n.span, offset)) {
            return scope.get(&n.name).map(|(item, _)| Sym::Item(*item));
        }
    }
    match locate::target_at(ast, offset)? {
        Target::Qual { name, index } => {
            let prefix = QualName {
                parts: name.parts[..=index].to_vec(),
                span: name.span,
            };
            match prog.lookup(file, &prefix).ok()? {
                Item::Module(_) => Some(Sym::Alias(file, name.parts[0].name.clone())),
                item => Some(Sym::Item(item)),
            }
        }
        Target::FieldDecl { key } => Some(Sym::Field(key.span)),
        Target::ConfigKey { config, path } => {
            let cid = config_id(prog, config)?;
            let schema = prog.configs[cid].schema?;
            let (f, _) = walk(prog, schema, &path)?;
            Some(Sym::Field(f?.name_span))
        }
        Target::Import(_) => None,
    }
}

/// The symbol of a config (`path` empty) or of the schema field at `path` in it.
pub(super) fn node_sym(prog: &Program<'_>, config: ConfigId, path: &[Name]) -> Option<Sym> {
    if path.is_empty() {
        return Some(Sym::Item(Item::Config(config)));
    }
    let schema = prog.configs[config].schema?;
    let (f, _) = walk(prog, schema, path)?;
    Some(Sym::Field(f?.name_span))
}

fn env_block_ident(body: &[Stmt], offset: usize) -> Option<Name> {
    body.iter()
        .filter(|s| contains(s.span(), offset))
        .find_map(|s| match s {
            Stmt::Env(e) => e
                .envs
                .iter()
                .find(|i| contains(i.span, offset))
                .map(|i| i.name.clone())
                .or_else(|| env_block_ident(&e.body, offset)),
            Stmt::Block(b) => env_block_ident(&b.body, offset),
            Stmt::Assign(_) => None,
        })
}
