//! Layering: the resolution order of LANGUAGE.md §5 and provenance.
//!
//! For config `C extends P` in environment `E` (ancestors `E1 … E`), the
//! layers of a path are, in order:
//!
//! 1. schema defaults,
//! 2. the layers of `P` for `E` (recursively),
//! 3. `C`'s body outside `env` blocks,
//! 4. `C`'s `env` blocks for `E1`, then …, then `E` (source order within one env),
//! 5. the command-line overrides (`--set`, LANGUAGE.md §9.7) naming `C`, in
//!    command-line order, those given for one environment only in that
//!    environment and the ones extending it (`crate::overrides::apply`).
//!    They belong to `C`'s own artifact: a config extending `C` starts from
//!    `C`'s layers without them.
//!
//! [`Layers`] is an arena of nodes: objects merge field by field, leaves keep
//! the ordered [`Step`]s that assigned them, in a persistent list ([`Steps`])
//! that a child config's copy shares and adds to. Nothing is evaluated here —
//! expressions are late-bound (`eval` reads the last `Set` and the `Append`s
//! after it) — but every step keeps its expression and [`Origin`], which is the
//! provenance `explain`, `diff` and every diagnostic use.

mod apply;
mod overlay;
mod shape;
mod steps;
mod template;
mod union;

use std::sync::Arc;

use crate::ast::{Declare, Expr, Name};
use crate::map::Map;
use crate::resolve::{ConfigId, EnvId};
use crate::types::{ObjId, TyId};

pub use apply::{
    apply_body, apply_config, apply_env_block, apply_env_blocks, env_blocks_by_env, Applier,
};
pub use steps::Steps;
pub use template::for_schema;

/// Index of a node in [`Layers::nodes`].
pub type NodeId = u32;

/// The root object of every config.
pub const ROOT: NodeId = 0;

/// How a step assigns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A schema default.
    Default,
    /// `=`.
    Set,
    /// `+=`.
    Append,
    /// `:=` (LANGUAGE.md §9.2): like `Set` for a leaf; an object assigned
    /// with `:=` was emptied before its fields were applied.
    Replace,
    /// `unset PATH` (§9.2): the leaf has no value from here on (its `expr`
    /// is a `null` spanning the statement).
    Unset,
}

impl Op {
    /// The name used in `explain --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Default => "default",
            Op::Set => "set",
            Op::Append => "append",
            Op::Replace => "replace",
            Op::Unset => "unset",
        }
    }
}

/// Where a step was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A schema's default.
    Schema(ObjId),
    /// A config body (`env` is the env block, `None` outside env blocks).
    Config {
        config: ConfigId,
        env: Option<EnvId>,
    },
    /// A proposed runtime update (`mcfg check-runtime`), written in the update file.
    Update,
    /// A command-line override (`--set`, LANGUAGE.md §9.7): its index among
    /// the build's overrides, applied after every source step.
    Override(u32),
}

/// One assignment applied to a leaf.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    pub op: Op,
    pub expr: &'a Expr,
    pub origin: Origin,
    /// Order of application across the whole config (later steps win).
    pub seq: u32,
}

/// The children of an object node by key.
pub type Children = Map<Name, NodeId>;

/// What a node holds. Both kinds are shared: children maps copy-on-write
/// (`Arc::make_mut`), step lists persistently ([`Steps`]: a child's list
/// shares its parent's and adds to it), so that a child config starts from
/// its parent's cached layers with one copy of the node array, and copies
/// only the children maps it changes.
#[derive(Debug, Clone)]
pub enum Slot<'a> {
    /// An object merged field by field.
    Obj(Arc<Children>),
    /// A value set by its steps.
    Leaf(Steps<'a>),
}

impl<'a> Slot<'a> {
    /// An object node without children.
    pub fn empty_obj() -> Slot<'a> {
        Slot::Obj(Arc::default())
    }

    /// A leaf without steps.
    pub fn empty_leaf() -> Slot<'a> {
        Slot::Leaf(Steps::default())
    }
}

/// One node of the layered tree.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    pub key: Name,
    pub parent: NodeId,
    pub slot: Slot<'a>,
    /// The declared type; `None` in structural configs and below `any`.
    pub ty: Option<TyId>,
    /// The schema field this node is, if any.
    pub field: Option<(ObjId, u32)>,
    /// Whether the node is `@runtime` (itself or through an ancestor).
    pub runtime: bool,
    /// Nesting depth (root is 0).
    pub depth: u32,
}

/// The layered tree of one (config, environment).
#[derive(Debug, Clone)]
pub struct Layers<'a> {
    pub nodes: Vec<Node<'a>>,
    pub next_seq: u32,
    /// Missing values layering has already explained, by parent object node
    /// and key: the field an unknown field's did-you-mean named (`nme` →
    /// `name`), a union whose tag was missing or wrong. Their absence is the
    /// same mistake, not a second `mcfg::missing-field`.
    pub explained: Vec<(NodeId, Name)>,
    /// Leaves declared without a value (`path: TYPE` in a structural
    /// config's body): the node and its declaration. Such a leaf has the
    /// declared type and must be given a value by a later step.
    pub declared: Vec<(NodeId, &'a Declare, Origin)>,
}

impl<'a> Layers<'a> {
    /// An empty structural root.
    pub fn structural() -> Layers<'a> {
        Layers {
            nodes: vec![Node {
                key: Name::from(""),
                parent: ROOT,
                slot: Slot::empty_obj(),
                ty: None,
                field: None,
                runtime: false,
                depth: 0,
            }],
            next_seq: 0,
            explained: Vec::new(),
            declared: Vec::new(),
        }
    }

    /// Appends a step to leaf `id` (ignored on an object node). The leaf's
    /// older steps stay shared with the layers this one was copied from.
    pub fn push_step(&mut self, id: NodeId, op: Op, expr: &'a Expr, origin: Origin) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let Slot::Leaf(steps) = &mut self.nodes[id as usize].slot else {
            return;
        };
        steps.push(Step {
            op,
            expr,
            origin,
            seq,
        });
    }

    /// A copy that shares no reference count with `self`: keys, children
    /// maps and step lists are new allocations. Threads that each copy one
    /// cached layers thousands of times would otherwise contend on its
    /// counters (every clone and drop touches every node's).
    pub fn private_copy(&self) -> Layers<'a> {
        let nodes = self
            .nodes
            .iter()
            .map(|n| Node {
                key: Name::from(&*n.key),
                parent: n.parent,
                slot: match &n.slot {
                    Slot::Obj(children) => Slot::Obj(Arc::new(
                        children
                            .iter()
                            .map(|(k, &v)| (Name::from(&**k), v))
                            .collect(),
                    )),
                    Slot::Leaf(steps) => Slot::Leaf(steps.private_copy()),
                },
                ty: n.ty,
                field: n.field,
                runtime: n.runtime,
                depth: n.depth,
            })
            .collect();
        Layers {
            nodes,
            next_seq: self.next_seq,
            explained: self.explained.clone(),
            declared: self.declared.clone(),
        }
    }

    /// The node with id `id`.
    pub fn node(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    /// The dotted path of a node (`serving.batch_size`); keys are not escaped.
    pub fn path_of(&self, mut id: NodeId) -> Vec<Name> {
        let mut keys = Vec::new();
        while id != ROOT {
            let n = self.node(id);
            keys.push(n.key.clone());
            id = n.parent;
        }
        keys.reverse();
        keys
    }

    /// The dotted path of a node as text (`serving.batch_size`), for messages.
    pub fn dotted(&self, id: NodeId) -> String {
        self.path_of(id)
            .iter()
            .map(|k| &**k)
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The node at `path` below `from`, if it exists.
    pub fn find(&self, from: NodeId, path: &[Name]) -> Option<NodeId> {
        let mut cur = from;
        for key in path {
            match &self.node(cur).slot {
                Slot::Obj(children) => cur = *children.get(key)?,
                Slot::Leaf(_) => return None,
            }
        }
        Some(cur)
    }

    /// Whether node `id` holds no value: a leaf nothing assigned, or whose
    /// last step is an `unset`. Such a leaf is left out of the artifact
    /// (LANGUAGE.md §9.1) and reads as `null`.
    pub fn is_absent(&self, id: NodeId) -> bool {
        match &self.node(id).slot {
            Slot::Leaf(steps) => steps.last().is_none_or(|s| s.op == Op::Unset),
            Slot::Obj(_) => false,
        }
    }

    /// The declaration of leaf `id` (`path: TYPE`), if it was declared
    /// without a value; the latest one when several configs declare it.
    pub fn declaration(&self, id: NodeId) -> Option<&'a Declare> {
        self.declared_at(id).map(|(d, _)| d)
    }

    /// [`Layers::declaration`] with the config body that declares it.
    pub fn declared_at(&self, id: NodeId) -> Option<(&'a Declare, Origin)> {
        self.declared
            .iter()
            .rev()
            .find(|(n, ..)| *n == id)
            .map(|&(_, d, o)| (d, o))
    }

    /// `unset`: node `id` becomes a leaf whose last step is `Unset` (an
    /// object's fields are dropped with it).
    pub fn unset(&mut self, id: NodeId, expr: &'a Expr, origin: Origin) {
        if let Slot::Obj(_) = self.node(id).slot {
            self.nodes[id as usize].slot = Slot::empty_leaf();
        }
        self.push_step(id, Op::Unset, expr, origin);
    }

    /// The steps of a leaf that determine its value: the last `Set`/`Default`
    /// (or `Unset`) and every `Append` after it.
    pub fn effective_steps(&self, id: NodeId) -> &[Step<'a>] {
        match &self.node(id).slot {
            Slot::Leaf(steps) => steps.effective(),
            Slot::Obj(_) => &[],
        }
    }

    /// Every leaf below `id` (or `id` itself), in tree order.
    pub fn leaves_below(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            match &self.node(n).slot {
                Slot::Leaf(_) => out.push(n),
                Slot::Obj(children) => stack.extend(children.values().rev().copied()),
            }
        }
        out
    }
}
