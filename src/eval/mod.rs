//! Late-bound evaluation of layered configs (LANGUAGE.md §5 "Expressions").
//!
//! A leaf's value is its last `Set` (or `Default`) plus the `Append`s after
//! it, evaluated only once every layer for the environment is applied, so an
//! expression sees the environment's overrides. Evaluation is demand-driven
//! and memoized per (config, environment); a leaf met again while it is being
//! evaluated is a reference cycle. Lookup rules: `self` is the config root,
//! `env` the environment's name (`null` without environments), a bare name is
//! looked up in the enclosing object, then outward to the root, then among the
//! declarations and import aliases of the file the expression is written in
//! (other configs are read in the same environment).
//!
//! Every leaf is type-checked and coerced against its declared type as soon
//! as it is evaluated (`coerce`), so diagnostics point at the step that set it.

pub mod assert;
pub mod board;
mod builtins;
mod checks;

pub use builtins::NAMES as BUILTIN_FUNCTIONS;
pub mod cache;
mod coerce;
mod comprehension;
mod expr;
mod finish;
mod flags;
mod cycle;
mod tier;
pub mod inspect;
pub mod value;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use crate::diagnostics::{Code, Diagnostic};
use crate::merge::{Layers, NodeId, Op, Slot};
use crate::resolve::{ConfigId, EnvId, Program};
use crate::source::Span;
use cycle::drop_and_report_cycle;

pub use board::Board;
pub use cache::LayerCache;
pub use cache::ThreadCopies;
pub use finish::{
    evaluate, evaluate_envs, is_required, Assemble, MarkKind, Marked, Outcome, Render, View,
};
pub use value::{Fields, Value};

/// Deepest chain of references followed while evaluating one value.
pub const MAX_EVAL_DEPTH: usize = 10_000;
/// Most expression evaluations for one (config, environment).
pub const MAX_STEPS: u64 = 50_000_000;
/// Longest string a computation may build.
pub const MAX_STRING_BYTES: usize = 32 << 20;
/// Longest list a computation may build.
pub const MAX_LIST_LEN: usize = 1 << 20;

/// Evaluation failed here; the reason is already reported (a poison value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fail;

/// Result of evaluation steps.
pub type EvalResult<T = Value> = Result<T, Fail>;

#[derive(Debug, Clone)]
enum State {
    Pending,
    Busy,
    Done(Value),
    Failed,
}

/// One config's layers and memoized leaf values in one environment.
#[derive(Debug)]
pub struct ConfigEval<'a> {
    pub cid: ConfigId,
    pub layers: Layers<'a>,
    states: RefCell<Vec<State>>,
    /// Values of literal leaves computed once for the cached layers these were copied from.
    consts: Option<Arc<cache::Consts>>,
    /// Per node: the longest chain of references below its value, once
    /// computed (a literal is 1). Carried with published values, so that a
    /// chain of configs reading each other is limited as if followed whole.
    depth: RefCell<Vec<u32>>,
    /// The finished evaluation of this config in this environment, when an
    /// earlier wave published it (`board`): its values are read from there.
    published: Option<Arc<board::Published<'a>>>,
    /// Layering these layers found an error (an unknown field or key, …):
    /// the object checks would only report its consequences.
    pub layering_failed: bool,
}

impl<'a> ConfigEval<'a> {
    fn new(
        cid: ConfigId,
        layers: Layers<'a>,
        consts: Option<Arc<cache::Consts>>,
    ) -> ConfigEval<'a> {
        let n = layers.nodes.len();
        ConfigEval {
            cid,
            layers,
            states: RefCell::new(vec![State::Pending; n]),
            consts,
            depth: RefCell::new(vec![0; n]),
            published: None,
            layering_failed: false,
        }
    }

    /// A reader's view of a published evaluation: the same layers, and
    /// values looked up in the publication as they are read.
    fn reading(cid: ConfigId, published: Arc<board::Published<'a>>) -> ConfigEval<'a> {
        let mut ce = ConfigEval::new(cid, published.layers.clone(), published.consts.clone());
        ce.layering_failed = published.layering_failed;
        ce.published = Some(published);
        ce
    }

    /// The precomputed value of literal leaf `id`, if its steps are the cached ones.
    fn constant(&self, id: NodeId) -> Option<&Value> {
        self.consts.as_ref()?.get(&self.layers, id)
    }

    /// The value of leaf `id` if it is known without evaluating anything.
    fn known(&self, id: NodeId) -> Option<Value> {
        match &self.states.borrow()[id as usize] {
            State::Done(v) => Some(v.clone()),
            _ => self.constant(id).cloned(),
        }
    }

    /// Whether leaf `id` is evaluated already (or needs no evaluation).
    fn settled(&self, id: NodeId) -> bool {
        !matches!(self.states.borrow()[id as usize], State::Pending) || self.constant(id).is_some()
    }
}

/// The evaluation context of one environment on one thread.
#[derive(Debug)]
pub struct Ctx<'p, 'a> {
    pub prog: &'p Program<'a>,
    pub env: Option<EnvId>,
    cache: &'p LayerCache<'a>,
    evals: RefCell<crate::map::Map<ConfigId, Rc<ConfigEval<'a>>>>,
    stack: RefCell<Vec<(ConfigId, NodeId)>>,
    /// Parallel to `stack`: the deepest reference chain each leaf being
    /// computed has read so far.
    deepest: RefCell<Vec<u32>>,
    /// Where configs evaluated in earlier waves left their values.
    board: Option<&'p Board<'a>>,
    reads: RefCell<Option<Vec<(ConfigId, NodeId)>>>,
    steps: Cell<u64>,
    limit_hit: Cell<bool>,
    pub diags: RefCell<Vec<Diagnostic>>,
}

impl<'p, 'a> Ctx<'p, 'a> {
    /// A context for `env`.
    pub fn new(
        prog: &'p Program<'a>,
        cache: &'p LayerCache<'a>,
        env: Option<EnvId>,
    ) -> Ctx<'p, 'a> {
        Ctx {
            prog,
            env,
            cache,
            evals: RefCell::new(crate::map::Map::default()),
            stack: RefCell::new(Vec::new()),
            deepest: RefCell::new(Vec::new()),
            board: None,
            reads: RefCell::new(None),
            steps: Cell::new(0),
            limit_hit: Cell::new(false),
            diags: RefCell::new(Vec::new()),
        }
    }

    /// This context reads the values `board` has published.
    pub fn with_board(mut self, board: Option<&'p Board<'a>>) -> Self {
        self.board = board;
        self
    }

    /// The environment's name.
    pub fn env_name(&self) -> Option<&'p str> {
        self.prog.env_name(self.env)
    }

    /// The evaluator of config `cid` in this environment (created on first use).
    pub fn config(&self, cid: ConfigId) -> Rc<ConfigEval<'a>> {
        if let Some(ce) = self.evals.borrow().get(&cid) {
            return Rc::clone(ce);
        }
        if let Some(published) = self.board.and_then(|b| b.get(cid, self.env)) {
            // Its diagnostics are the publisher's: nothing to report here.
            let ce = Rc::new(ConfigEval::reading(cid, published));
            self.evals.borrow_mut().insert(cid, Rc::clone(&ce));
            return ce;
        }
        let mut diags = Vec::new();
        let layers = self.cache.layers_for(self.prog, cid, self.env, &mut diags);
        let consts = self.cache.consts_for(self.prog, cid, self.env).cloned();
        self.install(cid, layers, consts, diags)
    }

    /// Makes `layers` the evaluator of config `cid`, with the problems found layering them.
    fn install(
        &self,
        cid: ConfigId,
        layers: Layers<'a>,
        consts: Option<Arc<cache::Consts>>,
        diags: Vec<Diagnostic>,
    ) -> Rc<ConfigEval<'a>> {
        // Layering errors belong to this environment; ones identical in every
        // environment are collapsed to one without `env` by the compiler.
        let env = self.env_name();
        let failed = diags.iter().any(Diagnostic::is_error);
        self.diags
            .borrow_mut()
            .extend(diags.into_iter().map(|d| match d.env {
                None => d.with_env(env),
                Some(_) => d,
            }));
        let mut ce = ConfigEval::new(cid, layers, consts);
        ce.layering_failed = failed;
        let ce = Rc::new(ce);
        self.evals.borrow_mut().insert(cid, Rc::clone(&ce));
        ce
    }

    /// Reports a diagnostic, filling in this context's env and `config`.
    pub fn report(&self, cid: ConfigId, diag: Diagnostic) {
        let name = &self.prog.configs[cid].name;
        let diag = diag.with_config(&**name).with_env(self.env_name());
        self.diags.borrow_mut().push(diag);
    }

    /// Counts one evaluation step; fails once the budget is spent.
    fn tick(&self, cid: ConfigId, span: Span) -> EvalResult<()> {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        if n <= MAX_STEPS {
            return Ok(());
        }
        if !self.limit_hit.replace(true) {
            self.report(
                cid,
                Diagnostic::error(
                    Code::Limit,
                    span,
                    format!("evaluation took more than {MAX_STEPS} steps"),
                )
                .with_help(
                    "the limit keeps every build bounded; simplify the expressions involved",
                ),
            );
        }
        Err(Fail)
    }

    /// The value of node `id` of `ce` (objects are assembled from their leaves),
    /// read by the expression at `at`.
    pub fn force(&self, ce: &ConfigEval<'a>, id: NodeId, at: Span) -> EvalResult {
        self.check_tier(ce, id, at);
        self.force_node(ce, id, at)
    }

    fn force_node(&self, ce: &ConfigEval<'a>, id: NodeId, at: Span) -> EvalResult {
        if let Some(reads) = self.reads.borrow_mut().as_mut() {
            reads.push((ce.cid, id));
        }
        match &ce.layers.node(id).slot {
            Slot::Obj(children) => {
                let mut out = crate::map::with_capacity(children.len());
                let mut failed = false;
                for (k, &child) in children.iter() {
                    if ce.layers.is_absent(child) && !is_required(self.prog, &ce.layers, child) {
                        continue;
                    }
                    match self.force_node(ce, child, at) {
                        Ok(v) => {
                            out.insert(k.clone(), v);
                        }
                        Err(Fail) => failed = true,
                    }
                }
                if failed {
                    Err(Fail)
                } else {
                    Ok(Value::Object(out))
                }
            }
            Slot::Leaf(_) => self.force_leaf(ce, id, at),
        }
    }

    fn force_leaf(&self, ce: &ConfigEval<'a>, id: NodeId, at: Span) -> EvalResult {
        if let Some(published) = &ce.published {
            if let Some(res) = self.read_published(ce, published, id, at) {
                return res;
            }
        }
        let peek = match &ce.states.borrow()[id as usize] {
            State::Done(v) => Some(Ok((v.clone(), ce.depth.borrow()[id as usize]))),
            State::Failed => Some(Err(Fail)),
            State::Pending => ce.constant(id).map(|v| Ok((v.clone(), 1))),
            State::Busy => None,
        };
        if let Some(res) = peek {
            return res.map(|(v, depth)| {
                self.deepen(depth);
                v
            });
        }
        if matches!(ce.states.borrow()[id as usize], State::Busy) {
            drop_and_report_cycle(self, ce, id, at);
            return Err(Fail);
        }
        if self.stack.borrow().len() >= MAX_EVAL_DEPTH {
            return Err(self.depth_limit(ce.cid, at));
        }
        ce.states.borrow_mut()[id as usize] = State::Busy;
        self.stack.borrow_mut().push((ce.cid, id));
        self.deepest.borrow_mut().push(0);
        let res = self.compute_leaf(ce, id);
        self.stack.borrow_mut().pop();
        let below = self.deepest.borrow_mut().pop().unwrap_or(0);
        let depth = below.saturating_add(1);
        ce.depth.borrow_mut()[id as usize] = depth;
        self.deepen(depth);
        let mut states = ce.states.borrow_mut();
        // A cycle may have marked this leaf failed while it was busy.
        if matches!(states[id as usize], State::Failed) {
            return Err(Fail);
        }
        states[id as usize] = match &res {
            Ok(v) => State::Done(v.clone()),
            Err(Fail) => State::Failed,
        };
        res
    }

    /// The leaf being computed has read a value whose reference chain is `depth` long.
    fn deepen(&self, depth: u32) {
        if let Some(top) = self.deepest.borrow_mut().last_mut() {
            *top = (*top).max(depth);
        }
    }

    /// Leaf `id` of a published evaluation: its value, unless following its
    /// chain of references from here would nest deeper than the limit.
    /// `None`: the publisher did not evaluate it (a missing field); compute it here.
    fn read_published(
        &self,
        ce: &ConfigEval<'a>,
        published: &board::Published<'a>,
        id: NodeId,
        at: Span,
    ) -> Option<EvalResult> {
        let (value, depth) = match published.states.get(id as usize)? {
            State::Done(v) => (v, published.depth.get(id as usize).copied().unwrap_or(1)),
            State::Failed => return Some(Err(Fail)),
            State::Pending | State::Busy => return None,
        };
        let nested = self.stack.borrow().len();
        if nested + depth as usize > MAX_EVAL_DEPTH {
            let reader = self.stack.borrow().last().map_or(ce.cid, |&(c, _)| c);
            return Some(Err(self.depth_limit(reader, at)));
        }
        self.deepen(depth);
        Some(Ok(value.clone()))
    }

    fn depth_limit(&self, cid: ConfigId, at: Span) -> Fail {
        self.fail(
            cid,
            Diagnostic::error(
                Code::Limit,
                at,
                format!("references nest deeper than {MAX_EVAL_DEPTH} levels"),
            )
            .with_help("shorten the chain of fields computed from other fields"),
        )
    }

    fn compute_leaf(&self, ce: &ConfigEval<'a>, id: NodeId) -> EvalResult {
        let layers = &ce.layers;
        let node = layers.node(id);
        let steps = layers.effective_steps(id);
        let Some(first) = steps.first().filter(|_| !layers.is_absent(id)) else {
            // Absent: optional fields, map entries and structural keys read
            // as null; a missing required field is reported by `finish`.
            return if is_required(self.prog, layers, id) {
                Err(Fail)
            } else {
                Ok(Value::Null)
            };
        };
        let scope = expr::Scope::Node {
            ce,
            node: node.parent,
        };
        let mut value = if first.op == Op::Append {
            Value::List(Vec::new())
        } else {
            Value::Null
        };
        for step in steps {
            if step.op == Op::Unset {
                value = Value::Null;
                continue;
            }
            let v = expr::eval(self, &scope, step.expr)?;
            value = match step.op {
                Op::Append => self.append(ce, id, value, v, step.expr.span)?,
                Op::Set | Op::Default | Op::Replace | Op::Unset => v,
            };
        }
        match node.ty {
            Some(ty) => coerce::coerce_leaf(self, ce, id, value, ty),
            None => Ok(value),
        }
    }

    fn append(
        &self,
        ce: &ConfigEval<'a>,
        id: NodeId,
        base: Value,
        more: Value,
        span: Span,
    ) -> EvalResult {
        match (base, more) {
            (Value::List(mut a), Value::List(b)) => {
                if a.len() + b.len() > MAX_LIST_LEN {
                    return Err(self.fail(
                        ce.cid,
                        Diagnostic::error(
                            Code::Limit,
                            span,
                            format!("list longer than {MAX_LIST_LEN} items"),
                        ),
                    ));
                }
                a.extend(b);
                Ok(Value::List(a))
            }
            (Value::Null, Value::List(b)) => Ok(Value::List(b)),
            (a, b) => {
                let path = ce
                    .layers
                    .path_of(id)
                    .iter()
                    .map(|k| &**k)
                    .collect::<Vec<_>>()
                    .join(".");
                let what = if matches!(a, Value::List(_)) {
                    b.a_type_name()
                } else {
                    a.a_type_name()
                };
                Err(self.fail(
                    ce.cid,
                    Diagnostic::error(
                        Code::TypeMismatch,
                        span,
                        format!("`+=` appends a list to a list, but `{path}` gets {what}"),
                    )
                    .with_help("`+=` works on lists; use `=` to replace the value"),
                ))
            }
        }
    }

    /// Reports `diag` and returns the poison marker.
    pub fn fail(&self, cid: ConfigId, diag: Diagnostic) -> Fail {
        self.report(cid, diag);
        Fail
    }

    /// Evaluates `f` while recording every node it reads.
    pub fn recording<T>(&self, f: impl FnOnce() -> T) -> (T, Vec<(ConfigId, NodeId)>) {
        let saved = self.reads.replace(Some(Vec::new()));
        let out = f();
        let reads = self.reads.replace(saved).unwrap_or_default();
        (out, reads)
    }
}

/// Deep equality of values (`1 == 1.0`).
pub fn value_equal(a: &Value, b: &Value) -> bool {
    expr::equal(a, b)
}
