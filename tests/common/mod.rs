//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use obsdebt::check::{self, CheckOptions};
use obsdebt::knowledge::Knowledge;
use obsdebt::resolve::{self, Class, FileInput};
use obsdebt::workspace::FilePlace;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Classifies every site of one source text, as `(line, outcome)` where the outcome is
/// `logged`, `propagated`, `expected` or the reporting rule's name.
pub fn classify(src: &str) -> Vec<(u32, String)> {
    classify_with(src, &Knowledge::defaults())
}

pub fn classify_with(src: &str, k: &Knowledge) -> Vec<(u32, String)> {
    let facts = obsdebt::collect::analyse_source(src, k, false).expect("snippet parses");
    let place = FilePlace {
        krate: 0,
        module: Vec::new(),
        test_target: false,
        program: Default::default(),
    };
    let resolved = resolve::resolve(
        &[FileInput {
            place: &place,
            facts: &facts,
        }],
        &["snippet".to_string()],
    );
    facts
        .sites()
        .iter()
        .zip(&resolved.classes[0])
        .filter_map(|(site, class)| {
            let label = match (*class)? {
                Class::Logged => "logged".to_string(),
                Class::LoggedWithoutError => "log-without-error".to_string(),
                Class::Propagated => "propagated".to_string(),
                Class::Expected => "expected".to_string(),
                Class::Unlogged(rule) => rule.to_string(),
            };
            Some((site.span.line, label))
        })
        .collect()
}

/// Wraps statements in an async fn returning `Result<(), AppError>`.
pub fn in_fn(body: &str) -> String {
    format!("async fn handler() -> Result<(), AppError> {{\n{body}\n}}\n")
}

/// The `//~ rule` expectations in every `.rs` file under `dir`: (path, line, rule) → count.
/// `//~^ rule` points one line up per caret, as in clippy's UI tests.
pub fn expectations(dir: &Path) -> BTreeMap<(String, u32, String), usize> {
    let mut out = BTreeMap::new();
    let mut files = Vec::new();
    collect_rs(dir, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let display = obsdebt::workspace::display(&file);
        for (i, line) in text.lines().enumerate() {
            let Some(at) = line.find("//~") else { continue };
            let rest = &line[at + 3..];
            let carets = rest.chars().take_while(|&c| c == '^').count();
            for rule in rest[carets..]
                .split([',', ' '])
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                let target = (i + 1 - carets) as u32;
                *out.entry((display.clone(), target, rule.to_string())).or_insert(0) += 1;
            }
        }
    }
    out
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

pub fn run_check(paths: &[&Path]) -> check::CheckOutput {
    run_check_from(None, paths)
}

/// [`run_check`] as if started in `cwd`: relative paths are read from it and files are shown
/// relative to it, with no change to the test process's current directory.
pub fn run_check_from(cwd: Option<&Path>, paths: &[&Path]) -> check::CheckOutput {
    let opts = CheckOptions {
        paths: paths.iter().map(|p| p.to_path_buf()).collect(),
        want_sources: true,
        cwd: cwd.map(Path::to_path_buf),
        ..Default::default()
    };
    match check::run(&opts) {
        Ok(out) => out,
        Err(e) => panic!("check failed: {e:?}"),
    }
}

/// Runs the obsdebt binary in `cwd`.
pub fn obsdebt(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .expect("run obsdebt");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `files` (path → text) under a new temporary directory.
pub fn temp_tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// The `path` of every diagnostic in a JSON report, in report order.
pub fn diagnostic_paths(report: &serde_json::Value) -> Vec<&str> {
    report["diagnostics"]
        .as_array()
        .expect("a JSON report has a diagnostics array")
        .iter()
        .map(|d| d["path"].as_str().expect("each diagnostic has a path"))
        .collect()
}

/// Runs `git ARGS` in `dir` with a fixed identity and default branch (`main`), asserting that it
/// succeeds; its standard output.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=obsdebt",
            "-c",
            "user.email=obsdebt@localhost",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
