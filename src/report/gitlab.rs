//! GitLab Code Quality report: a JSON array of issues
//! (`description`, `check_name`, `fingerprint`, `severity`, `location.path`, `location.lines.begin`).

use serde_json::json;

use super::Report;
use crate::diagnostic::Severity;

pub fn render(report: &Report) -> String {
    let issues: Vec<_> = report
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "type": "issue",
                "description": d.message,
                "check_name": d.rule,
                "fingerprint": d.fingerprint,
                "severity": match d.severity { Severity::Error => "major", Severity::Warning => "minor" },
                "categories": ["Bug Risk"],
                "location": {"path": d.path, "lines": {"begin": d.span.line, "end": d.span.end_line}},
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}
