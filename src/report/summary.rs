//! The coverage summary tables shown after the diagnostics in `full` output.

use std::fmt::Write;

use super::Report;
use crate::coverage::{show_percent, Counts};

fn row(out: &mut String, name_width: usize, name: &str, extra: Option<(&str, usize)>, c: &Counts) {
    let _ = write!(out, "  {name:<name_width$}");
    if let Some((path, w)) = extra {
        let _ = write!(out, "  {path:<w$}");
    }
    let _ = writeln!(
        out,
        "  {:>6}  {:>8}  {:>10}  {:>8}  {:>8}",
        c.logged,
        c.unlogged,
        c.propagated,
        c.expected,
        show_percent(c.percent())
    );
}

pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let t = &report.total;
    let _ = writeln!(
        out,
        "logging coverage: {} ({} logged, {} unlogged; not counted: {} propagated, {} expected, {} suppressed)",
        super::markdown::with_delta(t.percent(), report.previous.as_ref().map(|p| p.percent)),
        t.logged,
        t.unlogged,
        t.propagated,
        t.expected,
        t.suppressed
    );
    if let Some(p) = &report.patch {
        let _ = writeln!(
            out,
            "patch coverage since {}: {} ({} logged, {} unlogged) on {} changed lines in {}",
            p.base,
            show_percent(p.counts.percent()),
            p.counts.logged,
            p.counts.unlogged,
            p.changed_lines,
            plural(p.changed_files, "file")
        );
    }
    if let Some(prev) = &report.previous {
        if !report.existing.is_empty() {
            let _ = writeln!(
                out,
                "baseline {}: {} existing findings not shown",
                prev.path,
                report.existing.len()
            );
        }
    }
    let c = &report.config;
    if c.values > 0 {
        let _ = writeln!(
            out,
            "configuration: {} found; {} duplicated and {} conflicting, in {} places",
            plural(c.values, "value"),
            c.duplicated,
            c.conflicting,
            c.places
        );
    }
    if let Some(g) = &report.call_graph {
        let _ = writeln!(
            out,
            "per-request code: {} reach {}; calls in it: {} resolved, {} ambiguous and {} unresolved (not followed)",
            plural(g.handlers, "handler"),
            plural(g.per_request_functions, "function"),
            g.resolved,
            g.ambiguous,
            g.unresolved
        );
    }
    if !report.crates.is_empty() {
        let nw = report.crates.iter().map(|c| c.name.len()).max().unwrap_or(0).max(5);
        let pw = report.crates.iter().map(|c| c.path.len()).max().unwrap_or(0).max(4);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  {:<nw$}  {:<pw$}  {:>6}  {:>8}  {:>10}  {:>8}  {:>8}",
            "crate", "path", "logged", "unlogged", "propagated", "expected", "coverage"
        );
        for c in &report.crates {
            row(&mut out, nw, &c.name, Some((&c.path, pw)), &c.counts);
        }
    }
    let files: Vec<_> = report
        .files
        .iter()
        .filter(|f| f.counts.logged + f.counts.unlogged > 0)
        .collect();
    if !files.is_empty() {
        let nw = files.iter().map(|f| f.path.len()).max().unwrap_or(0).max(4);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  {:<nw$}  {:>6}  {:>8}  {:>10}  {:>8}  {:>8}",
            "file", "logged", "unlogged", "propagated", "expected", "coverage"
        );
        for f in files {
            row(&mut out, nw, &f.path, None, &f.counts);
        }
    }
    out
}
