//! `mcfg test --junit FILE`: the run as JUnit XML, the format CI dashboards
//! (GitLab, Jenkins, GitHub test reporters) read.
//!
//! One `<testsuite>` per source file declaring tests, one `<testcase>` per
//! test and environment (`name="prod serves on gpu [prod]"`,
//! `classname` the file), a `<failure>` for a false assert and an `<error>`
//! for one that could not be evaluated, whose text lists each diagnostic as
//! `file:line:column: message` with its help line. No timestamps or
//! durations: the same sources give the same bytes.

use std::fmt::Write as _;

use super::policy::{Case, Status, TestRun};
use crate::diagnostics::Diagnostic;
use crate::source::SourceMap;

/// The JUnit XML document of `run`.
pub fn render(run: &TestRun, sources: &SourceMap) -> String {
    let mut files: indexmap::IndexMap<&str, Vec<&Case>> = indexmap::IndexMap::new();
    for c in &run.cases {
        files.entry(c.file.as_str()).or_default().push(c);
    }
    let count = |cases: &[&Case], s: Status| cases.iter().filter(|c| c.status == s).count();
    let all: Vec<&Case> = run.cases.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"mcfg test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">",
        all.len(),
        count(&all, Status::Failed),
        count(&all, Status::Error)
    );
    for (file, cases) in &files {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">",
            escape(file),
            cases.len(),
            count(cases, Status::Failed),
            count(cases, Status::Error)
        );
        for c in cases {
            let name = match &c.env {
                Some(env) => format!("{} [{env}]", c.name),
                None => c.name.clone(),
            };
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                escape(&name),
                escape(file)
            );
            let tag = match c.status {
                Status::Passed => {
                    let _ = writeln!(out, "{open}/>");
                    continue;
                }
                Status::Failed => "failure",
                Status::Error => "error",
            };
            let first = c.diags.first();
            let _ = writeln!(
                out,
                "{open}>\n      <{tag} type=\"{}\" message=\"{}\">{}</{tag}>\n    </testcase>",
                first.map_or("mcfg::test-failed", |d| d.code.as_str()),
                escape(first.map_or("", |d| d.message.as_str())),
                escape_text(&details(sources, &c.diags))
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// `file:line:column: message` and `help: …` for each diagnostic.
fn details(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let loc = crate::diagnostics::location::locate(sources, d.primary.span);
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {}",
            loc.file,
            loc.line,
            loc.column,
            d.code.as_str(),
            d.message
        );
        if let Some(help) = &d.help {
            let _ = writeln!(out, "help: {help}");
        }
    }
    out
}

/// Text safe in XML 1.0 content and attribute values: markup characters as
/// entities, line breaks and tabs as character references (kept in
/// attributes), and the characters XML 1.0 forbids even as references
/// (other controls, lone surrogates cannot occur in `str`, U+FFFE/U+FFFF) as
/// U+FFFD.
pub fn escape(text: &str) -> String {
    escape_as(text, true)
}

/// [`escape`] for element content, where line breaks and tabs stay as they are.
fn escape_text(text: &str) -> String {
    escape_as(text, false)
}

fn escape_as(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\n' | '\t' if !attribute => out.push(ch),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_covers_markup_and_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c\" 'd'\n\u{1}\u{fffe}é"),
            "a&lt;b&gt;&amp;&quot;c&quot; &apos;d&apos;&#10;\u{fffd}\u{fffd}é"
        );
    }
}
