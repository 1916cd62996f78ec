//! reviewdog's Diagnostic Format (rdjson): one object with a `diagnostics` list. Its columns
//! count UTF-8 bytes (1-based), where obsdebt's count characters: each is converted with the
//! line it is on, read from the source file.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use serde_json::{json, Value};

use super::{rule_url, Report, HOMEPAGE};
use crate::diagnostic::{Diagnostic, Severity, Span};

/// A source file as it is on disk, split into lines.
struct Raw {
    text: String,
    starts: Vec<usize>,
}

impl Raw {
    fn new(text: String) -> Raw {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Raw { text, starts }
    }

    /// The 1-based byte column of the 1-based character `column` of `line`; a column past the
    /// end of the line counts one byte per column beyond. `None` when the line does not exist.
    fn byte_column(&self, line: u32, column: u32) -> Option<u32> {
        let i = line.checked_sub(1)? as usize;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        let text = self.text.get(start..end)?;
        let before = column.checked_sub(1)? as usize;
        let bytes = match text.char_indices().nth(before) {
            Some((b, _)) => b,
            None => text.len() + (before - text.chars().count()),
        };
        u32::try_from(bytes + 1).ok()
    }
}

/// The sources of the files in the report, read when first needed; diagnostics come sorted by
/// path, so only the last few files read are kept.
struct Files<'r> {
    paths: &'r BTreeMap<String, PathBuf>,
    recent: Vec<(String, Option<Rc<Raw>>)>,
}

impl Files<'_> {
    fn get(&mut self, display: &str) -> Option<Rc<Raw>> {
        if let Some((_, raw)) = self.recent.iter().find(|(p, _)| p == display) {
            return raw.clone();
        }
        let raw = self
            .paths
            .get(display)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| Rc::new(Raw::new(t)));
        if self.recent.len() >= 4 {
            self.recent.remove(0);
        }
        self.recent.push((display.to_string(), raw.clone()));
        raw
    }

    /// `s` with byte columns; character columns where the source cannot be read.
    fn range(&mut self, path: &str, s: Span) -> Value {
        let raw = self.get(path);
        let col = |line: u32, column: u32| raw.as_ref().and_then(|r| r.byte_column(line, column)).unwrap_or(column);
        json!({
            "start": {"line": s.line, "column": col(s.line, s.column)},
            "end": {"line": s.end_line, "column": col(s.end_line, s.end_column)},
        })
    }
}

fn diagnostic(d: &Diagnostic, files: &mut Files) -> Value {
    let mut v = json!({
        "message": match &d.help { Some(h) => format!("{}\n\nhelp: {h}", d.message), None => d.message.clone() },
        "location": {"path": d.path, "range": files.range(&d.path, d.span)},
        "severity": match d.severity { Severity::Error => "ERROR", Severity::Warning => "WARNING" },
        "code": {"value": d.rule, "url": rule_url(d.rule)},
    });
    if !d.related.is_empty() {
        v["related_locations"] = d
            .related
            .iter()
            .map(|r| json!({"message": r.message, "location": {"path": r.path, "range": files.range(&r.path, r.span)}}))
            .collect();
    }
    // reviewdog turns suggestions into suggested changes on the pull request.
    if let Some(fix) = &d.fix {
        v["suggestions"] = fix
            .edits
            .iter()
            .map(|e| json!({"range": files.range(&d.path, e.span), "text": e.content}))
            .collect();
    }
    v
}

pub fn render(report: &Report) -> String {
    let mut files = Files {
        paths: &report.sources,
        recent: Vec::new(),
    };
    let v = json!({
        "source": {"name": "obsdebt", "url": HOMEPAGE},
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic(d, &mut files)).collect::<Vec<_>>(),
    });
    let mut text = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_columns_become_byte_columns() {
        let raw = Raw::new("fn a() {}\nlet s = \"é€𐐀\"; x.ok();\r\n".into());
        assert_eq!(raw.byte_column(1, 4), Some(4));
        // `.` is the 17th character, after three of 2 + 3 + 4 bytes.
        assert_eq!(raw.byte_column(2, 17), Some(17 + 1 + 2 + 3));
        // The end of the line, and past it.
        assert_eq!(raw.byte_column(2, 24), Some(24 + 6));
        assert_eq!(raw.byte_column(2, 26), Some(26 + 6));
        assert_eq!(raw.byte_column(3, 1), Some(1));
        assert_eq!(raw.byte_column(4, 1), None);
        assert_eq!(raw.byte_column(0, 1), None);
        assert_eq!(raw.byte_column(1, 0), None);
    }
}
