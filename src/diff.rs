//! `--diff-base REV`: the lines changed since a git revision (committed, staged, unstaged, and
//! untracked files), for patch coverage.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace;

#[derive(Debug, Default)]
pub struct Changed {
    pub base: String,
    /// Displayed path → changed line ranges (inclusive).
    pub lines: HashMap<String, Vec<(u32, u32)>>,
}

impl Changed {
    pub fn contains(&self, path: &str, line: u32) -> bool {
        self.lines
            .get(path)
            .is_some_and(|r| r.iter().any(|&(a, b)| a <= line && line <= b))
    }

    pub fn files(&self) -> usize {
        self.lines.len()
    }

    pub fn line_count(&self) -> usize {
        self.lines.values().flatten().map(|(a, b)| (b - a + 1) as usize).sum()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git ({e}); --diff-base needs git on the PATH"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A path as git writes it after `+++ `: C-style quoted (`"b/caf\303\251.rs"`) when it holds
/// a quote, a backslash or a control character (or, without `core.quotepath=false`, any byte
/// above ASCII), else as it is, followed by a tab when it holds a space. `None` for
/// `/dev/null` (a deleted file) and for a path without the `b/` prefix.
fn header_path(raw: &str) -> Option<String> {
    let path = if raw.starts_with('"') {
        unquote_c(raw)?
    } else {
        // An unquoted name never holds a tab: git quotes it. What follows one is not the name.
        raw.split('\t').next().unwrap_or(raw).to_string()
    };
    path.strip_prefix("b/").map(str::to_string)
}

/// Reverses git's `quote_c_style`: `"..."` with `\"`, `\\`, `\a\b\t\n\v\f\r` and `\ooo`
/// (one byte, in octal) escapes; the bytes are read as UTF-8 (lossily, as file names are
/// shown). `None` when the text is not a quoted string.
pub fn unquote_c(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?;
    let bytes = inner.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(String::from_utf8_lossy(&out).into_owned()),
            b'\\' => {
                let c = *bytes.get(i + 1)?;
                i += 2;
                let byte = match c {
                    b'a' => 0x07,
                    b'b' => 0x08,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 0x0b,
                    b'f' => 0x0c,
                    b'r' => b'\r',
                    b'0'..=b'7' => {
                        let digits = bytes.get(i - 1..i + 2)?;
                        if !digits.iter().all(|d| (b'0'..=b'7').contains(d)) {
                            return None;
                        }
                        i += 2;
                        let value = digits.iter().fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                        u8::try_from(value).ok()?
                    }
                    other => other,
                };
                out.push(byte);
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// The count of a hunk range `a,b` (`b` defaults to 1), and its start.
fn hunk_range(text: &str) -> (u32, u32) {
    let mut parts = text.split(',');
    let start: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let count: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    (start, count)
}

/// Parses `git diff --unified=0` output into new-side line ranges per root-relative path. The
/// lines of each hunk are skipped by its counts, so that an added line reading `++ b/x` (shown
/// as `+++ b/x`) is never taken for a file header.
pub fn parse_unified(diff: &str) -> HashMap<String, Vec<(u32, u32)>> {
    let mut out: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
    let mut current: Option<String> = None;
    // Lines of the current hunk still to come: old side, new side.
    let (mut old_left, mut new_left) = (0u32, 0u32);
    for line in diff.lines() {
        if old_left > 0 || new_left > 0 {
            match line.as_bytes().first() {
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'+') => new_left = new_left.saturating_sub(1),
                Some(b' ') => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
                // `\ No newline at end of file`
                Some(b'\\') => {}
                // Not a line of a hunk: the counts were wrong; read it as a header.
                _ => (old_left, new_left) = (0, 0),
            }
            if old_left > 0 || new_left > 0 || line.starts_with(['-', '+', ' ', '\\']) {
                continue;
            }
        }
        if let Some(path) = line.strip_prefix("+++ ") {
            current = header_path(path);
        } else if line.starts_with("diff --git ") {
            current = None;
        } else if let Some(hunk) = line.strip_prefix("@@ ") {
            // `@@ -a,b +c,d @@`: lines c .. c+d-1 of the new file (d defaults to 1).
            let mut ranges = hunk.split_whitespace();
            let old = ranges.next().and_then(|r| r.strip_prefix('-')).map(hunk_range);
            let new = ranges.next().and_then(|r| r.strip_prefix('+')).map(hunk_range);
            let (Some((_, old_count)), Some((start, count))) = (old, new) else {
                continue;
            };
            (old_left, new_left) = (old_count, count);
            if let (Some(file), true) = (&current, count > 0) {
                out.entry(file.clone()).or_default().push((start, start + count - 1));
            }
        }
    }
    out
}

pub fn changed_since(rev: &str, cwd: &Path) -> Result<Changed, String> {
    let root = git(cwd, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--diff-base needs a git repository, and the current directory is not in one ({e})"))?;
    let root = PathBuf::from(root.trim());
    git(cwd, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("--diff-base: `{rev}` is not a commit of this repository (try `origin/main` or a SHA)"))?;
    // Run at the root, with fixed prefixes and no quoting of non-ASCII names: whatever the
    // user's configuration (`diff.relative`, `diff.noprefix`, `diff.mnemonicPrefix`), paths come
    // as `b/` and the root-relative path.
    let root_arg = root.to_string_lossy();
    let diff = git(
        cwd,
        &[
            "-C",
            &root_arg,
            "-c",
            "core.quotepath=false",
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            rev,
            "--",
        ],
    )?;
    let mut by_root = parse_unified(&diff);
    // Files git does not track yet are new code from their first line to their last.
    let untracked = git(
        cwd,
        &["ls-files", "--others", "--exclude-standard", "--full-name", "-z", ":/"],
    )?;
    for path in untracked.split('\0').filter(|p| !p.is_empty()) {
        let lines = crate::input::read_regular_text(&root.join(path), crate::input::MAX_SOURCE)
            .map(|t| t.lines().count())
            .unwrap_or(0) as u32;
        if lines > 0 {
            by_root.insert(path.to_string(), vec![(1, lines)]);
        }
    }
    let lines = by_root
        .into_iter()
        .map(|(p, r)| (workspace::display_from(&root.join(Path::new(&p)), Some(cwd)), r))
        .collect();
    Ok(Changed {
        base: rev.to_string(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_give_new_side_ranges() {
        let diff = "diff --git a/src/a.rs b/src/a.rs\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -3,0 +4,2 @@ fn x\n+a\n+b\n@@ -10 +12 @@\n-x\n+y\n@@ -20,3 +23,0 @@\n--- a/gone.rs\n+++ /dev/null\n@@ -1,2 +0,0 @@\n";
        let m = parse_unified(diff);
        assert_eq!(m["src/a.rs"], vec![(4, 5), (12, 12)]);
        assert!(!m.contains_key("gone.rs"));
    }

    #[test]
    fn quoted_and_spaced_paths_are_read_back() {
        let diff = concat!(
            "diff --git \"a/src/caf\\303\\251.rs\" \"b/src/caf\\303\\251.rs\"\n",
            "--- \"a/src/caf\\303\\251.rs\"\n",
            "+++ \"b/src/caf\\303\\251.rs\"\n",
            "@@ -1,0 +2 @@\n+x\n",
            "diff --git a/src/a b.rs b/src/a b.rs\n",
            "--- a/src/a b.rs\t\n",
            "+++ b/src/a b.rs\t\n",
            "@@ -1 +1,2 @@\n-x\n+y\n+z\n",
            "diff --git \"a/src/q\\\"t\\\\\\nx.rs\" \"b/src/q\\\"t\\\\\\nx.rs\"\n",
            "--- /dev/null\n",
            "+++ \"b/src/q\\\"t\\\\\\nx.rs\"\n",
            "@@ -0,0 +1,3 @@\n+a\n+b\n+c\n",
        );
        let m = parse_unified(diff);
        assert_eq!(m["src/café.rs"], vec![(2, 2)]);
        assert_eq!(m["src/a b.rs"], vec![(1, 2)]);
        assert_eq!(m["src/q\"t\\\nx.rs"], vec![(1, 3)]);
        assert_eq!(m.len(), 3);
    }

    #[test]
    fn hunk_lines_that_look_like_headers_are_content() {
        // Added lines `++ b/other.rs` and `@@ -1 +9,9 @@` inside a string literal.
        let diff = concat!(
            "diff --git a/src/a.rs b/src/a.rs\n",
            "--- a/src/a.rs\n",
            "+++ b/src/a.rs\n",
            "@@ -1,2 +1,3 @@\n",
            "--- b/old.rs\n",
            "-x\n",
            "++++ b/other.rs\n",
            "+@@ -1 +9,9 @@\n",
            "+y\n",
            "\\ No newline at end of file\n",
            "@@ -10 +11 @@\n",
            "-p\n",
            "+q\n",
        );
        let m = parse_unified(diff);
        assert_eq!(m["src/a.rs"], vec![(1, 3), (11, 11)]);
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn c_quoting_is_undone() {
        assert_eq!(
            unquote_c(r#""a\tb\"c\\d\303\251\001""#).as_deref(),
            Some("a\tb\"c\\dé\u{1}")
        );
        assert_eq!(unquote_c(r#""x" trailing"#).as_deref(), Some("x"));
        assert_eq!(unquote_c(r#""unterminated"#), None);
        assert_eq!(unquote_c(r#""bad\9""#).as_deref(), Some("bad9"));
        assert_eq!(unquote_c(r#""short\30""#), None);
        assert_eq!(unquote_c("plain"), None);
    }
}
