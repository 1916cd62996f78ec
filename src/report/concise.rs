//! `concise`: one finding per line, `path:line:col: rule message` — what editors and problem
//! matchers parse.

use std::fmt::Write;

use super::{summary, RenderOptions, Report};

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    for d in &report.diagnostics {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}",
            d.path, d.span.line, d.span.column, d.rule, d.message
        );
    }
    if !opts.quiet {
        let t = &report.total;
        let _ = writeln!(
            out,
            "logging coverage: {} ({} logged, {} unlogged); {}",
            crate::coverage::show_percent(t.percent()),
            t.logged,
            t.unlogged,
            summary::plural(report.diagnostics.len(), "finding")
        );
    }
    out
}
