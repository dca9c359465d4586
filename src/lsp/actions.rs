//! Code actions: every diagnostic whose help line suggests a name ("did you
//! mean `batch_size`?") gets a quick fix replacing the misspelt name (its
//! primary span) with the suggestion; with two or more in the document, a
//! `source.fixAll` action applies them all at once.
//!
//! A suggestion is applied only where the primary span is exactly a name: an
//! identifier (replaced by the suggestion), a quoted key (the suggestion in
//! quotes) or a marker (`@runtme` → `@runtime`).

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit, WorkspaceEdit,
};

use crate::diagnostics::Diagnostic;
use crate::source::Span;

use super::diagnostics::convert;
use super::Ctx;

/// The actions for the diagnostics of the document that touch `range`.
pub(crate) fn code_actions(cx: &Ctx<'_>, range: Range) -> Vec<CodeActionOrCommand> {
    let Some(uri) = cx.uri(cx.file) else {
        return Vec::new();
    };
    let (index, text) = cx.index(cx.file);
    let location = |span: Span| cx.location(span);
    let mut fixes: Vec<(Span, String, lsp_types::Diagnostic)> = Vec::new();
    for d in cx
        .comp
        .diags
        .iter()
        .filter(|d| d.primary.span.file == cx.file)
    {
        let Some(new) = replacement(d, text) else {
            continue;
        };
        let Some((_, lsp)) = convert(d, &location) else {
            continue;
        };
        if !fixes
            .iter()
            .any(|(s, n, _)| *s == d.primary.span && *n == new)
        {
            fixes.push((d.primary.span, new, lsp));
        }
    }
    let edit_of = |edits: Vec<TextEdit>| WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version: None,
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        }])),
        ..WorkspaceEdit::default()
    };
    let text_edit = |s: &Span, new: &str| {
        TextEdit::new(
            index.range(text, s.start as usize, s.end as usize),
            new.to_owned(),
        )
    };
    let touches = |r: &Range| r.start <= range.end && range.start <= r.end;
    let mut out: Vec<CodeActionOrCommand> = fixes
        .iter()
        .filter(|(_, _, lsp)| touches(&lsp.range))
        .map(|(span, new, lsp)| {
            let old = &text[span.start as usize..span.end as usize];
            CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace `{old}` with `{new}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![lsp.clone()]),
                edit: Some(edit_of(vec![text_edit(span, new)])),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        })
        .collect();
    if fixes.len() >= 2 {
        let mut all: Vec<&(Span, String, lsp_types::Diagnostic)> = fixes.iter().collect();
        all.sort_by_key(|(s, _, _)| s.start);
        // Overlapping spans cannot be applied together: the first one wins.
        all.dedup_by(|b, a| b.0.start < a.0.end);
        out.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("Apply all {} suggestions in this file", all.len()),
            kind: Some(CodeActionKind::SOURCE_FIX_ALL),
            diagnostics: Some(all.iter().map(|(_, _, l)| l.clone()).collect()),
            edit: Some(edit_of(
                all.iter().map(|(s, n, _)| text_edit(s, n)).collect(),
            )),
            ..CodeAction::default()
        }));
    }
    out
}

/// The text replacing a diagnostic's primary span, if its help suggests a name
/// and the span is exactly a name.
fn replacement(d: &Diagnostic, text: &str) -> Option<String> {
    let help = d.help.as_deref()?;
    // `did you mean `x`?`, possibly followed by another way out (`Or, …`).
    let rest = help.strip_prefix("did you mean `")?;
    let new = &rest[..rest.find("`?")?];
    let old = text.get(d.primary.span.start as usize..d.primary.span.end as usize)?;
    let ident = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let bare = new.strip_prefix('@').unwrap_or(new);
    if old.starts_with('@') && ident(&old[1..]) {
        return Some(format!("@{bare}"));
    }
    if ident(old) {
        return Some(bare.to_owned());
    }
    let quoted = old.len() >= 2
        && old.starts_with('"')
        && old.ends_with('"')
        && !old[1..old.len() - 1].contains(['"', '\\', '$']);
    quoted.then(|| format!("\"{bare}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::source::FileId;

    fn fix(text: &str, name: &str, help: &str) -> Option<String> {
        let start = text.find(name).unwrap_or(0);
        let d = Diagnostic::error(
            Code::UnknownKey,
            Span::new(FileId(0), start, start + name.len()),
            "x",
        )
        .with_help(help);
        replacement(&d, text)
    }

    #[test]
    fn suggestions_replace_names_only() {
        let or =
            "did you mean `spam`? Or, to add an entry in an `env` block, write `t += { spm = … }`";
        assert_eq!(fix("t.spm = 1", "spm", or).as_deref(), Some("spam"));
        assert_eq!(
            fix("@runtme", "@runtme", "did you mean `@runtime`?").as_deref(),
            Some("@runtime")
        );
        assert_eq!(
            fix("@runtme", "runtme", "did you mean `@runtime`?").as_deref(),
            Some("runtime")
        );
        assert_eq!(
            fix("\"a b\" = 1", "\"a b\"", "did you mean `ab`?").as_deref(),
            Some("\"ab\"")
        );
        // A span that is not a name, or a help that suggests nothing.
        assert_eq!(fix("x = 1 + 2", "1 + 2", "did you mean `y`?"), None);
        assert_eq!(fix("x", "x", "markers are @runtime"), None);
    }
}
