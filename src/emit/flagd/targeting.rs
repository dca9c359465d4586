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

use super::model::{Condition, Flag, FlagKind, Rule};

/// Whole percentages for `shares` (which add up to 100 within float noise):
/// each share rounded down, then the points still missing to 100 given one
/// each to the shares with the largest remainders (ties: declaration order).
pub fn integer_shares(shares: &[(String, f64)]) -> Vec<(String, u32)> {
    // 1e-9 absorbs float noise such as 0.1 * 300 = 29.999999999999996.
    let floors: Vec<f64> = shares
        .iter()
        .map(|(_, s)| (s.max(0.0) + 1e-9).floor())
        .collect();
    let total: f64 = floors.iter().sum();
    let mut missing = (100.0 - total).max(0.0) as usize;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    let rem = |i: usize| shares[i].1 - floors[i];
    // Stable sort: equal remainders keep declaration order.
    order.sort_by(|&a, &b| rem(b).total_cmp(&rem(a)));
    let mut out: Vec<(String, u32)> = shares
        .iter()
        .zip(&floors)
        .map(|((k, _), f)| (k.clone(), *f as u32))
        .collect();
    for i in order {
        if missing == 0 {
            break;
        }
        if rem(i) > 1e-9 {
            out[i].1 += 1;
            missing -= 1;
        }
    }
    out
}

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

    fn shares(items: &[(&str, f64)]) -> Vec<(String, f64)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn weights(items: &[(&str, f64)]) -> Vec<u32> {
        integer_shares(&shares(items))
            .into_iter()
            .map(|(_, w)| w)
            .collect()
    }

    #[test]
    fn largest_remainder_rounding_sums_to_100() {
        assert_eq!(
            weights(&[("a", 33.333), ("b", 33.333), ("c", 33.334)]),
            [33, 33, 34]
        );
        assert_eq!(weights(&[("a", 50.0), ("b", 50.0)]), [50, 50]);
        assert_eq!(
            weights(&[("a", 100.0 / 3.0), ("b", 100.0 / 3.0), ("c", 100.0 / 3.0)]),
            [34, 33, 33],
            "ties go to the first declared"
        );
        assert_eq!(weights(&[("a", 12.5), ("b", 87.5)]), [13, 87]);
        assert_eq!(weights(&[("a", 0.1 * 300.0), ("b", 70.0)]), [30, 70]);
        assert_eq!(weights(&[("a", 0.4), ("b", 99.6)]), [0, 100]);
    }

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
