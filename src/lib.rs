//! mcfg: a compiler for a small typed configuration language for ML systems.
//!
//! The modules are listed in pipeline order: text → AST → resolved program →
//! merged layers per (config, environment) → values → checks → artifacts.

pub mod ast;
pub mod cli;
pub mod compile;
pub mod diagnostics;
pub mod emit;
pub mod eval;
pub mod fmt;
pub mod import;
pub mod loader;
pub mod merge;
pub mod report;
pub mod resolve;
pub mod source;
pub mod stdlib;
pub mod suggest;
pub mod syntax;
pub mod types;
