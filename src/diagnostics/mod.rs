//! One diagnostic type for every phase, rendered only at the edge.
//!
//! Phases build [`Diagnostic`] values through small constructors and push them
//! into a [`Diagnostics`] accumulator (passed first, rust-analyzer style). The
//! renderers in [`human`] (miette), [`json`] (docs/cli.md "Diagnostics as JSON")
//! and [`sarif`] (SARIF 2.1.0), and [`location`] for the positions in reports,
//! are the only code that turns spans into lines and columns. They also render
//! the one [`CommandError`] of a command that could not run.

mod command;
pub mod human;
pub mod json;
pub mod location;
pub mod sarif;

pub(crate) use command::display_as_command_error;
pub use command::{CommandError, Stop, StopCode};

use crate::source::Span;

/// The stable codes of LANGUAGE.md §8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The file does not parse: `config { = }`.
    Syntax,
    /// A field the schema does not declare: `batchsize = 4`.
    UnknownField,
    /// An `env` block assigns a map entry the map does not have (add it with
    /// `+=`), or `unset` names a key that is not there (LANGUAGE.md §9.3).
    UnknownKey,
    /// A value of the wrong type: `batch_size = "big"`.
    TypeMismatch,
    /// A refinement predicate fails: `batch_size = 1024` for `int(<= 512)`.
    Constraint,
    /// A schema `check` is false.
    CheckFailed,
    /// A required field is not set in an emitted config.
    MissingField,
    /// An `@invariant` field differs between environments.
    Invariant,
    /// A `@distinct` field is equal in two environments.
    Distinct,
    /// An `env` block names an undeclared environment.
    UnknownEnv,
    /// A name or path that does not exist.
    UnresolvedName,
    /// A declaration, field or assignment made twice.
    Duplicate,
    /// A cycle of imports, inheritance or references.
    Cycle,
    /// An import that cannot be read or leaves the root.
    Import,
    /// A secret field given anything but `secret("...")`.
    SecretLiteral,
    /// A build-time value computed from a runtime one, or a runtime update touching a build-time path.
    Tier,
    /// Overflow, division by zero, NaN or infinity.
    Arithmetic,
    /// (warning) A deprecated field is set.
    Deprecated,
    /// A resource limit of the compiler was reached (nesting depth, size, evaluation steps).
    Limit,
    /// A `--set`/`--sweep` override that does not parse or names no field: `--set =3`.
    Override,
    /// The project file `mcfg.toml` does not parse or has a bad `exclude` glob.
    Project,
    /// A policy test's `assert` is false (`mcfg test`).
    TestFailed,
    /// A `std/ml` flag or experiment flagd would reject or serve differently
    /// from the sources (warning: past its `expires` date).
    Flag,
}

impl Code {
    /// The code as written in reports: `mcfg::unknown-field`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "mcfg::syntax",
            Code::UnknownField => "mcfg::unknown-field",
            Code::UnknownKey => "mcfg::unknown-key",
            Code::TypeMismatch => "mcfg::type-mismatch",
            Code::Constraint => "mcfg::constraint",
            Code::CheckFailed => "mcfg::check-failed",
            Code::MissingField => "mcfg::missing-field",
            Code::Invariant => "mcfg::invariant",
            Code::Distinct => "mcfg::distinct",
            Code::UnknownEnv => "mcfg::unknown-env",
            Code::UnresolvedName => "mcfg::unresolved-name",
            Code::Duplicate => "mcfg::duplicate",
            Code::Cycle => "mcfg::cycle",
            Code::Import => "mcfg::import",
            Code::SecretLiteral => "mcfg::secret-literal",
            Code::Tier => "mcfg::tier",
            Code::Arithmetic => "mcfg::arithmetic",
            Code::Deprecated => "mcfg::deprecated",
            Code::Limit => "mcfg::limit",
            Code::Override => "mcfg::override",
            Code::Project => "mcfg::project",
            Code::TestFailed => "mcfg::test-failed",
            Code::Flag => "mcfg::flag",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error or warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a source file with an optional message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
}

impl Label {
    /// A label with a message.
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: Some(message.into()),
        }
    }

    /// A label without a message.
    pub fn bare(span: Span) -> Label {
        Label {
            span,
            message: None,
        }
    }
}

/// One problem found in the sources.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub env: Option<String>,
    /// Every environment the same mistake shows in, when more than one but
    /// not all (then `env` is the first): one diagnostic, not one copy per
    /// environment.
    pub envs: Vec<String>,
    pub config: Option<String>,
}

impl Diagnostic {
    /// The environments this diagnostic holds in, in order: `envs`, or `env`.
    pub fn env_names(&self) -> Vec<&str> {
        if self.envs.is_empty() {
            self.env.as_deref().into_iter().collect()
        } else {
            self.envs.iter().map(String::as_str).collect()
        }
    }

    /// `env `prod`` or `envs `staging`, `prod``, for messages.
    pub fn env_phrase(&self) -> Option<String> {
        let names = self.env_names();
        let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        match quoted.len() {
            0 => None,
            1 => Some(format!("env {}", quoted[0])),
            _ => Some(format!("envs {}", quoted.join(", "))),
        }
    }

    /// An error with `code` and `message` at `span`.
    #[cold]
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label::bare(span),
            labels: Vec::new(),
            help: None,
            env: None,
            envs: Vec::new(),
            config: None,
        }
    }

    /// A warning with `code` and `message` at `span`.
    #[cold]
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Sets the primary label's message.
    pub fn with_primary_message(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = Some(message.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label::new(span, message));
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the environment the diagnostic belongs to.
    pub fn with_env(mut self, env: Option<&str>) -> Diagnostic {
        self.env = env.map(str::to_owned);
        self
    }

    /// Sets the config the diagnostic belongs to.
    pub fn with_config(mut self, config: impl Into<String>) -> Diagnostic {
        self.config = Some(config.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The accumulator every phase pushes into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty accumulator.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Adds one diagnostic.
    pub fn push(&mut self, diag: Diagnostic) {
        self.items.push(diag);
    }

    /// Adds many diagnostics.
    pub fn extend(&mut self, diags: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diags);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics, deduplicated and sorted by (file, offset, code, env, config, message)
    /// so that output does not depend on evaluation order or thread count.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        let mut items = self.items;
        items.sort_by(|a, b| {
            (
                a.primary.span.file,
                a.primary.span.start,
                a.code,
                &a.env,
                &a.config,
                &a.message,
            )
                .cmp(&(
                    b.primary.span.file,
                    b.primary.span.start,
                    b.code,
                    &b.env,
                    &b.config,
                    &b.message,
                ))
        });
        items.dedup();
        items
    }

    /// Borrow the diagnostics in insertion order.
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }
}
