//! End-to-end tests of `mcfg import`: every corpus original, layered corpus
//! files, and the features of the output format. Each import is read back
//! with the independent `reader` and compared with the independent `source`
//! reading (values, kinds and key order).

mod corpus;
mod features;
mod reader;
mod source;

use serde_json::Value as Json;

use super::{ImportError, ImportOptions, OverlayStyle, Yaml11};
use crate::source::{SourceFile, SourceMap};

/// One input file: its name and text.
struct ImportInput {
    name: String,
    text: String,
}

fn input(name: &str, text: &str) -> ImportInput {
    ImportInput {
        name: name.to_owned(),
        text: text.to_owned(),
    }
}

/// An import that failed, with the files its diagnostic points into.
#[derive(Debug)]
struct Failed {
    sources: SourceMap,
    error: ImportError,
}

impl Failed {
    fn message(&self) -> &str {
        self.error.message()
    }
}

/// `file:line:col: message`, as the human renderer locates it.
impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            ImportError::Invalid(d) => {
                let file = self.sources.get(d.primary.span.file);
                let (line, col) = file.line_col(d.primary.span.start);
                write!(f, "{}:{line}:{col}: {}", file.name, d.message)
            }
            e @ ImportError::NoInputs => write!(f, "{e}"),
        }
    }
}

fn import(inputs: &[ImportInput], opts: &ImportOptions) -> Result<String, Failed> {
    let mut sources = SourceMap::new();
    let files: Vec<_> = inputs
        .iter()
        .map(|i| sources.add(SourceFile::new(i.name.clone(), i.text.as_str())))
        .collect();
    super::import(&mut sources, &files, opts).map_err(|error| Failed { sources, error })
}

fn options(style: OverlayStyle) -> ImportOptions {
    ImportOptions {
        config_name: "app".to_owned(),
        yaml11_strings: Yaml11::Yes,
        overlays: style,
        hydra: false,
    }
}

fn run(inputs: &[ImportInput], style: OverlayStyle) -> Result<String, Failed> {
    import(inputs, &options(style))
}

/// Asserts two JSON values are equal, key order included.
fn assert_same(actual: &Json, expected: &Json, what: &str) {
    let a = serde_json::to_string_pretty(actual).unwrap();
    let e = serde_json::to_string_pretty(expected).unwrap();
    if a != e {
        let line = a
            .lines()
            .zip(e.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let show = |s: &str| {
            s.lines()
                .skip(line.saturating_sub(3))
                .take(8)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{what}: import differs from source near line {line}\nimported:\n{}\nsource:\n{}",
            show(&a),
            show(&e)
        );
    }
}

/// Imports `files` in both styles and checks every layer against the sources.
fn check_layered(files: &[(String, String)]) {
    let inputs: Vec<ImportInput> = files.iter().map(|(n, t)| input(n, t)).collect();
    let mut expected = source::source_value(&files[0].1);
    let mut expected_layers = Vec::new();
    for (_, text) in &files[1..] {
        source::deep_merge(&mut expected, &source::source_value(text));
        expected_layers.push(expected.clone());
    }
    let first = source::source_value(&files[0].1);
    let what = &files[0].0;

    let children = run(&inputs, OverlayStyle::Children).unwrap_or_else(|e| panic!("{e}"));
    let program = reader::parse(&children);
    let names = program.config_names();
    assert_same(&program.resolve("app", None), &first, what);
    for (name, want) in names[1..].iter().zip(&expected_layers) {
        assert_same(&program.resolve(name, None), want, name);
    }

    let envs = run(&inputs, OverlayStyle::EnvBlocks).unwrap_or_else(|e| panic!("{e}"));
    let program = reader::parse(&envs);
    let env_names = program.env_names();
    assert_eq!(env_names.len(), files.len() - 1);
    for ((env, _), want) in env_names.iter().zip(&expected_layers) {
        assert_same(&program.resolve("app", Some(env)), want, env);
    }
    if files.len() == 1 {
        assert_same(&program.resolve("app", None), &first, what);
    }
}
