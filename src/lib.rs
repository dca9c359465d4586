//! mcfg: a compiler for a small typed configuration language for ML systems.
//!
//! The modules are listed in pipeline order: text → AST → resolved program →
//! merged layers per (config, environment) → values → checks → artifacts.

pub mod ast;
pub mod diagnostics;
pub mod source;
pub mod syntax;
