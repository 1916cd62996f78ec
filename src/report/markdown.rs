//! `markdown`: a pull-request comment. Total logging coverage, a per-crate table, engines built
//! per request, duplicated configuration and the top findings with `path:line`. With an earlier
//! report (`--baseline` or `--compare`), numbers carry their change in Codecov's notation,
//! `83.3% (+4.1)`, and new findings are listed apart from existing ones.

use std::fmt::Write;

use super::summary::plural;
use super::{by_severity, Report};
use crate::coverage::show_percent;
use crate::diagnostic::{Diagnostic, Severity};

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

fn line(out: &mut String, d: &Diagnostic) {
    let sev = match d.severity {
        Severity::Error => "**error**",
        Severity::Warning => "warning",
    };
    let _ = writeln!(
        out,
        "- {sev} `{}` `{}:{}` — {}",
        d.rule,
        d.path,
        d.span.line,
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
    if let Some(p) = &report.patch {
        let _ = writeln!(
            out,
            "\n**Patch coverage (lines changed since `{}`): {}** — {} logged, {} unlogged in {} changed lines of {} files",
            p.base,
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
                "| `{}` | {} | {} | {} | {} |",
                cell(&c.name),
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
    let of =
        |pred: &dyn Fn(&str) -> bool| -> Vec<&Diagnostic> { sorted.iter().copied().filter(|d| pred(d.rule)).collect() };
    let error_paths = of(&|r| matches!(r, "unlogged-error" | "swallowed-error" | "silent-server-error"));
    if !error_paths.is_empty() {
        let _ = writeln!(
            out,
            "\n### Unlogged error paths: {}\n",
            super::summary::plural(error_paths.len(), &format!("{new}finding"))
        );
        list(&mut out, &error_paths);
    }
    let engines = of(&|r| r == "engine-in-handler");
    if !engines.is_empty() {
        let _ = writeln!(
            out,
            "\n### Engines built per request: {}\n",
            super::summary::plural(engines.len(), &format!("{new}finding"))
        );
        list(&mut out, &engines);
    }
    let config = of(&|r| r.ends_with("-config"));
    if !config.is_empty() {
        let c = &report.config;
        let _ = writeln!(
            out,
            "\n### Duplicated configuration: {}\n\n{} configuration values; {} duplicated and {} conflicting, in {} places.\n",
            super::summary::plural(config.len(), &format!("{new}finding")),
            c.values,
            c.duplicated,
            c.conflicting,
            c.places
        );
        list(&mut out, &config);
    }
    let other = of(&|r| matches!(r, "parse-error" | "unused-suppression"));
    if !other.is_empty() {
        let _ = writeln!(
            out,
            "\n### Other: {}\n",
            super::summary::plural(other.len(), &format!("{new}finding"))
        );
        list(&mut out, &other);
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
}
