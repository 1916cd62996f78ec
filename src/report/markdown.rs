//! `markdown`: a pull-request comment. Total logging coverage, a per-crate table, engines built
//! per request, duplicated configuration and the top findings with `path:line`. With an earlier
//! report (`--baseline` or `--compare`), numbers carry their change in Codecov's notation,
//! `83.3% (+4.1)`, and new findings are listed apart from existing ones.

use std::fmt::Write;

use super::summary::plural;
use super::{by_severity, Report};
use crate::coverage::show_percent;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::{self, Category};

/// The sections findings are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Rules whose sites count in logging coverage.
    ErrorPaths,
    Engines,
    Config,
    /// Every other rule: parse errors, unused suppressions, internal errors, and any rule added
    /// later.
    Other,
}

impl Group {
    const ALL: [Group; 4] = [Group::ErrorPaths, Group::Engines, Group::Config, Group::Other];

    /// A rule's section, from the rule registry.
    fn of(rule: &str) -> Group {
        match rule::find(rule).map(|r| r.category) {
            Some(Category::ErrorPaths) => Group::ErrorPaths,
            Some(Category::Engines) => Group::Engines,
            Some(Category::Config) => Group::Config,
            Some(Category::Tool) | None => Group::Other,
        }
    }
}

/// Findings listed in full before the rest is summed up.
const TOP: usize = 20;

/// `83.3% (+4.1)`, `83.3% (ø)` when unchanged, `83.3%` without an earlier number.
pub fn with_delta(now: Option<f64>, before: Option<Option<f64>>) -> String {
    let shown = show_percent(now);
    match (now, before.flatten()) {
        (Some(n), Some(b)) => {
            let d = ((n - b) * 10.0).round() / 10.0;
            if d == 0.0 {
                format!("{shown} (ø)")
            } else {
                format!("{shown} ({d:+.1})")
            }
        }
        _ => shown,
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// `s` as a CommonMark code span whatever it holds: fenced by one backtick more than the
/// longest run of backticks in it, and padded with a space on each side when it starts or ends
/// with a backtick (or starts and ends with a space, which a reader would strip).
fn code(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad =
        s.starts_with('`') || s.ends_with('`') || (s.starts_with(' ') && s.ends_with(' ') && !s.trim().is_empty());
    let space = if pad { " " } else { "" };
    format!("{fence}{space}{s}{space}{fence}")
}

fn line(out: &mut String, d: &Diagnostic) {
    // Errors stand out in bold.
    let sev = match d.severity {
        Severity::Error => format!("**{}**", d.severity.as_str()),
        Severity::Warning => d.severity.as_str().to_string(),
    };
    let _ = writeln!(
        out,
        "- {sev} {} {} — {}",
        code(d.rule),
        code(&format!("{}:{}", d.path, d.span.line)),
        cell(&d.message)
    );
}

fn list(out: &mut String, diags: &[&Diagnostic]) {
    for d in diags.iter().take(TOP) {
        line(out, d);
    }
    if diags.len() > TOP {
        let _ = writeln!(out, "- … and {} more", diags.len() - TOP);
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::from("## obsdebt\n\n");
    for g in &report.gate_failures {
        let _ = writeln!(out, "> [!CAUTION]\n> **Gate failed:** {g}\n");
    }
    let t = &report.total;
    let prev = report.previous.as_ref();
    let _ = writeln!(
        out,
        "**Logging coverage: {}** — {} logged, {} unlogged · not counted: {} propagated, {} expected, {} suppressed",
        with_delta(t.percent(), prev.map(|p| p.percent)),
        t.logged,
        t.unlogged,
        t.propagated,
        t.expected,
        t.suppressed
    );
    if t.logged_without_error > 0 {
        let _ = writeln!(
            out,
            "\n{} of the logged paths log without the error (`log-without-error`)",
            t.logged_without_error
        );
    }
    if let Some(p) = &report.patch {
        let _ = writeln!(
            out,
            "\n**Patch coverage (lines changed since {}): {}** — {} logged, {} unlogged in {} changed lines of {} files",
            code(&p.base),
            show_percent(p.counts.percent()),
            p.counts.logged,
            p.counts.unlogged,
            p.changed_lines,
            p.changed_files
        );
    }
    if !report.crates.is_empty() {
        out.push_str("\n| crate | logged | unlogged | propagated | coverage |\n|:--|--:|--:|--:|--:|\n");
        for c in &report.crates {
            let before = prev.map(|p| p.crates.get(&c.name).copied().flatten());
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(&code(&c.name)),
                c.counts.logged,
                c.counts.unlogged,
                c.counts.propagated,
                with_delta(c.counts.percent(), before)
            );
        }
    }
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    out.push('\n');
    match prev {
        Some(p) if p.baseline && (!report.existing.is_empty() || p.findings > 0) => {
            let _ = writeln!(
                out,
                "**Findings:** {} new ({}, {}) · {} existing · {} fixed",
                report.diagnostics.len(),
                plural(errors, "error"),
                plural(warnings, "warning"),
                p.existing,
                p.fixed
            );
        }
        // `--compare` reports every finding, the existing ones too.
        Some(p) if p.findings > 0 => {
            let _ = writeln!(
                out,
                "**Findings:** {} ({}, {}): {} new · {} existing · {} fixed",
                report.diagnostics.len(),
                plural(errors, "error"),
                plural(warnings, "warning"),
                report.diagnostics.len().saturating_sub(p.existing),
                p.existing,
                p.fixed
            );
        }
        _ => {
            let _ = writeln!(
                out,
                "**Findings:** {} ({}, {})",
                report.diagnostics.len(),
                plural(errors, "error"),
                plural(warnings, "warning")
            );
        }
    }
    let new = if prev.is_some() && !report.existing.is_empty() {
        "new "
    } else {
        ""
    };
    let sorted = by_severity(&report.diagnostics);
    // One section per group, in this order; every rule of the registry falls in one (the last
    // takes any rule the others do not), so every finding counted above is listed.
    for group in Group::ALL {
        let found: Vec<&Diagnostic> = sorted.iter().copied().filter(|d| Group::of(d.rule) == group).collect();
        if found.is_empty() {
            continue;
        }
        let count = super::summary::plural(found.len(), &format!("{new}finding"));
        match group {
            Group::ErrorPaths => {
                let _ = writeln!(out, "\n### Unlogged error paths: {count}\n");
            }
            Group::Engines => {
                let _ = writeln!(out, "\n### Engines built per request: {count}\n");
            }
            Group::Config => {
                let c = &report.config;
                let _ = writeln!(
                    out,
                    "\n### Duplicated configuration: {count}\n\n{} configuration values; {} duplicated and {} conflicting, in {} places.\n",
                    c.values, c.duplicated, c.conflicting, c.places
                );
            }
            Group::Other => {
                let _ = writeln!(out, "\n### Other: {count}\n");
            }
        }
        list(&mut out, &found);
    }
    if !report.existing.is_empty() {
        let _ = writeln!(
            out,
            "\n<details><summary>Existing findings ({})</summary>\n",
            report.existing.len()
        );
        list(&mut out, &by_severity(&report.existing));
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codecov_style_deltas() {
        assert_eq!(with_delta(Some(83.3), Some(Some(79.2))), "83.3% (+4.1)");
        assert_eq!(with_delta(Some(70.0), Some(Some(72.5))), "70.0% (-2.5)");
        assert_eq!(with_delta(Some(50.0), Some(Some(50.0))), "50.0% (ø)");
        assert_eq!(with_delta(Some(50.0), None), "50.0%");
        assert_eq!(with_delta(None, Some(Some(50.0))), "n/a");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("src/a.rs:3"), "`src/a.rs:3`");
        assert_eq!(code("src/a`b.rs:3"), "``src/a`b.rs:3``");
        assert_eq!(code("a``b```c"), "````a``b```c````");
        assert_eq!(code("`x.rs:1"), "`` `x.rs:1 ``");
        assert_eq!(code("x`"), "`` x` ``");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("  "), "`  `");
    }

    #[test]
    fn the_diff_base_is_a_code_span_too() {
        let report = Report {
            patch: Some(crate::report::Patch {
                base: "topic`x".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(render(&report).contains("(lines changed since ``topic`x``)"));
    }

    fn finding(rule: &'static str, line: u32) -> Diagnostic {
        Diagnostic {
            rule,
            severity: Severity::Error,
            message: format!("a {rule} finding"),
            label: String::new(),
            help: None,
            path: "src/a.rs".into(),
            span: crate::diagnostic::Span {
                line,
                column: 1,
                end_line: line,
                end_column: 2,
            },
            related: Vec::new(),
            notes: Vec::new(),
            site_text: String::new(),
            fingerprint: String::new(),
            fix: None,
        }
    }

    #[test]
    fn every_rule_of_the_registry_is_listed() {
        let report = Report {
            diagnostics: rule::ALL
                .iter()
                .enumerate()
                .map(|(i, r)| finding(r.name, i as u32 + 1))
                .collect(),
            ..Default::default()
        };
        let md = render(&report);
        for (i, r) in rule::ALL.iter().enumerate() {
            let line = format!("- **error** `{}` `src/a.rs:{}` — a {} finding", r.name, i + 1, r.name);
            assert_eq!(md.matches(&line).count(), 1, "{} is listed once:\n{md}", r.name);
        }
        let listed = md.lines().filter(|l| l.starts_with("- ")).count();
        assert_eq!(listed, rule::ALL.len(), "{md}");
    }
}
