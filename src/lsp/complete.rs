//! Completion: field names of the schema at the cursor's path inside a config
//! body (type as detail, doc comment as documentation), environment names after
//! `env `, markers after `@`, and the schemas and types of a module after its
//! import alias and a dot (`ml.`). Outside config bodies: the names in scope.
//!
//! The context is read from the document text (which may not parse) and the
//! syntax tree of the last compilation (which, for a broken document, is a copy
//! with the cursor's line blanked).

use lsp_types::{CompletionItem, CompletionItemKind, Documentation};

use crate::compile;
use crate::diagnostics::Diagnostics;
use crate::resolve::{Item, Program};
use crate::source::FileId;

use super::hover::{config_id, obj_of, type_text, walk};
use super::locate;
use super::Ctx;

/// The built-in type names offered in type positions.
const BUILTIN_TYPES: &[&str] = &[
    "bool", "int", "float", "string", "duration", "secret", "any", "list", "map",
];

/// The markers of LANGUAGE.md §4.
const MARKERS: &[(&str, &str)] = &[
    ("invariant", "same value in every environment"),
    ("distinct", "a different value in every environment"),
    ("runtime", "runtime tier: may change without a redeploy"),
    (
        "deprecated",
        "setting the field gives a warning with the message",
    ),
];

/// The completion items at the cursor.
pub(crate) fn complete(cx: &Ctx<'_>) -> Vec<CompletionItem> {
    let text = cx.text;
    let offset = cx.offset.min(text.len());
    let Some(line) = text.get(text[..offset].rfind('\n').map_or(0, |i| i + 1)..offset) else {
        return Vec::new();
    };
    let partial_len = line
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let before = &line[..line.len() - partial_len];
    if before.ends_with('@') {
        return MARKERS
            .iter()
            .map(|(m, doc)| item(m, CompletionItemKind::KEYWORD, "marker", Some(doc)))
            .collect();
    }
    let chain_len = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .map(char::len_utf8)
        .sum::<usize>();
    let (lead, chain) = before.split_at(before.len() - chain_len);
    let keys: Vec<&str> = chain.split('.').filter(|k| !k.is_empty()).collect();
    let mut diags = Diagnostics::new();
    compile::with_program(&cx.comp.project, &mut diags, |prog, _| {
        if is_env_list(before) {
            return prog
                .envs
                .iter()
                .map(|e| {
                    item(
                        &e.name,
                        CompletionItemKind::ENUM_MEMBER,
                        "environment",
                        None,
                    )
                })
                .collect();
        }
        if let Some(Item::Module(m)) = keys
            .first()
            .filter(|_| chain.ends_with('.'))
            .and_then(|k| prog.scopes[cx.file.0 as usize].get(*k))
            .map(|(item, _)| *item)
        {
            return scope_items(prog, m, false);
        }
        let ast = cx.comp.project.file(cx.file).ast.as_ref();
        if let Some((decl, mut path)) = ast.and_then(|a| locate::body_context(a, offset)) {
            let at_statement = lead.trim().is_empty() || lead.trim_end().ends_with(['{', ';', ',']);
            if !at_statement {
                return if keys.is_empty() && is_value_position(lead) {
                    value_words()
                } else {
                    Vec::new()
                };
            }
            path.extend(keys.iter().map(|k| crate::ast::Name::from(*k)));
            return fields(prog, config_id(prog, decl), &path);
        }
        let mut out = scope_items(prog, cx.file, true);
        out.extend(
            BUILTIN_TYPES
                .iter()
                .map(|t| item(t, CompletionItemKind::KEYWORD, "built-in type", None)),
        );
        out
    })
}

/// After `=`, an operator or an opening bracket: an expression starts here.
fn is_value_position(lead: &str) -> bool {
    let t = lead.trim_end();
    t.ends_with(['=', '(', '[', '+', '-', '*', '/', '%', '<', '>', ':'])
        || [" and", " or", " not", " in", " if", " then", " else"]
            .iter()
            .any(|w| t.ends_with(w))
}

/// The words an expression may start with: built-in functions, the
/// quantifiers, `env`, `envs` and `self` (LANGUAGE.md §5, §9.5, §9.6).
fn value_words() -> Vec<CompletionItem> {
    let mut out: Vec<CompletionItem> = crate::eval::BUILTIN_FUNCTIONS
        .iter()
        .chain(&["all", "any"])
        .map(|f| item(f, CompletionItemKind::FUNCTION, "built-in function", None))
        .collect();
    for (w, doc) in [
        ("env", "the current environment's name"),
        (
            "envs",
            "the current environment and its ancestors, root first",
        ),
        ("self", "the config's root object"),
    ] {
        out.push(item(
            w,
            CompletionItemKind::KEYWORD,
            "built-in name",
            Some(doc),
        ));
    }
    out
}

/// `env dev, ` or `env ` at the start of a statement.
fn is_env_list(before: &str) -> bool {
    let t = before.trim_start();
    let Some(rest) = t.strip_prefix("env") else {
        return false;
    };
    if !rest.starts_with([' ', '\t']) {
        return false;
    }
    rest.split(',').all(|part| {
        let p = part.trim();
        p.is_empty() || p.chars().all(|c| c.is_alphanumeric() || c == '_')
    }) && (rest.trim().is_empty() || rest.trim_end().ends_with(','))
}

/// The fields of the object type at `path` in a config's schema.
fn fields(
    prog: &Program<'_>,
    cid: Option<crate::resolve::ConfigId>,
    path: &[crate::ast::Name],
) -> Vec<CompletionItem> {
    let Some(schema) = cid.and_then(|c| prog.configs[c].schema) else {
        return Vec::new();
    };
    let Some(obj) = walk(prog, schema, path).and_then(|(_, at)| obj_of(prog, at)) else {
        return Vec::new();
    };
    prog.obj(obj)
        .fields
        .values()
        .map(|f| {
            let mut it = item(
                &f.name,
                CompletionItemKind::FIELD,
                &type_text(prog, f.ty),
                None,
            );
            it.documentation = f.doc.clone().map(Documentation::String);
            it
        })
        .collect()
}

/// The names declared in `file`: schemas and type aliases, and with `all` also
/// configs and import aliases.
fn scope_items(prog: &Program<'_>, file: FileId, all: bool) -> Vec<CompletionItem> {
    let Some(scope) = prog.scopes.get(file.0 as usize) else {
        return Vec::new();
    };
    scope
        .iter()
        .filter_map(|(name, (item_kind, _))| {
            let (kind, detail, doc) = match item_kind {
                Item::Schema(o) => (
                    CompletionItemKind::STRUCT,
                    "schema",
                    prog.obj(*o).doc.clone(),
                ),
                Item::Alias(i) => (
                    CompletionItemKind::TYPE_PARAMETER,
                    "type",
                    prog.aliases
                        .get(*i as usize)
                        .and_then(|a| a.decl.doc.clone()),
                ),
                Item::Config(_) if all => (CompletionItemKind::VARIABLE, "config", None),
                Item::Module(_) if all => (CompletionItemKind::MODULE, "import", None),
                Item::Config(_) | Item::Module(_) => return None,
            };
            let mut it = item(name, kind, detail, None);
            it.documentation = doc.map(Documentation::String);
            Some(it)
        })
        .collect()
}

fn item(label: &str, kind: CompletionItemKind, detail: &str, doc: Option<&str>) -> CompletionItem {
    CompletionItem {
        label: label.to_owned(),
        kind: Some(kind),
        detail: Some(detail.to_owned()),
        documentation: doc.map(|d| Documentation::String(d.to_owned())),
        ..CompletionItem::default()
    }
}
