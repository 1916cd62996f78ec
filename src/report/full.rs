//! The `full` printer: rustc-style annotated diagnostics (annotate-snippets), then the
//! suppressed findings with their reasons, the files not analysed, the coverage summary and a
//! closing tally.

use std::fmt::Write;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::{summary, RenderOptions, Report};
use crate::diagnostic::{Applicability, Diagnostic, Severity, Span};

/// Longest span shown whole; longer ones are cut to their first line.
const MAX_SPAN_LINES: u32 = 6;

/// Longest line (in bytes) shown in a snippet. A longer one (minified or generated code) is
/// named by its position only: rendering it again for each of its findings would make the
/// output's cost grow with the square of the line.
const MAX_LINE_SHOWN: usize = 4096;

/// Other places of one finding shown as snippets; the rest are counted in a note.
pub const MAX_RELATED_SHOWN: usize = 10;

/// A source file split into lines once, with control characters (an ESC in a string literal)
/// and bidirectional formatting characters shown as U+FFFD: one character for one, so columns
/// stay right.
pub struct Lines {
    text: String,
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(source: &str) -> Lines {
        Lines::from_string(source.to_string())
    }

    /// Takes the text read from disk as it is when it has no control characters (the usual
    /// case, checked on bytes: C0 controls, DEL, and C1 controls, which UTF-8 writes as
    /// `0xC2 0x80..=0x9F`) and no bidirectional formatting characters (`0xD8 0x9C` and
    /// `0xE2 0x80|0x81 ..`).
    pub fn from_string(source: String) -> Lines {
        let b = source.as_bytes();
        // A branch-free pass for bytes that may start a control character (it vectorises), then
        // the exact check only when one is there.
        let suspect = b.iter().fold(false, |acc, &x| {
            acc | ((x < 0x20) & (x != b'\n') & (x != b'\t') & (x != b'\r'))
                | (x == 0x7f)
                | (x == 0xc2)
                | (x == 0xd8)
                | (x == 0xe2)
        });
        let at = |i: usize| b.get(i).copied().unwrap_or(0);
        let clean = !suspect
            || !b.iter().enumerate().any(|(i, &x)| {
                (x < 0x20 && x != b'\n' && x != b'\t' && x != b'\r')
                    || x == 0x7f
                    || (x == 0xc2 && (0x80..=0x9f).contains(&at(i + 1)))
                    || (x == 0xd8 && at(i + 1) == 0x9c)
                    || (x == 0xe2
                        && match at(i + 1) {
                            0x80 => matches!(at(i + 2), 0x8e | 0x8f | 0xaa..=0xae),
                            0x81 => matches!(at(i + 2), 0xa6..=0xa9),
                            _ => false,
                        })
            });
        let text: String = if clean {
            source
        } else {
            source
                .chars()
                .map(|c| {
                    if (c.is_control() && c != '\n' && c != '\t') || crate::diagnostic::is_bidi_control(c) {
                        '\u{FFFD}'
                    } else {
                        c
                    }
                })
                .collect()
        };
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    /// Line `i` (0-based), without its newline.
    fn line(&self, i: usize) -> &str {
        let start = self.starts[i];
        let end = self.starts.get(i + 1).map(|e| e - 1).unwrap_or(self.text.len());
        self.text[start..end.max(start)].trim_end_matches('\r')
    }
}

/// The lines a span covers, and the span as a byte range within them.
fn excerpt(lines: &Lines, span: Span) -> Option<(String, std::ops::Range<usize>, usize)> {
    let first = span.line.checked_sub(1)? as usize;
    if first >= lines.count() {
        return None;
    }
    let first_line = lines.line(first);
    let span = if span.end_line.saturating_sub(span.line) >= MAX_SPAN_LINES {
        span.first_line(first_line.chars().count() as u32)
    } else {
        span
    };
    let last = ((span.end_line.max(span.line) - 1) as usize).min(lines.count() - 1);
    let parts: Vec<&str> = (first..=last).map(|i| lines.line(i)).collect();
    if parts.iter().any(|l| l.len() > MAX_LINE_SHOWN) {
        return None;
    }
    let text = parts.join("\n");
    let col_to_byte = |line: &str, col: u32| {
        line.char_indices()
            .nth(col.saturating_sub(1) as usize)
            .map(|(i, _)| i)
            .unwrap_or(line.len())
    };
    let start = col_to_byte(first_line, span.column);
    let last_start: usize = parts[..last - first].iter().map(|l| l.len() + 1).sum();
    let end_col = if last == first && span.end_line != span.line {
        first_line.chars().count() as u32 + 1
    } else {
        span.end_column
    };
    let end = last_start + col_to_byte(parts[last - first], end_col);
    let range = snap(&text, start, end);
    Some((text, range, first + 1))
}

/// `start..end` within `text` and on character boundaries (annotate-snippets slices the text
/// with it): the start moved back to the character it falls in, the end forward; an empty
/// range is widened to the character at its start, as rustc underlines a point.
fn snap(text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        end += text[start..].chars().next().map_or(0, char::len_utf8);
    }
    start..end
}

/// Sources read on demand and kept for the few files in use: diagnostics come sorted by path,
/// so at most one file and the files its related spans point into are held at a time.
pub struct Sources<'r> {
    paths: &'r std::collections::BTreeMap<String, std::path::PathBuf>,
    recent: Vec<(String, std::rc::Rc<Lines>)>,
}

impl<'r> Sources<'r> {
    pub fn new(paths: &'r std::collections::BTreeMap<String, std::path::PathBuf>) -> Self {
        Sources {
            paths,
            recent: Vec::new(),
        }
    }

    fn get(&mut self, display: &str) -> Option<std::rc::Rc<Lines>> {
        if let Some(pos) = self.recent.iter().position(|(p, _)| p == display) {
            let entry = self.recent.remove(pos);
            let lines = entry.1.clone();
            self.recent.push(entry);
            return Some(lines);
        }
        let text = crate::input::read_regular_text(self.paths.get(display)?, crate::input::MAX_SOURCE).ok()?;
        let lines = std::rc::Rc::new(Lines::from_string(text));
        if self.recent.len() >= 4 {
            self.recent.remove(0);
        }
        self.recent.push((display.to_string(), lines.clone()));
        Some(lines)
    }
}

fn level(sev: Severity) -> Level<'static> {
    match sev {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

fn render_one(d: &Diagnostic, sources: &mut Sources, renderer: &Renderer) -> String {
    let source = sources.get(&d.path);
    let title = level(d.severity).primary_title(d.message.as_str()).id(d.rule);
    let mut group: Group = match source.and_then(|s| excerpt(&s, d.span)) {
        Some((text, range, line_start)) => title.element(
            Snippet::source(text)
                .line_start(line_start)
                .path(d.path.as_str())
                .annotation(AnnotationKind::Primary.span(range).label(d.label.as_str())),
        ),
        None => title.element(
            annotate_snippets::Origin::path(d.path.as_str())
                .line(d.span.line as usize)
                .char_column(d.span.column.max(1) as usize),
        ),
    };
    // Other places are shown annotated, as rustc shows secondary spans: the first
    // `MAX_RELATED_SHOWN`, then how many more (a value read in 2,000 places would otherwise
    // print 10,000 lines). Machine-readable formats list them all.
    for r in d.related.iter().take(MAX_RELATED_SHOWN) {
        match sources.get(&r.path).and_then(|s| excerpt(&s, r.span)) {
            Some((text, range, line_start)) => {
                group = group.element(
                    Snippet::source(text)
                        .line_start(line_start)
                        .path(r.path.as_str())
                        .annotation(AnnotationKind::Context.span(range).label(r.message.as_str())),
                );
            }
            None => {
                let note = format!("{}:{}:{}: {}", r.path, r.span.line, r.span.column, r.message);
                group = group.element(Level::NOTE.message(note));
            }
        }
    }
    if d.related.len() > MAX_RELATED_SHOWN {
        let more = d.related.len() - MAX_RELATED_SHOWN;
        let note = format!(
            "and {more} more place{} (`--output-format json` or `sarif` lists every one)",
            if more == 1 { "" } else { "s" }
        );
        group = group.element(Level::NOTE.message(note));
    }
    for note in &d.notes {
        group = group.element(Level::NOTE.message(note.as_str()));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    render_parts(report, opts).concat()
}

/// The output in pieces, in order: the findings one file per piece, then the rest. A large
/// report is written piece by piece instead of being copied into one string first.
pub fn render_parts(report: &Report, opts: &RenderOptions) -> Vec<String> {
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut parts = Vec::new();
    let mut out = String::new();
    if opts.statistics {
        // As ruff: counts per rule instead of each finding.
        for (n, rule) in report.statistics() {
            let _ = writeln!(out, "{n:>5}  {rule}");
        }
    } else {
        // Rendered in parallel, one file's diagnostics per task (each reads its file once), and
        // joined in report order: the output does not depend on the thread count.
        use rayon::prelude::*;
        let groups: Vec<&[Diagnostic]> = report.diagnostics.chunk_by(|a, b| a.path == b.path).collect();
        parts = groups
            .par_iter()
            .map(|group| {
                let mut sources = Sources::new(&report.sources);
                let mut text = String::new();
                for d in *group {
                    text.push_str(&render_one(d, &mut sources, &renderer));
                    text.push_str("\n\n");
                }
                text
            })
            .collect();
    }
    if opts.quiet {
        parts.push(out);
        return parts;
    }
    if opts.statistics {
        out.push('\n');
    }
    if !report.suppressed.is_empty() && !opts.statistics {
        let _ = writeln!(out, "suppressed findings:");
        for s in &report.suppressed {
            let reason = s.reason.as_deref().unwrap_or("(no reason given)");
            let _ = writeln!(
                out,
                "  {}:{}:{}: {} -- {}",
                s.path, s.span.line, s.span.column, s.rule, reason
            );
        }
        out.push('\n');
    }
    if !report.not_analysed.is_empty() {
        let _ = writeln!(out, "not analysed (see the parse-error findings above):");
        for p in &report.not_analysed {
            let _ = writeln!(out, "  {p}");
        }
        out.push('\n');
    }
    // `--statistics`: the per-rule lines and the coverage line, no tables.
    out.push_str(&summary::render(report, !opts.statistics));
    out.push('\n');
    let (errors, warnings) = (report.count(Severity::Error), report.count(Severity::Warning));
    let plural = summary::plural;
    let _ = writeln!(
        out,
        "obsdebt: {}, {} in {} ({} not analysed)",
        plural(errors, "error"),
        plural(warnings, "warning"),
        plural(report.files_scanned, "file"),
        report.not_analysed.len()
    );
    let fixable = |a: Applicability| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (fixable(Applicability::Safe), fixable(Applicability::Unsafe));
    match (safe, unsafe_) {
        (0, 0) => {}
        (s, 0) => {
            let _ = writeln!(out, "{s} fixable with `--fix` (`--diff` shows the changes)");
        }
        (s, u) => {
            let _ = writeln!(
                out,
                "{s} fixable with `--fix`, {u} more with `--fix --unsafe-fixes` (`--diff` shows the changes)"
            );
        }
    }
    parts.push(out);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_maps_columns_to_bytes_and_cuts_long_spans() {
        let src = "fn f() {\n    let é = x.ok();\n}\n";
        let span = Span {
            line: 2,
            column: 15,
            end_line: 2,
            end_column: 19,
        };
        let (text, range, start) = excerpt(&Lines::new(src), span).unwrap();
        assert_eq!(start, 2);
        assert_eq!(&text[range], "ok()");
        let long = Span {
            line: 1,
            column: 1,
            end_line: 30,
            end_column: 2,
        };
        let (text, range, _) = excerpt(&Lines::new(src), long).unwrap();
        assert_eq!(&text[range], "fn f() {");
    }

    #[test]
    fn lines_too_long_to_show_are_named_by_position_only() {
        let long = format!("fn f() {{ {} }}\n", "let _ = save(); ".repeat(400));
        let lines = Lines::new(&long);
        let at = |column| Span {
            line: 1,
            column,
            end_line: 1,
            end_column: column + 5,
        };
        assert!(excerpt(&lines, at(10)).is_none());
        assert!(excerpt(&Lines::new("fn f() { let _ = save(); }\n"), at(10)).is_some());
    }

    #[test]
    fn ranges_are_snapped_to_characters_within_the_text() {
        let text = "a“é”𐐀";
        assert_eq!(snap(text, 1, 1), 1..4, "an empty range takes the character");
        assert_eq!(snap(text, 2, 2), 1..4, "inside a character: its start");
        assert_eq!(snap(text, 1, 5), 1..6);
        assert_eq!(snap(text, 5, 2), 4..6, "an end before the start");
        assert_eq!(snap(text, 99, 120), text.len()..text.len());
        assert_eq!(snap(text, 10, 11), 9..13);
        assert_eq!(snap("", 0, 3), 0..0);
    }

    #[test]
    fn any_span_on_multibyte_text_renders_without_panicking() {
        let src = "fn f() { let s = “x”; }\n// é€𐐀\n\tlet _ = x.ok(); // ü\n";
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.rs");
        std::fs::write(&file, src).unwrap();
        let paths: std::collections::BTreeMap<String, std::path::PathBuf> =
            [("a.rs".to_string(), file)].into_iter().collect();
        let renderer = Renderer::plain();
        for line in 0..6 {
            for column in 0..30 {
                for (end_line, end_column) in [(line, column), (line, column + 1), (line + 1, 2), (line, 0), (9, 99)] {
                    let span = Span {
                        line,
                        column,
                        end_line,
                        end_column,
                    };
                    let d = Diagnostic {
                        rule: "parse-error",
                        severity: Severity::Error,
                        message: "m".into(),
                        label: "l".into(),
                        help: None,
                        path: "a.rs".into(),
                        span,
                        related: vec![crate::diagnostic::Related {
                            path: "a.rs".into(),
                            span,
                            message: "r".into(),
                        }],
                        notes: Vec::new(),
                        site_text: String::new(),
                        fingerprint: String::new(),
                        fix: None,
                    };
                    let out = render_one(&d, &mut Sources::new(&paths), &renderer);
                    assert!(out.contains("error[parse-error]: m"), "{span:?}: {out}");
                }
            }
        }
    }
}
