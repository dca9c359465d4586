//! mcfg: a compiler for a small typed configuration language for ML systems.
//!
//! The modules are listed in pipeline order: text → AST → resolved program →
//! merged layers per (config, environment) → values → checks → artifacts,
//! then the tools built on that pipeline.

// Foundations.
pub mod source;
pub mod diagnostics;
pub mod suggest;
pub mod map;

// Text to AST.
pub mod ast;
pub mod syntax;

// Files and the standard library.
pub mod stdlib;
pub mod files;
pub mod document;
pub mod loader;
pub mod project;
pub mod git;

// Meaning: names, types, layering, evaluation and checks.
pub mod types;
pub mod resolve;
pub mod merge;
pub mod overrides;
pub mod eval;
pub mod compile;
pub mod sweep;

// Output and tools.
pub mod emit;
pub mod report;
pub mod fmt;
pub mod import;
pub mod lsp;
pub mod cli;
pub mod api;
