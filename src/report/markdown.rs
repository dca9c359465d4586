//! `mcfg diff --against REV --format markdown`: a pull-request comment.
//!
//! One section per environment (in the order the report lists them), one
//! table row per resolved leaf that changes, `old → new`, with the source
//! location that sets the new value (or the old one, for a removal) and a
//! note where an `@invariant`, `@distinct` or `@runtime` path is involved:
//! those are the rows a reviewer must not skim.

use indexmap::IndexMap;

use super::diff::{AgainstDiff, Difference};

/// The report as GitHub-flavoured Markdown.
pub fn render_markdown(report: &AgainstDiff) -> String {
    let rev = code(&report.against);
    let mut out = String::from("### mcfg: resolved values changed\n\n");
    if report.differences.is_empty() {
        out.push_str(&format!("No resolved value changed since {rev}.\n"));
        return out;
    }
    let n = report.differences.len();
    let noun = if n == 1 { "value" } else { "values" };
    out.push_str(&format!("{n} resolved {noun} changed since {rev}.\n"));
    let mut by_env: IndexMap<String, Vec<&Difference>> = IndexMap::new();
    for d in &report.differences {
        let env = d.env.as_ref().and_then(serde_json::Value::as_str);
        let title = env.map_or_else(|| "All configs".to_owned(), |e| format!("`{e}`"));
        by_env.entry(title).or_default().push(d);
    }
    for (title, diffs) in &by_env {
        out.push_str(&format!("\n#### {title}\n\n"));
        out.push_str("| path | before | after | set at | note |\n");
        out.push_str("|---|---|---|---|---|\n");
        for d in diffs {
            out.push_str(&row(d));
        }
    }
    let flagged = report
        .differences
        .iter()
        .filter(|d| d.marker.is_some())
        .count();
    if flagged > 0 {
        let (s, es) = if flagged == 1 { ("", "es") } else { ("s", "") };
        out.push_str(&format!(
            "\n> [!IMPORTANT]\n> {flagged} change{s} touch{es} `@invariant`, `@distinct` or `@runtime` paths.\n"
        ));
    }
    out
}

fn row(d: &Difference) -> String {
    let set_at = if d.shown[1] == "(absent)" {
        d.locations[0].as_ref()
    } else {
        d.locations[1].as_ref()
    };
    let set_at = set_at.map_or_else(|| "default".to_owned(), |l| code(&l.short()));
    format!(
        "| {} | {} | {} | {set_at} | {} |\n",
        code(&format!("{}.{}", d.config, d.path)),
        cell(&d.shown[0]),
        cell(&d.shown[1]),
        note(d.marker),
    )
}

fn note(marker: Option<&str>) -> &'static str {
    match marker {
        Some("invariant") => "⚠️ `@invariant`: must stay equal in every environment",
        Some("distinct") => "⚠️ `@distinct`: must differ between environments",
        Some("runtime") => "`@runtime`: may change without a redeploy",
        _ => "",
    }
}

/// A shown value in a table cell: `(absent)` as words, anything else as code.
fn cell(shown: &str) -> String {
    match shown {
        "(absent)" => "*absent*".to_owned(),
        "(failed)" => "*does not evaluate*".to_owned(),
        s => code(s),
    }
}

/// Inline code that survives any content: pipes escaped, backticks fenced
/// with a longer run of backticks (CommonMark §6.1).
fn code(s: &str) -> String {
    let s = s.replace('|', "\\|").replace('\n', " ");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{s}{fence}")
    } else {
        format!("{fence} {s} {fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::lookup::Loc;

    fn diff(
        env: &str,
        path: &str,
        old: &str,
        new: &str,
        marker: Option<&'static str>,
    ) -> Difference {
        Difference {
            config: "ranker".into(),
            env: Some(env.into()),
            path: path.into(),
            values: [serde_json::Value::Null, serde_json::Value::Null],
            locations: [
                None,
                Some(Loc {
                    file: "models/ranker.mcfg".into(),
                    line: 12,
                    column: 25,
                }),
            ],
            shown: [old.into(), new.into()],
            marker,
        }
    }

    #[test]
    fn one_section_per_environment_with_notes() {
        let report = AgainstDiff {
            against: "HEAD~1".into(),
            differences: vec![
                diff("prod", "serving.replicas", "4", "8", None),
                diff(
                    "prod",
                    "model_version",
                    "\"1.4.2\"",
                    "\"1.5.0\"",
                    Some("invariant"),
                ),
                diff(
                    "staging",
                    "serving.timeout",
                    "(absent)",
                    "200ms",
                    Some("runtime"),
                ),
            ],
        };
        let md = render_markdown(&report);
        assert_eq!(
            md,
            "### mcfg: resolved values changed\n\n\
             3 resolved values changed since `HEAD~1`.\n\n\
             #### `prod`\n\n\
             | path | before | after | set at | note |\n\
             |---|---|---|---|---|\n\
             | `ranker.serving.replicas` | `4` | `8` | `models/ranker.mcfg:12:25` |  |\n\
             | `ranker.model_version` | `\"1.4.2\"` | `\"1.5.0\"` | `models/ranker.mcfg:12:25` | ⚠️ `@invariant`: must stay equal in every environment |\n\n\
             #### `staging`\n\n\
             | path | before | after | set at | note |\n\
             |---|---|---|---|---|\n\
             | `ranker.serving.timeout` | *absent* | `200ms` | `models/ranker.mcfg:12:25` | `@runtime`: may change without a redeploy |\n\n\
             > [!IMPORTANT]\n> 2 changes touch `@invariant`, `@distinct` or `@runtime` paths.\n"
        );
    }

    #[test]
    fn no_change_is_said() {
        let report = AgainstDiff {
            against: "main".into(),
            differences: vec![],
        };
        assert!(render_markdown(&report).ends_with("No resolved value changed since `main`.\n"));
    }

    #[test]
    fn code_spans_survive_pipes_and_backticks() {
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(code("x`y"), "`` x`y ``");
    }
}
