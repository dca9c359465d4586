//! End-to-end tests of `mcfg import`.
