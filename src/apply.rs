//! Applying fixes: `check --fix` writes the fixes of a report's findings into their files,
//! `--diff` shows them as a unified diff instead. Within one pass a fix is applied whole or not
//! at all, and never when one of its edits touches an edit already taken in that pass: the
//! next pass (the caller runs the check again) applies it to the rewritten text, as ruff does.
//! A file whose fixed text no longer parses is left as it was.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::report::Report;

/// One file's fixes in a pass.
pub struct FileFix {
    /// As the report shows it.
    pub display: String,
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    /// Fixes applied.
    pub applied: usize,
}

/// What a pass would do: the files it changes, and why others are left alone.
#[derive(Default)]
pub struct Plan {
    pub files: Vec<FileFix>,
    pub problems: Vec<String>,
}

impl Plan {
    pub fn applied(&self) -> usize {
        self.files.iter().map(|f| f.applied).sum()
    }
}

/// The fixes `report` offers that `unsafe_fixes` allows, applied to the text of their files
/// (read from `cwd`-relative paths, as the report shows them), without writing anything.
pub fn plan(report: &Report, cwd: &Path, unsafe_fixes: bool) -> Plan {
    let mut by_file: Vec<(&str, Vec<&Fix>)> = Vec::new();
    for d in &report.diagnostics {
        let Some(fix) = &d.fix else { continue };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        match by_file.last_mut() {
            Some((path, fixes)) if *path == d.path.as_str() => fixes.push(fix),
            _ => by_file.push((d.path.as_str(), vec![fix])),
        }
    }
    // Diagnostics come sorted by path, but a file's may also arrive apart: merge by path.
    by_file.sort_by(|a, b| a.0.cmp(b.0));
    let mut merged: Vec<(&str, Vec<&Fix>)> = Vec::new();
    for (path, fixes) in by_file {
        match merged.last_mut() {
            Some((p, f)) if *p == path => f.extend(fixes),
            _ => merged.push((path, fixes)),
        }
    }
    let mut plan = Plan::default();
    for (display, fixes) in merged {
        let path = cwd.join(display);
        let before = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                plan.problems.push(format!("{display}: not fixed: cannot read it: {e}"));
                continue;
            }
        };
        let (after, applied) = apply_fixes(&before, &fixes);
        if applied == 0 {
            continue;
        }
        if let Err(e) = syn::parse_file(&after) {
            plan.problems.push(format!(
                "{display}: not fixed: the fixed text would not parse ({e}); please report it"
            ));
            continue;
        }
        plan.files.push(FileFix {
            display: display.to_string(),
            path,
            before,
            after,
            applied,
        });
    }
    plan
}

/// Writes each file of `plan`.
pub fn write(plan: &Plan) -> Vec<String> {
    plan.files
        .iter()
        .filter_map(|f| {
            std::fs::write(&f.path, &f.after)
                .err()
                .map(|e| format!("{}: cannot write the fixes: {e}", f.display))
        })
        .collect()
}

/// The unified diff of every file of `plan`.
pub fn unified_diff(plan: &Plan) -> String {
    let mut out = String::new();
    for f in &plan.files {
        let diff = similar::TextDiff::from_lines(&f.before, &f.after);
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", f.display), &format!("b/{}", f.display))
                .to_string(),
        );
    }
    out
}

/// The text with every fix applied that overlaps no fix taken before it, and how many were.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u32, column: u32| -> Option<usize> {
        let start = *starts.get((line as usize).checked_sub(1)?)?;
        let end = starts.get(line as usize).map_or(text.len(), |n| n - 1);
        let line_text = &text[start..end];
        let column = (column as usize).checked_sub(1)?;
        let at = if column == 0 {
            0
        } else {
            let mut chars = line_text.char_indices().map(|(i, _)| i).chain([line_text.len()]);
            chars.nth(column)?
        };
        Some(start + at)
    };
    let ranges = |edits: &[Edit]| -> Option<Vec<(usize, usize, String)>> {
        let mut out = Vec::new();
        for e in edits {
            let a = offset(e.span.line, e.span.column)?;
            let b = offset(e.span.end_line, e.span.end_column)?;
            if b < a {
                return None;
            }
            out.push((a, b, e.content.clone()));
        }
        out.sort_by_key(|r| (r.0, r.1));
        // A fix's own edits do not overlap (two insertions at one point would be ambiguous).
        out.windows(2).all(|w| w[0].1 <= w[1].0 && w[0] != w[1]).then_some(out)
    };
    let overlaps = |a: &(usize, usize, String), b: &(usize, usize, String)| {
        (a.0 < b.1 && b.0 < a.1)
            || a.0 == b.0
            || (a.0 == a.1 && b.0 < a.0 && a.0 < b.1)
            || (b.0 == b.1 && a.0 < b.0 && b.0 < a.1)
    };
    // In file order of each fix's first edit: the same input gives the same output.
    let mut candidates: Vec<Vec<(usize, usize, String)>> = fixes.iter().filter_map(|f| ranges(&f.edits)).collect();
    candidates.sort_by(|a, b| a.first().map(|r| (r.0, r.1)).cmp(&b.first().map(|r| (r.0, r.1))));
    let mut taken: Vec<(usize, usize, String)> = Vec::new();
    let mut applied = 0;
    for fix in candidates {
        if fix.is_empty() || fix.iter().any(|e| taken.iter().any(|t| overlaps(e, t))) {
            continue;
        }
        taken.extend(fix);
        applied += 1;
    }
    taken.sort_by_key(|r| (r.0, r.1));
    let mut out = String::with_capacity(text.len() + taken.iter().map(|t| t.2.len()).sum::<usize>());
    let mut at = 0;
    for (a, b, content) in &taken {
        out.push_str(&text[at..*a]);
        out.push_str(content);
        at = *b;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn edit(line: u32, column: u32, end_column: u32, content: &str) -> Edit {
        Edit {
            span: Span {
                line,
                column,
                end_line: line,
                end_column,
            },
            content: content.into(),
        }
    }

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix {
            message: String::new(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    #[test]
    fn edits_apply_at_character_columns_and_overlapping_fixes_wait_for_the_next_pass() {
        let text = "let é = 1;\nlet x = f(_);\n";
        // Replace `_` (line 2, column 11) and insert before `f` (column 9); a second fix touching
        // the same `_` is left for the next pass.
        let a = fix(vec![edit(2, 9, 9, "g("), edit(2, 11, 12, "e")]);
        let b = fix(vec![edit(2, 11, 12, "z")]);
        let c = fix(vec![edit(1, 5, 6, "a")]);
        let (out, applied) = apply_fixes(text, &[&a, &b, &c]);
        assert_eq!(out, "let a = 1;\nlet x = g(f(e);\n");
        assert_eq!(applied, 2);
        // Out of range edits make their fix void, not a panic.
        let far = fix(vec![edit(9, 1, 1, "x")]);
        assert_eq!(apply_fixes(text, &[&far]), (text.to_string(), 0));
    }
}
