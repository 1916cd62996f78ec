//! The command line as users and CI meet it: exit codes, configuration errors, rule selection,
//! the JSON report, single-file runs, what the walk reads and skips.

mod common;

use common::{diagnostic_paths, obsdebt, root, temp_tree};

const SERVICE: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";

fn service(main: &str) -> tempfile::TempDir {
    temp_tree(&[("Cargo.toml", SERVICE), ("src/main.rs", main)])
}

#[test]
fn clean_code_exits_zero_and_warnings_exit_zero_unless_denied() {
    let clean = service("fn main() { if let Err(e) = run() { tracing::error!(%e); } }\n");
    let (code, out, _) = obsdebt(clean.path(), &["check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("logging coverage: 100.0%"), "{out}");

    let warn = service("fn main() { let _ = run(); }\n");
    let (code, out, _) = obsdebt(warn.path(), &["check"]);
    assert_eq!(code, 0, "warnings alone do not fail: {out}");
    assert!(out.contains("warning[swallowed-error]"), "{out}");
    assert_eq!(obsdebt(warn.path(), &["check", "--deny-warnings"]).0, 1);
    assert_eq!(obsdebt(warn.path(), &["check", "--deny-warnings", "--exit-zero"]).0, 0);
}

#[test]
fn error_level_findings_and_fail_under_exit_one() {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("lint.toml", "[rules]\nswallowed-error = \"error\"\n"),
        (
            "src/main.rs",
            "fn main() { let _ = run(); if let Err(e) = a() { log::warn!(\"{e}\"); } }\n",
        ),
    ]);
    let (code, out, _) = obsdebt(dir.path(), &["check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error[swallowed-error]"), "{out}");
    assert_eq!(obsdebt(dir.path(), &["check", "--exit-zero"]).0, 0);

    // 1 logged, 1 unlogged: 50%.
    let (code, _, err) = obsdebt(
        dir.path(),
        &["check", "--ignore", "swallowed-error", "--fail-under", "80"],
    );
    assert_eq!(code, 0, "ignored rules leave coverage too: {err}");
    let (code, _, err) = obsdebt(
        dir.path(),
        &[
            "check",
            "--select",
            "swallowed-error,unlogged-error",
            "--fail-under",
            "80",
            "--exit-zero",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let warn_only = temp_tree(&[
        ("Cargo.toml", SERVICE),
        (
            "src/main.rs",
            "fn main() { let _ = run(); if let Err(e) = a() { log::warn!(\"{e}\"); } }\n",
        ),
    ]);
    let (code, _, err) = obsdebt(warn_only.path(), &["check", "--fail-under", "80"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("logging coverage 50.0% is under the required 80.0%"),
        "{err}"
    );
    assert_eq!(obsdebt(warn_only.path(), &["check", "--fail-under", "50"]).0, 0);
}

#[test]
fn select_and_ignore_filter_rules_and_reject_unknown_names() {
    let dir = service("fn main() { let _ = run(); let v = load().unwrap_or_else(|_| 0); }\n");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--select", "unlogged-error", "-q"]);
    assert!(
        out.contains("unlogged-error") && !out.contains("swallowed-error"),
        "{out}"
    );
    let (_, out, _) = obsdebt(dir.path(), &["check", "--ignore", "unlogged-error", "-q"]);
    assert!(
        !out.contains("unlogged-error") && out.contains("swallowed-error"),
        "{out}"
    );
    let (code, _, err) = obsdebt(dir.path(), &["check", "--select", "unloged-error"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule `unloged-error`"), "{err}");
}

#[test]
fn statistics_print_one_line_per_rule() {
    let dir = service("fn main() { let _ = a(); let _ = b(); let v = c().unwrap_or_else(|_| 0); }\n");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--statistics", "-q"]);
    // As ruff: the counts replace the per-finding listing.
    assert_eq!(out, "    2  swallowed-error\n    1  unlogged-error\n", "{out}");
}

/// Runs `check` with `lint` as the lint.toml; returns stderr after asserting exit code 2.
fn config_error(lint: &str) -> String {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("src/main.rs", "fn main() {}\n"),
        ("lint.toml", lint),
    ]);
    let (code, _, err) = obsdebt(dir.path(), &["check"]);
    assert_eq!(code, 2, "{lint}: {err}");
    err
}

#[test]
fn config_errors_name_the_file_and_line_and_exit_two() {
    let cases = [
        (
            "[rules]\nunlogged-error = \"warn\"\n\n[logging]\nmacross = [\"x\"]\n",
            "unknown field `macross`",
            "lint.toml:5:1",
        ),
        (
            "[rules]\nswalowed-error = \"warn\"\n",
            "unknown rule `swalowed-error`",
            "lint.toml:2:1",
        ),
        (
            "[rules]\nunlogged-error = \"loud\"\n",
            "`loud` is not a rule level",
            "lint.toml:2:18",
        ),
        ("[coverage]\nfail-under = \"high\"\n", "invalid type", "lint.toml:2:14"),
        (
            "[coverage]\nfail-under = 140.0\n",
            "`140` is not a percentage",
            "lint.toml:2:14",
        ),
        ("[files]\nexclude = [\"src/[\"]\n", "invalid glob", "lint.toml:2:12"),
        (
            "[discards]\nbenign = [\"*.\"]\n",
            "is neither a function",
            "lint.toml:2:11",
        ),
    ];
    for (lint, message, location) in cases {
        let err = config_error(lint);
        assert!(err.contains(message) && err.contains(location), "{lint}\n{err}");
    }
    let dir = temp_tree(&[("Cargo.toml", SERVICE), ("src/main.rs", "fn main() {}\n")]);
    let (code, _, err) = obsdebt(dir.path(), &["check", "--config", "missing.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing.toml") && err.contains("cannot read the file"),
        "{err}"
    );
}

#[test]
fn missing_paths_exit_two() {
    let dir = service("fn main() {}\n");
    let (code, out, err) = obsdebt(dir.path(), &["check", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no/such/dir: no such file or directory; nothing to check"),
        "{err}"
    );
    assert!(out.is_empty(), "no empty report for nothing to check: {out}");
    // Among paths that exist, a missing one is an I/O error of the run, which still reports.
    let (code, out, err) = obsdebt(dir.path(), &["check", "src", "no/such/dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no/such/dir"), "{err}");
    assert!(out.contains("logging coverage"), "{out}");
}

#[test]
fn a_folder_without_rust_files_says_so() {
    let dir = temp_tree(&[("README.md", "# docs\n")]);
    let (code, _, err) = obsdebt(dir.path(), &["check"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("warning: no Rust files found in . (after excludes and .gitignore); nothing was checked"),
        "{err}"
    );
}

#[test]
fn configuration_discovery_stops_at_the_repository_root() {
    // Another tool's `lint.toml` above the repository: obsdebt would reject it.
    let dir = temp_tree(&[
        ("lint.toml", "[tool]\nname = \"other\"\n"),
        // And a workspace manifest of something else around it.
        ("Cargo.toml", "[workspace]\nmembers = []\n"),
        ("repo/.git/HEAD", "ref: refs/heads/main\n"),
        ("repo/Cargo.toml", SERVICE),
        ("repo/src/main.rs", "fn main() {}\n"),
    ]);
    let (code, out, err) = obsdebt(&dir.path().join("repo"), &["check"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        !dir.path().join(".obsdebt_cache").exists(),
        "nothing written above the repository"
    );
    assert!(
        dir.path().join("repo/.obsdebt_cache").exists(),
        "the cache is the repository's"
    );
    // Without the repository boundary the file above is found, and rejected.
    std::fs::remove_dir_all(dir.path().join("repo/.git")).unwrap();
    let (code, _, err) = obsdebt(&dir.path().join("repo"), &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lint.toml"), "{err}");
}

#[test]
fn parse_errors_are_findings_and_the_run_goes_on() {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("src/main.rs", "fn main() { let _ = run(); }\n"),
        ("src/broken.rs", "fn handler( {\n"),
    ]);
    let (code, out, _) = obsdebt(dir.path(), &["check"]);
    assert_eq!(code, 1, "parse-error is an error-level finding: {out}");
    assert!(out.contains("error[parse-error]: cannot parse the file"), "{out}");
    assert!(out.contains("--> src/broken.rs:1:"), "{out}");
    assert!(
        out.contains("warning[swallowed-error]"),
        "the other file is still analysed: {out}"
    );
    assert!(out.contains("not analysed") && out.contains("  src/broken.rs"), "{out}");
}

#[test]
fn json_report_follows_the_v1_schema() {
    let dir = service("fn main() { let _ = run(); if let Err(e) = a() { log::warn!(\"{e}\"); } }\n");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["schema"], "obsdebt/v1");
    assert_eq!(v["tool"]["name"], "obsdebt");
    assert_eq!(v["files"]["scanned"], 1);
    assert_eq!(v["files"]["parse_errors"], 0);
    let logging = &v["coverage"]["logging"];
    assert_eq!(
        (logging["logged"].as_u64(), logging["unlogged"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(logging["percent"], 50.0);
    assert_eq!(v["coverage"]["crates"][0]["name"], "svc");
    assert_eq!(v["coverage"]["crates"][0]["path"], ".");
    assert_eq!(v["coverage"]["files"][0]["path"], "src/main.rs");
    let d = &v["diagnostics"][0];
    for key in [
        "rule",
        "severity",
        "message",
        "help",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "fingerprint",
        "related",
    ] {
        assert!(!d[key].is_null(), "diagnostic field `{key}` missing: {d}");
    }
    assert_eq!(d["rule"], "swallowed-error");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(1), Some(13)));
    // --format is an alias, -o writes to a file.
    let (code, out, _) = obsdebt(dir.path(), &["check", "--format", "json", "-o", "report.json"]);
    assert_eq!((code, out.as_str()), (0, ""));
    let written = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert!(written.contains("\"obsdebt/v1\""));
}

#[test]
fn empty_coverage_is_null_and_n_a() {
    let dir = service("fn main() { println!(\"hi\"); }\n");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["coverage"]["logging"]["percent"].is_null());
    let (_, out, _) = obsdebt(dir.path(), &["check"]);
    assert!(out.contains("logging coverage: n/a"), "{out}");
}

#[test]
fn a_named_file_is_reported_alone_but_analysed_with_its_workspace() {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("src/main.rs", "mod obs;\nmod routes;\nfn main() { let _ = run(); }\n"),
        ("src/obs.rs", "pub fn report(e: &E) { tracing::error!(%e); }\n"),
        (
            "src/routes.rs",
            "use crate::obs::report;\npub fn h() { if let Err(e) = a() { report(&e); } let v = b().ok(); }\n",
        ),
    ]);
    let (_, out, _) = obsdebt(dir.path(), &["check", "src/routes.rs", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paths = diagnostic_paths(&v);
    assert_eq!(paths, ["src/routes.rs"], "only the named file is reported");
    // The helper in obs.rs was seen: the first path is logged.
    assert_eq!(v["coverage"]["logging"]["logged"], 1);
    assert_eq!(v["files"]["scanned"], 1);
}

#[test]
fn walk_skips_target_hidden_gitignored_and_excluded_files() {
    let bad = "fn f() { let _ = run(); }\n";
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("lint.toml", "[files]\nexclude = [\"src/generated/**\", \"*_pb.rs\"]\n"),
        (".gitignore", "ignored/\n"),
        ("src/main.rs", "mod target;\nfn main() {}\n"),
        ("src/target.rs", bad),
        ("src/generated/api.rs", bad),
        ("src/proto_pb.rs", bad),
        ("ignored/x.rs", bad),
        (".hidden/x.rs", bad),
        ("target/debug/build/out.rs", bad),
        ("target/CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"),
    ]);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let paths = diagnostic_paths(&v);
    assert_eq!(
        paths,
        ["src/target.rs"],
        "a module named `target` is source code; the rest is skipped"
    );
    assert_eq!(v["files"]["scanned"], 2);
    // A file named on the command line is read even when excluded.
    let (_, out, _) = obsdebt(dir.path(), &["check", "src/proto_pb.rs", "-q"]);
    assert!(out.contains("src/proto_pb.rs"), "{out}");
}

#[test]
fn suppressions_apply_and_unused_or_unknown_ones_are_reported() {
    let dir = service(
        "fn main() {\n    let _ = a(); // obsdebt: allow(swallowed-error) -- best effort\n    // obsdebt: allow(unlogged-error) -- nothing here\n    let x = 1;\n    let _ = b(); // obsdebt: allow(swalowed-error)\n}\n",
    );
    let (_, out, _) = obsdebt(dir.path(), &["check"]);
    assert!(out.contains("src/main.rs:2:5: swallowed-error -- best effort"), "{out}");
    assert!(
        out.contains("unused suppression: no `unlogged-error` finding on line 4"),
        "{out}"
    );
    assert!(out.contains("suppression names unknown rule `swalowed-error`"), "{out}");
    assert!(
        out.contains("--> src/main.rs:5:5"),
        "the misspelt suppression does not hide the finding: {out}"
    );
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["suppressed"][0]["reason"], "best effort");
    assert_eq!(v["coverage"]["logging"]["suppressed"], 1);
}

#[test]
fn file_level_suppression() {
    let dir = service(
        "// obsdebt: allow-file(swallowed-error) -- generated client\nfn main() { let _ = a(); let _ = b(); }\n",
    );
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{out}");
    assert_eq!(v["suppressed"].as_array().unwrap().len(), 2);
}

#[test]
fn color_follows_the_flag_and_no_color() {
    let dir = service("fn main() { let _ = a(); }\n");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--color", "always"]);
    assert!(out.contains("\u{1b}["), "ANSI colour expected");
    let (_, out, _) = obsdebt(dir.path(), &["check"]);
    assert!(!out.contains("\u{1b}["), "not a terminal: no colour");
}

#[test]
fn rule_docs_init_help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = obsdebt(dir.path(), &["rule"]);
    assert_eq!(code, 0);
    for r in [
        "unlogged-error",
        "swallowed-error",
        "silent-server-error",
        "parse-error",
        "unused-suppression",
    ] {
        assert!(out.contains(r), "{r} missing from `obsdebt rule`");
    }
    let (code, out, _) = obsdebt(dir.path(), &["rule", "silent-server-error"]);
    assert_eq!(code, 0);
    assert!(out.contains("## Why it matters") && out.contains("INTERNAL_SERVER_ERROR"));
    assert_eq!(obsdebt(dir.path(), &["rule", "nope"]).0, 2);

    assert_eq!(obsdebt(dir.path(), &["init"]).0, 0);
    let written = std::fs::read_to_string(dir.path().join("lint.toml")).unwrap();
    for section in [
        "[files]",
        "[rules]",
        "[logging]",
        "[discards]",
        "[coverage]",
        "[handlers]",
        "[engines]",
        "[config]",
        "ratchet",
    ] {
        assert!(written.contains(section), "the starter lint.toml lacks {section}");
    }
    for rule in obsdebt::rule::ALL.iter().filter(|r| r.name != "internal-error") {
        assert!(
            written.contains(&format!("# {} = ", rule.name)),
            "the starter lint.toml lacks `{}`",
            rule.name
        );
    }
    let (code, _, err) = obsdebt(dir.path(), &["init"]);
    assert_eq!(code, 2, "init never overwrites");
    assert!(err.contains("already exists"));
    // The starter file is itself a valid configuration.
    std::fs::write(dir.path().join("main.rs"), "fn main() {}\n").unwrap();
    assert_eq!(obsdebt(dir.path(), &["check"]).0, 0);

    let (code, out, _) = obsdebt(dir.path(), &["check", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--output-format",
        "--fail-under",
        "--select",
        "--ignore",
        "--statistics",
        "--exit-zero",
        "--deny-warnings",
        "Logging coverage",
    ] {
        assert!(out.contains(flag), "{flag} missing from check --help");
    }
    let (code, out, _) = obsdebt(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("obsdebt 0.1.0"));
    assert_eq!(obsdebt(dir.path(), &["check", "--bogus"]).0, 2);
    assert_eq!(
        obsdebt(dir.path(), &["check", "--no-cache", "-q"]).0,
        0,
        "--no-cache is part of the v1 CLI"
    );
}

#[test]
fn cargo_subcommand_strips_its_name() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-obsdebt"))
        .args(["obsdebt", "rule"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("unlogged-error"));
}

#[test]
fn cargo_obsdebt_alone_checks_the_current_directory() {
    let dir = service("fn main() { let _ = std::fs::remove_dir(\"x\"); let v = run().ok(); }\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-obsdebt"))
        .arg("obsdebt")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("logging coverage"), "{stdout}");
    assert!(stdout.contains("swallowed-error"), "{stdout}");
}

#[test]
fn output_is_identical_across_thread_counts() {
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("src/m{i}.rs"),
                format!("pub fn f{i}() {{ let _ = a{i}(); if let Err(e) = b() {{ log::warn!(\"{{e}}\"); }} }}\n"),
            )
        })
        .collect();
    let mut tree: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    tree.push(("Cargo.toml", SERVICE));
    let dir = temp_tree(&tree);
    let one = obsdebt(dir.path(), &["check", "--threads", "1", "--output-format", "json"]).1;
    let two = obsdebt(dir.path(), &["check", "--threads", "2", "--output-format", "json"]).1;
    let eight = obsdebt(dir.path(), &["check", "--threads", "8", "--output-format", "json"]).1;
    assert_eq!(one, two);
    assert_eq!(one, eight);
}

#[test]
fn timings_report_every_phase_and_peak_memory_on_stderr() {
    let dir = service("fn main() { let _ = run(); }\nfn run() -> Result<(), ()> { Ok(()) }\n");
    let (code, out, err) = obsdebt(dir.path(), &["check", "--timings", "--format", "concise"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("timings"), "timings go to stderr only: {out}");
    let line = err.lines().find(|l| l.starts_with("timings: ")).expect(&err);
    assert!(line.starts_with("timings: 1 files; walk "), "{line}");
    for phase in [
        "walk ",
        "collect (read + parse + extract, parallel) ",
        "resolve ",
        "report ",
        "print ",
    ] {
        let after = line
            .split(phase)
            .nth(1)
            .unwrap_or_else(|| panic!("no {phase:?} in {line}"));
        let ms = after.split(" ms").next().unwrap_or_default();
        assert!(ms.parse::<u64>().is_ok(), "{phase}: {ms:?} in {line}");
    }
    if cfg!(target_os = "linux") {
        let mem = err
            .lines()
            .find(|l| l.starts_with("peak memory: after walk "))
            .expect(&err);
        let peaks: Vec<u64> = mem
            .split(" MiB")
            .filter_map(|part| part.rsplit(' ').next()?.parse().ok())
            .collect();
        assert_eq!(peaks.len(), 5, "{mem}");
        assert!(peaks.windows(2).all(|w| w[0] <= w[1]), "a peak never falls: {mem}");
        assert!(peaks[0] > 0, "{mem}");
    }
}

#[test]
fn a_failed_gate_is_reported_in_machine_formats_too() {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        ("lint.toml", "[coverage]\nfail-under = 80\n"),
        ("src/main.rs", "fn main() { let _ = run(); }\n"),
    ]);
    let (code, out, err) = obsdebt(dir.path(), &["check", "--output-format", "github"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "::error file=lint.toml,title=obsdebt coverage gate::logging coverage 0.0%25 is under the required 80.0%25"
        ),
        "{out}"
    );
    assert!(
        err.contains("obsdebt: logging coverage 0.0% is under the required 80.0%"),
        "{err}"
    );
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "gitlab"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let gate = v
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "coverage-gate")
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(gate["location"]["path"], "lint.toml");
    assert_eq!(gate["severity"], "major");
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "markdown"]);
    assert!(
        out.contains("**Gate failed:** logging coverage 0.0% is under the required 80.0%"),
        "{out}"
    );
    // No gate without coverage to compare, or when told not to.
    let (code, out, _) = obsdebt(
        dir.path(),
        &["check", "--output-format", "github", "--no-coverage-gate"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("coverage gate"), "{out}");
}

#[test]
fn show_settings_prints_the_configuration_and_its_file() {
    let dir = temp_tree(&[
        ("Cargo.toml", SERVICE),
        (".git/HEAD", "ref: refs/heads/main\n"),
        (
            "lint.toml",
            "[rules]\nengine-in-handler = \"warn\"\n\n[coverage]\nfail-under = 75\n",
        ),
        ("src/main.rs", "fn main() { let _ = run(); }\n"),
    ]);
    let (code, out, err) = obsdebt(dir.path(), &["check", "--show-settings", "--ignore", "swallowed-error"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("configuration file: lint.toml\n"), "{out}");
    assert!(
        out.contains("engine-in-handler      = \"warn\"  # changed from the default"),
        "{out}"
    );
    assert!(
        out.contains("swallowed-error        = \"off\"  # changed from the default"),
        "{out}"
    );
    assert!(out.contains("fail-under = 75.0"), "{out}");
    assert!(!out.contains("logging coverage"), "nothing is checked: {out}");
    std::fs::remove_file(dir.path().join("lint.toml")).unwrap();
    let (_, out, _) = obsdebt(dir.path(), &["check", "--show-settings"]);
    assert!(
        out.starts_with("configuration file: none (defaults; no lint.toml from . up to the repository root)"),
        "{out}"
    );
}

#[test]
fn machine_formats_name_files_from_the_repository_root() {
    let dir = temp_tree(&[
        (".git/HEAD", "ref: refs/heads/main\n"),
        ("crates/api/Cargo.toml", SERVICE),
        ("crates/api/src/main.rs", "fn main() { let _ = run(); }\n"),
    ]);
    let crates = dir.path().join("crates");
    let (_, out, _) = obsdebt(&crates, &["check", "api", "--output-format", "sarif"]);
    assert!(out.contains("\"uri\": \"crates/api/src/main.rs\""), "{out}");
    let (_, out, _) = obsdebt(&crates, &["check", "api", "--output-format", "github"]);
    assert!(out.contains("::warning file=crates/api/src/main.rs,"), "{out}");
    let (_, out, _) = obsdebt(&crates, &["check", "api", "--output-format", "gitlab"]);
    assert!(out.contains("\"path\": \"crates/api/src/main.rs\""), "{out}");
    let (_, out, _) = obsdebt(&crates, &["check", "api", "--output-format", "rdjson"]);
    assert!(
        out.contains("\"path\":\"crates/api/src/main.rs\"") || out.contains("\"path\": \"crates/api/src/main.rs\""),
        "{out}"
    );
    // The terminal keeps paths a user can open from where they stand.
    let (_, out, _) = obsdebt(&crates, &["check", "api", "--output-format", "concise"]);
    assert!(out.starts_with("api/src/main.rs:1:"), "{out}");
}
