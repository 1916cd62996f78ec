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

/// Rows shown per coverage table, worst first; the rest are summed up in one line.
pub const TABLE_ROWS: usize = 10;

/// Paths longer than this are cut at the front (`…/src/routes/orders.rs`), to keep rows short;
/// on a narrower terminal, shorter (down to 24), so that a row fits its width.
const PATH_WIDTH: usize = 60;

fn path_width() -> usize {
    use std::io::IsTerminal;
    let stdout = std::io::stdout();
    if !stdout.is_terminal() {
        return PATH_WIDTH;
    }
    match terminal_size::terminal_size_of(&stdout) {
        // The counts take 50 columns.
        Some((terminal_size::Width(w), _)) => (usize::from(w).saturating_sub(50)).clamp(24, PATH_WIDTH),
        None => PATH_WIDTH,
    }
}

fn fit(path: &str) -> String {
    let width = path_width();
    let n = path.chars().count();
    if n <= width {
        return path.to_string();
    }
    let tail: String = path.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}

/// Worst first: lowest coverage, then most unlogged, then by name; rows with nothing counted
/// are left out. Returns the rows to show and a line for the rest, if any.
fn worst_first<'a, T>(
    rows: &'a [T],
    counts: impl Fn(&T) -> &Counts,
    name: impl Fn(&T) -> &str,
    noun: &str,
) -> (Vec<&'a T>, Option<String>) {
    let mut counted: Vec<&T> = rows
        .iter()
        .filter(|r| counts(r).logged + counts(r).unlogged > 0)
        .collect();
    let empty = rows.len() - counted.len();
    counted.sort_by(|a, b| {
        let (ca, cb) = (counts(a), counts(b));
        ca.percent()
            .partial_cmp(&cb.percent())
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(cb.unlogged.cmp(&ca.unlogged))
            .then_with(|| name(a).cmp(name(b)))
    });
    let rest = counted.split_off(counted.len().min(TABLE_ROWS));
    let mut notes = Vec::new();
    let nouns = |n: usize| if n == 1 { noun.to_string() } else { format!("{noun}s") };
    if !rest.is_empty() {
        let shown: Vec<f64> = rest.iter().filter_map(|r| counts(r).percent()).collect();
        let (lo, hi) = shown.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &p| {
            (lo.min(p), hi.max(p))
        });
        let range = if lo == hi {
            show_percent(Some(lo))
        } else {
            format!("{}–{}", show_percent(Some(lo)), show_percent(Some(hi)))
        };
        notes.push(format!("{} more {}, {range}", rest.len(), nouns(rest.len())));
    }
    if empty > 0 && !counted.is_empty() {
        notes.push(format!("{empty} {} with nothing counted", nouns(empty)));
    }
    let line = (!notes.is_empty()).then(|| format!("  … {}", notes.join("; ")));
    (counted, line)
}

/// The summary after the findings: coverage and the other metrics, then (unless `tables` is
/// off, as with `--statistics`) the crate and file tables.
pub fn render(report: &Report, tables: bool) -> String {
    let mut out = String::new();
    let t = &report.total;
    if report.logging_off {
        let _ = writeln!(out, "logging coverage: n/a (logging rules not selected)");
    } else {
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
        if t.logged_without_error > 0 {
            let _ = writeln!(
                out,
                "  {} logged without the error (log-without-error)",
                t.logged_without_error
            );
        }
    }
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
    if !tables || report.logging_off {
        return out;
    }
    let (crates, crates_rest) = worst_first(&report.crates, |c| &c.counts, |c| &c.name, "crate");
    if !crates.is_empty() {
        let paths: Vec<String> = crates.iter().map(|c| fit(&c.path)).collect();
        let nw = crates.iter().map(|c| c.name.chars().count()).max().unwrap_or(0).max(5);
        let pw = paths.iter().map(|p| p.chars().count()).max().unwrap_or(0).max(4);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  {:<nw$}  {:<pw$}  {:>6}  {:>8}  {:>10}  {:>8}  {:>8}",
            "crate", "path", "logged", "unlogged", "propagated", "expected", "coverage"
        );
        for (c, path) in crates.iter().zip(&paths) {
            row(&mut out, nw, &c.name, Some((path, pw)), &c.counts);
        }
        if let Some(line) = crates_rest {
            let _ = writeln!(out, "{line}");
        }
    }
    let (files, files_rest) = worst_first(&report.files, |f| &f.counts, |f| &f.path, "file");
    if !files.is_empty() {
        let paths: Vec<String> = files.iter().map(|f| fit(&f.path)).collect();
        let nw = paths.iter().map(|p| p.chars().count()).max().unwrap_or(0).max(4);
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "  {:<nw$}  {:>6}  {:>8}  {:>10}  {:>8}  {:>8}",
            "file", "logged", "unlogged", "propagated", "expected", "coverage"
        );
        for (f, path) in files.iter().zip(&paths) {
            row(&mut out, nw, path, None, &f.counts);
        }
        if let Some(line) = files_rest {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CrateCoverage, FileCoverage};

    fn counts(logged: u32, unlogged: u32) -> Counts {
        Counts {
            logged,
            unlogged,
            ..Counts::default()
        }
    }

    fn report() -> Report {
        // Files f00..f13: fNN has NN logged and 2 unlogged; two files count nothing.
        let mut files: Vec<FileCoverage> = (0..14)
            .map(|i| FileCoverage {
                path: format!("src/f{i:02}.rs"),
                counts: counts(i, 2),
            })
            .collect();
        files.push(FileCoverage {
            path: "src/empty_a.rs".into(),
            counts: Counts::default(),
        });
        files.push(FileCoverage {
            path: format!("src/{}/deep.rs", "very_long_module_name".repeat(4)),
            counts: counts(0, 9),
        });
        files.push(FileCoverage {
            path: "src/empty_b.rs".into(),
            counts: Counts::default(),
        });
        Report {
            files_scanned: files.len(),
            files,
            crates: vec![
                CrateCoverage {
                    name: "quiet".into(),
                    path: "crates/quiet".into(),
                    counts: Counts::default(),
                },
                CrateCoverage {
                    name: "api".into(),
                    path: "crates/api".into(),
                    counts: counts(3, 1),
                },
                CrateCoverage {
                    name: "db".into(),
                    path: "crates/db".into(),
                    counts: counts(1, 3),
                },
            ],
            total: counts(94, 39),
            ..Report::default()
        }
    }

    #[test]
    fn tables_show_the_worst_rows_first_and_sum_up_the_rest() {
        let text = render(&report(), true);
        let lines: Vec<&str> = text.lines().collect();
        let crates = lines.iter().position(|l| l.trim_start().starts_with("crate")).unwrap();
        assert!(lines[crates + 1].trim_start().starts_with("db "), "{text}");
        assert!(lines[crates + 2].trim_start().starts_with("api "), "{text}");
        assert_eq!(lines[crates + 3].trim(), "… 1 crate with nothing counted", "{text}");
        let files = lines.iter().position(|l| l.trim_start().starts_with("file")).unwrap();
        // The long path is cut at the front, and first: 0.0% with the most unlogged.
        assert!(lines[files + 1].trim_start().starts_with("…"), "{text}");
        assert!(lines[files + 1].contains("_name/deep.rs"), "{text}");
        assert!(lines[files + 1].chars().count() < 130, "{text}");
        assert!(lines[files + 2].trim_start().starts_with("src/f00.rs"), "{text}");
        assert!(lines[files + 10].trim_start().starts_with("src/f08.rs"), "{text}");
        assert_eq!(
            lines[files + 11].trim(),
            "… 5 more files, 81.8%–86.7%; 2 files with nothing counted",
            "{text}"
        );
        assert_eq!(lines.len(), files + 12, "{text}");
    }

    #[test]
    fn statistics_and_unselected_logging_rules_print_no_tables() {
        let text = render(&report(), false);
        assert!(text.starts_with("logging coverage: 70.7%"), "{text}");
        assert!(!text.contains("crate") && !text.contains("file"), "{text}");
        let off = Report {
            logging_off: true,
            ..report()
        };
        let text = render(&off, true);
        assert_eq!(text, "logging coverage: n/a (logging rules not selected)\n");
    }
}
