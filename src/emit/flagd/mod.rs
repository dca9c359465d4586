//! flagd flag sets (CLI.md "Runtime flags and experiments"): every
//! `ml.FeatureFlag` / `ml.Experiment` field of every emitted config becomes
//! one flag of `<env>/flags.flagd.json`, keyed `<config>.<path>`.
//!
//! A feature flag is a boolean flag with variants `on`/`off`; an experiment a
//! flag whose variants are the keys of `traffic` (serving their names) or of
//! `variants` (serving typed values). `enabled = false` gives the flag no
//! targeting and the default variant `off` / `control`. The flags are written
//! in config order, then field order. The flag model and its compile-time
//! checks live below evaluation, in `types::flag`.
//!
//! **Invariant:** a flag set is a pure function of the flag values; the
//! only clock read (`types::flag::today`) dates the expiry warning, never
//! the file.

pub mod targeting;

use serde_json::{Map, Value};

pub use crate::types::flag::{Flag, FlagField, FlagKind};

/// The flag set's file name inside an environment's folder.
pub const FLAG_SET_NAME: &str = "flags.flagd.json";

/// The `$schema` of every flag set.
pub const SCHEMA_URL: &str = "https://flagd.dev/schema/v0/flags.json";

/// The flag key of `field` in config `config`: `<config>.<path>`, or the
/// config's name for a config whose schema is the flag's.
pub fn flag_key(config: &str, field: &FlagField) -> String {
    if field.path.is_empty() {
        config.to_owned()
    } else {
        format!("{config}.{}", field.path)
    }
}

/// The flag definition of one field.
pub fn definition(field: &FlagField) -> Value {
    targeting::flag_definition(&Flag::read(field.kind, &field.value))
}

/// A whole flag set from (key, definition) pairs, as JSON bytes (two-space
/// indentation, final newline).
pub fn flag_set(flags: Vec<(String, Value)>) -> Vec<u8> {
    let mut top = Map::new();
    top.insert("$schema".to_owned(), Value::String(SCHEMA_URL.to_owned()));
    top.insert(
        "flags".to_owned(),
        Value::Object(flags.into_iter().collect()),
    );
    super::json::to_bytes(&Value::Object(top))
}

/// The flags of one artifact, rendered on the thread that evaluated it.
#[derive(Debug, Clone, Default)]
pub struct ArtifactFlags {
    pub env: Option<String>,
    /// (flag key, definition) in field order.
    pub flags: Vec<(String, Value)>,
}

impl ArtifactFlags {
    /// The flag definitions of config `config`'s `fields` in environment `env`.
    pub fn new(config: &str, env: Option<String>, fields: &[FlagField]) -> ArtifactFlags {
        ArtifactFlags {
            env,
            flags: fields
                .iter()
                .map(|f| (flag_key(config, f), definition(f)))
                .collect(),
        }
    }
}

/// The flag set files of a build: one per environment that has flags, in
/// the order environments first appear, each with its manifest entry.
pub fn flag_sets(
    per_artifact: impl IntoIterator<Item = ArtifactFlags>,
) -> Vec<(super::Artifact, super::manifest::FlagSetEntry)> {
    let mut envs: crate::map::Map<Option<String>, Vec<(String, Value)>> =
        crate::map::Map::default();
    for a in per_artifact {
        if !a.flags.is_empty() {
            envs.entry(a.env).or_default().extend(a.flags);
        }
    }
    envs.into_iter()
        .map(|(env, flags)| {
            let path = match &env {
                Some(e) => format!("{e}/{FLAG_SET_NAME}"),
                None => FLAG_SET_NAME.to_owned(),
            };
            let keys = flags.iter().map(|(k, _)| k.clone()).collect();
            let bytes = flag_set(flags);
            let entry = super::manifest::FlagSetEntry {
                env,
                path: path.clone(),
                sha256: super::manifest::sha256_hex(&bytes),
                keys,
            };
            (super::Artifact::new(path, bytes), entry)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn field(kind: FlagKind, value: Value) -> FlagField {
        FlagField {
            kind,
            path: "f".to_owned(),
            value,
        }
    }

    #[test]
    fn feature_flag_definitions() {
        let off = definition(&field(
            FlagKind::Feature,
            json!({"enabled": false, "rollout": 30.0, "owner": "ml"}),
        ));
        assert_eq!(
            off,
            json!({"state": "ENABLED", "variants": {"on": true, "off": false},
                   "defaultVariant": "off",
                   "metadata": {"owner": "ml", "mcfg.kind": "FeatureFlag"}})
        );
        let full = definition(&field(
            FlagKind::Feature,
            json!({"enabled": true, "rollout": 100.0}),
        ));
        assert_eq!(full["defaultVariant"], "on");
        assert!(full.get("targeting").is_none());
        let part = definition(&field(
            FlagKind::Feature,
            json!({"enabled": true, "rollout": 30.0, "bucket_by": "session_id"}),
        ));
        assert_eq!(
            part["targeting"],
            json!({"if": [
                {"missing": ["session_id"]},
                "off",
                {"fractional": [
                    {"cat": [{"var": "$flagd.flagKey"}, {"var": "session_id"}]},
                    ["on", 30], ["off", 70]
                ]}
            ]})
        );
    }

    #[test]
    fn experiment_definitions() {
        let exp = json!({"enabled": true, "salt": "s1", "control": "a",
            "traffic": {"a": 33.333, "b": 33.333, "c": 33.334},
            "rules": [{"when": [{"attribute": "country", "op": "in", "value": "", "values": ["DE"]}],
                       "traffic": {"b": 100.0}}]});
        let d = definition(&field(FlagKind::Experiment, exp.clone()));
        assert_eq!(d["variants"], json!({"a": "a", "b": "b", "c": "c"}));
        assert_eq!(d["defaultVariant"], "a");
        assert_eq!(
            d["targeting"],
            json!({"if": [
                {"in": [{"var": "country"}, ["DE"]]}, "b",
                {"if": [{"missing": ["targetingKey"]}, "a",
                    {"fractional": [{"cat": ["s1", {"var": "targetingKey"}]},
                        ["a", 33], ["b", 33], ["c", 34]]}]}
            ]})
        );
        let mut disabled = exp;
        disabled["enabled"] = json!(false);
        let d = definition(&field(FlagKind::Experiment, disabled));
        assert_eq!(d["defaultVariant"], "a");
        assert!(d.get("targeting").is_none());
    }

    #[test]
    fn flag_set_bytes() {
        let bytes = flag_set(vec![("k".to_owned(), json!({"state": "ENABLED"}))]);
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "{\n  \"$schema\": \"https://flagd.dev/schema/v0/flags.json\",\n  \"flags\": {\n    \"k\": {\n      \"state\": \"ENABLED\"\n    }\n  }\n}\n"
        );
    }
}
