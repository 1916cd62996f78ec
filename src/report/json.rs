//! The `obsdebt/v1` JSON report. Field names are a contract: CI scripts read them.
//! Additions to the first version of the schema are additive: `coverage.logging.suppressed`,
//! `files.not_analysed`, the top-level `suppressed` list, the `config` object
//! (`values`, `duplicated`, `conflicting`, `places`) next to `coverage`, `coverage.patch` with
//! `--diff-base`, and `baseline` with `--baseline`/`--compare`.

use serde::Serialize;

use super::Report;
use crate::coverage::Counts;

pub const SCHEMA: &str = "obsdebt/v1";

// The report as borrowed, serialisable structs: written straight to the output, with no
// intermediate JSON tree (which, for 80k findings, costs hundreds of MiB). Field order is the
// schema's.

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    tool: Tool,
    files: Files<'a>,
    coverage: Coverage<'a>,
    config: ConfigOut,
    diagnostics: Vec<Diag<'a>>,
    suppressed: Vec<Suppressed<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<Baseline<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Files<'a> {
    scanned: usize,
    parse_errors: usize,
    not_analysed: &'a [String],
}

#[derive(Serialize)]
struct Coverage<'a> {
    logging: Logging,
    crates: Vec<Part<'a>>,
    files: Vec<Part<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    patch: Option<PatchOut<'a>>,
}

#[derive(Serialize)]
struct Logging {
    logged: u32,
    unlogged: u32,
    propagated: u32,
    expected: u32,
    suppressed: u32,
    /// Of the logged sites, those whose log lines never carry the error.
    logged_without_error: u32,
    percent: Option<f64>,
}

/// A crate (with `name`) or a file of the coverage tables.
#[derive(Serialize)]
struct Part<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    path: &'a str,
    logged: u32,
    unlogged: u32,
    propagated: u32,
    logged_without_error: u32,
    percent: Option<f64>,
}

#[derive(Serialize)]
struct PatchOut<'a> {
    base: &'a str,
    logged: u32,
    unlogged: u32,
    propagated: u32,
    expected: u32,
    percent: Option<f64>,
    changed_files: usize,
    changed_lines: usize,
}

#[derive(Serialize)]
struct ConfigOut {
    values: usize,
    duplicated: usize,
    conflicting: usize,
    places: usize,
}

#[derive(Serialize)]
struct Diag<'a> {
    rule: &'a str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    fingerprint: &'a str,
    related: Vec<RelatedOut<'a>>,
    /// What the finding rests on (the chain from a handler, why places are one setting).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<&'a str>,
    /// The edits that resolve it, when the rule can write them (`check --fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    applicability: &'static str,
    message: &'a str,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    content: &'a str,
}

#[derive(Serialize)]
struct RelatedOut<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct Suppressed<'a> {
    rule: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Baseline<'a> {
    report: &'a str,
    percent: Option<f64>,
    existing: usize,
}

fn doc(report: &Report) -> Doc<'_> {
    let t = &report.total;
    fn part<'a>(name: Option<&'a str>, path: &'a str, c: &Counts) -> Part<'a> {
        Part {
            name,
            path,
            logged: c.logged,
            unlogged: c.unlogged,
            propagated: c.propagated,
            logged_without_error: c.logged_without_error,
            percent: c.percent(),
        }
    }
    Doc {
        schema: SCHEMA,
        tool: Tool {
            name: "obsdebt",
            version: env!("CARGO_PKG_VERSION"),
        },
        files: Files {
            scanned: report.files_scanned,
            parse_errors: report.not_analysed.len(),
            not_analysed: &report.not_analysed,
        },
        coverage: Coverage {
            logging: Logging {
                logged: t.logged,
                unlogged: t.unlogged,
                propagated: t.propagated,
                expected: t.expected,
                suppressed: t.suppressed,
                logged_without_error: t.logged_without_error,
                percent: t.percent(),
            },
            crates: report
                .crates
                .iter()
                .map(|c| part(Some(&c.name), &c.path, &c.counts))
                .collect(),
            files: report.files.iter().map(|f| part(None, &f.path, &f.counts)).collect(),
            patch: report.patch.as_ref().map(|p| PatchOut {
                base: &p.base,
                logged: p.counts.logged,
                unlogged: p.counts.unlogged,
                propagated: p.counts.propagated,
                expected: p.counts.expected,
                percent: p.counts.percent(),
                changed_files: p.changed_files,
                changed_lines: p.changed_lines,
            }),
        },
        config: ConfigOut {
            values: report.config.values,
            duplicated: report.config.duplicated,
            conflicting: report.config.conflicting,
            places: report.config.places,
        },
        diagnostics: report
            .diagnostics
            .iter()
            .map(|d| Diag {
                rule: d.rule,
                severity: d.severity.as_str(),
                message: &d.message,
                help: d.help.as_deref(),
                path: &d.path,
                line: d.span.line,
                column: d.span.column,
                end_line: d.span.end_line,
                end_column: d.span.end_column,
                fingerprint: &d.fingerprint,
                related: d
                    .related
                    .iter()
                    .map(|r| RelatedOut {
                        path: &r.path,
                        line: r.span.line,
                        column: r.span.column,
                        message: &r.message,
                    })
                    .collect(),
                notes: d.notes.iter().map(String::as_str).collect(),
                fix: d.fix.as_ref().map(|f| FixOut {
                    applicability: f.applicability.as_str(),
                    message: &f.message,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| EditOut {
                            line: e.span.line,
                            column: e.span.column,
                            end_line: e.span.end_line,
                            end_column: e.span.end_column,
                            content: &e.content,
                        })
                        .collect(),
                }),
            })
            .collect(),
        suppressed: report
            .suppressed
            .iter()
            .map(|s| Suppressed {
                rule: s.rule,
                path: &s.path,
                line: s.span.line,
                column: s.span.column,
                reason: s.reason.as_deref(),
            })
            .collect(),
        baseline: report.previous.as_ref().map(|p| Baseline {
            report: &p.path,
            percent: p.percent,
            existing: p.existing,
        }),
    }
}

/// The report as a JSON value (for tests and tools that want to inspect it).
pub fn to_value(report: &Report) -> serde_json::Value {
    serde_json::to_value(doc(report)).unwrap_or(serde_json::Value::Null)
}

pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(&doc(report)).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}
