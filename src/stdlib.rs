//! The standard library: `std/...` modules embedded in the binary.

/// Every embedded module: import name (`std/ml`) and its source.
pub const MODULES: &[(&str, &str)] = &[("std/ml", include_str!("../stdlib/std/ml.mcfg"))];

/// The source of the std module `name` (`std/ml`), if it exists.
pub fn module(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}
