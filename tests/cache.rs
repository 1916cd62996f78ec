//! The stored result of a whole run: reused only when nothing the run reads has changed, and
//! never stale — every input that changes the report (a file, a file added, the configuration, a
//! manifest, the paths asked for) makes the run start over, with the result a run without the
//! cache gives.

mod common;

use common::temp_tree;

const MANIFEST: &str = "[package]\nname = \"orders\"\nversion = \"0.1.0\"\n";
const MAIN: &str = "mod db;\nfn main() { let _ = db::save(); }\n";
const DB: &str = "pub fn save() -> Result<(), String> { Ok(()) }\npub fn load() -> u32 { std::env::var(\"N\").ok().map(|_| 1).unwrap_or(0) }\n";

/// Runs `obsdebt check --timings` with its own cache directory; (JSON report, whether the stored
/// result was reused).
fn run(dir: &std::path::Path, cache: &std::path::Path, extra: &[&str]) -> (String, bool) {
    let mut args = vec!["check", "--output-format", "json", "--timings"];
    args.extend_from_slice(extra);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .args(&args)
        .current_dir(dir)
        .env("OBSDEBT_CACHE_DIR", cache)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("timings: "), "{stderr}");
    let reused = stderr.contains("unchanged since the last run");
    (String::from_utf8(out.stdout).unwrap(), reused)
}

fn uncached(dir: &std::path::Path) -> String {
    let cache = tempfile::tempdir().unwrap();
    run(dir, cache.path(), &["--no-cache"]).0
}

#[test]
fn an_unchanged_run_reuses_its_result_and_every_change_starts_over() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN), ("src/db.rs", DB)]);
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    let (first, reused) = run(dir.path(), cache, &[]);
    assert!(!reused, "nothing stored yet");
    assert!(first.contains("swallowed-error"), "{first}");
    let (second, reused) = run(dir.path(), cache, &[]);
    assert!(reused, "nothing changed");
    assert_eq!(first, second, "the reused result is the same report, byte for byte");

    // A file changed.
    std::fs::write(
        dir.path().join("src/main.rs"),
        MAIN.replace("let _ = db::save();", "db::save().ok();"),
    )
    .unwrap();
    let (changed, reused) = run(dir.path(), cache, &[]);
    assert!(!reused);
    assert_ne!(changed, first);
    assert_eq!(changed, uncached(dir.path()));
    assert!(run(dir.path(), cache, &[]).1, "stored again");

    // A file added.
    std::fs::write(dir.path().join("src/extra.rs"), "pub fn f() { let _ = g(); }\n").unwrap();
    let (added, reused) = run(dir.path(), cache, &[]);
    assert!(!reused);
    assert_eq!(added, uncached(dir.path()));

    // The configuration: a rule turned off.
    std::fs::write(dir.path().join("lint.toml"), "[rules]\nswallowed-error = \"off\"\n").unwrap();
    let (configured, reused) = run(dir.path(), cache, &[]);
    assert!(!reused);
    assert!(!configured.contains("\"swallowed-error\""), "{configured}");
    assert_eq!(configured, uncached(dir.path()));
    std::fs::remove_file(dir.path().join("lint.toml")).unwrap();
    assert!(!run(dir.path(), cache, &[]).1);

    // A manifest: the crate renamed, with no source file touched.
    std::fs::write(dir.path().join("Cargo.toml"), MANIFEST.replace("orders", "billing")).unwrap();
    let (renamed, reused) = run(dir.path(), cache, &[]);
    assert!(!reused);
    assert!(renamed.contains("\"billing\""), "{renamed}");
    assert_eq!(renamed, uncached(dir.path()));

    // Rule selection on the command line.
    let (selected, reused) = run(dir.path(), cache, &["--select", "unlogged-error"]);
    assert!(!reused);
    assert_eq!(
        selected,
        run(dir.path(), cache, &["--select", "unlogged-error", "--no-cache"]).0
    );
}

#[test]
fn each_set_of_paths_keeps_its_own_result_and_baselines_are_never_reused() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN), ("src/db.rs", DB)]);
    let cache = tempfile::tempdir().unwrap();
    let cache = cache.path();
    let (whole, _) = run(dir.path(), cache, &[]);
    let (one, reused) = run(dir.path(), cache, &["src/main.rs"]);
    assert!(!reused, "another set of paths is another run");
    assert_ne!(whole, one);
    assert_eq!(run(dir.path(), cache, &[]), (whole.clone(), true));
    assert_eq!(run(dir.path(), cache, &["src/main.rs"]), (one, true));

    let baseline = dir.path().join("baseline.json");
    std::fs::write(&baseline, &whole).unwrap();
    for _ in 0..2 {
        let (_, reused) = run(dir.path(), cache, &["--baseline", "baseline.json"]);
        assert!(!reused, "a baseline is an input the stored result does not cover");
    }
}

#[test]
fn a_corrupt_stored_result_is_ignored_and_replaced() {
    let dir = temp_tree(&[("Cargo.toml", MANIFEST), ("src/main.rs", MAIN), ("src/db.rs", DB)]);
    let cache = tempfile::tempdir().unwrap();
    let (first, _) = run(dir.path(), cache.path(), &[]);
    let mut runs = Vec::new();
    find_runs(cache.path(), &mut runs);
    assert_eq!(runs.len(), 1, "one stored run: {runs:?}");
    std::fs::write(&runs[0], b"\x03not a stored run").unwrap();
    assert_eq!(run(dir.path(), cache.path(), &[]), (first.clone(), false));
    assert_eq!(run(dir.path(), cache.path(), &[]), (first, true), "rewritten");
}

fn find_runs(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            find_runs(&p, out);
        } else if p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == "runs") {
            out.push(p);
        }
    }
}

#[test]
fn only_the_most_recent_stored_runs_are_kept() {
    let mut files = vec![("Cargo.toml".to_string(), MANIFEST.to_string())];
    let mut text = String::new();
    for i in 0..20 {
        files.push((format!("src/m{i}.rs"), format!("pub fn f{i}() {{ let _ = g(); }}\n")));
        text.push_str(&format!("mod m{i};\n"));
    }
    files.push(("src/main.rs".to_string(), format!("{text}fn main() {{}}\n")));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = temp_tree(&refs);
    let cache = tempfile::tempdir().unwrap();
    for i in 0..20 {
        let path = format!("src/m{i}.rs");
        let (out, reused) = run(dir.path(), cache.path(), &[&path]);
        assert!(!reused && out.contains(&path), "{out}");
    }
    let mut runs = Vec::new();
    find_runs(cache.path(), &mut runs);
    assert_eq!(runs.len(), obsdebt::cache::MAX_RUNS, "{runs:?}");
    // The most recent ones are the ones kept.
    assert!(run(dir.path(), cache.path(), &["src/m19.rs"]).1);
}
