//! Why a report cannot answer the command's question (exit 2): a name that
//! names nothing, a missing `--env`, a config that does not evaluate, or a
//! history that cannot be read. One type for `explain`, `diff`, `log`,
//! `blame`, `drift` and `check-runtime`.

use super::lookup::LookupError;
use crate::diagnostics::{CommandError, Stop};
use crate::git::GitError;

/// Why a report cannot be made.
#[derive(Debug)]
pub enum QueryError {
    /// A config, environment or path on the command line that names nothing.
    Lookup(LookupError),
    /// The sources declare environments and the command needs one of them.
    NeedsEnv {
        command: &'static str,
        declared: Vec<String>,
    },
    /// The command compares environments and the sources declare none.
    NoEnvs { command: &'static str },
    /// The config has errors (reported) and no value to report on.
    Broken { config: String },
    /// The target holds no values (`blame` of an empty object).
    NoValues { target: String },
    /// The git history cannot be read.
    Git(GitError),
}

impl From<LookupError> for QueryError {
    fn from(e: LookupError) -> QueryError {
        QueryError::Lookup(e)
    }
}

impl From<GitError> for QueryError {
    fn from(e: GitError) -> QueryError {
        QueryError::Git(e)
    }
}

impl Stop for QueryError {
    fn command_error(&self) -> CommandError {
        match self {
            QueryError::Lookup(e) => CommandError::usage(e.to_string()).with_help(match e {
                LookupError::UnknownConfig { .. } => {
                    "name a config the sources declare (`config NAME: Schema { ... }`)"
                }
                LookupError::UnknownEnv { .. } => {
                    "`--env` takes an environment the sources declare"
                }
                LookupError::EmptyKey { .. }
                | LookupError::BelowValue { .. }
                | LookupError::UnknownField { .. } => {
                    "a target is `CONFIG.PATH.TO.FIELD`, with the keys of the artifact"
                }
            }),
            QueryError::NeedsEnv { command, declared } => CommandError::usage(format!(
                "`{command}` needs `--env`: the sources declare environments ({})",
                declared.join(", ")
            ))
            .with_help(format!(
                "add `--env {}`",
                declared.first().map_or("ENV", String::as_str)
            )),
            QueryError::NoEnvs { command } => CommandError::usage(format!(
                "`{command}` needs environments, and the sources declare none"
            )),
            QueryError::Broken { config } => {
                CommandError::usage(format!("config `{config}` does not evaluate"))
                    .with_help("fix the errors `mcfg check` reports first")
            }
            QueryError::NoValues { target } => {
                CommandError::usage(format!("`{target}` has no values to blame"))
            }
            QueryError::Git(e) => e.command_error(),
        }
    }
}

crate::diagnostics::display_as_command_error!(QueryError);
