//! The handlers of the method table in [`super::dispatch`]: typed parameters
//! in, typed results out. Document bookkeeping is here; each feature lives in
//! its own module and gets a [`Ctx`] from the last compilation.

use std::path::Path;

use lsp_types::{
    CodeActionParams, CodeActionResponse, CompletionParams, CompletionResponse,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams,
    DocumentSymbolResponse, FoldingRange, FoldingRangeParams, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, InitializeParams, InitializeResult, InlayHint,
    InlayHintParams, Location, PrepareRenameResponse, ReferenceParams, RenameParams,
    SemanticTokens, SemanticTokensParams, SemanticTokensResult, ServerInfo, SignatureHelp,
    SignatureHelpParams, TextDocumentContentChangeEvent, TextDocumentPositionParams, TextEdit,
    WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use crate::loader;
use crate::source::FileId;

use super::text::{uri_to_path, Encoding, LineIndex};
use super::{
    actions, complete, dispatch, expr, folding, hover, inlay, nav, refs, semantic, signature,
    symbols, Ctx, Server,
};

#[allow(deprecated)] // reason: `rootUri` and `rootPath` are what older clients send
pub(super) fn initialize(s: &mut Server, p: InitializeParams) -> InitializeResult {
    s.root = p
        .root_uri
        .as_ref()
        .or_else(|| p.workspace_folders.as_ref()?.first().map(|f| &f.uri))
        .and_then(|u| uri_to_path(u.as_str()))
        .or_else(|| {
            p.root_path
                .as_ref()
                .map(|r| loader::normalize(Path::new(r)))
        });
    if let Some(dir) = p
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("stdCacheDir")?.as_str())
    {
        s.std = super::std_docs::StdDocs::at(Path::new(dir));
    }
    let utf8 = p
        .capabilities
        .general
        .and_then(|g| g.position_encodings)
        .is_some_and(|e| e.iter().any(|k| k.as_str() == "utf-8"));
    s.encoding = if utf8 {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    };
    InitializeResult {
        capabilities: dispatch::capabilities(utf8),
        server_info: Some(ServerInfo {
            name: "mcfg".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    }
}

pub(super) fn did_open(s: &mut Server, p: DidOpenTextDocumentParams) -> bool {
    let Some(path) = s.path_of(&p.text_document.uri) else {
        return false;
    };
    // The standard library's read-only copies are not part of the project.
    if s.std.module_at(&path).is_some() {
        return false;
    }
    s.docs.insert(path, p.text_document.text);
    true
}

pub(super) fn did_change(s: &mut Server, p: DidChangeTextDocumentParams) -> bool {
    let Some(path) = s.path_of(&p.text_document.uri) else {
        return false;
    };
    if s.std.module_at(&path).is_some() {
        return false;
    }
    let encoding = s.encoding;
    let Some(doc) = s.docs.get_mut(&path) else {
        // A change to a document that was never opened has no text to apply
        // to: ignored (and logged), not created.
        super::framing::log(&format!(
            "didChange for {} which is not open: ignored",
            path.display()
        ));
        return false;
    };
    for change in p.content_changes {
        apply_change(doc, change, encoding);
    }
    true
}

pub(super) fn did_save(s: &mut Server, p: DidSaveTextDocumentParams) -> bool {
    s.tests_pending = true;
    let Some(path) = s.path_of(&p.text_document.uri) else {
        return false;
    };
    if let Some(text) = p.text {
        if s.std.module_at(&path).is_none() {
            s.docs.insert(path, text);
        }
    }
    true
}

pub(super) fn did_close(s: &mut Server, p: DidCloseTextDocumentParams) -> bool {
    let Some(path) = s.path_of(&p.text_document.uri) else {
        return false;
    };
    s.docs.shift_remove(&path).is_some()
}

/// Applies one `contentChanges` entry: a whole new text, or a range replacement.
fn apply_change(doc: &mut String, change: TextDocumentContentChangeEvent, encoding: Encoding) {
    match change.range {
        Some(r) => {
            let index = LineIndex::new(doc, encoding);
            let start = index.offset(doc, r.start);
            let end = index.offset(doc, r.end).max(start);
            doc.replace_range(start..end, &change.text);
        }
        None => *doc = change.text,
    }
}

pub(super) fn hover(s: &mut Server, p: HoverParams) -> Option<Hover> {
    let at = p.text_document_position_params;
    s.at_cursor(&at.text_document.uri, at.position, |cx| {
        hover::hover(cx).or_else(|| expr::hover(cx))
    })
}

pub(super) fn definition(
    s: &mut Server,
    p: GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let at = p.text_document_position_params;
    s.at_cursor(&at.text_document.uri, at.position, |cx| {
        nav::definition(cx)
            .map(GotoDefinitionResponse::Scalar)
            .or_else(|| expr::definition(cx))
    })
}

pub(super) fn completion(s: &mut Server, p: CompletionParams) -> Option<CompletionResponse> {
    let at = p.text_document_position;
    let items = s.at_cursor(&at.text_document.uri, at.position, |cx| {
        Some(complete::complete(cx))
    });
    Some(CompletionResponse::Array(items.unwrap_or_default()))
}

pub(super) fn signature_help(s: &mut Server, p: SignatureHelpParams) -> Option<SignatureHelp> {
    let at = p.text_document_position_params;
    let (_, text, _) = s.cursor_doc(&at.text_document.uri)?;
    let offset = LineIndex::new(&text, s.encoding).offset(&text, at.position);
    signature::help(&text, offset)
}

/// One edit replacing the whole document with its canonical layout
/// (`null` when it does not parse or is already formatted).
pub(super) fn formatting(s: &mut Server, p: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let path = uri_to_path(p.text_document.uri.as_str())?;
    let text = s.docs.get(&path)?;
    match crate::fmt::format_source(FileId(0), text) {
        Ok(formatted) if &formatted != text => {
            let index = LineIndex::new(text, s.encoding);
            let range = index.range(text, 0, text.len());
            Some(vec![TextEdit::new(range, formatted)])
        }
        _ => None,
    }
}

pub(super) fn document_symbols(
    s: &mut Server,
    p: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    s.on_doc(&p.text_document.uri, |cx| {
        Some(DocumentSymbolResponse::Nested(symbols::document(cx)?))
    })
}

pub(super) fn workspace_symbols(
    s: &mut Server,
    p: WorkspaceSymbolParams,
) -> Option<WorkspaceSymbolResponse> {
    s.on_project(|cx| {
        Some(WorkspaceSymbolResponse::Flat(symbols::workspace(
            cx, &p.query,
        )))
    })
}

pub(super) fn references(s: &mut Server, p: ReferenceParams) -> Option<Vec<Location>> {
    let at = p.text_document_position;
    let with_decl = p.context.include_declaration;
    s.at_cursor(&at.text_document.uri, at.position, |cx| {
        refs::references(cx, with_decl)
    })
}

pub(super) fn prepare_rename(
    s: &mut Server,
    p: TextDocumentPositionParams,
) -> Option<PrepareRenameResponse> {
    s.at_cursor(&p.text_document.uri, p.position, refs::prepare_rename)
}

pub(super) fn rename(s: &mut Server, p: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let at = p.text_document_position;
    let name = p.new_name;
    s.at_cursor(&at.text_document.uri, at.position, |cx| {
        Some(refs::rename(cx, &name))
    })
    .transpose()
}

pub(super) fn semantic_tokens(
    s: &mut Server,
    p: SemanticTokensParams,
) -> Option<SemanticTokensResult> {
    let (path, text, is_std) = s.cursor_doc(&p.text_document.uri)?;
    let comp = s.analysis.as_ref();
    let file = comp.and_then(|c| {
        c.project().files.iter().find(|f| {
            f.path == path && f.is_std == is_std && *c.project().sources.get(f.id).text == *text
        })
    });
    let data = match (comp, file) {
        (Some(comp), Some(f)) => semantic::tokens(
            &Ctx {
                comp,
                file: f.id,
                offset: 0,
                text: &text,
                server: s,
            },
            &text,
        ),
        _ => semantic::lexical(&text, s.encoding),
    };
    Some(SemanticTokensResult::Tokens(SemanticTokens {
        result_id: None,
        data,
    }))
}

pub(super) fn code_actions(s: &mut Server, p: CodeActionParams) -> Option<CodeActionResponse> {
    s.on_doc(&p.text_document.uri, |cx| {
        Some(actions::code_actions(cx, p.range))
    })
}

pub(super) fn inlay_hints(s: &mut Server, p: InlayHintParams) -> Option<Vec<InlayHint>> {
    s.on_doc(&p.text_document.uri, |cx| Some(inlay::hints(cx, p.range)))
}

pub(super) fn folding_ranges(s: &mut Server, p: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let (_, text, _) = s.cursor_doc(&p.text_document.uri)?;
    let ast = s.on_doc(&p.text_document.uri, |cx| Some(folding::from_ast(cx)));
    let mut out = ast.unwrap_or_default();
    folding::comments(&text, &mut out);
    Some(out)
}
