//! `--message-format sarif`: one SARIF 2.1.0 log (OASIS) for code-scanning uploads.
//!
//! Every diagnostic code is a rule of the tool's driver, so a scanner shows its
//! description; a result points at its rule by id and index. Columns count
//! Unicode characters (`columnKind: unicodeCodePoints`), as the other renderers do.

use serde_json::{json, Value};

use super::{CommandError, Diagnostic, Label, StopCode};
use crate::source::SourceMap;

/// Every code with a one-line description (`rules_cover_every_code` keeps it
/// in step with [`super::Code`]), in rule-index order. `mcfg::usage` and
/// `mcfg::io` are the errors that stop a command (no source location).
const RULES: &[(&str, &str)] = &[
    ("mcfg::syntax", "The file does not parse."),
    ("mcfg::unknown-field", "A field the schema does not declare."),
    ("mcfg::type-mismatch", "A value of the wrong type."),
    ("mcfg::constraint", "A refinement predicate fails."),
    ("mcfg::check-failed", "A schema `check` is false."),
    ("mcfg::missing-field", "A required field is not set in an emitted config."),
    ("mcfg::invariant", "An `@invariant` field differs between environments."),
    ("mcfg::distinct", "A `@distinct` field is equal in two environments."),
    ("mcfg::unknown-env", "An `env` block names an undeclared environment."),
    ("mcfg::unresolved-name", "A name or path that does not exist."),
    ("mcfg::duplicate", "A declaration, field or assignment made twice."),
    ("mcfg::cycle", "A cycle of imports, inheritance or references."),
    ("mcfg::import", "An import that cannot be read or leaves the root."),
    ("mcfg::secret-literal", "A secret field given anything but `secret(\"...\")`."),
    ("mcfg::tier", "A build-time value computed from a runtime one, or a runtime update touching a build-time path."),
    ("mcfg::arithmetic", "Overflow, division by zero, NaN or infinity."),
    ("mcfg::deprecated", "A deprecated field is set."),
    ("mcfg::limit", "A resource limit of the compiler was reached."),
    ("mcfg::unknown-key", "An `env` block assigns a map key the map does not have, or `unset` names a missing key."),
    ("mcfg::override", "A `--set`/`--sweep` override that does not parse or names no field."),
    ("mcfg::project", "The project file `mcfg.toml` does not parse or has a bad `exclude` glob."),
    ("mcfg::test-failed", "A policy test's `assert` is false."),
    ("mcfg::flag", "A `std/ml` flag or experiment flagd would reject or serve differently."),
    (USAGE, "The command line is wrong (the command did not run)."),
    (IO, "A file or folder could not be read or written (the command did not run)."),
];

const USAGE: &str = StopCode::Usage.as_str();
const IO: &str = StopCode::Io.as_str();

/// The index of `code`'s rule (every code has one: `rules_cover_every_code`).
fn rule_index(code: &str) -> usize {
    RULES
        .iter()
        .position(|(id, _)| *id == code)
        .unwrap_or(RULES.len() - 1)
}

fn location(sources: &SourceMap, label: &Label) -> Value {
    let file = sources.get(label.span.file);
    let (line, column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end);
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&file.name) },
            "region": {
                "startLine": line,
                "startColumn": column,
                "endLine": end_line,
                "endColumn": end_column.max(column),
            }
        }
    });
    if let Some(m) = &label.message {
        loc["message"] = json!({ "text": m });
    }
    loc
}

/// A relative URI reference for a file name (forward slashes, spaces escaped).
fn uri(name: &str) -> String {
    name.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}

fn result(sources: &SourceMap, d: &Diagnostic) -> Value {
    let code = d.code.as_str();
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": code,
        "ruleIndex": rule_index(code),
        "level": if d.is_error() { "error" } else { "warning" },
        "message": { "text": text },
        "locations": [location(sources, &d.primary)],
    });
    if !d.labels.is_empty() {
        r["relatedLocations"] = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(sources, l);
                loc["id"] = json!(i);
                loc
            })
            .collect();
    }
    let mut props = serde_json::Map::new();
    if !d.envs.is_empty() {
        props.insert("envs".into(), json!(d.envs));
    }
    if let Some(env) = &d.env {
        props.insert("env".into(), json!(env));
    }
    if let Some(config) = &d.config {
        props.insert("config".into(), json!(config));
    }
    if !props.is_empty() {
        r["properties"] = Value::Object(props);
    }
    r
}

/// The result of an error that stopped the command: located at its file
/// (and line and column) when it has one.
pub fn command_result(e: &CommandError) -> Value {
    let code = e.code.as_str();
    let mut text = e.message.clone();
    if let Some(h) = &e.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    let mut r = json!({
        "ruleId": code,
        "ruleIndex": rule_index(code),
        "level": "error",
        "message": { "text": text },
    });
    if let Some(file) = &e.file {
        let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
        if let Some((line, column)) = e.at {
            physical["region"] = json!({ "startLine": line, "startColumn": column });
        }
        r["locations"] = json!([{ "physicalLocation": physical }]);
    }
    r
}

/// One SARIF log of `results` (no trailing newline).
pub fn log(results: Vec<Value>) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(id, text)| {
            json!({
                "id": id,
                "shortDescription": { "text": text },
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "mcfg",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    // Invariant: a tree of strings and numbers always serializes.
    serde_json::to_string_pretty(&log).expect("SARIF log serializes")
}

/// The results of `diags`, for [`log`].
pub fn results(sources: &SourceMap, diags: &[Diagnostic]) -> Vec<Value> {
    diags.iter().map(|d| result(sources, d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    #[test]
    fn rules_cover_every_code() {
        for code in [
            Code::Syntax,
            Code::UnknownField,
            Code::TypeMismatch,
            Code::Constraint,
            Code::CheckFailed,
            Code::MissingField,
            Code::Invariant,
            Code::Distinct,
            Code::UnknownEnv,
            Code::UnresolvedName,
            Code::Duplicate,
            Code::Cycle,
            Code::Import,
            Code::SecretLiteral,
            Code::Tier,
            Code::Arithmetic,
            Code::Deprecated,
            Code::Limit,
            Code::UnknownKey,
            Code::Override,
            Code::Project,
            Code::TestFailed,
            Code::Flag,
        ] {
            // A new code must be added to this list and to RULES.
            let listed = match code {
                Code::Syntax
                | Code::UnknownField
                | Code::UnknownKey
                | Code::TypeMismatch
                | Code::Constraint
                | Code::CheckFailed
                | Code::MissingField
                | Code::Invariant
                | Code::Distinct
                | Code::UnknownEnv
                | Code::UnresolvedName
                | Code::Duplicate
                | Code::Cycle
                | Code::Import
                | Code::SecretLiteral
                | Code::Tier
                | Code::Arithmetic
                | Code::Deprecated
                | Code::Limit
                | Code::Override
                | Code::Project
                | Code::TestFailed
                | Code::Flag => code.as_str(),
            };
            let i = rule_index(listed);
            assert_eq!(RULES[i].0, listed);
        }
        for stop in [StopCode::Usage, StopCode::Io] {
            assert_eq!(RULES[rule_index(stop.as_str())].0, stop.as_str());
        }
        assert_eq!(RULES.len(), 25);
    }
}
