//! TODO(ops).
use clap::Args;
use super::Output;
/// Arguments.
#[derive(Debug, Args)]
pub struct DriftArgs {}
/// Runs.
pub fn run(_out: &Output, _args: &DriftArgs) -> u8 { 2 }
