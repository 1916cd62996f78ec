//! Every fixture service: the findings match the inline `//~ rule` expectations exactly, both
//! ways, and the coverage counts match the fixture's `expected.toml`.

mod common;

use std::collections::BTreeMap;

use common::{expectations, obsdebt, root, run_check_from};

/// One test per fixture, so that a failure names its fixture and does not hide the others.
/// `every_fixture_directory_has_a_test` keeps this list and `fixtures/` in step.
macro_rules! fixtures {
    ($($test:ident => $name:literal,)*) => {
        const FIXTURES: &[&str] = &[$($name),*];
        $(
            #[test]
            fn $test() {
                check_fixture($name);
                snapshot_outputs($name);
                check_fixes($name);
            }
        )*
    };
}

fixtures! {
    axum_orders => "axum-orders",
    actix_inventory => "actix-inventory",
    rocket_library => "rocket-library",
    tonic_accounts => "tonic-accounts",
    engines_axum => "engines-axum",
    engines_workspace => "engines-workspace",
    engines_sdk => "engines-sdk",
    warp_quotes => "warp-quotes",
    poem_notes => "poem-notes",
    salvo_links => "salvo-links",
    config_sprawl => "config-sprawl",
    config_workspace => "config-workspace",
    ledger_workspace => "ledger-workspace",
    engines_reach => "engines-reach",
}

/// Copies a directory tree.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The JSON report of a check of `dir`.
fn json_report(dir: &std::path::Path) -> serde_json::Value {
    let (code, out, err) = obsdebt(dir, &["check", ".", "--format", "json", "--no-cache", "--exit-zero"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// The fixes of one fixture: `--diff --unsafe-fixes` pinned with insta
/// (`fixtures__<fixture>.fixes.snap`); on a copy, `--fix --unsafe-fixes` leaves none of the
/// fixable findings and every file parsing, and a second pass has nothing left to do.
fn check_fixes(name: &str) {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&root().join("fixtures").join(name), copy.path());
    let dir = copy.path();
    let (code, diff, err) = obsdebt(dir, &["check", ".", "--diff", "--unsafe-fixes", "--no-cache"]);
    let before = json_report(dir);
    let diagnostics = |r: &serde_json::Value| r["diagnostics"].as_array().unwrap().clone();
    let fixable = diagnostics(&before).iter().filter(|d| d.get("fix").is_some()).count();
    assert_eq!(code, i32::from(fixable > 0), "{name} --diff: {err}");
    insta::assert_snapshot!(format!("{name}.fixes"), diff);

    let (code, _, err) = obsdebt(
        dir,
        &[
            "check",
            ".",
            "--fix",
            "--unsafe-fixes",
            "--no-cache",
            "--exit-zero",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{name} --fix: {err}");
    let after = json_report(dir);
    assert_eq!(after["files"]["parse_errors"], 0, "{name}: a fixed file does not parse");
    let left = diagnostics(&after);
    assert!(
        left.iter().all(|d| d.get("fix").is_none()),
        "{name}: findings still fixable after --fix: {left:#?}"
    );
    assert_eq!(
        left.len(),
        diagnostics(&before).len() - fixable,
        "{name}: --fix resolves each fixable finding and no other"
    );
    let (code, again, _) = obsdebt(dir, &["check", ".", "--diff", "--unsafe-fixes", "--no-cache"]);
    assert_eq!(
        (code, again.as_str()),
        (0, ""),
        "{name}: a second pass changes something"
    );
}

/// The `full` and `json` output of the built binary on one fixture, pinned with insta
/// (`tests/snapshots/fixtures__<fixture>.{full,json}.snap`). The binary writes to a pipe, so
/// the output does not depend on the terminal's width. After a deliberate change, review with
/// `cargo insta review` or accept with `INSTA_UPDATE=always cargo test --test fixtures`.
fn snapshot_outputs(name: &str) {
    let fixture = format!("fixtures/{name}");
    for format in ["full", "json"] {
        let (code, out, err) = obsdebt(
            &root(),
            &["check", &fixture, "--format", format, "--no-cache", "--exit-zero"],
        );
        assert_eq!(code, 0, "{name} --format {format}: {err}");
        // The version changes with every release; nothing else in the output should.
        let out = out.replace(
            &format!("\"version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\": \"[version]\"",
        );
        insta::assert_snapshot!(format!("{name}.{format}"), out);
    }
}

fn check_fixture(name: &str) {
    let dir = root().join("fixtures").join(name);
    let out = run_check_from(Some(&root()), &[std::path::Path::new("fixtures").join(name).as_path()]);
    let report = &out.report;

    let mut found: BTreeMap<(String, u32, String), usize> = BTreeMap::new();
    for d in &report.diagnostics {
        *found
            .entry((d.path.clone(), d.span.line, d.rule.to_string()))
            .or_insert(0) += 1;
    }
    let expected = expectations(&dir);
    let missing: Vec<_> = expected.iter().filter(|(k, n)| found.get(*k) != Some(n)).collect();
    let unexpected: Vec<_> = found.iter().filter(|(k, n)| expected.get(*k) != Some(n)).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "{name}: findings differ from the //~ expectations\n  expected but not found: {missing:#?}\n  found but not expected: {unexpected:#?}"
    );
    assert!(!expected.is_empty(), "{name} has no expectations");

    let spec: toml::Table = std::fs::read_to_string(dir.join("expected.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let cov = spec["coverage"].as_table().unwrap();
    let t = &report.total;
    let actual = [
        ("logged", t.logged),
        ("unlogged", t.unlogged),
        ("propagated", t.propagated),
        ("expected", t.expected),
        ("suppressed", t.suppressed),
        ("logged_without_error", t.logged_without_error),
    ];
    for (key, value) in actual {
        // `logged_without_error` is written only where it is not 0.
        let want = match cov.get(key) {
            Some(v) => v.as_integer().unwrap(),
            None if key == "logged_without_error" => 0,
            None => panic!("{name}: expected.toml has no coverage.{key}"),
        };
        assert_eq!(want, i64::from(value), "{name}: coverage.{key}");
    }
    assert_eq!(
        t.percent(),
        cov.get("percent").and_then(|p| p.as_float()),
        "{name}: coverage.percent"
    );
    assert!(report.not_analysed.is_empty(), "{name}: {:?}", report.not_analysed);
}

#[test]
fn every_fixture_directory_has_a_test() {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(dirs, listed, "a fixture directory has no test in the fixtures! list");
}

/// Every rule is exercised by at least one fixture (parse-error is covered by tests/cli.rs: a
/// fixture that does not parse would not be a service), and every diagnostic follows the house
/// style: a message that starts lowercase or with code, no trailing period, help likewise.
#[test]
fn every_rule_has_a_fixture_and_messages_follow_the_style() {
    let mut seen = std::collections::BTreeSet::new();
    for name in FIXTURES {
        let out = run_check_from(Some(&root()), &[std::path::Path::new("fixtures").join(name).as_path()]);
        for d in &out.report.diagnostics {
            seen.insert(d.rule);
            let first = d.message.chars().next().unwrap();
            assert!(!first.is_uppercase(), "message starts with a capital: {}", d.message);
            assert!(!d.message.ends_with('.'), "message ends with a period: {}", d.message);
            if let Some(help) = &d.help {
                assert!(!help.ends_with('.'), "help ends with a period: {help}");
            }
            assert!(!d.label.is_empty(), "every diagnostic labels its span");
        }
    }
    for rule in obsdebt::rule::ALL {
        // parse-error and internal-error are covered by tests/cli.rs and tests/hostile.rs: a
        // fixture that does not parse, or that crashes obsdebt, would not be a service.
        if !matches!(rule.name, "parse-error" | "internal-error") {
            assert!(seen.contains(rule.name), "no fixture exercises `{}`", rule.name);
        }
    }
}

/// A run started from another directory reads relative paths from it and shows files relative
/// to it, without the test process changing its own current directory.
#[test]
fn a_run_reads_relative_paths_from_the_directory_it_is_given() {
    let from_root = run_check_from(Some(&root()), &[std::path::Path::new("fixtures/axum-orders")]);
    let from_fixtures = run_check_from(Some(&root().join("fixtures")), &[std::path::Path::new("axum-orders")]);
    let shown = |out: &obsdebt::check::CheckOutput| -> Vec<(String, u32, String)> {
        out.report
            .diagnostics
            .iter()
            .map(|d| (d.path.clone(), d.span.line, d.rule.to_string()))
            .collect()
    };
    let (a, b) = (shown(&from_root), shown(&from_fixtures));
    assert!(!a.is_empty(), "axum-orders has findings");
    assert!(b.iter().all(|(p, _, _)| p.starts_with("axum-orders/src/")), "{b:?}");
    let a_rebased: Vec<_> = a
        .into_iter()
        .map(|(p, l, r)| (p.strip_prefix("fixtures/").unwrap().to_string(), l, r))
        .collect();
    assert_eq!(a_rebased, b);
}
