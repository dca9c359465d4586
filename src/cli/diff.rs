//! TODO(ops).
use clap::Args;
use super::Output;
/// Arguments.
#[derive(Debug, Args)]
pub struct DiffArgs {}
/// Runs.
pub fn run(_out: &Output, _args: &DiffArgs) -> u8 { 2 }
