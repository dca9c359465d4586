//! The `mcfg` binary: a thin layer over [`mcfg::cli`].

fn main() -> std::process::ExitCode {
    mcfg::cli::main()
}
