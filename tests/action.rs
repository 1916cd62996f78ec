//! The GitHub Action's steps (`action.yml` runs `scripts/action.sh`) on a small repository, as
//! the runner would run them, minus what needs GitHub (the SARIF upload, the comment's API calls).

mod common;

use common::{git, temp_tree};

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `scripts/action.sh MODE` in `repo`: (exit code, stdout + stderr).
fn step(repo: &std::path::Path, out: &std::path::Path, mode: &str, env: &[(&str, &str)]) -> (i32, String) {
    let o = std::process::Command::new("bash")
        .arg(root().join("scripts/action.sh"))
        .arg(mode)
        .env("OBSDEBT", env!("CARGO_BIN_EXE_obsdebt"))
        .env("OBSDEBT_OUT", out)
        .env("GITHUB_OUTPUT", out.join("github_output"))
        .env("GITHUB_STEP_SUMMARY", out.join("step_summary"))
        .envs(env.iter().copied())
        .current_dir(repo)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

#[test]
fn the_action_reports_compares_with_the_base_and_gates() {
    let repo = temp_tree(&[
        ("Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n"),
        (
            "src/main.rs",
            "mod jobs;\nfn main() { if let Err(e) = run() { tracing::error!(%e, \"run\"); } }\n",
        ),
        (
            "src/jobs.rs",
            "pub fn nightly() { if let Err(e) = sync() { tracing::warn!(%e, \"sync\"); } }\n",
        ),
    ]);
    let dir = repo.path();
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "base"]);
    let base = git(dir, &["rev-parse", "HEAD"]).trim().to_string();
    // The pull request adds an error path that is not logged, on a line whose other path is.
    std::fs::write(
        dir.join("src/jobs.rs"),
        "pub fn nightly() { if let Err(e) = sync() { tracing::warn!(%e, \"sync\"); } let _ = prune(); }\n",
    )
    .unwrap();
    git(dir, &["commit", "-qam", "head"]);
    let out = tempfile::tempdir().unwrap();

    let (code, text) = step(dir, out.path(), "report", &[("OBSDEBT_BASE", &base)]);
    assert_eq!(code, 0, "{text}");
    let outputs = std::fs::read_to_string(out.path().join("github_output")).unwrap();
    assert!(outputs.contains("coverage=66.7%\n"), "{outputs}");
    assert!(outputs.contains("patch-coverage=50.0%\n"), "{outputs}");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("obsdebt/obsdebt.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 1);
    let comment = std::fs::read_to_string(out.path().join("obsdebt/comment.md")).unwrap();
    assert!(comment.starts_with("<!-- obsdebt-comment -->\n## obsdebt"), "{comment}");
    assert!(
        comment.contains("66.7% (-33.3)"),
        "the delta against the base: {comment}"
    );
    let summary = std::fs::read_to_string(out.path().join("step_summary")).unwrap();
    assert!(summary.starts_with("## obsdebt"), "{summary}");
    assert!(
        git(dir, &["worktree", "list"]).lines().count() == 1,
        "the base worktree is removed"
    );

    // The gate: annotations for the new finding; a warning alone passes, the coverage gate fails.
    let (code, text) = step(dir, out.path(), "gate", &[("OBSDEBT_BASE", &base)]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("::warning file=src/jobs.rs,line=1,"), "{text}");
    let (code, text) = step(
        dir,
        out.path(),
        "gate",
        &[("OBSDEBT_BASE", &base), ("OBSDEBT_FAIL_UNDER", "80")],
    );
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("title=obsdebt coverage gate::patch coverage 50.0%25 is under the required 80.0%25"),
        "{text}"
    );
    let summary_after = std::fs::read_to_string(out.path().join("step_summary")).unwrap();
    assert_eq!(summary, summary_after, "the gate does not write the summary again");

    // Outside a pull request (a push to the default branch) there is no base: no comparison.
    let (code, text) = step(dir, out.path(), "report", &[("OBSDEBT_BASE", "")]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn the_action_runs_the_script_modes_that_exist() {
    let yml = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root().join("scripts/action.sh")).unwrap();
    let modes: Vec<&str> = yml
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("run: bash \"$GITHUB_ACTION_PATH/scripts/action.sh\" ")
        })
        .collect();
    assert_eq!(modes, ["report", "comment", "gate"]);
    for m in modes {
        assert!(script.contains(&format!("\n  {m})\n")), "mode {m}");
    }
    assert!(yml.contains("runs:\n  using: composite"), "{yml}");
}
