//! Deployed artifacts (`drift --deployed`) and runtime updates
//! (`check-runtime`) as [`crate::document`] trees: JSON or YAML, the YAML 1.2
//! core schema for plain scalars, and keys read as dotted paths, so the same
//! path written twice in any spelling (`{"a": {"b": 1}, "a.b": 2}`) is a
//! `mcfg::duplicate` error at the second, naming the first.

use crate::source::FileId;

pub use crate::document::{DocError, Key as DocKey, Node as DocNode, Value as DocValue};
use crate::document::{Options, Schema};

/// Reads `text` (the contents of file `file`, in the caller's source map) as
/// one deployed artifact or runtime update.
pub fn read(text: &str, file: FileId) -> Result<DocNode, DocError> {
    let opts = Options {
        schema: Schema::Core,
        dotted_paths: true,
    };
    crate::document::read(text, file, opts)
}
