//! The flags of `std/ml` read from their evaluated JSON values.
//!
//! The values come from fields the type checker already accepted as
//! `ml.FeatureFlag` / `ml.Experiment`, so every field has its declared type;
//! reading is still total (a missing or odd field reads as its default)
//! because nothing here may panic on a value.

use serde_json::{Map, Value};

/// Which `std/ml` schema a flag field has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagKind {
    /// `ml.FeatureFlag`: a boolean flag.
    Feature,
    /// `ml.Experiment`: a string flag (or typed by `variants`).
    Experiment,
}

impl FlagKind {
    /// The schema's name in `std/ml`.
    pub fn schema_name(self) -> &'static str {
        match self {
            FlagKind::Feature => "FeatureFlag",
            FlagKind::Experiment => "Experiment",
        }
    }

    /// The kind of the `std/ml` schema called `name`.
    pub fn from_schema_name(name: &str) -> Option<FlagKind> {
        match name {
            "FeatureFlag" => Some(FlagKind::Feature),
            "Experiment" => Some(FlagKind::Experiment),
            _ => None,
        }
    }
}

/// One `ml.FeatureFlag` or `ml.Experiment` valued field of an artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagField {
    pub kind: FlagKind,
    /// Dotted path of the field inside its config (`flags.new_ui`).
    pub path: String,
    /// The field's value as it appears in the artifact.
    pub value: Value,
}

/// One `Condition` of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub attribute: String,
    pub op: String,
    pub value: String,
    pub values: Vec<String>,
}

/// One rule: its conditions (empty = catch-all) and its split.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub when: Vec<Condition>,
    /// Variant to share in percent, in declaration order.
    pub split: Vec<(String, f64)>,
}

impl Rule {
    /// True for a rule without conditions: it matches every context.
    pub fn is_catch_all(&self) -> bool {
        self.when.is_empty()
    }
}

/// A flag with both schemas brought to one shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    pub kind: FlagKind,
    pub enabled: bool,
    /// The split everyone not matched by a rule gets.
    pub split: Vec<(String, f64)>,
    /// Variant name to served value, in order (`on`/`off` for a feature flag).
    pub variants: Vec<(String, Value)>,
    /// Whether `variants` was written (an experiment with typed values).
    pub typed: bool,
    /// The variant served when the flag is off and when no split applies.
    pub off_variant: String,
    /// Prefix of the bucketing string (`$flagd.flagKey` or the salt).
    pub salt: Option<String>,
    pub bucket_by: String,
    pub rules: Vec<Rule>,
    pub description: String,
    pub owner: String,
    pub ticket: String,
    pub expires: Option<String>,
    pub attributes: Vec<String>,
}

/// Reads one rule's split from the rule object.
type SplitOf = dyn Fn(&Map<String, Value>) -> Vec<(String, f64)>;

/// The variant names of a feature flag.
pub const ON: &str = "on";
pub const OFF: &str = "off";

fn text(obj: &Map<String, Value>, key: &str) -> String {
    obj.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|it| it.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn shares(v: Option<&Value>) -> Vec<(String, f64)> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().map(|(k, v)| (k.clone(), number(v))).collect())
        .unwrap_or_default()
}

fn rollout_split(rollout: f64) -> Vec<(String, f64)> {
    vec![(ON.to_owned(), rollout), (OFF.to_owned(), 100.0 - rollout)]
}

fn conditions(v: Option<&Value>) -> Vec<Condition> {
    let Some(items) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|c| Condition {
            attribute: text(c, "attribute"),
            op: c
                .get("op")
                .and_then(Value::as_str)
                .unwrap_or("equals")
                .to_owned(),
            value: text(c, "value"),
            values: strings(c.get("values")),
        })
        .collect()
}

impl Flag {
    /// Reads a flag of `kind` from its artifact value.
    pub fn read(kind: FlagKind, value: &Value) -> Flag {
        let empty = Map::new();
        let obj = value.as_object().unwrap_or(&empty);
        let rules_of = |f: &SplitOf| -> Vec<Rule> {
            obj.get("rules")
                .and_then(Value::as_array)
                .map(|rules| {
                    rules
                        .iter()
                        .filter_map(Value::as_object)
                        .map(|r| Rule {
                            when: conditions(r.get("when")),
                            split: f(r),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let common = |split, variants, typed, off_variant: String, salt, rules| Flag {
            kind,
            enabled: obj.get("enabled").and_then(Value::as_bool).unwrap_or(false),
            split,
            variants,
            typed,
            off_variant,
            salt,
            bucket_by: text(obj, "bucket_by"),
            rules,
            description: text(obj, "description"),
            owner: text(obj, "owner"),
            ticket: text(obj, "ticket"),
            expires: obj
                .get("expires")
                .and_then(Value::as_str)
                .map(str::to_owned),
            attributes: strings(obj.get("attributes")),
        };
        match kind {
            FlagKind::Feature => {
                let rollout = obj.get("rollout").map_or(100.0, number);
                let rules = rules_of(&|r| rollout_split(r.get("rollout").map_or(100.0, number)));
                let variants = vec![
                    (ON.to_owned(), Value::Bool(true)),
                    (OFF.to_owned(), Value::Bool(false)),
                ];
                common(
                    rollout_split(rollout),
                    variants,
                    false,
                    OFF.to_owned(),
                    None,
                    rules,
                )
            }
            FlagKind::Experiment => {
                let split = shares(obj.get("traffic"));
                let rules = rules_of(&|r| shares(r.get("traffic")));
                let declared: Vec<(String, Value)> = obj
                    .get("variants")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                let typed = !declared.is_empty();
                let variants = if typed {
                    declared
                } else {
                    split
                        .iter()
                        .map(|(k, _)| (k.clone(), Value::String(k.clone())))
                        .collect()
                };
                common(
                    split,
                    variants,
                    typed,
                    text(obj, "control"),
                    Some(text(obj, "salt")),
                    rules,
                )
            }
        }
    }

    /// Whether the flag has a variant called `name`.
    pub fn has_variant(&self, name: &str) -> bool {
        self.variants.iter().any(|(k, _)| k == name)
    }

    /// The attribute the flag buckets on (`targetingKey` unless `bucket_by`).
    pub fn bucket_attribute(&self) -> &str {
        if self.bucket_by.is_empty() {
            "targetingKey"
        } else {
            &self.bucket_by
        }
    }
}
