//! The one integration-test binary: case files, CLI behaviour, examples.
#![allow(clippy::unwrap_used)] // reason: test helpers may panic on broken fixtures

mod atomic;
mod bundle;
mod incremental;
mod audit;
mod cases;
mod cli;
mod project;
mod corpus;
mod examples;
mod ops;
mod lsp;
mod lsp_features;
mod lsp_incremental;
mod lsp_stdio;
mod fmt;
mod schema;
mod limits;
mod hostile;
mod props;
mod workflow;
mod errors;
mod overrides;
mod policy;
mod sweep;
mod flagd;
mod runtime_log;
mod chains;
mod references;
