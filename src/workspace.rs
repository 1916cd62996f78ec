//! Cargo layout: which crate a file belongs to, its module path, and whether it is a test,
//! bench or example target.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A Cargo package (or, without a manifest, the directory the files were found in).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CrateInfo {
    pub name: String,
    /// Names of the packages it depends on (normal dependencies, `package = ".."` renames applied).
    pub deps: Vec<String>,
    /// The package directory, displayed relative to the current directory.
    pub display_dir: String,
    pub dir: PathBuf,
}

/// Where a file sits in its crate.
#[derive(Debug, Clone)]
pub struct FilePlace {
    pub krate: usize,
    /// Module path from the file layout (`src/api/users.rs` → `api::users`).
    pub module: Vec<String>,
    /// A file of Cargo's test, bench or example targets.
    pub test_target: bool,
}

/// Finds and caches package manifests.
#[derive(Default)]
pub struct Layout {
    pub crates: Vec<CrateInfo>,
    by_dir: HashMap<PathBuf, usize>,
    manifest_cache: HashMap<PathBuf, Option<ManifestKind>>,
}

#[derive(Clone)]
enum ManifestKind {
    Package(String, Vec<String>),
    /// A virtual workspace manifest: no package of its own.
    Virtual,
}

impl Layout {
    fn manifest(&mut self, dir: &Path) -> Option<ManifestKind> {
        if let Some(m) = self.manifest_cache.get(dir) {
            return m.clone();
        }
        let path = dir.join("Cargo.toml");
        let kind = crate::input::read_regular_text(&path, crate::input::MAX_MANIFEST)
            .ok()
            .map(|text| {
                let table = text.parse::<toml::Table>().ok();
                let name = table
                    .as_ref()
                    .and_then(|t| t.get("package")?.get("name")?.as_str().map(str::to_string));
                let deps = table
                    .as_ref()
                    .and_then(|t| t.get("dependencies")?.as_table().cloned())
                    .map(|deps| {
                        deps.iter()
                            .map(|(key, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(key).to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                match name {
                    Some(n) => ManifestKind::Package(n, deps),
                    None => ManifestKind::Virtual,
                }
            });
        self.manifest_cache.insert(dir.to_path_buf(), kind.clone());
        kind
    }

    /// The place of `abs` (an absolute, canonical path); `fallback_root` names the crate when no
    /// `Cargo.toml` is found above the file.
    pub fn place(&mut self, abs: &Path, fallback_root: &Path) -> FilePlace {
        let mut dir = abs.parent().map(Path::to_path_buf);
        let mut found: Option<(PathBuf, String, Vec<String>)> = None;
        while let Some(d) = dir {
            if let Some(ManifestKind::Package(name, deps)) = self.manifest(&d) {
                found = Some((d, name, deps));
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        let (crate_dir, name, deps) = found.unwrap_or_else(|| {
            let root = fallback_root.to_path_buf();
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| ".".into());
            (root, name, Vec::new())
        });
        let krate = match self.by_dir.get(&crate_dir) {
            Some(&i) => i,
            None => {
                self.crates.push(CrateInfo {
                    name,
                    deps,
                    display_dir: display(&crate_dir),
                    dir: crate_dir.clone(),
                });
                self.by_dir.insert(crate_dir.clone(), self.crates.len() - 1);
                self.crates.len() - 1
            }
        };
        let rel = abs.strip_prefix(&crate_dir).unwrap_or(abs);
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let test_target = matches!(
            parts.first().map(String::as_str),
            Some("tests" | "benches" | "examples")
        );
        FilePlace {
            krate,
            module: module_path(&mut parts),
            test_target,
        }
    }
}

/// `src/api/users.rs` → `["api", "users"]`; `src/lib.rs`, `src/main.rs`, `mod.rs` collapse.
fn module_path(parts: &mut Vec<String>) -> Vec<String> {
    if parts.first().map(String::as_str) == Some("src") {
        parts.remove(0);
    }
    if parts.first().map(String::as_str) == Some("bin") {
        // Each `src/bin/x.rs` is its own crate root.
        parts.remove(0);
        if parts.len() == 1 {
            return Vec::new();
        }
        parts.remove(0);
    }
    let Some(last) = parts.pop() else { return Vec::new() };
    let stem = last.strip_suffix(".rs").unwrap_or(&last).to_string();
    if parts.is_empty() && matches!(stem.as_str(), "lib" | "main") {
        return Vec::new();
    }
    if stem != "mod" {
        parts.push(stem);
    }
    parts.clone()
}

/// The top-most directory around `abs` with a `[workspace]` manifest, or else the nearest
/// package: the set of files a single-file run must analyse to see the whole picture.
pub fn workspace_root(abs: &Path) -> Option<PathBuf> {
    let mut nearest_package = None;
    let mut top_workspace = None;
    let mut dir = abs.parent();
    while let Some(d) = dir {
        if let Ok(text) = crate::input::read_regular_text(&d.join("Cargo.toml"), crate::input::MAX_MANIFEST) {
            if let Ok(table) = text.parse::<toml::Table>() {
                if table.contains_key("workspace") {
                    top_workspace = Some(d.to_path_buf());
                }
                if nearest_package.is_none() && table.contains_key("package") {
                    nearest_package = Some(d.to_path_buf());
                }
            }
        }
        dir = d.parent();
    }
    top_workspace.or(nearest_package)
}

impl Layout {
    /// Crates linked by dependencies form one system (`systems()[crate]` is its id): a service
    /// and the workspace libraries it uses. Independent services of one repository (a folder of
    /// examples) are separate systems.
    pub fn systems(&self) -> Vec<usize> {
        let mut parent: Vec<usize> = (0..self.crates.len()).collect();
        fn find(p: &mut [usize], x: usize) -> usize {
            let mut r = x;
            while p[r] != r {
                r = p[r];
            }
            p[x] = r;
            r
        }
        for (i, c) in self.crates.iter().enumerate() {
            for dep in &c.deps {
                let dep = dep.replace('_', "-");
                for (j, other) in self.crates.iter().enumerate() {
                    if other.name.replace('_', "-") == dep {
                        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                        parent[a.max(b)] = a.min(b);
                    }
                }
            }
        }
        (0..self.crates.len()).map(|i| find(&mut parent, i)).collect()
    }
}

/// How a path is shown: relative to the current directory when under it, `/`-separated.
pub fn display(path: &Path) -> String {
    display_from(path, current_dir().as_deref())
}

/// The current directory, real path: what [`display_from`] takes.
pub fn current_dir() -> Option<PathBuf> {
    std::env::current_dir().ok().and_then(|c| std::fs::canonicalize(c).ok())
}

/// [`display`] with the current directory already known (a walk names thousands of files).
pub fn display_from(path: &Path, cwd: Option<&Path>) -> String {
    let shown = match cwd {
        Some(c) if path.is_absolute() => path.strip_prefix(c).unwrap_or(path),
        _ => path,
    };
    let mut out: Vec<String> = Vec::new();
    for comp in shown.components() {
        match comp {
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    if out.is_empty() {
        return ".".into();
    }
    let joined = out.join("/");
    // A unix root is a component of its own ("/"): joined, it would double the first slash.
    match joined.strip_prefix("//") {
        Some(rest) if shown.has_root() => format!("/{rest}"),
        _ => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str) -> Vec<String> {
        module_path(&mut p.split('/').map(str::to_string).collect())
    }

    #[test]
    fn absolute_paths_outside_the_current_directory_keep_one_leading_slash() {
        let cwd = Path::new("/home/dev/project");
        assert_eq!(
            display_from(Path::new("/tmp/svc/src/main.rs"), Some(cwd)),
            "/tmp/svc/src/main.rs"
        );
        assert_eq!(
            display_from(Path::new("/home/dev/project/src/a.rs"), Some(cwd)),
            "src/a.rs"
        );
        assert_eq!(display_from(Path::new("./src/./b.rs"), Some(cwd)), "src/b.rs");
        assert_eq!(display_from(Path::new("/"), None), "/");
    }

    #[test]
    fn module_paths_follow_the_file_layout() {
        assert!(m("src/main.rs").is_empty());
        assert!(m("src/lib.rs").is_empty());
        assert_eq!(m("src/api/users.rs"), vec!["api", "users"]);
        assert_eq!(m("src/api/mod.rs"), vec!["api"]);
        assert!(m("src/bin/worker.rs").is_empty());
        assert_eq!(m("src/bin/worker/jobs.rs"), vec!["jobs"]);
    }
}
