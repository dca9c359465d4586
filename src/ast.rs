//! The untyped syntax tree of one `.mcfg` file.
//!
//! Every node carries a `span`. `///` doc comments are kept on the declarations
//! and fields they document. Nothing here knows about imports, types or
//! environments: names are plain strings until `resolve` gives them meaning.

use std::sync::Arc;

use crate::source::Span;

/// An interned-ish name: cheap to clone and to use as a map key.
pub type Name = Arc<str>;

/// A name with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: Name,
    pub span: Span,
}

/// A possibly qualified name: `Serving` or `serving.Serving` (alias, then name).
#[derive(Debug, Clone, PartialEq)]
pub struct QualName {
    pub parts: Vec<Ident>,
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub decls: Vec<Decl>,
    pub span: Span,
}

/// A top-level declaration.
#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    Import(Import),
    Environments(Environments),
    Type(TypeDecl),
    Schema(SchemaDecl),
    Config(ConfigDecl),
    Test(TestDecl),
}

impl Decl {
    /// The span of the whole declaration.
    pub fn span(&self) -> Span {
        match self {
            Decl::Import(d) => d.span,
            Decl::Environments(d) => d.span,
            Decl::Type(d) => d.span,
            Decl::Schema(d) => d.span,
            Decl::Config(d) => d.span,
            Decl::Test(d) => d.span,
        }
    }
}

/// `import "./common/serving.mcfg" as serving`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The path as written, escapes decoded.
    pub path: String,
    pub path_span: Span,
    pub alias: Ident,
    pub span: Span,
}

/// `environments { dev; prod; prod_eu extends prod }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Environments {
    pub envs: Vec<EnvDecl>,
    pub span: Span,
}

/// One environment, optionally extending another.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvDecl {
    pub name: Ident,
    pub parent: Option<Ident>,
    pub span: Span,
}

/// `type Probability = float(>= 0, <= 1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `schema Name [extends Parent] { items }`.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub parent: Option<QualName>,
    pub items: Vec<SchemaItem>,
    pub span: Span,
}

/// An item of a schema or inline object type.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaItem {
    Field(FieldDecl),
    Check(CheckDecl),
}

/// `name: Type [= default] [markers]`, or `name = default` (a new default for
/// an inherited field, only in `schema B extends A`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub doc: Option<String>,
    pub name: Key,
    /// `None` for `name = value` (new default of an inherited field).
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
    pub markers: Vec<Marker>,
    pub span: Span,
}

/// `check <expr> [: "message"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckDecl {
    pub cond: Expr,
    pub message: Option<String>,
    pub message_span: Option<Span>,
    pub span: Span,
}

/// `test "name" [in env, ...] { assert expr [: "message"] ... }` (LANGUAGE.md §9.9).
#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    pub doc: Option<String>,
    /// The name as written (a plain string or an identifier).
    pub name: String,
    pub name_span: Span,
    /// The environments it runs in; empty: every environment.
    pub envs: Vec<Ident>,
    /// Each `assert`, with the shape of a schema `check`.
    pub asserts: Vec<CheckDecl>,
    pub span: Span,
}

/// `@invariant`, `@deprecated("msg")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// A type with its refinements: `int(>= 1, <= 512)?`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub refinements: Vec<Predicate>,
    /// Written with a trailing `?`.
    pub optional: bool,
    pub span: Span,
}

/// The shape of a type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// `bool`, `int`, `float`, `string`, `duration`, `secret`, `any`, an alias
    /// or a schema, possibly qualified by an import alias.
    Named(QualName),
    /// `list[T]`.
    List(Box<TypeExpr>),
    /// `map[T]`.
    Map(Box<TypeExpr>),
    /// `"cpu" | "gpu"`, `1 | 2`, `true | false`: literal expressions
    /// (`ExprKind::Str`, `Int`, `Bool`, possibly a negative `Int`).
    Union(Vec<Expr>),
    /// `int | string | list[int]`: any other union (LANGUAGE.md §9.4); a
    /// literal member is a one-literal `Union`. A value takes the first
    /// member it fits.
    AnyOf(Vec<TypeExpr>),
    /// `{ field: T ... }`.
    Object(Vec<SchemaItem>),
}

/// One refinement predicate.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    pub kind: PredicateKind,
    pub span: Span,
}

/// Comparison operators of refinements and expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// What a refinement predicate tests.
#[derive(Debug, Clone, PartialEq)]
pub enum PredicateKind {
    /// `>= 1`, `< 30s`: the operand is a literal expression (possibly negative).
    Compare(CmpOp, Expr),
    /// `len >= 1`.
    Len(CmpOp, Expr),
    /// `matches "regex"` (the string with escapes decoded).
    Matches(String),
    /// `unique`.
    Unique,
}

/// `config NAME[: Schema] [extends PARENT] { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDecl {
    pub doc: Option<String>,
    pub is_abstract: bool,
    pub name: Ident,
    pub schema: Option<QualName>,
    pub parent: Option<QualName>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// A statement of a config body or object literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Assign(Assign),
    Block(Block),
    Env(EnvBlock),
    Declare(Declare),
}

impl Stmt {
    /// The span of the whole statement.
    pub fn span(&self) -> Span {
        match self {
            Stmt::Assign(s) => s.span,
            Stmt::Block(s) => s.span,
            Stmt::Env(s) => s.span,
            Stmt::Declare(s) => s.span,
        }
    }
}

/// `path = expr`, `path += expr`, `path := expr` or `unset path`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assign {
    pub path: Path,
    pub op: AssignOp,
    pub value: Expr,
    pub span: Span,
}

/// `=`, `+=`, `:=` or `unset` (LANGUAGE.md §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Append,
    /// `:=`: assigns without merging into what earlier steps put there.
    Replace,
    /// `unset PATH`: the assignment's `value` is a `null` spanning the whole
    /// statement, so that every tool showing a step shows `unset PATH`.
    Unset,
}

/// `path: TYPE` in a structural config's body: a leaf declared without a
/// value, which an `env` block, a child config or `--set` must set (a
/// deferred-required field, OmegaConf's `???`; see docs/language.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Declare {
    pub path: Path,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `path { body }`: the same as prefixing every statement with `path.`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub path: Path,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// `env dev, staging { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvBlock {
    pub envs: Vec<Ident>,
    pub body: Vec<Stmt>,
    pub span: Span,
}

/// A dotted path of keys: `serving.batch_size`, `"app.kubernetes.io/name"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub keys: Vec<Key>,
    pub span: Span,
}

/// One key of a path: an identifier or a quoted string.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: Name,
    pub quoted: bool,
    pub span: Span,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// A piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    Lit(String),
    Expr(Expr),
}

/// The kinds of expressions.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string without interpolation (escapes decoded; `"""` blocks dedented).
    Str(Name),
    /// A string with at least one `${expr}`.
    Interp(Vec<StrPart>),
    /// A duration literal in nanoseconds: `200ms` is `200_000_000`.
    Duration(i64),
    List(Vec<Expr>),
    /// `{ a = 1, b.c = 2 }`: statements (no `env` blocks).
    Object(Vec<Stmt>),
    /// A bare name, looked up outward (LANGUAGE.md §5).
    Name(Name),
    /// `self`.
    SelfRef,
    /// `env` used as a value: the current environment's name.
    EnvRef,
    /// `expr.key`.
    Field(Box<Expr>, Key),
    /// `expr[index]`.
    Index(Box<Expr>, Box<Expr>),
    /// `name(args)`: built-in functions only.
    Call(Ident, Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `x is T` (LANGUAGE.md §9.4).
    Is(Box<Expr>, Box<TypeExpr>),
    /// `all(x in L: cond)` (`true`) or `any(x in L: cond)` (`false`).
    Quant(bool, Box<Comprehension>, Box<Expr>),
    /// `[e for x in L if cond]`.
    ListComp(Box<Expr>, Box<Comprehension>),
    /// `{ k = e for k, v in M if cond }`: the key as written (a bare name is
    /// evaluated, a quoted key is a constant), the value, the loop.
    MapComp(Key, Box<Expr>, Box<Comprehension>),
}

/// The loop of a comprehension or quantifier: `for x in L if cond`
/// (LANGUAGE.md §9.6). One variable iterates a list's items or a map's keys;
/// two iterate a map's keys and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub vars: Vec<Ident>,
    pub iter: Expr,
    pub cond: Option<Expr>,
    pub span: Span,
}

impl Expr {
    /// Whether the expression is a literal (numbers, strings, durations,
    /// `null`, bools, negations and lists of them): the same value wherever
    /// it is evaluated.
    pub fn is_literal(&self) -> bool {
        match &self.kind {
            ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Duration(_) => true,
            ExprKind::List(items) => items.iter().all(Expr::is_literal),
            ExprKind::Unary(UnaryOp::Neg, inner) => inner.is_literal(),
            _ => false,
        }
    }
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

/// Infix operators, loosest first: `or`, `and`, comparisons and `in`, `+ -`, `* / %`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Cmp(CmpOp),
    In,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Cmp(op) => op.as_str(),
            BinaryOp::In => "in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}
