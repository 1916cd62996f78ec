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
    // A failed gate is an issue of the file that set it (or of the project's manifest).
    let mut issues = issues;
    for g in &report.gate_failures {
        let path = report.gate_source.as_deref().unwrap_or("Cargo.toml");
        issues.push(json!({
            "type": "issue",
            "description": format!("obsdebt: {g}"),
            "check_name": "coverage-gate",
            "fingerprint": format!("{:016x}", crate::diagnostic::fnv1a(format!("coverage-gate:{path}").as_bytes())),
            "severity": "major",
            "categories": ["Bug Risk"],
            "location": {"path": path, "lines": {"begin": 1, "end": 1}},
        }));
    }
    let mut text = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}
