//! Types, refinements and schemas after name resolution (LANGUAGE.md §3, §4).
//!
//! Types live in arenas inside [`crate::resolve::Program`] and are referred to
//! by [`TyId`] and [`ObjId`]. Aliases are inlined: a use of `Probability`
//! becomes a copy of its type with the use site's refinements appended.

pub mod flag;

use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{CmpOp, Expr, Name};
use crate::source::Span;

/// Index of a type in the program's type arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TyId(pub u32);

/// Index of an object type (schema or inline object) in the program's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjId(pub u32);

/// A literal of a union type or a refinement operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    /// Nanoseconds.
    Duration(i64),
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Float(x) => write!(f, "{x:?}"),
            Lit::Str(s) => write!(f, "{s:?}"),
            Lit::Duration(ns) => f.write_str(&format_duration(*ns)),
        }
    }
}

/// Nanoseconds in a second: durations are stored in nanoseconds.
pub const NANOS_PER_SEC: i64 = 1_000_000_000;

/// Renders nanoseconds in the largest unit that keeps it whole: `200ms`, `30m`, `1.5s`.
pub fn format_duration(ns: i64) -> String {
    const UNITS: [(&str, i64); 5] = [
        ("d", 86_400 * NANOS_PER_SEC),
        ("h", 3_600 * NANOS_PER_SEC),
        ("m", 60 * NANOS_PER_SEC),
        ("s", NANOS_PER_SEC),
        ("ms", 1_000_000),
    ];
    for (unit, size) in UNITS {
        if ns != 0 && ns % size == 0 {
            return format!("{}{unit}", ns / size);
        }
    }
    if ns == 0 {
        return "0s".into();
    }
    format!("{}s", ns as f64 / NANOS_PER_SEC as f64)
}

/// The shape of a type.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Any,
    Bool,
    Int,
    Float,
    Str,
    Duration,
    Secret,
    List(TyId),
    Map(TyId),
    /// One of these literals.
    Union(Vec<Lit>),
    /// Any of these types (LANGUAGE.md §9.4): a value takes the first
    /// member it fits.
    AnyOf(Vec<TyId>),
    Object(ObjId),
    /// A type that failed to resolve (already reported); accepts anything.
    Error,
}

/// A type with its refinements, optionality and the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct TyRef {
    pub ty: Ty,
    pub preds: Vec<Pred>,
    pub optional: bool,
    pub span: Span,
}

impl TyRef {
    /// A plain type without refinements.
    pub fn plain(ty: Ty, span: Span) -> TyRef {
        TyRef {
            ty,
            preds: Vec::new(),
            optional: false,
            span,
        }
    }
}

/// A refinement predicate.
#[derive(Debug, Clone)]
pub struct Pred {
    pub kind: PredKind,
    pub span: Span,
}

impl PartialEq for Pred {
    fn eq(&self, other: &Pred) -> bool {
        self.span == other.span
    }
}

/// What a refinement tests.
#[derive(Debug, Clone)]
pub enum PredKind {
    Compare(CmpOp, Lit),
    Len(CmpOp, i64),
    /// The pattern as written and the compiled whole-string regex.
    Matches(Arc<str>, Arc<regex::Regex>),
    Unique,
}

impl std::fmt::Display for PredKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PredKind::Compare(op, lit) => write!(f, "{} {lit}", op.as_str()),
            PredKind::Len(op, n) => write!(f, "len {} {n}", op.as_str()),
            PredKind::Matches(p, _) => write!(f, "matches {p:?}"),
            PredKind::Unique => f.write_str("unique"),
        }
    }
}

/// The markers of a field (LANGUAGE.md §4 "Markers").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Markers {
    pub invariant: Option<Span>,
    pub distinct: Option<Span>,
    pub runtime: Option<Span>,
    pub deprecated: Option<(Span, String)>,
}

/// A field of an object type.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub name: Name,
    pub ty: TyId,
    pub default: Option<&'a Expr>,
    pub markers: Markers,
    pub doc: Option<String>,
    /// The whole declaration.
    pub span: Span,
    /// The field name in its declaration.
    pub name_span: Span,
}

/// A `check` rule.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    pub cond: &'a Expr,
    pub message: Option<&'a str>,
    pub span: Span,
}

/// A schema or inline object type.
#[derive(Debug, Clone)]
pub struct ObjTy<'a> {
    /// The schema name; `None` for inline objects.
    pub name: Option<Name>,
    pub parent: Option<ObjId>,
    pub fields: IndexMap<Name, Field<'a>>,
    pub checks: Vec<Check<'a>>,
    pub doc: Option<String>,
    /// The schema name or the inline object's braces.
    pub span: Span,
    /// Whether the fields have been lowered (false while lowering, for cycle detection).
    pub complete: bool,
}
