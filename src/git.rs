//! TODO(ops).
