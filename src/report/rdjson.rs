//! reviewdog's Diagnostic Format (rdjson): one object with a `diagnostics` list.

use serde_json::{json, Value};

use super::{rule_url, Report, HOMEPAGE};
use crate::diagnostic::{Diagnostic, Severity, Span};

fn range(s: Span) -> Value {
    json!({"start": {"line": s.line, "column": s.column}, "end": {"line": s.end_line, "column": s.end_column}})
}

fn diagnostic(d: &Diagnostic) -> Value {
    let mut v = json!({
        "message": match &d.help { Some(h) => format!("{}\n\nhelp: {h}", d.message), None => d.message.clone() },
        "location": {"path": d.path, "range": range(d.span)},
        "severity": match d.severity { Severity::Error => "ERROR", Severity::Warning => "WARNING" },
        "code": {"value": d.rule, "url": rule_url(d.rule)},
    });
    if !d.related.is_empty() {
        v["related_locations"] = d
            .related
            .iter()
            .map(|r| json!({"message": r.message, "location": {"path": r.path, "range": range(r.span)}}))
            .collect();
    }
    v
}

pub fn render(report: &Report) -> String {
    let v = json!({
        "source": {"name": "obsdebt", "url": HOMEPAGE},
        "diagnostics": report.diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
