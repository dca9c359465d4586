//! mcfg: a compiler for a small typed configuration language for ML systems.
//!
//! The modules are listed in pipeline order: text → AST → resolved program →
//! merged layers per (config, environment) → values → checks → artifacts.

pub mod ast;
pub mod diagnostics;
pub mod source;
pub mod syntax;
pub mod stdlib;
pub mod loader;
pub mod suggest;
pub mod types;
pub mod resolve;
pub mod merge;
pub mod eval;
pub mod compile;
pub mod emit;
pub mod report;
pub mod import;
pub mod cli;
