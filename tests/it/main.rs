//! The one integration-test binary: case files, CLI behaviour, examples.

mod atomic;
mod cases;
mod cli;
mod corpus;
mod examples;
mod ops;
mod lsp;
mod fmt;
mod schema;
