//! TODO(ops).
use clap::Args;
use super::Output;
/// Arguments.
#[derive(Debug, Args)]
pub struct CheckRuntimeArgs {}
/// Runs.
pub fn run(_out: &Output, _args: &CheckRuntimeArgs) -> u8 { 2 }
