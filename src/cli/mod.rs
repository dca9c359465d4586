//! The command line: the only module that prints, exits, or writes the
//! output folder (STYLE.md "Boundaries as invariants").

pub mod output;
