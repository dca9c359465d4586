//! `mcfg lsp`: runs the language server ([`crate::lsp`]) on stdin/stdout.

use super::Output;

/// Serves until the client sends `exit`; 0 on a clean end, 2 if the transport failed.
pub(super) fn run(out: &Output) -> u8 {
    match crate::lsp::run_stdio() {
        Ok(()) => 0,
        Err(e) => out.error(&format!(
            "language server: the connection to the editor failed: {e}"
        )),
    }
}
