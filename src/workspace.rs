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
    /// The root of the Cargo workspace the package belongs to (its own directory when it is in
    /// none): each workspace is a world of its own for name resolution, the logging fixpoint,
    /// the per-request graph and configuration groups.
    pub world: PathBuf,
    /// What the manifest says about the package's targets (all `false` without a manifest).
    pub targets: Targets,
}

/// A package's targets and the dependencies of every target platform, as its manifest and its
/// file layout tell (Cargo's auto-discovery: `src/main.rs`, `src/bin/`, `src/lib.rs`, `build.rs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Targets {
    /// A `Cargo.toml` with a `[package]` was found: the fields below are known.
    pub manifest: bool,
    /// A binary target: `src/main.rs`, a `src/bin/` directory, or `[[bin]]`; or a library built
    /// to be loaded by a host (`crate-type = ["cdylib"]`, a worker or plugin), not linked by Rust
    /// callers.
    pub binary: bool,
    /// A library target: `src/lib.rs` or `[lib]`.
    pub library: bool,
    /// `[lib] proc-macro = true`: code that runs in the compiler, not in the service.
    pub proc_macro: bool,
    /// The build script (`build.rs`, or `package.build`), relative to the package directory.
    pub build_script: Option<PathBuf>,
    /// Binary targets' own files outside `src/bin/` (`[[bin]] path`), relative to the package.
    pub bin_paths: Vec<PathBuf>,
    /// The directories (or files) of `[[test]]`, `[[bench]]` and `[[example]]` targets declared
    /// with a `path` (`src/tests/mod.rs` → `src/tests`), relative to the package.
    pub aux_paths: Vec<PathBuf>,
    /// Some package of its workspace (this one included) has a binary target, as
    /// [`Layout::mark_world_binaries`] found on disk.
    pub world_binary: bool,
    /// Names of the dependencies of every target platform (`[target.'cfg(..)'.dependencies]`
    /// included), `package = ".."` renames applied.
    pub all_deps: Vec<String>,
}

impl CrateInfo {
    /// Whether `rel` (a path relative to the package directory) is the package's build script.
    pub fn is_build_script(&self, rel: &Path) -> bool {
        self.targets.build_script.as_deref() == Some(rel)
    }

    /// Whether `rel` is a file of a binary target only: `src/main.rs`, under `src/bin/`, or a
    /// `[[bin]] path`. (Modules a `src/main.rs` declares cannot be told from the library's.)
    pub fn is_binary_file(&self, rel: &Path) -> bool {
        rel == Path::new("src/main.rs") || rel.starts_with("src/bin") || self.targets.bin_paths.iter().any(|p| p == rel)
    }
}

/// Where a file sits in its crate.
#[derive(Debug, Clone, Default)]
pub struct FilePlace {
    pub krate: usize,
    /// Module path from the file layout (`src/api/users.rs` → `api::users`).
    pub module: Vec<String>,
    /// A file of Cargo's test, bench or example targets.
    pub test_target: bool,
    /// The Cargo target the file is compiled into.
    pub program: Program,
}

/// The Cargo target a file belongs to. Separate programs do not share configuration; a
/// library is shared by every program that depends on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Program {
    /// The package's library (or, without a manifest, its only program).
    #[default]
    Library,
    /// A binary target, by name (`main` for `src/main.rs` and the modules it declares).
    Binary(String),
    /// The package's build script.
    BuildScript,
    /// A test, bench or example target, by its path (`examples/todos`).
    Aux(String),
}

/// Finds and caches package manifests.
#[derive(Default)]
pub struct Layout {
    pub crates: Vec<CrateInfo>,
    by_dir: HashMap<PathBuf, usize>,
    manifest_cache: HashMap<PathBuf, Option<Manifest>>,
}

/// What a `Cargo.toml` says about the package and the workspace it belongs to.
#[derive(Clone, Default)]
struct Manifest {
    /// `[package] name` and the names of its dependencies; `None` for a virtual manifest.
    package: Option<(String, Vec<String>)>,
    /// `[workspace]`: the manifest is a workspace root; its `exclude` paths.
    workspace: Option<Vec<String>>,
    /// `package.workspace = "../.."`: the root named explicitly.
    explicit_root: Option<String>,
    /// The targets the manifest declares (the file layout is added in [`Layout::place`]).
    targets: Targets,
}

impl Layout {
    fn manifest(&mut self, dir: &Path) -> Option<Manifest> {
        if let Some(m) = self.manifest_cache.get(dir) {
            return m.clone();
        }
        let path = dir.join("Cargo.toml");
        let manifest = crate::input::read_regular_text(&path, crate::input::MAX_MANIFEST)
            .ok()
            .map(|text| {
                let table = text.parse::<toml::Table>().unwrap_or_default();
                let package = table.get("package");
                let name = package.and_then(|p| p.get("name")?.as_str().map(str::to_string));
                let deps: Vec<String> = table
                    .get("dependencies")
                    .and_then(|d| d.as_table())
                    .map(|deps| {
                        deps.iter()
                            .map(|(key, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(key).to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let strings = |v: Option<&toml::Value>| -> Vec<String> {
                    v.and_then(|v| v.as_array())
                        .map(|a| a.iter().filter_map(|e| e.as_str().map(str::to_string)).collect())
                        .unwrap_or_default()
                };
                let targets = declared_targets(&table, &deps);
                Manifest {
                    package: name.map(|n| (n, deps)),
                    workspace: table.get("workspace").map(|w| strings(w.get("exclude"))),
                    explicit_root: package.and_then(|p| p.get("workspace")?.as_str().map(str::to_string)),
                    targets,
                }
            });
        self.manifest_cache.insert(dir.to_path_buf(), manifest.clone());
        manifest
    }

    /// The root of the workspace the package in `crate_dir` belongs to, as Cargo finds it: the
    /// root named by `package.workspace`, else the nearest manifest above (or at) the package
    /// with a `[workspace]` table that does not exclude it, else the package itself.
    fn world_of(&mut self, crate_dir: &Path) -> PathBuf {
        if let Some(root) = self.manifest(crate_dir).and_then(|m| m.explicit_root) {
            let root = crate_dir.join(root);
            return std::fs::canonicalize(&root).unwrap_or(root);
        }
        let mut dir = Some(crate_dir);
        while let Some(d) = dir {
            if let Some(exclude) = self.manifest(d).and_then(|m| m.workspace) {
                let rel = crate_dir.strip_prefix(d).unwrap_or(crate_dir);
                let excluded = exclude
                    .iter()
                    .any(|e| !e.is_empty() && rel.starts_with(Path::new(e.trim_end_matches('/'))));
                return if excluded {
                    crate_dir.to_path_buf()
                } else {
                    d.to_path_buf()
                };
            }
            dir = d.parent();
        }
        crate_dir.to_path_buf()
    }

    /// The place of `abs` (an absolute, canonical path); `fallback_root` names the crate when no
    /// `Cargo.toml` is found above the file.
    pub fn place(&mut self, abs: &Path, fallback_root: &Path) -> FilePlace {
        let mut dir = abs.parent().map(Path::to_path_buf);
        let mut found: Option<(PathBuf, String, Vec<String>, Targets)> = None;
        while let Some(d) = dir {
            if let Some(m) = self.manifest(&d) {
                if let Some((name, deps)) = m.package {
                    found = Some((d, name, deps, m.targets));
                    break;
                }
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        let (crate_dir, name, deps, targets) = found.unwrap_or_else(|| {
            let root = fallback_root.to_path_buf();
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| ".".into());
            (root, name, Vec::new(), Targets::default())
        });
        let krate = match self.by_dir.get(&crate_dir) {
            Some(&i) => i,
            None => {
                let world = self.world_of(&crate_dir);
                let targets = discovered_targets(targets, &crate_dir);
                self.crates.push(CrateInfo {
                    name,
                    deps,
                    display_dir: display(&crate_dir),
                    dir: crate_dir.clone(),
                    world,
                    targets,
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
        let targets = &self.crates[krate].targets;
        let aux = targets.aux_paths.iter().find(|p| rel.starts_with(p));
        let test_target = aux.is_some()
            || matches!(
                parts.first().map(String::as_str),
                Some("tests" | "benches" | "examples")
            );
        let info = &self.crates[krate];
        let program = if info.is_build_script(rel) {
            Program::BuildScript
        } else if let Some(p) = aux {
            Program::Aux(display(p))
        } else if test_target {
            // `examples/todos.rs` and `examples/todos/main.rs` are one example.
            let name: Vec<&str> = parts
                .iter()
                .take(2)
                .map(|p| p.strip_suffix(".rs").unwrap_or(p))
                .collect();
            Program::Aux(name.join("/"))
        } else if info.is_binary_file(rel) {
            let name = match parts.as_slice() {
                [src, bin, name, ..] if src == "src" && bin == "bin" => {
                    name.strip_suffix(".rs").unwrap_or(name).to_string()
                }
                [src, main] if src == "src" && main == "main.rs" => "main".to_string(),
                _ => display(rel),
            };
            Program::Binary(name)
        } else if info.targets.library || !info.targets.manifest {
            Program::Library
        } else {
            Program::Binary("main".to_string())
        };
        FilePlace {
            krate,
            module: module_path(&mut parts),
            test_target,
            program,
        }
    }
}

/// The targets a manifest declares: `[lib]`, `[[bin]]`, `package.build`, and the dependencies
/// of every platform.
fn declared_targets(table: &toml::Table, deps: &[String]) -> Targets {
    let package = table.get("package");
    let lib = table.get("lib");
    let flag = |t: Option<&toml::Value>, key: &str| t.and_then(|t| t.get(key)).and_then(|v| v.as_bool());
    let bins: Vec<&toml::Value> = table
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let build_script = match package.and_then(|p| p.get("build")) {
        Some(toml::Value::String(s)) => Some(PathBuf::from(s.trim_start_matches("./"))),
        Some(toml::Value::Boolean(false)) => None,
        _ => Some(PathBuf::from("build.rs")),
    };
    let names = |d: &toml::Value| -> Vec<String> {
        d.as_table()
            .map(|deps| {
                deps.iter()
                    .map(|(key, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(key).to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut all_deps = deps.to_vec();
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        for platform in targets.values() {
            all_deps.extend(platform.get("dependencies").map(names).unwrap_or_default());
        }
    }
    all_deps.sort();
    all_deps.dedup();
    let hosted = lib
        .and_then(|l| l.get("crate-type"))
        .and_then(|t| t.as_array())
        .is_some_and(|a| a.iter().any(|t| matches!(t.as_str(), Some("cdylib" | "staticlib"))));
    Targets {
        manifest: true,
        binary: !bins.is_empty() || hosted,
        library: lib.is_some(),
        proc_macro: flag(lib, "proc-macro").or(flag(lib, "proc_macro")).unwrap_or(false),
        build_script,
        bin_paths: bins
            .iter()
            .filter_map(|b| {
                b.get("path")?
                    .as_str()
                    .map(|p| PathBuf::from(p.trim_start_matches("./")))
            })
            .collect(),
        world_binary: false,
        aux_paths: ["test", "bench", "example"]
            .iter()
            .filter_map(|kind| table.get(*kind)?.as_array())
            .flatten()
            .filter_map(|t| {
                let p = PathBuf::from(t.get("path")?.as_str()?.trim_start_matches("./"));
                // A target root named `mod.rs` or `main.rs` owns its directory.
                let own_dir = matches!(p.file_name().and_then(|n| n.to_str()), Some("mod.rs" | "main.rs"));
                Some(match (own_dir, p.parent()) {
                    (true, Some(dir)) if !dir.as_os_str().is_empty() && dir != Path::new("src") => dir.to_path_buf(),
                    _ => p,
                })
            })
            .collect(),
        all_deps,
    }
}

/// Adds the targets Cargo discovers from the file layout to those the manifest declares. A
/// package found without a manifest is taken to be a binary: nothing says it is not.
fn discovered_targets(mut t: Targets, dir: &Path) -> Targets {
    if !t.manifest {
        t.binary = true;
        return t;
    }
    t.binary |= dir.join("src/main.rs").is_file() || dir.join("src/bin").is_dir();
    t.library |= dir.join("src/lib.rs").is_file();
    if t.build_script.as_ref().is_some_and(|b| !dir.join(b).is_file()) {
        t.build_script = None;
    }
    t
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
/// The repository around `start` (a directory, or a file in one): the nearest directory, `start`
/// itself included, that holds `.git`. Configuration, the cache and machine-format paths do not
/// go above it.
pub fn repository_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

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
    /// The crates of each workspace (world), in order of their first crate: `worlds()[w]` lists
    /// crate indices.
    pub fn worlds(&self) -> Vec<Vec<usize>> {
        let mut index: HashMap<&Path, usize> = HashMap::new();
        let mut out: Vec<Vec<usize>> = Vec::new();
        for (i, c) in self.crates.iter().enumerate() {
            let w = *index.entry(&c.world).or_insert_with(|| {
                out.push(Vec::new());
                out.len() - 1
            });
            out[w].push(i);
        }
        out
    }

    /// Per package, the packages of its workspace it depends on (every target platform's
    /// dependencies).
    fn dependencies(&self) -> Vec<Vec<usize>> {
        let norm = |n: &str| n.replace('-', "_");
        let mut by_name: HashMap<(&Path, String), Vec<usize>> = HashMap::new();
        for (j, c) in self.crates.iter().enumerate() {
            by_name.entry((c.world.as_path(), norm(&c.name))).or_default().push(j);
        }
        self.crates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut out: Vec<usize> = c
                    .targets
                    .all_deps
                    .iter()
                    .chain(&c.deps)
                    .filter_map(|d| by_name.get(&(c.world.as_path(), norm(d))))
                    .flatten()
                    .copied()
                    .filter(|&j| j != i)
                    .collect();
                out.sort_unstable();
                out.dedup();
                out
            })
            .collect()
    }

    /// Per package, itself and every package of its workspace it depends on, directly or not:
    /// the code a middleware it installs wraps.
    pub fn reach(&self) -> Vec<Vec<usize>> {
        let deps = self.dependencies();
        (0..self.crates.len())
            .map(|i| {
                let mut seen = vec![i];
                let mut stack = vec![i];
                while let Some(c) = stack.pop() {
                    for &d in &deps[c] {
                        if !seen.contains(&d) {
                            seen.push(d);
                            stack.push(d);
                        }
                    }
                }
                seen.sort_unstable();
                seen
            })
            .collect()
    }

    /// Sets [`Targets::world_binary`] of every package: a package of its workspace read by the
    /// run has a binary target, or one found on disk does (a run may read part of a workspace).
    pub fn mark_world_binaries(&mut self) {
        let mut worlds: HashMap<PathBuf, bool> = HashMap::new();
        for c in &self.crates {
            *worlds.entry(c.world.clone()).or_default() |= c.targets.binary;
        }
        let mut sorted: Vec<PathBuf> = worlds.keys().cloned().collect();
        sorted.sort();
        for world in sorted {
            if !worlds[&world] {
                let found = self.world_has_binary(&world);
                worlds.insert(world, found);
            }
        }
        for c in &mut self.crates {
            c.targets.world_binary = worlds[&c.world];
        }
    }

    /// Whether the workspace rooted at `world` has a package with a binary target on disk: its
    /// member packages are found under the root, skipping build output, hidden directories and
    /// nested workspaces of their own.
    fn world_has_binary(&mut self, world: &Path) -> bool {
        const MAX_DEPTH: usize = 6;
        const MAX_DIRS: usize = 20_000;
        let mut stack = vec![(world.to_path_buf(), 0usize)];
        let mut visited = 0;
        while let Some((dir, depth)) = stack.pop() {
            visited += 1;
            if visited > MAX_DIRS {
                // Too large to look through: taken to have one, as a service would.
                return true;
            }
            if let Some(m) = self.manifest(&dir) {
                if dir != world && m.workspace.is_some() {
                    continue;
                }
                if m.package.is_some()
                    && self.world_of(&dir) == world
                    && discovered_targets(m.targets.clone(), &dir).binary
                {
                    return true;
                }
            }
            if depth >= MAX_DEPTH {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(&dir) else { continue };
            let mut subdirs: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| {
                    let name = e.file_name();
                    let name = name.to_string_lossy();
                    !name.starts_with('.') && !matches!(name.as_ref(), "target" | "node_modules")
                })
                .map(|e| e.path())
                .collect();
            subdirs.sort();
            stack.extend(subdirs.into_iter().rev().map(|d| (d, depth + 1)));
        }
        false
    }

    /// Packages whose code runs only in terminal programs: no package of their workspace that
    /// they depend on, nor any that depends on them (directly or not), nor they themselves,
    /// depend on one of `server_crates` (`-` and `_` alike). Packages found without a manifest
    /// are not: nothing is known of them.
    pub fn terminal_packages(&self, reach: &[Vec<usize>], server_crates: &[String]) -> Vec<bool> {
        let norm = |n: &str| n.replace('-', "_");
        let servers: Vec<String> = server_crates.iter().map(|f| norm(f)).collect();
        let serves: Vec<bool> = self
            .crates
            .iter()
            .map(|c| c.targets.all_deps.iter().any(|d| servers.contains(&norm(d))))
            .collect();
        let mut in_server = vec![false; self.crates.len()];
        for (i, deps) in reach.iter().enumerate() {
            // A server's libraries run in it; a package on top of a server library is one.
            if serves[i] {
                deps.iter().for_each(|&j| in_server[j] = true);
            }
            if deps.iter().any(|&j| serves[j]) {
                in_server[i] = true;
            }
        }
        self.crates
            .iter()
            .zip(in_server)
            .map(|(c, server)| c.targets.manifest && !server)
            .collect()
    }

    /// Crates linked by dependencies form one system (`systems()[crate]` is its id): a service
    /// and the workspace libraries it uses. Independent services of one repository (a folder of
    /// examples) are separate systems, and so are crates of different workspaces.
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
                    if other.world == c.world && other.name.replace('_', "-") == dep {
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
            other => out.push(os_display(other.as_os_str())),
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

/// A file name as text: bytes that are not UTF-8 are written `\xNN`, so that two names that
/// differ only there stay apart (a lossy conversion would show both as `\u{fffd}`).
pub fn os_display(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_shown_apart() {
        use std::os::unix::ffi::OsStrExt;
        let a = std::ffi::OsStr::from_bytes(b"caf\xe9.rs");
        let b = std::ffi::OsStr::from_bytes(b"caf\xff.rs");
        assert_eq!(os_display(a), "caf\\xe9.rs");
        assert_ne!(os_display(a), os_display(b));
        assert_eq!(os_display(std::ffi::OsStr::new("café.rs")), "café.rs");
    }

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
