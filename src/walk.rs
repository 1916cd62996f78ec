//! Which files a run reads: every `.rs` file under the given directories (skipping `target/`,
//! hidden directories, what `.gitignore` ignores and `[files] exclude`), plus files named
//! explicitly, which are always read. The order is deterministic (sorted by displayed path).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::workspace;

#[derive(Debug, Clone)]
pub struct WalkedFile {
    pub path: PathBuf,
    /// Relative to the current directory, `/`-separated: how the file is named in reports.
    pub display: String,
    /// Findings in this file are reported (it is under a given path or was named itself);
    /// other files were read only for the workspace view around a named file.
    pub in_scope: bool,
    /// The real path (symbolic links resolved), resolved once here; `None` when it cannot be.
    pub canonical: Option<PathBuf>,
}

#[derive(Debug)]
pub struct Walk {
    pub files: Vec<WalkedFile>,
    /// Problems with the paths given (missing, unreadable directories).
    pub errors: Vec<String>,
}

/// Walks `paths`. When a path is a file, the workspace around it is walked too (out of scope),
/// because logging helpers and error types are found across files.
pub fn walk(paths: &[PathBuf], config: &Config, cwd: Option<&Path>) -> Walk {
    // Keyed by the displayed path and then the real one: two names that display alike are still
    // two files, and one file reached as given and again by the walk around it is one.
    let mut files: BTreeMap<(String, PathBuf), WalkedFile> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut context_roots: Vec<PathBuf> = Vec::new();

    for given in paths {
        let meta = match std::fs::metadata(given) {
            Ok(m) => m,
            Err(e) => {
                errors.push(format!("{}: {}", workspace::display_from(given, cwd), e));
                continue;
            }
        };
        if meta.is_dir() {
            walk_dir(given, config, true, cwd, &mut files, &mut errors);
        } else {
            let display = workspace::display_from(given, cwd);
            let canonical = std::fs::canonicalize(given).ok();
            if let Some(root) = canonical.as_deref().and_then(workspace::workspace_root) {
                if !context_roots.contains(&root) {
                    context_roots.push(root);
                }
            }
            files.insert(
                (display.clone(), canonical.clone().unwrap_or_else(|| given.clone())),
                WalkedFile {
                    path: given.clone(),
                    display,
                    in_scope: true,
                    canonical,
                },
            );
        }
    }
    for root in context_roots {
        let mut extra = BTreeMap::new();
        walk_dir(&root, config, false, cwd, &mut extra, &mut Vec::new());
        for (k, v) in extra {
            files.entry(k).or_insert(v);
        }
    }
    Walk {
        files: once_per_file(files.into_values().collect()),
        errors,
    }
}

/// A file reached through several paths (a symbolic link to another file of the tree) is read
/// once: under its real path when that is among them, else under the first. Otherwise it would
/// be analysed, counted and reported twice.
fn once_per_file(files: Vec<WalkedFile>) -> Vec<WalkedFile> {
    let canonical: Vec<Option<PathBuf>> = files.iter().map(|f| f.canonical.clone()).collect();
    let is_link = |k: usize| std::fs::symlink_metadata(&files[k].path).is_ok_and(|m| m.file_type().is_symlink());
    let mut keep = vec![true; files.len()];
    let mut first: std::collections::HashMap<&PathBuf, usize> = std::collections::HashMap::new();
    for (i, c) in canonical.iter().enumerate() {
        let Some(c) = c else { continue };
        match first.get(c).copied() {
            None => {
                first.insert(c, i);
            }
            Some(j) => {
                // Keep the real file rather than a link to it.
                if is_link(j) && !is_link(i) {
                    keep[j] = false;
                    first.insert(c, i);
                } else {
                    keep[i] = false;
                }
            }
        }
    }
    // A dropped path that was in scope (named on the command line) keeps its file in scope.
    let in_scope: Vec<usize> = (0..files.len())
        .filter(|&i| !keep[i] && files[i].in_scope)
        .filter_map(|i| canonical[i].as_ref().and_then(|c| first.get(c).copied()))
        .collect();
    let mut files = files;
    for k in in_scope {
        files[k].in_scope = true;
    }
    files
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(f, _)| f)
        .collect()
}

fn walk_dir(
    root: &Path,
    config: &Config,
    in_scope: bool,
    cwd: Option<&Path>,
    out: &mut BTreeMap<(String, PathBuf), WalkedFile>,
    errors: &mut Vec<String>,
) {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| !is_cargo_target(entry.path()))
        .build();
    // Links to directories are not followed, so every directory below the root is a real one:
    // a file's real path is the root's plus the rest, unless the file itself is a link.
    let real_root = std::fs::canonicalize(root).ok();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        let path = entry.path();
        // A symbolic link to a file is read through the link; a broken link or a link loop is
        // read too, so that it is reported with the OS's reason instead of vanishing, and so is
        // a `.rs` that is not a regular file (a named pipe, a device): it is refused when read,
        // with what it is. Links to directories are not followed (loops, files seen twice).
        let file_type = entry.file_type();
        let is_dir = file_type.is_some_and(|t| t.is_dir())
            || (file_type.is_some_and(|t| t.is_symlink()) && std::fs::metadata(path).is_ok_and(|m| m.is_dir()));
        if is_dir || path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let canonical = match (&real_root, entry.path_is_symlink()) {
            (Some(real), false) => path.strip_prefix(root).ok().map(|rest| real.join(rest)),
            _ => std::fs::canonicalize(path).ok(),
        };
        if config.is_excluded(canonical.as_deref().unwrap_or(path)) {
            continue;
        }
        let display = workspace::display_from(path, cwd);
        let key = (display.clone(), canonical.clone().unwrap_or_else(|| path.to_path_buf()));
        out.entry(key).or_insert(WalkedFile {
            path: path.to_path_buf(),
            display,
            in_scope,
            canonical,
        });
    }
}

/// A Cargo build directory: `target/` beside a `Cargo.toml`, or any directory with the
/// `CACHEDIR.TAG` Cargo writes. A source module named `target` is not skipped.
fn is_cargo_target(path: &Path) -> bool {
    if path.file_name().and_then(|n| n.to_str()) != Some("target") || !path.is_dir() {
        return false;
    }
    path.join("CACHEDIR.TAG").is_file() || path.parent().is_some_and(|p| p.join("Cargo.toml").is_file())
}
