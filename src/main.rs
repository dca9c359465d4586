//! The `mcfg` binary: a thin layer over [`mcfg::cli`].

/// Evaluation allocates many small, short-lived values; mimalloc handles
/// that pattern much better than the system allocator (see docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    mcfg::cli::main()
}
