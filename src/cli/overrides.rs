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
    /// `CONFIG.PATH+=EXPR` to append, `CONFIG.PATH:=EXPR` to replace,
    /// `+CONFIG.PATH=EXPR` to add a new key, or `~CONFIG.PATH` to remove the value.
    /// The config may be left out when the build emits exactly one.
    #[arg(
        long = "set",
        value_name = "[ENV:]CONFIG.PATH=EXPR",
        allow_hyphen_values = true
    )]
    pub sets: Vec<OsString>,
}

/// A `--sweep` over some paths (`check` and `build`).
#[derive(Debug, Args, Default, Clone)]
pub struct SweepArgs {
    /// Build every combination of values (repeatable; the cartesian product,
    /// the first sweep varying slowest): `[ENV:]CONFIG.PATH=E1,E2,...` or
    /// `CONFIG.PATH=range(START, STOP[, STEP])`. `build` writes point N under
    /// `OUT/sweep/N/`.
    #[arg(
        long = "sweep",
        value_name = "[ENV:]CONFIG.PATH=E1,E2,...",
        allow_hyphen_values = true
    )]
    pub sweeps: Vec<OsString>,
}

impl Output {
    /// Compiles every point of the sweep `sweeps` (with the overrides `sets`).
    pub(super) fn compile_sweep<T: Send>(
        &self,
        sources: &Sources,
        sink: &Sink<'_, T>,
        sets: &[OsString],
        sweeps: &[OsString],
    ) -> Option<crate::sweep::SweepCompilation<T>> {
        let res = crate::sweep::compile_paths(
            &crate::loader::RealFs,
            &sources.paths,
            sources.root.as_deref(),
            sink,
            sets,
            sweeps,
        );
        self.finish_timed(res, |c| &c.timings)
    }

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
