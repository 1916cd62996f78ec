//! The pre-commit hooks as pre-commit runs them: each hook's `entry` from
//! `.pre-commit-hooks.yaml`, its `args`, then the staged file names (unless `pass_filenames:
//! false`). pre-commit shows a hook's output only when it fails, so a hook must fail on what it
//! wants the user to see.

mod common;

use common::temp_tree;

/// One hook of `.pre-commit-hooks.yaml`: its entry split into words, and whether it is given
/// the staged files.
struct Hook {
    entry: Vec<String>,
    pass_filenames: bool,
}

fn hook(id: &str) -> Hook {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
        .expect("the hooks file is at the top level");
    let mut found: Option<Hook> = None;
    let mut current = false;
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if let Some(rest) = line.strip_prefix("- id: ") {
            current = rest.trim() == id;
            if current {
                found = Some(Hook {
                    entry: Vec::new(),
                    pass_filenames: true,
                });
            }
            continue;
        }
        let Some(h) = found.as_mut().filter(|_| current) else {
            continue;
        };
        if let Some(entry) = line.trim_start().strip_prefix("entry: ") {
            h.entry = entry.split_whitespace().map(str::to_string).collect();
        }
        if line.trim_start() == "pass_filenames: false" {
            h.pass_filenames = false;
        }
    }
    let h = found.unwrap_or_else(|| panic!("no hook `{id}`"));
    assert_eq!(
        h.entry.first().map(String::as_str),
        Some("obsdebt"),
        "the entry runs obsdebt"
    );
    h
}

/// Runs `hook` in `dir` as pre-commit would with `staged` files and `args`: (exit code, output).
fn run(hook: &Hook, dir: &std::path::Path, args: &[&str], staged: &[&str]) -> (i32, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"));
    cmd.args(&hook.entry[1..]).args(args).arg("--no-cache").current_dir(dir);
    if hook.pass_filenames {
        cmd.args(staged);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

const PKG: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";
const CLEAN: &str = "pub fn a() { if let Err(e) = run() { tracing::warn!(%e, \"run failed\"); } }\n";
const NEW_DEBT: &str = "pub fn b() { match run() { Ok(_) => {}, Err(_) => {} } }\n";
/// The rest of the project is far under the coverage gate.
const OLD_DEBT: &str = "pub fn c() { let _ = run(); let v = run().ok(); let w = run().ok(); }\n";

fn project() -> tempfile::TempDir {
    temp_tree(&[
        ("Cargo.toml", PKG),
        ("lint.toml", "[coverage]\nfail-under = 80\n"),
        ("src/lib.rs", "mod clean;\nmod debt;\nmod old;\n"),
        ("src/clean.rs", CLEAN),
        ("src/debt.rs", NEW_DEBT),
        ("src/old.rs", OLD_DEBT),
    ])
}

#[test]
fn the_staged_files_hook_blocks_new_findings_and_passes_clean_files() {
    let dir = project();
    let h = hook("obsdebt");
    assert!(h.pass_filenames);

    // A staged file with a new finding (a warning) fails, and says why.
    let (code, out) = run(&h, dir.path(), &[], &["src/debt.rs"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("src/debt.rs:1:") && out.contains("swallowed-error"),
        "{out}"
    );

    // A clean staged file passes, although the project is under its coverage gate.
    let (code, out) = run(&h, dir.path(), &[], &["src/clean.rs"]);
    assert_eq!(code, 0, "{out}");

    // `args: [--no-deny-warnings]` keeps warnings advisory.
    let (code, out) = run(&h, dir.path(), &["--no-deny-warnings"], &["src/debt.rs"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("swallowed-error"), "{out}");
}

#[test]
fn the_coverage_hook_fails_on_the_gate_only() {
    let dir = project();
    let h = hook("obsdebt-coverage");
    assert!(!h.pass_filenames);
    let (code, out) = run(&h, dir.path(), &[], &["src/clean.rs"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("logging coverage") && out.contains("is under the required 80.0%"),
        "{out}"
    );

    // Above its gate, the project passes although it has findings.
    std::fs::write(dir.path().join("lint.toml"), "[coverage]\nfail-under = 10\n").unwrap();
    let (code, out) = run(&h, dir.path(), &[], &[]);
    assert_eq!(code, 0, "{out}");
}

/// GitLab reads the coverage from the job log with the example's `coverage:` regex,
/// `logging coverage: (\d+(?:\.\d+)?)%`: the summary line must match it.
#[test]
fn the_gitlab_coverage_regex_matches_the_summary_line() {
    let yml = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/ci/gitlab-ci.yml"))
        .unwrap();
    let line = yml
        .lines()
        .find_map(|l| l.trim().strip_prefix("coverage: "))
        .expect("the example sets coverage:");
    assert_eq!(line, r"'/logging coverage: (\d+(?:\.\d+)?)%/'");
    assert!(
        yml.contains("GIT_DEPTH: \"0\"") && yml.contains("merge_request_event"),
        "{yml}"
    );
    let dir = project();
    let (_, out) = run(&hook("obsdebt-coverage"), dir.path(), &[], &[]);
    // What the regex captures: digits, an optional fraction, then `%`.
    let captured = out.lines().find_map(|l| {
        let rest = l.strip_prefix("logging coverage: ")?;
        let number: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        rest[number.len()..].starts_with('%').then_some(number)
    });
    assert_eq!(captured.as_deref(), Some("20.0"), "{out}");
}
