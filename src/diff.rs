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

fn git(args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git ({e}); --diff-base needs git on the PATH"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Parses `git diff --unified=0` output into new-side line ranges per root-relative path.
pub fn parse_unified(diff: &str) -> HashMap<String, Vec<(u32, u32)>> {
    let mut out: HashMap<String, Vec<(u32, u32)>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(path) = line.strip_prefix("+++ ") {
            current = path.strip_prefix("b/").map(str::to_string);
        } else if let (Some(hunk), Some(file)) = (line.strip_prefix("@@ "), &current) {
            // `@@ -a,b +c,d @@`: lines c .. c+d-1 of the new file (d defaults to 1).
            let Some(new) = hunk.split_whitespace().find(|p| p.starts_with('+')) else {
                continue;
            };
            let mut parts = new[1..].split(',');
            let start: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: u32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            if count > 0 {
                out.entry(file.clone()).or_default().push((start, start + count - 1));
            }
        }
    }
    out
}

pub fn changed_since(rev: &str) -> Result<Changed, String> {
    let root = git(&["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--diff-base needs a git repository, and the current directory is not in one ({e})"))?;
    let root = PathBuf::from(root.trim());
    git(&["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("--diff-base: `{rev}` is not a commit of this repository (try `origin/main` or a SHA)"))?;
    let diff = git(&[
        "diff",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-renames",
        rev,
        "--",
    ])?;
    let mut by_root = parse_unified(&diff);
    // Files git does not track yet are new code from their first line to their last.
    let untracked = git(&["ls-files", "--others", "--exclude-standard", "--full-name", "-z", ":/"])?;
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
        .map(|(p, r)| (workspace::display(&root.join(Path::new(&p))), r))
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
}
