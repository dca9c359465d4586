//! TODO(ops): in progress.
