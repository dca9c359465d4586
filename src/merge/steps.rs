//! A leaf's steps as a persistent list: runs of steps shared between the
//! layers that copy each other.
//!
//! The list is a chain of [`Segment`]s, newest last. Every segment but the
//! first starts with a step that is not an `Append` and holds only `Append`s
//! after it, so the last segment is exactly what [`Steps::effective`] returns
//! (the last `Set`/`Default`/`Replace`/`Unset` and the `Append`s after it),
//! and a step that is not an `Append` starts a new segment pointing at the
//! old ones instead of copying them: a config extending another shares its
//! parent's history, whatever its length, and adds one segment per
//! assignment. Appending copies the last segment once when it is shared
//! (copy-on-write), as the whole list used to be copied.

use std::sync::Arc;

use super::{Op, Step};

/// The steps that assigned one leaf, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Steps<'a> {
    last: Option<Arc<Segment<'a>>>,
}

#[derive(Debug, Clone)]
struct Segment<'a> {
    /// The older segments.
    prev: Option<Arc<Segment<'a>>>,
    /// How many steps the older segments hold.
    before: usize,
    steps: Vec<Step<'a>>,
}

impl Drop for Segment<'_> {
    /// Drops a chain of segments without recursion (an inheritance chain
    /// may give a leaf one segment per config, 10,000 of them).
    fn drop(&mut self) {
        let mut next = self.prev.take();
        while let Some(seg) = next {
            match Arc::into_inner(seg) {
                Some(mut own) => next = own.prev.take(),
                None => break,
            }
        }
    }
}

impl<'a> Steps<'a> {
    /// A list of one step.
    pub fn one(step: Step<'a>) -> Steps<'a> {
        let mut s = Steps::default();
        s.push(step);
        s
    }

    /// Adds `step` after the others.
    pub fn push(&mut self, step: Step<'a>) {
        if step.op == Op::Append {
            if let Some(seg) = &mut self.last {
                match Arc::get_mut(seg) {
                    Some(own) => own.steps.push(step),
                    None => {
                        let mut steps = Vec::with_capacity(seg.steps.len() + 1);
                        steps.extend_from_slice(&seg.steps);
                        steps.push(step);
                        *seg = Arc::new(Segment {
                            prev: seg.prev.clone(),
                            before: seg.before,
                            steps,
                        });
                    }
                }
                return;
            }
        }
        let prev = self.last.take();
        let before = prev.as_ref().map_or(0, |p| p.before + p.steps.len());
        self.last = Some(Arc::new(Segment {
            prev,
            before,
            steps: vec![step],
        }));
    }

    /// How many steps there are.
    pub fn len(&self) -> usize {
        self.last.as_ref().map_or(0, |s| s.before + s.steps.len())
    }

    /// Whether nothing assigned the leaf.
    pub fn is_empty(&self) -> bool {
        self.last.is_none()
    }

    /// The latest step.
    pub fn last(&self) -> Option<&Step<'a>> {
        self.last.as_ref()?.steps.last()
    }

    /// The oldest step.
    pub fn first(&self) -> Option<&Step<'a>> {
        self.segments().last()?.steps.first()
    }

    /// The steps that determine the value: the last one that is not an
    /// `Append` and every `Append` after it (all of them when every step is an `Append`).
    pub fn effective(&self) -> &[Step<'a>] {
        self.last.as_ref().map_or(&[], |s| &s.steps)
    }

    /// The last step that is not an `Append`.
    pub fn last_set(&self) -> Option<&Step<'a>> {
        self.effective().first().filter(|s| s.op != Op::Append)
    }

    /// The segments, newest first.
    fn segments(&self) -> impl Iterator<Item = &Segment<'a>> {
        std::iter::successors(self.last.as_deref(), |s| s.prev.as_deref())
    }

    /// Every step, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Step<'a>> {
        let mut segs: Vec<&Segment<'a>> = self.segments().collect();
        segs.reverse();
        segs.into_iter().flat_map(|s| s.steps.iter())
    }

    /// Every step, oldest first, in a new vector.
    pub fn to_vec(&self) -> Vec<Step<'a>> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(self.iter().copied());
        out
    }

    /// An identity of this list's current content: two lists with the same
    /// identity (the address of their newest segment) hold the same steps
    /// while that segment is alive and nothing appends to it in place
    /// (only a list that owns its newest segment alone does). 0 when empty.
    pub fn id(&self) -> usize {
        self.last.as_ref().map_or(0, |s| Arc::as_ptr(s) as usize)
    }

    /// Whether both lists hold steps with the same sequence numbers.
    pub fn same_seqs(&self, other: &Steps<'_>) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(x, y)| x.seq == y.seq)
    }

    /// A copy sharing no segment (nor reference count) with `self`.
    pub fn private_copy(&self) -> Steps<'a> {
        let mut segs: Vec<&Segment<'a>> = self.segments().collect();
        segs.reverse();
        let mut last: Option<Arc<Segment<'a>>> = None;
        for s in segs {
            last = Some(Arc::new(Segment {
                prev: last,
                before: s.before,
                steps: s.steps.clone(),
            }));
        }
        Steps { last }
    }

    /// Whether `self` and `other` share their older steps: `self` is
    /// `other` with steps added (for tests of the sharing).
    pub fn extends(&self, other: &Steps<'_>) -> bool {
        let Some(theirs) = other.last.as_deref() else {
            return true;
        };
        self.segments()
            .any(|s| std::ptr::eq(s as *const _ as *const u8, theirs as *const _ as *const u8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{Expr, ExprKind};
    use crate::merge::Origin;
    use crate::source::Span;

    fn expr() -> Expr {
        Expr {
            kind: ExprKind::Null,
            span: Span::default(),
        }
    }

    fn step(e: &Expr, op: Op, seq: u32) -> Step<'_> {
        Step {
            op,
            expr: e,
            origin: Origin::Update,
            seq,
        }
    }

    /// The reference: effective steps as the flat list computed them.
    fn flat_effective<'s, 'a>(v: &'s [Step<'a>]) -> &'s [Step<'a>] {
        let start = v.iter().rposition(|s| s.op != Op::Append).unwrap_or(0);
        &v[start..]
    }

    #[test]
    fn segments_give_the_flat_lists_answers() {
        let e = expr();
        let ops = [
            Op::Append,
            Op::Append,
            Op::Set,
            Op::Append,
            Op::Default,
            Op::Unset,
            Op::Append,
            Op::Append,
            Op::Replace,
        ];
        let mut s = Steps::default();
        let mut flat = Vec::new();
        for (i, &op) in ops.iter().enumerate() {
            let st = step(&e, op, i as u32);
            s.push(st);
            flat.push(st);
            let seqs = |v: &[Step<'_>]| v.iter().map(|x| x.seq).collect::<Vec<_>>();
            assert_eq!(seqs(&s.to_vec()), seqs(&flat));
            assert_eq!(seqs(s.effective()), seqs(flat_effective(&flat)));
            assert_eq!(s.len(), flat.len());
            assert_eq!(s.first().map(|x| x.seq), Some(0));
            assert_eq!(s.last().map(|x| x.seq), Some(i as u32));
            assert_eq!(
                s.last_set().map(|x| x.seq),
                flat.iter()
                    .rev()
                    .find(|x| x.op != Op::Append)
                    .map(|x| x.seq)
            );
            assert_eq!(
                s.iter().rev().map(|x| x.seq).collect::<Vec<_>>(),
                flat.iter().rev().map(|x| x.seq).collect::<Vec<_>>()
            );
            let copy = s.private_copy();
            assert!(copy.same_seqs(&s));
            assert_ne!(copy.id(), s.id());
            assert_eq!(seqs(copy.effective()), seqs(s.effective()));
        }
    }

    #[test]
    fn a_copy_shares_the_history_and_appends_copy_only_the_last_run() {
        let e = expr();
        let mut parent = Steps::default();
        parent.push(step(&e, Op::Set, 0));
        parent.push(step(&e, Op::Append, 1));
        let mut child = parent.clone();
        child.push(step(&e, Op::Append, 2));
        // Copy-on-write: the parent keeps its two steps.
        assert_eq!(parent.len(), 2);
        assert_eq!(child.len(), 3);
        assert_ne!(child.id(), parent.id());
        let mut grandchild = child.clone();
        grandchild.push(step(&e, Op::Set, 3));
        assert!(grandchild.extends(&child));
        assert_eq!(grandchild.effective().len(), 1);
        assert_eq!(child.effective().len(), 3);
    }

    #[test]
    fn a_very_long_chain_drops_without_recursion() {
        let e = expr();
        let mut s = Steps::default();
        for i in 0..200_000 {
            s.push(step(&e, Op::Set, i));
        }
        assert_eq!(s.len(), 200_000);
        drop(s);
    }
}
