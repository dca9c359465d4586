//! The transport: messages in, messages out, over `lsp-server`'s [`Connection`]
//! (stdio in `mcfg lsp`, `Connection::memory()` in tests).
//!
//! Framing (the `Content-Length` headers and JSON) belongs here; what a message
//! means is [`super::dispatch`]'s business. Messages already waiting when one
//! arrives are handled as a batch: a run of document changes is compiled once,
//! before the next request and at the end.

use lsp_server::{Connection, Message};

use super::{dispatch, Server};

/// How many waiting messages [`serve`] handles as one batch, at most.
pub(super) const MAX_BATCH: usize = 256;

impl Server {
    /// Handles messages that arrived together, in order, but compiles the project once
    /// for a run of document changes: before the next request, and at the end.
    pub fn handle_batch(&mut self, msgs: impl IntoIterator<Item = Message>) -> Vec<Message> {
        let mut out = Vec::new();
        let mut dirty = false;
        for msg in msgs {
            if self.exited {
                break;
            }
            match msg {
                Message::Notification(note) => {
                    dirty |= dispatch::notification(self, note);
                }
                other => {
                    if std::mem::take(&mut dirty) {
                        out.extend(self.publish());
                    }
                    out.extend(self.handle(other));
                }
            }
        }
        if dirty {
            out.extend(self.publish());
        }
        out
    }
}

/// Serves `conn` until the client sends `exit` or hangs up.
pub fn serve(conn: &Connection) -> std::io::Result<()> {
    let mut server = Server::new();
    while let Ok(first) = conn.receiver.recv() {
        // Whatever else is already waiting (a burst of keystrokes) is handled together.
        let waiting = conn.receiver.try_iter().take(MAX_BATCH);
        for out in server.handle_batch(std::iter::once(first).chain(waiting)) {
            conn.sender
                .send(out)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::BrokenPipe, e.to_string()))?;
        }
        if server.exited() {
            break;
        }
    }
    Ok(())
}

/// `mcfg lsp`: serves on stdin/stdout with [`super::framing`] (a malformed
/// frame is answered with -32700, never the end of the server).
pub fn run_stdio() -> std::io::Result<()> {
    super::framing::run_stdio()
}
