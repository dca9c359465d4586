//! Typed dispatch: each request and notification is matched by its
//! `lsp-types` type (`R::METHOD`), its parameters decoded into `R::Params`
//! (`InvalidParams` when they do not fit) and its result typed `R::Result`.
//!
//! [`request`] is the method table; a feature is one `.on::<R>(handler)` line
//! there plus its capability in [`capabilities`].

use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{ErrorCode, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Exit, Notification as LspNotification,
};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, DocumentSymbolRequest, ExecuteCommand,
    FoldingRangeRequest, Formatting, GotoDefinition, HoverRequest, Initialize, InlayHintRequest,
    PrepareRenameRequest, References, Rename, Request as LspRequest, SemanticTokensFullRequest,
    Shutdown, SignatureHelpRequest, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, ExecuteCommandOptions, FoldingRangeProviderCapability,
    HoverProviderCapability, OneOf, PositionEncodingKind, RenameOptions, SaveOptions,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensServerCapabilities,
    ServerCapabilities, SignatureHelpOptions, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, WorkDoneProgressOptions,
};
use serde_json::Value as Json;

use super::{handlers, Server};

/// Answers one request (`null` if its handler panics).
pub(super) fn request(server: &mut Server, req: Request) -> Response {
    let id = req.id.clone();
    if server.shut_down {
        return Response::new_err(
            id,
            ErrorCode::InvalidRequest as i32,
            format!(
                "`{}` after `shutdown`: the server only waits for `exit`",
                req.method
            ),
        );
    }
    catch_unwind(AssertUnwindSafe(|| {
        Requests::new(server, req)
            .on::<Initialize>(handlers::initialize)
            .on::<Shutdown>(|s, ()| s.shut_down = true)
            .on::<HoverRequest>(handlers::hover)
            .on::<GotoDefinition>(handlers::definition)
            .on::<Completion>(handlers::completion)
            .on::<SignatureHelpRequest>(handlers::signature_help)
            .on::<Formatting>(handlers::formatting)
            .on::<DocumentSymbolRequest>(handlers::document_symbols)
            .on::<WorkspaceSymbolRequest>(handlers::workspace_symbols)
            .on::<References>(handlers::references)
            .on::<PrepareRenameRequest>(handlers::prepare_rename)
            .try_on::<Rename>(handlers::rename)
            .on::<SemanticTokensFullRequest>(handlers::semantic_tokens)
            .on::<CodeActionRequest>(handlers::code_actions)
            .on::<InlayHintRequest>(handlers::inlay_hints)
            .on::<FoldingRangeRequest>(handlers::folding_ranges)
            .on::<CodeLensRequest>(super::lens::code_lens)
            .on::<ExecuteCommand>(super::lens::execute_command)
            .finish()
    }))
    .unwrap_or_else(|_| Response::new_ok(id, Json::Null))
}

/// Applies one notification; whether the project must be compiled again
/// (`false` if its handler panics).
pub(super) fn notification(server: &mut Server, note: Notification) -> bool {
    catch_unwind(AssertUnwindSafe(|| {
        Notes::new(server, note)
            .on::<Exit>(|s, ()| {
                s.exited = true;
                false
            })
            .on::<DidOpenTextDocument>(handlers::did_open)
            .on::<DidChangeTextDocument>(handlers::did_change)
            .on::<DidSaveTextDocument>(handlers::did_save)
            .on::<DidCloseTextDocument>(handlers::did_close)
            // Files changed on disk (a checkout, another tool): compile again.
            .on::<DidChangeWatchedFiles>(|_, _| true)
            .finish()
    }))
    .unwrap_or(false)
}

/// What `initialize` announces; `utf8`: positions count UTF-8 bytes.
pub(super) fn capabilities(utf8: bool) -> ServerCapabilities {
    let strings = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
    ServerCapabilities {
        position_encoding: Some(if utf8 {
            PositionEncodingKind::UTF8
        } else {
            PositionEncodingKind::UTF16
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: strings(&[".", "@", " "]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: strings(&["(", ","]),
            retrigger_characters: strings(&[","]),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: super::semantic::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
            ]),
            ..CodeActionOptions::default()
        })),
        inlay_hint_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![super::lens::RUN_TEST.to_owned()],
            work_done_progress_options: WorkDoneProgressOptions::default(),
        }),
        ..ServerCapabilities::default()
    }
}

/// A request on its way through the method table.
struct Requests<'s> {
    server: &'s mut Server,
    req: Option<Request>,
    resp: Option<Response>,
}

impl<'s> Requests<'s> {
    fn new(server: &'s mut Server, req: Request) -> Requests<'s> {
        Requests {
            server,
            req: Some(req),
            resp: None,
        }
    }

    /// Handles the request if it is an `R`.
    fn on<R: LspRequest>(self, f: impl FnOnce(&mut Server, R::Params) -> R::Result) -> Self {
        self.try_on::<R>(|s, p| Ok(f(s, p)))
    }

    /// Handles the request if it is an `R`; an `Err` message is an `InvalidParams`
    /// error answer (a rename to something that is not a name, say).
    fn try_on<R: LspRequest>(
        mut self,
        f: impl FnOnce(&mut Server, R::Params) -> Result<R::Result, String>,
    ) -> Self {
        let Some(req) = self.req.take_if(|r| r.method == R::METHOD) else {
            return self;
        };
        self.resp = Some(match serde_json::from_value::<R::Params>(req.params) {
            Ok(params) => match f(self.server, params) {
                Ok(result) => Response::new_ok(req.id, result),
                Err(msg) => invalid(req.id, msg),
            },
            Err(e) => invalid(req.id, format!("bad parameters for `{}`: {e}", R::METHOD)),
        });
        self
    }

    fn finish(self) -> Response {
        match (self.resp, self.req) {
            (Some(resp), _) => resp,
            (None, Some(req)) => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("mcfg lsp does not handle `{}`", req.method),
            ),
            // Not reached: a handler that takes the request always sets the answer.
            (None, None) => Response::new_ok(RequestId::from(0), Json::Null),
        }
    }
}

fn invalid(id: RequestId, msg: String) -> Response {
    Response::new_err(id, ErrorCode::InvalidParams as i32, msg)
}

/// A notification on its way through the table; unknown ones are ignored.
struct Notes<'s> {
    server: &'s mut Server,
    note: Option<Notification>,
    dirty: bool,
}

impl<'s> Notes<'s> {
    fn new(server: &'s mut Server, note: Notification) -> Notes<'s> {
        Notes {
            server,
            note: Some(note),
            dirty: false,
        }
    }

    fn on<N: LspNotification>(mut self, f: impl FnOnce(&mut Server, N::Params) -> bool) -> Self {
        let Some(note) = self.note.take_if(|n| n.method == N::METHOD) else {
            return self;
        };
        if let Ok(params) = serde_json::from_value::<N::Params>(note.params) {
            self.dirty = f(self.server, params);
        }
        self
    }

    fn finish(self) -> bool {
        self.dirty
    }
}
