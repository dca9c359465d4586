//! One flag in flagd's flag-definition format: variants, default variant,
//! targeting (flagd's JsonLogic dialect) and metadata.
//!
//! Shares become whole percentages by largest-remainder rounding
//! ([`integer_shares`]), so the weights of every `fractional` add up to exactly
//! 100 — the bucket count flagd's engines use. Bucketing is always explicit:
//! `{"cat": [SALT, {"var": ATTR}]}`, where SALT is `{"var": "$flagd.flagKey"}`
//! for a feature flag and the experiment's `salt` string for an experiment,
//! and ATTR is `bucket_by` or `targetingKey`. A context without ATTR gets the
//! flag's default variant (`off` / `control`) through a `missing` guard
//! instead of falling into one shared bucket.

use serde_json::{json, Map, Value};

use crate::types::flag::integer_shares;
use crate::types::flag::model::{Condition, Flag, FlagKind, Rule};

/// The JsonLogic of one condition on the evaluation context.
fn condition(c: &Condition) -> Value {
    let var = json!({ "var": c.attribute });
    let semver = |op: &str| json!({ "sem_ver": [var, op, c.value] });
    match c.op.as_str() {
        "not_equals" => json!({ "!=": [var, c.value] }),
        "in" => json!({ "in": [var, c.values] }),
        "not_in" => json!({ "!": [{ "in": [var, c.values] }] }),
        "starts_with" => json!({ "starts_with": [var, c.value] }),
        "ends_with" => json!({ "ends_with": [var, c.value] }),
        "semver_eq" => semver("="),
        "semver_ne" => semver("!="),
        "semver_lt" => semver("<"),
        "semver_le" => semver("<="),
        "semver_gt" => semver(">"),
        "semver_ge" => semver(">="),
        _ => json!({ "==": [var, c.value] }),
    }
}

/// All conditions of a rule (at least one).
fn conditions(when: &[Condition]) -> Value {
    match when {
        [one] => condition(one),
        many => json!({ "and": many.iter().map(condition).collect::<Vec<_>>() }),
    }
}

/// What a split evaluates to: a variant name when one variant gets
/// everything, else a guarded `fractional`.
fn split(flag: &Flag, shares: &[(String, f64)]) -> Value {
    let weights: Vec<(String, u32)> = integer_shares(shares)
        .into_iter()
        .filter(|(_, w)| *w > 0)
        .collect();
    if let [(only, _)] = weights.as_slice() {
        return Value::String(only.clone());
    }
    let attr = flag.bucket_attribute();
    let salt = match (&flag.kind, &flag.salt) {
        (FlagKind::Experiment, Some(salt)) => Value::String(salt.clone()),
        _ => json!({ "var": "$flagd.flagKey" }),
    };
    let mut args = vec![json!({ "cat": [salt, { "var": attr }] })];
    args.extend(weights.iter().map(|(k, w)| json!([k, w])));
    json!({ "if": [
        { "missing": [attr] },
        flag.off_variant,
        { "fractional": args },
    ] })
}

/// The flag's targeting: rules in order, then its own split. `None` when the
/// outcome does not depend on the context (then the returned variant is the
/// default variant).
fn targeting(flag: &Flag) -> (Option<Value>, String) {
    let mut branches: Vec<Value> = Vec::new();
    let mut fallback = None;
    for Rule { when, split: s } in &flag.rules {
        let result = split(flag, s);
        if when.is_empty() {
            fallback = Some(result);
            break;
        }
        branches.push(conditions(when));
        branches.push(result);
    }
    let last = fallback.unwrap_or_else(|| split(flag, &flag.split));
    if branches.is_empty() {
        return match last {
            Value::String(variant) => (None, variant),
            logic => (Some(logic), flag.off_variant.clone()),
        };
    }
    branches.push(last);
    (Some(json!({ "if": branches })), flag.off_variant.clone())
}

/// The flag's metadata: `description`, `owner`, `ticket`, `expires` when set,
/// and `mcfg.kind`.
fn metadata(flag: &Flag) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, text) in [
        ("description", &flag.description),
        ("owner", &flag.owner),
        ("ticket", &flag.ticket),
    ] {
        if !text.is_empty() {
            out.insert(key.to_owned(), Value::String(text.clone()));
        }
    }
    if let Some(expires) = &flag.expires {
        out.insert("expires".to_owned(), Value::String(expires.clone()));
    }
    out.insert(
        "mcfg.kind".to_owned(),
        Value::String(flag.kind.schema_name().to_owned()),
    );
    out
}

/// The flag definition flagd reads.
pub fn flag_definition(flag: &Flag) -> Value {
    let (targeting, default) = if flag.enabled {
        targeting(flag)
    } else {
        (None, flag.off_variant.clone())
    };
    let mut out = Map::new();
    out.insert("state".to_owned(), Value::String("ENABLED".to_owned()));
    let variants: Map<String, Value> = flag.variants.iter().cloned().collect();
    out.insert("variants".to_owned(), Value::Object(variants));
    out.insert("defaultVariant".to_owned(), Value::String(default));
    if let Some(t) = targeting {
        out.insert("targeting".to_owned(), t);
    }
    out.insert("metadata".to_owned(), Value::Object(metadata(flag)));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_compile_to_flagd_json_logic() {
        let c = |op: &str, value: &str, values: &[&str]| Condition {
            attribute: "x".to_owned(),
            op: op.to_owned(),
            value: value.to_owned(),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        };
        assert_eq!(
            condition(&c("equals", "DE", &[])),
            json!({"==": [{"var": "x"}, "DE"]})
        );
        assert_eq!(
            condition(&c("not_in", "", &["a", "b"])),
            json!({"!": [{"in": [{"var": "x"}, ["a", "b"]]}]})
        );
        assert_eq!(
            condition(&c("semver_ge", "1.2.0", &[])),
            json!({"sem_ver": [{"var": "x"}, ">=", "1.2.0"]})
        );
        assert_eq!(
            conditions(&[c("starts_with", "a", &[]), c("ends_with", "z", &[])]),
            json!({"and": [
                {"starts_with": [{"var": "x"}, "a"]},
                {"ends_with": [{"var": "x"}, "z"]}
            ]})
        );
    }
}
