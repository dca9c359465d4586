//! `--set` (and `--sweep`) on `check`, `build`, `explain` and `diff`
//! (LANGUAGE.md §9.7); the logic is in `crate::overrides`.

use std::ffi::OsString;

use clap::Args;

use super::{Output, Sources};
use crate::compile::{Compilation, Sink};

/// Command-line overrides of a command.
#[derive(Debug, Args, Default, Clone)]
pub struct OverrideArgs {
    /// Override a value after every source step (repeatable):
    /// `[ENV:]CONFIG.PATH=EXPR` (EXPR is an mcfg expression: 3, '"gpu"', [1, 2]),
    /// `CONFIG.PATH+=EXPR` to append, or `~CONFIG.PATH` to remove the value.
    /// The config may be left out when the build emits exactly one.
    #[arg(
        long = "set",
        value_name = "[ENV:]CONFIG.PATH=EXPR",
        allow_hyphen_values = true
    )]
    pub sets: Vec<OsString>,
}

impl Output {
    /// [`Output::compile_into`] with the overrides `sets`.
    pub(super) fn compile_with<T: Send>(
        &self,
        sources: &Sources,
        sink: &Sink<'_, T>,
        sets: &[OsString],
    ) -> Option<Compilation<T>> {
        let res = crate::compile::compile_paths_with(
            &crate::loader::RealFs,
            &sources.paths,
            sources.root.as_deref(),
            sink,
            sets,
        );
        self.finish_compile(res)
    }
}
