//! Machine-readable reports (CLI.md "Machine-readable reports"): each report
//! is a serde struct built by a pure-ish function and rendered by `cli`.
//!
//! **Invariant:** nothing here prints or exits; `cli` decides what to show.

pub mod blame;
pub mod check_runtime;
pub mod diff;
pub mod document;
pub mod drift;
pub mod explain;
pub mod history;
pub mod lookup;
pub mod markdown;
pub mod policy;
pub mod query;
pub mod revisions;
pub mod junit;
pub mod runtime_log;
pub mod verify;
