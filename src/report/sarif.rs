//! SARIF 2.1.0, as GitHub code scanning accepts it: one run, the rules with their
//! descriptions and help, results with locations, `partialFingerprints` (stable across runs),
//! related locations, and the handler-to-constructor chain of `engine-in-handler` as a code flow.

use serde_json::{json, Value};

use super::{rule_url, Report, HOMEPAGE};
use crate::diagnostic::{Diagnostic, Severity, Span};
use crate::rule;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn region(s: Span) -> Value {
    json!({"startLine": s.line, "startColumn": s.column, "endLine": s.end_line, "endColumn": s.end_column})
}

fn location(path: &str, s: Span) -> Value {
    json!({"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region(s)}})
}

/// The paragraph under a doc heading.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    doc.split("## ")
        .find(|s| s.starts_with(heading))
        .map(|s| s[heading.len()..].trim())
        .unwrap_or("")
}

fn rules_array() -> Vec<Value> {
    rule::ALL
        .iter()
        .map(|r| {
            // SARIF's levels are obsdebt's severities, and `none` for a rule that is off.
            let level = Severity::of(r.default_level).map_or("none", Severity::as_str);
            json!({
                "id": r.name,
                "name": r.name.split('-').map(|w| {
                    let mut c = w.chars();
                    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
                }).collect::<String>(),
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": section(r.doc, "What it finds").replace('\n', " ")},
                "helpUri": rule_url(r.name),
                "help": {"text": r.doc, "markdown": r.doc},
                "defaultConfiguration": {"level": level},
                "properties": {"tags": ["observability"]},
            })
        })
        .collect()
}

fn result(d: &Diagnostic) -> Value {
    let rule_index = rule::ALL.iter().position(|r| r.name == d.rule).unwrap_or(0);
    let text = match &d.help {
        Some(h) => format!("{}. Help: {h}", d.message),
        None => d.message.clone(),
    };
    let mut v = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": d.severity.as_str(),
        "message": {"text": text},
        "locations": [location(&d.path, d.span)],
        "partialFingerprints": {"obsdebt/v1": d.fingerprint},
    });
    if !d.related.is_empty() {
        v["relatedLocations"] = d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut l = location(&r.path, r.span);
                l["id"] = json!(i + 1);
                l["message"] = json!({"text": r.message});
                l
            })
            .collect();
    }
    if let Some(fix) = &d.fix {
        // One artifact change: a fix edits the finding's own file.
        v["fixes"] = json!([{
            "description": {"text": format!("{} ({} fix)", fix.message, fix.applicability.as_str())},
            "artifactChanges": [{
                "artifactLocation": {"uri": d.path, "uriBaseId": "%SRCROOT%"},
                "replacements": fix
                    .edits
                    .iter()
                    .map(|e| json!({"deletedRegion": region(e.span), "insertedContent": {"text": e.content}}))
                    .collect::<Vec<_>>(),
            }],
        }]);
    }
    if d.rule == crate::rule::ENGINE_IN_HANDLER.name {
        // The call chain from the handler to the constructor, in order.
        let mut steps: Vec<Value> = d
            .related
            .iter()
            .filter(|r| !r.message.starts_with("also reached"))
            .map(|r| {
                let mut l = location(&r.path, r.span);
                l["message"] = json!({"text": r.message});
                json!({"location": l})
            })
            .collect();
        let mut last = location(&d.path, d.span);
        last["message"] = json!({"text": d.label});
        steps.push(json!({"location": last}));
        v["codeFlows"] = json!([{"threadFlows": [{"locations": steps}]}]);
    }
    v
}

pub fn to_value(report: &Report) -> Value {
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "obsdebt",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": HOMEPAGE,
                "rules": rules_array(),
            }},
            "results": report.diagnostics.iter().map(result).collect::<Vec<_>>(),
            "columnKind": "unicodeCodePoints",
        }],
    })
}

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
