//! Suppression comments:
//!
//! ```text
//! // obsdebt: allow(rule-name) -- reason          on the line, or alone on the line above
//! // obsdebt: allow-file(rule-name) -- reason     in the comment header at the top of a file
//! ```
//!
//! A comment, not an attribute: rustc rejects unknown tool names in `#[allow]`.

use serde::{Deserialize, Serialize};

use crate::diagnostic::Span;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Where the comment is (the `obsdebt:` marker to the end of the line).
    pub span: Span,
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// `allow-file`: the whole file.
    pub file_level: bool,
    /// The line the suppression covers (its own line, or the next code line for a comment
    /// that stands alone); 0 for `allow-file`.
    pub target_line: u32,
    /// Set when the comment could not be read; the text says what is wrong.
    pub malformed: Option<String>,
}

const MARKER: &str = "obsdebt:";

/// Finds every suppression comment in `source`.
pub fn parse(source: &str) -> Vec<Suppression> {
    // Most files have none: a substring search is much cheaper than lexing the file.
    if !source.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<&str> = source.lines().collect();
    let comments = plain_line_comments(source);
    let mut out = Vec::new();
    let mut in_header = true;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let is_comment_line = trimmed.is_empty() || trimmed.starts_with("//") || trimmed.starts_with("#!");
        let Some(comment_at) = comments.get(&i).and_then(|&at| marker_after(line, at)) else {
            if !is_comment_line {
                in_header = false;
            }
            continue;
        };
        let marker_at = comment_at.1;
        let rest = line[marker_at + MARKER.len()..].trim();
        let alone = line[..comment_at.0].trim().is_empty();
        let line_no = i as u32 + 1;
        let span = Span {
            line: line_no,
            column: line[..marker_at].chars().count() as u32 + 1,
            end_line: line_no,
            end_column: line.chars().count() as u32 + 1,
        };
        let target_line = if alone { next_code_line(&lines, i) } else { line_no };
        let mut s = match parse_directive(rest) {
            Ok((file_level, rules, reason)) => Suppression {
                span,
                rules,
                reason,
                file_level,
                target_line,
                malformed: None,
            },
            Err(msg) => Suppression {
                span,
                rules: Vec::new(),
                reason: None,
                file_level: false,
                target_line,
                malformed: Some(msg),
            },
        };
        if s.file_level {
            s.target_line = 0;
            if !in_header || !alone {
                s.malformed = Some("`allow-file(..)` must be in the comment header at the top of the file".into());
            }
        }
        if !alone {
            in_header = false;
        }
        out.push(s);
    }
    out
}

/// Where each plain `//` comment starts, by 0-based line and byte offset in its line: the
/// lexer's, so that text in strings and doc comments (`///`, `//!`) never reads as one.
fn plain_line_comments(source: &str) -> rustc_hash::FxHashMap<usize, usize> {
    use crate::lexer::{Kind, Scanner};
    let mut line_start = 0;
    let mut line = 1;
    let mut out = rustc_hash::FxHashMap::default();
    for t in Scanner::new(source) {
        if t.line != line {
            // Tokens come in order: the line started after the last newline before this token.
            line_start = source[..t.start].rfind('\n').map_or(0, |p| p + 1);
            line = t.line;
        }
        if t.kind == (Kind::LineComment { doc: false }) {
            out.insert(t.line as usize - 1, t.start - line_start);
        }
    }
    out
}

/// `(start of "//", start of "obsdebt:")` when the comment that starts at `at` holds a
/// `// obsdebt:` marker (`// note // obsdebt: ..` too).
fn marker_after(line: &str, at: usize) -> Option<(usize, usize)> {
    let comment = line.get(at..)?;
    let mut search = 0;
    while let Some(rel) = comment[search..].find("//") {
        let start = search + rel;
        let after = comment[start..].trim_start_matches('/').trim_start();
        if after.starts_with(MARKER) {
            return Some((at, line.len() - after.len()));
        }
        search = start + 2;
    }
    None
}

fn next_code_line(lines: &[&str], from: usize) -> u32 {
    for (j, l) in lines.iter().enumerate().skip(from + 1) {
        let t = l.trim_start();
        if !t.is_empty() && !t.starts_with("//") {
            return j as u32 + 1;
        }
    }
    from as u32 + 2
}

type Directive = (bool, Vec<String>, Option<String>);

fn parse_directive(rest: &str) -> Result<Directive, String> {
    let (file_level, after) = if let Some(a) = rest.strip_prefix("allow-file") {
        (true, a)
    } else if let Some(a) = rest.strip_prefix("allow") {
        (false, a)
    } else {
        return Err("expected `allow(rule-name)` or `allow-file(rule-name)` after `obsdebt:`".into());
    };
    let after = after.trim_start();
    let Some(inner_and_rest) = after.strip_prefix('(') else {
        return Err("expected `(` with the rule names, as in `allow(unlogged-error)`".into());
    };
    let Some(close) = inner_and_rest.find(')') else {
        return Err("missing `)` after the rule names".into());
    };
    let rules: Vec<String> = inner_and_rest[..close]
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    if rules.is_empty() {
        return Err("no rule named in `allow()`".into());
    }
    let tail = inner_and_rest[close + 1..].trim();
    let reason = if tail.is_empty() {
        None
    } else if let Some(r) = tail.strip_prefix("--") {
        Some(r.trim().to_string()).filter(|r| !r.is_empty())
    } else {
        return Err(format!("unexpected `{tail}`: write the reason after `--`"));
    };
    Ok((file_level, rules, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_and_standalone_comments() {
        let src = "fn f() {\n    let _ = a(); // obsdebt: allow(swallowed-error) -- best effort\n    // obsdebt: allow(unlogged-error, swallowed-error)\n\n    x.ok();\n}\n";
        let s = parse(src);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].target_line, 2);
        assert_eq!(s[0].reason.as_deref(), Some("best effort"));
        assert_eq!(s[1].target_line, 5);
        assert_eq!(s[1].rules, vec!["unlogged-error", "swallowed-error"]);
        assert!(s[1].reason.is_none());
    }

    #[test]
    fn markers_in_strings_and_doc_comments_are_not_suppressions() {
        let src = concat!(
            "/// Write `// obsdebt: allow(swallowed-error)` to keep a discard.\n",
            "//! // obsdebt: allow-file(unlogged-error)\n",
            "fn f() {\n",
            "    let hint = \"// obsdebt: allow(swallowed-error) -- in a string\";\n",
            "    let raw = r#\"x // obsdebt: allow(unlogged-error)\"#;\n",
            "    let multi = \"line one\n// obsdebt: allow(swallowed-error)\";\n",
            "    /* // obsdebt: allow(swallowed-error) */ let _ = save();\n",
            "    let _ = save(); // note // obsdebt: allow(swallowed-error) -- a real one\n",
            "}\n",
        );
        let s = parse(src);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(s[0].span.line, 9, "the string above spans two lines");
        assert_eq!(s[0].rules, vec!["swallowed-error"]);
    }

    #[test]
    fn file_level_only_in_header() {
        let ok = parse("// obsdebt: allow-file(swallowed-error) -- generated\nfn f() {}\n");
        assert!(ok[0].file_level && ok[0].malformed.is_none());
        let late = parse("fn f() {}\n// obsdebt: allow-file(swallowed-error)\n");
        assert!(late[0].malformed.is_some());
    }

    #[test]
    fn malformed_comments_are_kept_with_a_reason() {
        let s = parse("// obsdebt: alow(x)\n// obsdebt: allow(x) because\n");
        assert!(s[0].malformed.as_deref().unwrap().contains("expected `allow"));
        assert!(s[1].malformed.as_deref().unwrap().contains("--"));
    }
}
