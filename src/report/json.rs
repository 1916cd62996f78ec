//! The `obsdebt/v1` JSON report (DESIGN §8). Field names are a contract: CI scripts read them.
//! Additions beyond DESIGN §8 are additive: `coverage.logging.suppressed`,
//! `files.not_analysed`, the top-level `suppressed` list, the `config` object
//! (`values`, `duplicated`, `conflicting`, `places`) next to `coverage`, `coverage.patch` with
//! `--diff-base`, and `baseline` with `--baseline`/`--compare`.

use serde_json::{json, Value};

use super::Report;
use crate::coverage::Counts;

pub const SCHEMA: &str = "obsdebt/v1";

fn percent(c: &Counts) -> Value {
    match c.percent() {
        Some(p) => json!(p),
        None => Value::Null,
    }
}

pub fn to_value(report: &Report) -> Value {
    let t = &report.total;
    let mut v = json!({
        "schema": SCHEMA,
        "tool": {"name": "obsdebt", "version": env!("CARGO_PKG_VERSION")},
        "files": {
            "scanned": report.files_scanned,
            "parse_errors": report.not_analysed.len(),
            "not_analysed": report.not_analysed,
        },
        "coverage": {
            "logging": {
                "logged": t.logged, "unlogged": t.unlogged, "propagated": t.propagated,
                "expected": t.expected, "suppressed": t.suppressed, "percent": percent(t),
            },
            "crates": report.crates.iter().map(|c| json!({
                "name": c.name, "path": c.path, "logged": c.counts.logged,
                "unlogged": c.counts.unlogged, "propagated": c.counts.propagated,
                "percent": percent(&c.counts),
            })).collect::<Vec<_>>(),
            "files": report.files.iter().map(|f| json!({
                "path": f.path, "logged": f.counts.logged, "unlogged": f.counts.unlogged,
                "propagated": f.counts.propagated, "percent": percent(&f.counts),
            })).collect::<Vec<_>>(),
        },
        "config": {
            "values": report.config.values,
            "duplicated": report.config.duplicated,
            "conflicting": report.config.conflicting,
            "places": report.config.places,
        },
        "diagnostics": report.diagnostics.iter().map(|d| json!({
            "rule": d.rule,
            "severity": d.severity.as_str(),
            "message": d.message,
            "help": d.help,
            "path": d.path,
            "line": d.span.line,
            "column": d.span.column,
            "end_line": d.span.end_line,
            "end_column": d.span.end_column,
            "fingerprint": d.fingerprint,
            "related": d.related.iter().map(|r| json!({
                "path": r.path, "line": r.span.line, "column": r.span.column, "message": r.message,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "suppressed": report.suppressed.iter().map(|s| json!({
            "rule": s.rule, "path": s.path, "line": s.span.line, "column": s.span.column,
            "reason": s.reason,
        })).collect::<Vec<_>>(),
    });
    if let Some(p) = &report.patch {
        v["coverage"]["patch"] = json!({
            "base": p.base, "logged": p.counts.logged, "unlogged": p.counts.unlogged,
            "propagated": p.counts.propagated, "expected": p.counts.expected, "percent": percent(&p.counts),
            "changed_files": p.changed_files, "changed_lines": p.changed_lines,
        });
    }
    if let Some(prev) = &report.previous {
        v["baseline"] = json!({"report": prev.path, "percent": prev.percent, "existing": report.existing.len()});
    }
    v
}

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
