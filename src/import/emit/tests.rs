//! Unit tests of the emitter.
