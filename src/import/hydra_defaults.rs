//! Hydra defaults lists (`mcfg import --hydra`): the primary config's
//! `defaults:` composed into an ordered list of layers, each a config file
//! placed at its package, which `overlay` then writes as a chain of child
//! configs (`extends`), the last one being the composed config.
//!
//! Hydra 1.3's rules, for the configs of one config folder:
//! - `_self_` places the file's own values; without it they come last.
//! - `group: option` (or a list of options) loads `group/option.yaml` at
//!   package `group` (dots for `/`); in a group's config a group is relative
//!   to that group's folder unless it starts with `/`. A bare name loads a
//!   config of the same folder at the same package.
//! - `# @package _global_` (or `# @package a.b`) at the top of a file sets
//!   its package.
//! - `group: null` selects nothing; `optional group: x` is skipped when the
//!   file does not exist; the `hydra` group configures Hydra itself, not the
//!   job, and is left out (as `--cfg job` does).
//!
//! Not supported (each reported): `override` entries (an experiment changing
//! an earlier choice), interpolated options, and choices from a command line.

use super::value::{Entry, Map, Value};
use super::{ImportError, Yaml11};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// Reads a config file by its path relative to the primary config's folder
/// (`data/mnist.yaml`): the name to show for it and its text; `None` when it
/// does not exist.
pub type Loader<'l> = &'l dyn Fn(&str) -> Option<Result<(String, String), std::io::Error>>;

/// The primary config: its file, its mapping and its `defaults` key.
pub(crate) struct Primary {
    pub(crate) file: FileId,
    pub(crate) map: Map,
    pub(crate) defaults: Option<Span>,
}

/// Nested defaults lists deeper than this are refused (a cycle of configs).
const MAX_DEPTH: usize = 32;

struct Composer<'l, 's> {
    load: Loader<'l>,
    yaml11: Yaml11,
    layers: Vec<(String, Map)>,
    sources: &'s mut SourceMap,
}

/// The layers of the primary config; each file it loads is added to `sources`.
pub(crate) fn compose(
    sources: &mut SourceMap,
    primary: Primary,
    load: Loader<'_>,
    yaml11: Yaml11,
) -> Result<Vec<(String, Map)>, ImportError> {
    let file = sources.get(primary.file);
    let (name, package) = (
        file.name.clone(),
        header_package(&file.text).unwrap_or_default(),
    );
    let at = primary.defaults.unwrap_or(Span::new(primary.file, 0, 0));
    let mut c = Composer {
        load,
        yaml11,
        layers: Vec::new(),
        sources,
    };
    c.config(name, "", package, primary.map, 0, at)?;
    Ok(c.layers)
}

impl Composer<'_, '_> {
    /// A problem with the defaults list whose key is at `at`.
    fn err(&self, at: Span, message: String) -> ImportError {
        let d = Diagnostic::error(Code::Syntax, at, message)
            .with_primary_message("in this defaults list");
        ImportError::Invalid(Box::new(d))
    }

    fn config(
        &mut self,
        name: String,
        group: &str,
        package: Vec<String>,
        mut map: Map,
        depth: usize,
        at: Span,
    ) -> Result<(), ImportError> {
        if depth > MAX_DEPTH {
            return Err(self.err(
                at,
                format!(
                    "defaults lists nest deeper than {MAX_DEPTH} levels at `{name}` (a cycle?)"
                ),
            ));
        }
        let defaults = match map.entries.get("defaults") {
            Some(Entry {
                value: Value::List(items),
                ..
            }) => Some(items.clone()),
            _ => None,
        };
        if defaults.is_some() {
            map.entries.shift_remove("defaults");
        }
        let own = place(map, &package);
        let mut placed_self = false;
        for item in defaults.unwrap_or_default() {
            match item {
                Value::Str(s) if s == "_self_" => {
                    self.layers.push((name.clone(), own.clone()));
                    placed_self = true;
                }
                Value::Str(s) => {
                    let path = join(group, &s);
                    self.file(&path, group, Some(package.clone()), false, depth, at)?;
                }
                Value::Map(m) if m.entries.len() == 1 => {
                    let Some((key, entry)) = m.entries.into_iter().next() else {
                        continue;
                    };
                    self.choice(&name, group, &key, entry.value, depth, at)?;
                }
                other => {
                    return Err(self.err(
                        at,
                        format!(
                        "`{name}`: a defaults entry must be a name or `group: option`, not a {}",
                        other.kind()
                    ),
                    ))
                }
            }
        }
        if !placed_self {
            self.layers.push((name, own));
        }
        Ok(())
    }

    fn choice(
        &mut self,
        name: &str,
        group: &str,
        key: &str,
        value: Value,
        depth: usize,
        at: Span,
    ) -> Result<(), ImportError> {
        let mut words: Vec<&str> = key.split_whitespace().collect();
        let Some(target) = words.pop() else {
            return Ok(());
        };
        let optional = words.contains(&"optional");
        if words.contains(&"override") {
            return Err(self.err(
                at,
                format!(
                    "`{name}`: `override {target}` changes an earlier choice; import the composed \
                 config instead (`python app.py --cfg job`)"
                ),
            ));
        }
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_owned(),
            None => join(group, target),
        };
        if path == "hydra" || path.starts_with("hydra/") {
            return Ok(());
        }
        let options = match value {
            Value::Null => Vec::new(),
            Value::Str(s) => vec![s],
            Value::List(items) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Str(s) => Some(s),
                    _ => None,
                })
                .collect(),
            other => {
                return Err(self.err(
                    at,
                    format!(
                        "`{name}`: the option of `{target}` must be a name, not a {}",
                        other.kind()
                    ),
                ))
            }
        };
        for option in options {
            if option.contains("${") {
                return Err(self.err(
                    at,
                    format!(
                    "`{name}`: the option `{option}` of `{target}` is interpolated; import the \
                     composed config instead"
                ),
                ));
            }
            self.file(
                &format!("{path}/{option}"),
                &path,
                None,
                optional,
                depth,
                at,
            )?;
        }
        Ok(())
    }

    /// Loads `path.yaml` (in group folder `group`) at its package: the header's,
    /// else `package`, else the group's.
    fn file(
        &mut self,
        path: &str,
        group: &str,
        package: Option<Vec<String>>,
        optional: bool,
        depth: usize,
        at: Span,
    ) -> Result<(), ImportError> {
        let file = format!("{path}.yaml");
        let (shown, text) = match (self.load)(&file) {
            Some(Ok(loaded)) => loaded,
            Some(Err(e)) => return Err(self.err(at, format!("cannot read `{file}`: {e}"))),
            None if optional => return Ok(()),
            None => {
                return Err(self.err(
                    at,
                    format!("the defaults list names `{file}`, which does not exist"),
                ))
            }
        };
        let header = header_package(&text);
        let id = self.sources.add(SourceFile::new(shown, text));
        let input = super::read::read(self.sources, id, self.yaml11)?;
        let at = input.defaults.unwrap_or(Span::new(id, 0, 0));
        let package = header.or(package).unwrap_or_else(|| split(group));
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        self.config(
            file.replace('/', "_"),
            dir,
            package,
            input.map,
            depth + 1,
            at,
        )
    }
}

/// `# @package X` among the leading comment lines: `_global_` is the root.
fn header_package(text: &str) -> Option<Vec<String>> {
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let comment = line.strip_prefix('#')?;
        if let Some(p) = comment.trim().strip_prefix("@package") {
            let p = p.trim();
            return Some(match p {
                "_global_" => Vec::new(),
                p => p.split('.').map(str::to_owned).collect(),
            });
        }
    }
    None
}

fn join(group: &str, name: &str) -> String {
    if group.is_empty() {
        name.to_owned()
    } else {
        format!("{group}/{name}")
    }
}

fn split(group: &str) -> Vec<String> {
    group
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `map` nested under the keys of `package`.
fn place(map: Map, package: &[String]) -> Map {
    package.iter().rev().fold(map, |inner, key| {
        let mut outer = Map::default();
        outer
            .entries
            .insert(key.clone(), Entry::plain(Value::Map(inner)));
        outer
    })
}

#[cfg(test)]
mod tests {
    use crate::import::{import_with, ImportOptions, OverlayStyle, Yaml11};
    use crate::source::{SourceFile, SourceMap};

    fn files(rel: &str) -> Option<Result<(String, String), std::io::Error>> {
        let text = match rel {
            "db/mysql.yaml" => "host: mysql.local\nport: 3306\n",
            "db/pg.yaml" => "defaults:\n  - base\n  - _self_\nport: 5432\n",
            "db/base.yaml" => "host: localhost\nport: 1\ntimeout: 3\n",
            "extra/flags.yaml" => "# @package _global_\nverbose: true\n",
            _ => return None,
        };
        Some(Ok((rel.to_owned(), text.to_owned())))
    }

    fn compose(primary: &str) -> Result<String, crate::import::ImportError> {
        let mut sources = SourceMap::new();
        let inputs = [sources.add(SourceFile::new("app.yaml", primary))];
        let opts = ImportOptions {
            config_name: "app".to_owned(),
            yaml11_strings: Yaml11::Yes,
            overlays: OverlayStyle::Children,
            hydra: true,
        };
        import_with(&mut sources, &inputs, &opts, Some(&files))
    }

    #[test]
    fn groups_are_placed_at_their_package_in_order() {
        let out = compose(
            "defaults:\n  - db: pg\n  - optional local: me\n  - cache: null\n  - extra: flags\n  - _self_\nname: x\n",
        )
        .expect("composes");
        assert_eq!(
            out,
            "// Imported by mcfg import from app.yaml.\n\n\
             abstract config app_db_base {\n  db {\n    host = \"localhost\"\n    port = 1\n    timeout = 3\n  }\n}\n\n\
             abstract config app_db_pg extends app_db_base {\n  db {\n    port = 5432\n  }\n}\n\n\
             abstract config app_extra_flags extends app_db_pg {\n  // @package _global_\n  verbose = true\n}\n\n\
             config app extends app_extra_flags {\n  name = \"x\"\n}\n"
        );
    }

    #[test]
    fn a_missing_file_and_an_override_are_errors() {
        let e = compose("defaults:\n  - db: oracle\n").expect_err("missing");
        assert_eq!(
            e.message(),
            "the defaults list names `db/oracle.yaml`, which does not exist"
        );
        let e = compose("defaults:\n  - override db: pg\n").expect_err("override");
        assert!(
            e.message()
                .contains("`override db` changes an earlier choice"),
            "{e}"
        );
    }
}
