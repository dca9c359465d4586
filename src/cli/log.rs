//! TODO(ops).
use clap::Args;
use super::Output;
/// Arguments.
#[derive(Debug, Args)]
pub struct LogArgs {}
/// Runs.
pub fn run(_out: &Output, _args: &LogArgs) -> u8 { 2 }
