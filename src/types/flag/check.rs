//! Compile-time checks of a flag beyond its `std/ml` schema: everything that
//! would make flagd reject the flag file or serve something other than what
//! the sources say. Each problem names the path inside the flag it is about
//! (`rules.1.traffic`), so the caller can point at the assignment.

use serde_json::Value;

use super::integer_shares;
use super::model::{Flag, FlagKind};

/// One problem with a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A warning rather than an error.
    pub warning: bool,
    /// Path inside the flag (`rules.0.when.1.attribute`), `""` for the flag itself.
    pub path: String,
    pub message: String,
    pub help: String,
    /// Other places involved: (path inside the flag, label).
    pub also: Vec<(String, String)>,
}

fn error(path: String, message: String, help: impl Into<String>) -> Finding {
    Finding {
        warning: false,
        path,
        message,
        help: help.into(),
        also: Vec::new(),
    }
}

/// Every problem of `flag`; `today` (`YYYY-MM-DD`) dates the expiry warning.
pub fn check(flag: &Flag, today: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let split_field = match flag.kind {
        FlagKind::Feature => "rollout",
        FlagKind::Experiment => "traffic",
    };
    if flag.variants.iter().any(|(name, _)| name.is_empty()) {
        let field = if flag.typed { "variants" } else { "traffic" };
        out.push(error(
            format!("{field}."),
            "a variant has an empty name, which flagd rejects".to_owned(),
            "give every variant a name of at least one character",
        ));
    }
    variant_values(flag, &mut out);
    shares(flag, &flag.split, split_field.to_owned(), &mut out);
    if flag.typed && !flag.has_variant(&flag.off_variant) {
        out.push(missing_variant(&flag.off_variant, "control".to_owned()));
    }
    let mut catch_all: Option<usize> = None;
    for (i, rule) in flag.rules.iter().enumerate() {
        let at = format!("rules.{i}");
        if let Some(first) = catch_all {
            let mut f = error(
                at.clone(),
                format!("rule {i} can never match: rule {first} before it has no `when` and matches every context"),
                "move the catch-all rule last, or give it `when` conditions",
            );
            f.also.push((
                format!("rules.{first}"),
                "this rule matches every context".to_owned(),
            ));
            out.push(f);
            continue;
        }
        if rule.is_catch_all() {
            catch_all = Some(i);
        }
        shares(flag, &rule.split, format!("{at}.{split_field}"), &mut out);
        for (j, c) in rule.when.iter().enumerate() {
            let cat = format!("{at}.when.{j}");
            attribute(flag, &c.attribute, format!("{cat}.attribute"), &mut out);
            let list_op = matches!(c.op.as_str(), "in" | "not_in");
            if list_op && c.values.is_empty() {
                out.push(error(
                    format!("{cat}.values"),
                    format!("condition `{}` on `{}` has no `values`", c.op, c.attribute),
                    "list the values to compare with in `values = [...]`",
                ));
            } else if list_op && !c.value.is_empty() {
                out.push(error(
                    format!("{cat}.value"),
                    format!("condition `{}` takes `values`, not `value`", c.op),
                    format!("write `values = [\"{}\"]`", c.value),
                ));
            } else if !list_op && !c.values.is_empty() {
                out.push(error(
                    format!("{cat}.values"),
                    format!("condition `{}` takes one `value`, not `values`", c.op),
                    "use `op = \"in\"` to compare with a list, or set `value`",
                ));
            }
            if c.op.starts_with("semver_") && !is_semver(&c.value) {
                out.push(error(
                    format!("{cat}.value"),
                    format!(
                        "`{}` is not a semantic version, which `{}` compares with",
                        c.value, c.op
                    ),
                    "write a version such as `2.1.0` or `2.1.0-rc.1`",
                ));
            }
        }
    }
    if !flag.bucket_by.is_empty() {
        if is_attribute_name(&flag.bucket_by) {
            attribute(flag, &flag.bucket_by, "bucket_by".to_owned(), &mut out);
        } else {
            out.push(error(
                "bucket_by".to_owned(),
                format!("`{}` is not a context attribute name", flag.bucket_by),
                "use letters, digits, `_`, `.`, `$` or `-`, starting with a letter, `_` or `$`",
            ));
        }
    }
    if let Some(expires) = &flag.expires {
        if expires.as_str() < today {
            out.push(Finding {
                warning: true,
                path: "expires".to_owned(),
                message: format!("the {} expired on {expires}", what(flag)),
                help:
                    "remove it from the sources (and the code reading it), or move `expires` later"
                        .to_owned(),
                also: Vec::new(),
            });
        }
    }
    out
}

fn what(flag: &Flag) -> &'static str {
    match flag.kind {
        FlagKind::Feature => "feature flag",
        FlagKind::Experiment => "experiment",
    }
}

fn missing_variant(name: &str, path: String) -> Finding {
    let mut f = error(
        path,
        format!("variant `{name}` is not declared"),
        format!("add `{name}` to `variants`, or use one of the variants it declares"),
    );
    f.also
        .push(("variants".to_owned(), "the declared variants".to_owned()));
    f
}

/// Variants a split names exist; no nonzero share rounds to 0 %.
fn shares(flag: &Flag, split: &[(String, f64)], path: String, out: &mut Vec<Finding>) {
    if flag.kind == FlagKind::Experiment {
        for (name, _) in split {
            if !flag.has_variant(name) {
                let mut f = missing_variant(name, path.clone());
                if !flag.typed {
                    f.help = format!(
                        "add `{name}` to the experiment's `traffic` (with share 0 if only rules serve it), or declare `variants`"
                    );
                    f.also = vec![(
                        "traffic".to_owned(),
                        "the variants are the keys of `traffic`".to_owned(),
                    )];
                }
                out.push(f);
            }
        }
    }
    for ((name, declared), (_, whole)) in split.iter().zip(integer_shares(split)) {
        if *declared > 0.0 && whole == 0 {
            out.push(error(
                path.clone(),
                format!("the share {declared} of `{name}` rounds to 0%: flagd splits traffic in whole percent"),
                format!("give `{name}` at least 1 percent, or 0 to serve it to nobody"),
            ));
        }
    }
}

/// Typed variant values: all of one kind flagd knows.
fn variant_values(flag: &Flag, out: &mut Vec<Finding>) {
    if !flag.typed {
        return;
    }
    let kind = |v: &Value| match v {
        Value::String(_) => Some("a string"),
        Value::Number(_) => Some("a number"),
        Value::Bool(_) => Some("a bool"),
        Value::Object(_) => Some("an object"),
        Value::Null | Value::Array(_) => None,
    };
    let mut first: Option<(&str, &str)> = None;
    for (name, value) in &flag.variants {
        let Some(k) = kind(value) else {
            out.push(error(
                format!("variants.{name}"),
                format!("variant `{name}` has no value flagd can serve (a list or null)"),
                "a variant is a string, a number, a bool or an object; wrap a list in an object",
            ));
            continue;
        };
        match first {
            None => first = Some((name, k)),
            Some((other, fk)) if fk != k => out.push(error(
                format!("variants.{name}"),
                format!("variant `{name}` is {k} but `{other}` is {fk}"),
                "every variant of one flag has the same kind of value: flagd flags are typed",
            )),
            Some(_) => {}
        }
    }
}

/// Known attribute: with `attributes` declared, names outside it are errors.
fn attribute(flag: &Flag, name: &str, path: String, out: &mut Vec<Finding>) {
    if flag.attributes.is_empty()
        || name == "targetingKey"
        || name.starts_with("$flagd.")
        || flag.attributes.iter().any(|a| a == name)
    {
        return;
    }
    let hint = crate::suggest::closest(name, flag.attributes.iter().map(String::as_str))
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    let mut f = error(
        path,
        format!("unknown context attribute `{name}`"),
        format!(
            "{hint}the flag's `attributes` are {}",
            flag.attributes
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    f.also.push((
        "attributes".to_owned(),
        "the attributes are declared here".to_owned(),
    ));
    out.push(f);
}

fn is_attribute_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.$-".contains(c))
}

/// A semantic version as flagd's schema accepts it (semver.org 2.0.0).
pub fn is_semver(text: &str) -> bool {
    let (core, build) = match text.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (text, None),
    };
    let (core, pre) = match core.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (core, None),
    };
    let numeric = |p: &str| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && (p == "0" || !p.starts_with('0'))
    };
    let ident =
        |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| numeric(p))
        && pre.is_none_or(|p| {
            p.split('.')
                .all(|id| ident(id) && (numeric(id) || !id.bytes().all(|b| b.is_ascii_digit())))
        })
        && build.is_none_or(|b| b.split('.').all(ident))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_as_the_schema_pattern() {
        for ok in [
            "1.2.3",
            "0.0.0",
            "10.20.30",
            "1.0.0-rc.1",
            "1.0.0-alpha-1",
            "1.0.0+build.5",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in [
            "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "v1.2.3", "", "1.2.3+",
        ] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn attribute_names() {
        assert!(is_attribute_name("session_id"));
        assert!(is_attribute_name("$flagd.timestamp"));
        assert!(!is_attribute_name("1x"));
        assert!(!is_attribute_name("a b"));
        assert!(!is_attribute_name(""));
    }
}
