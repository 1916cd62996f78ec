//! GitHub Actions workflow commands: `::error file=…,line=…::message` annotations, most severe
//! first and at most `--max-annotations` of them (GitHub shows about ten per step), then a
//! `::notice` for the rest; with `$GITHUB_STEP_SUMMARY` set, the markdown report is appended to
//! the step summary.

use std::fmt::Write;

use super::{by_severity, markdown, RenderOptions, Report};

/// Escapes a command's message (`%`, CR, LF), as the Actions toolkit does.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: also `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let sorted = by_severity(&report.diagnostics);
    for d in sorted.iter().take(opts.max_annotations) {
        // GitHub's workflow commands are named as obsdebt's severities (`::error`, `::warning`).
        let command = d.severity.as_str();
        let message = match &d.help {
            Some(h) => format!("{}\nhelp: {h}", d.message),
            None => d.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&d.path),
            d.span.line,
            d.span.column,
            d.span.end_line,
            d.span.end_column,
            escape_property(&format!("obsdebt {}", d.rule)),
            escape_data(&message)
        );
    }
    let hidden = sorted.len().saturating_sub(opts.max_annotations);
    if hidden > 0 {
        let _ = writeln!(
            out,
            "::notice title=obsdebt::{}",
            escape_data(&format!(
                "{hidden} more finding(s) not shown as annotations (limit {}); upload `obsdebt check --output-format sarif` to code scanning to see all of them",
                opts.max_annotations
            ))
        );
    }
    // A failed gate is an annotation too: the job's summary then says why it failed.
    for g in &report.gate_failures {
        let file = report
            .gate_source
            .as_deref()
            .map(|p| format!("file={},", escape_property(p)))
            .unwrap_or_default();
        let _ = writeln!(out, "::error {file}title=obsdebt coverage gate::{}", escape_data(g));
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        use std::io::Write as _;
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut f| f.write_all(markdown::render(report).as_bytes()));
        if let Err(e) = appended {
            let _ = writeln!(
                out,
                "::warning title=obsdebt::{}",
                escape_data(&format!("cannot write the step summary: {e}"))
            );
        }
    }
    if !opts.quiet {
        let t = &report.total;
        let _ = writeln!(out, "logging coverage: {}", crate::coverage::show_percent(t.percent()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("src/a,b:c.rs"), "src/a%2Cb%3Ac.rs");
        assert_eq!(escape_property("100%"), "100%25");
    }
}
