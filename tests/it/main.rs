//! The one integration-test binary: case files, CLI behaviour, examples.

mod cases;
mod cli;
mod examples;
mod limits;
mod props;
