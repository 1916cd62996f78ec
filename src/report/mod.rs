//! Phase 3, report: the report data every printer renders, and the printers, one per module.

pub mod concise;
pub mod full;
pub mod github;
pub mod gitlab;
pub mod json;
pub mod markdown;
pub mod rdjson;
pub mod sarif;
pub mod summary;

/// Where obsdebt lives; rule documentation is under `docs/rules/` there.
pub const HOMEPAGE: &str = env!("CARGO_PKG_REPOSITORY");

/// The documentation page of a rule.
pub fn rule_url(rule: &str) -> String {
    format!("{HOMEPAGE}/blob/main/docs/rules/{rule}.md")
}

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::coverage::Counts;
use crate::diagnostic::{Diagnostic, Severity, Span};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrateCoverage {
    pub name: String,
    pub path: String,
    pub counts: Counts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileCoverage {
    pub path: String,
    pub counts: Counts,
}

/// A finding silenced by a suppression comment, kept so that reports can show the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuppressedFinding {
    #[serde(deserialize_with = "crate::rule::deserialize_name")]
    pub rule: crate::rule::RuleName,
    pub path: String,
    pub span: Span,
    pub reason: Option<String>,
}

/// How the per-request call graph came out: shown so that what was not followed is visible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallGraph {
    pub handlers: usize,
    pub per_request_functions: usize,
    pub resolved: usize,
    pub ambiguous: usize,
    pub unresolved: usize,
}

/// Configuration values found and how many are duplicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfigMetrics {
    /// Configuration values found in the reported files (constants, environment reads, inline values).
    pub values: usize,
    /// Groups reported as duplicated / as conflicting.
    pub duplicated: usize,
    pub conflicting: usize,
    /// Places in those groups.
    pub places: usize,
}

/// Numbers of an earlier report (`--baseline`/`--compare`), for deltas.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Previous {
    /// The file it was read from.
    pub path: String,
    pub percent: Option<f64>,
    /// Coverage per crate name.
    pub crates: BTreeMap<String, Option<f64>>,
    pub findings: usize,
    /// Findings of this run (on the lines reported, with `--diff-base`) that the earlier report
    /// holds.
    pub existing: usize,
    /// Findings of the earlier report, in the rules and paths of this run, that no finding of
    /// this run has (whatever `--diff-base` leaves out of the report).
    pub fixed: usize,
    /// `--baseline`: the existing findings are set apart (`Report::existing`), not reported.
    /// `--compare`: every finding is reported.
    pub baseline: bool,
}

/// Logging coverage of the error paths on lines changed since a git revision.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    pub base: String,
    pub counts: Counts,
    pub changed_files: usize,
    pub changed_lines: usize,
}

/// Everything a printer needs. Built once per run; deterministic. What a run stores in the cache
/// (its result when nothing changed) leaves out what is rebuilt or compared each time.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    pub files_scanned: usize,
    /// No rule counted in logging coverage is selected: there is no coverage to show.
    pub logging_off: bool,
    /// Files that could not be read or parsed (in scope), sorted.
    pub not_analysed: Vec<String>,
    pub total: Counts,
    pub crates: Vec<CrateCoverage>,
    pub files: Vec<FileCoverage>,
    /// Sorted by (path, line, column, rule).
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: Vec<SuppressedFinding>,
    /// Where to read each reported file (by displayed path), for printers that show source.
    #[serde(skip)]
    pub sources: BTreeMap<String, std::path::PathBuf>,
    /// `None` when no handler was found.
    pub call_graph: Option<CallGraph>,
    pub config: ConfigMetrics,
    /// The earlier report the numbers are compared with.
    #[serde(skip)]
    pub previous: Option<Previous>,
    /// Findings already in the `--baseline` report: not reported, not failing, listed apart by
    /// the markdown printer.
    #[serde(skip)]
    pub existing: Vec<Diagnostic>,
    #[serde(skip)]
    pub patch: Option<Patch>,
    /// The gates this run fails (`--fail-under`, `[coverage] fail-under`, the ratchet), as
    /// sentences, and the file that set them: machine formats report them next to the findings.
    #[serde(skip)]
    pub gate_failures: Vec<String>,
    #[serde(skip)]
    pub gate_source: Option<String>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    /// `(count, rule)` per rule, most frequent first, then by name.
    pub fn statistics(&self) -> Vec<(usize, &'static str)> {
        let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
        for d in &self.diagnostics {
            *by_rule.entry(d.rule).or_default() += 1;
        }
        let mut rows: Vec<(usize, &'static str)> = by_rule.into_iter().map(|(r, n)| (n, r)).collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        rows
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-style annotated diagnostics and a coverage summary
    Full,
    /// `path:line:col: rule message`, one finding per line (editors, problem matchers)
    Concise,
    /// the `obsdebt/v1` JSON report
    Json,
    /// SARIF 2.1.0, for GitHub code scanning
    Sarif,
    /// GitHub Actions workflow commands (annotations), plus the step summary
    Github,
    /// GitLab Code Quality report
    Gitlab,
    /// a pull-request comment
    Markdown,
    /// reviewdog's rdjson
    Rdjson,
}

pub struct RenderOptions {
    pub color: bool,
    pub quiet: bool,
    pub statistics: bool,
    /// `github`: annotations printed at most.
    pub max_annotations: usize,
}

pub fn render(report: &Report, format: Format, opts: &RenderOptions) -> String {
    render_parts(report, format, opts).concat()
}

/// [`render`] in pieces to be written one after the other (the `full` format gives one piece
/// per file, so that a large report is not copied into one string).
pub fn render_parts(report: &Report, format: Format, opts: &RenderOptions) -> Vec<String> {
    if opts.statistics && !matches!(format, Format::Json | Format::Sarif | Format::Gitlab | Format::Rdjson) {
        return full::render_parts(report, opts);
    }
    let text = match format {
        Format::Full => return full::render_parts(report, opts),
        Format::Concise => concise::render(report, opts),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report, opts),
        Format::Gitlab => gitlab::render(report),
        Format::Markdown => markdown::render(report),
        Format::Rdjson => rdjson::render(report),
    };
    vec![text]
}

/// A path shown relative to `cwd` (or absolute) made relative to `root`, `/`-separated
/// (`api/src/a.rs` from `/repo/crates` → `crates/api/src/a.rs`); unchanged outside `root`.
pub fn rebase_path(path: &str, cwd: &std::path::Path, root: &std::path::Path) -> String {
    use std::path::Component;
    let joined = cwd.join(path);
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    let mut absolute = std::path::PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => absolute.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(n) => parts.push(n.to_os_string()),
        }
    }
    absolute.extend(&parts);
    match absolute.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => crate::workspace::display(rel),
        _ => path.to_string(),
    }
}

/// The report with every path relative to `root` (the repository's top level), as code
/// scanning, merge-request widgets and annotations expect, wherever obsdebt was run from.
pub fn rebased(report: &Report, cwd: &std::path::Path, root: &std::path::Path) -> Report {
    let re = |p: &str| rebase_path(p, cwd, root);
    let mut r = report.clone();
    for d in &mut r.diagnostics {
        d.path = re(&d.path);
        for rel in &mut d.related {
            rel.path = re(&rel.path);
        }
    }
    for s in &mut r.suppressed {
        s.path = re(&s.path);
    }
    for f in &mut r.files {
        f.path = re(&f.path);
    }
    for c in &mut r.crates {
        c.path = re(&c.path);
    }
    r.not_analysed = r.not_analysed.iter().map(|p| re(p)).collect();
    r.sources = r.sources.iter().map(|(k, v)| (re(k), v.clone())).collect();
    r.gate_source = r.gate_source.as_deref().map(re);
    r
}

/// Diagnostics most severe first, then in report order (for formats that cut the list).
pub fn by_severity(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut v: Vec<&Diagnostic> = diags.iter().collect();
    v.sort_by_key(|d| std::cmp::Reverse(d.severity));
    v
}
