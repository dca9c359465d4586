//! Errors that stop a command (exit 2): nothing at a place in the sources is
//! wrong, the command could not run — a path that names nothing, a file that
//! cannot be read, a git repository that is not there, an unknown config.
//!
//! Each module names its kinds of failure in its own enum (`loader::InputError`,
//! `git::GitError`, `report::QueryError`, ...) and says, in one place
//! ([`Stop::command_error`]), which stable code, file and help line each kind
//! has. The enum's `Display` is that error's human line, so callers that only
//! need text (the Python API) get the same words. `cli::Output` renders the
//! [`CommandError`] in the chosen `--message-format` (docs/cli.md "Diagnostics
//! and errors").

use std::fmt;
use std::path::Path;

/// The stable codes of errors that stop a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StopCode {
    /// The command line is wrong: a bad option value, an unknown config,
    /// environment, path or git revision.
    Usage,
    /// A file, folder or program (git) could not be read, written or run, or
    /// a file mcfg wrote (a manifest) is not what it wrote.
    Io,
}

impl StopCode {
    /// `mcfg::usage` or `mcfg::io`.
    pub const fn as_str(self) -> &'static str {
        match self {
            StopCode::Usage => "mcfg::usage",
            StopCode::Io => "mcfg::io",
        }
    }
}

/// One error that stopped a command, as every renderer shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandError {
    pub code: StopCode,
    /// What went wrong, without the file (that is [`CommandError::file`]).
    pub message: String,
    /// The file or folder involved, as the user named it.
    pub file: Option<String>,
    /// The line and column (from 1; the column counts characters) in `file`
    /// where a document mcfg reads stops being valid, when the reader says.
    pub at: Option<(usize, usize)>,
    /// What to do about it.
    pub help: Option<String>,
}

impl CommandError {
    /// A wrong command line.
    pub fn usage(message: impl Into<String>) -> CommandError {
        CommandError {
            code: StopCode::Usage,
            message: message.into(),
            file: None,
            at: None,
            help: None,
        }
    }

    /// A failed read, write or run.
    pub fn io(message: impl Into<String>) -> CommandError {
        CommandError {
            code: StopCode::Io,
            ..CommandError::usage(message)
        }
    }

    /// Sets the file or folder involved.
    pub fn in_file(mut self, path: &Path) -> CommandError {
        self.file = Some(path.display().to_string());
        self
    }

    /// Sets the line and column in the file.
    pub fn at(mut self, line: usize, column: usize) -> CommandError {
        self.at = Some((line, column));
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> CommandError {
        self.help = Some(help.into());
        self
    }
}

/// `FILE:LINE:COL: message` (the parts that exist); the help line is separate.
impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
            if let Some((line, column)) = self.at {
                write!(f, "{line}:{column}:")?;
            }
            f.write_str(" ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for CommandError {}

/// A module's error type that can stop a command.
pub trait Stop: fmt::Display {
    /// The error with its code, file and help line.
    fn command_error(&self) -> CommandError;
}

impl Stop for CommandError {
    fn command_error(&self) -> CommandError {
        self.clone()
    }
}

/// A message alone: an `mcfg::io` error without file or help (for callers
/// whose errors are still text).
impl Stop for str {
    fn command_error(&self) -> CommandError {
        CommandError::io(self)
    }
}

impl Stop for String {
    fn command_error(&self) -> CommandError {
        CommandError::io(self.as_str())
    }
}

/// `Display` (the human line, [`CommandError`]'s) and `std::error::Error`
/// for error types that implement [`Stop`].
macro_rules! display_as_command_error {
    ($($ty:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&$crate::diagnostics::Stop::command_error(self), f)
            }
        }
        impl std::error::Error for $ty {}
    )+};
}
pub(crate) use display_as_command_error;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_human_line_puts_the_file_and_place_first() {
        let e = CommandError::io("not a valid mcfg manifest: expected `,`")
            .in_file(Path::new("out/manifest.json"))
            .at(3, 7)
            .with_help("rebuild the folder");
        assert_eq!(
            e.to_string(),
            "out/manifest.json:3:7: not a valid mcfg manifest: expected `,`"
        );
        assert_eq!(CommandError::usage("bad").to_string(), "bad");
        assert_eq!(e.code.as_str(), "mcfg::io");
    }
}
