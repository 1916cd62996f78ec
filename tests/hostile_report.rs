//! Hostile input for the report side: baselines with `--diff-base`, paths git quotes, every
//! finding listed, byte columns for reviewdog, spans on multi-byte characters, bidirectional
//! controls and backticks in names, baselines that are not reports.

mod common;

use common::{git, obsdebt, temp_tree};
use serde_json::Value;

const PKG: &str = "[package]\nname = \"h\"\nversion = \"0.1.0\"\n";

/// A git repository holding `files`, committed once.
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = temp_tree(files);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["config", "user.name", "obsdebt"]);
    git(dir.path(), &["config", "user.email", "obsdebt@localhost"]);
    git(dir.path(), &["config", "commit.gpgsign", "false"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    dir
}

fn findings_line(md: &str) -> &str {
    md.lines()
        .find(|l| l.starts_with("**Findings:**"))
        .unwrap_or_else(|| panic!("no findings line:\n{md}"))
}

#[test]
fn baseline_with_diff_base_counts_existing_and_fixed_in_the_changed_lines() {
    let two = "fn a() { let _ = save(); }\nfn b() { let v = load().ok(); }\n";
    let dir = repo(&[("Cargo.toml", PKG), ("src/main.rs", two)]);
    let (code, _, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "-o", "base.json"]);
    assert_eq!(code, 0, "{err}");
    let md = |extra: &[&str]| {
        let mut args = vec!["check", "--baseline", "base.json", "--output-format", "markdown"];
        args.extend_from_slice(extra);
        let (code, out, err) = obsdebt(dir.path(), &args);
        assert_eq!(code, 0, "{err}");
        out
    };
    // Nothing changed: nothing on the changed lines, and nothing fixed.
    assert_eq!(
        findings_line(&md(&[])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 2 existing · 0 fixed"
    );
    assert_eq!(
        findings_line(&md(&["--diff-base", "HEAD"])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 0 existing · 0 fixed"
    );
    // `a` logs now (fixed); `b`'s line is touched (still there, on a changed line).
    let after =
        "fn a() { if let Err(e) = save() { tracing::warn!(%e); } }\nfn b() { let v = load().ok(); } // touched\n";
    std::fs::write(dir.path().join("src/main.rs"), after).unwrap();
    assert_eq!(
        findings_line(&md(&["--diff-base", "HEAD"])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 1 existing · 1 fixed"
    );
    assert_eq!(
        findings_line(&md(&[])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 1 existing · 1 fixed"
    );
    // A finding of a rule this run turns off is not fixed, it is out of scope.
    assert_eq!(
        findings_line(&md(&["--ignore", "swallowed-error"])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 0 existing · 0 fixed"
    );
    // Nor is a finding in a file this run does not check.
    std::fs::write(dir.path().join("src/extra.rs"), "fn e() {}\n").unwrap();
    assert_eq!(
        findings_line(&md(&["src/extra.rs"])),
        "**Findings:** 0 new (0 errors, 0 warnings) · 0 existing · 0 fixed"
    );
}

#[test]
fn compare_counts_new_existing_and_fixed_findings() {
    let two = "fn a() { let _ = save(); }\nfn b() { let v = load().ok(); }\n";
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/main.rs", two)]);
    let (code, _, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "-o", "base.json"]);
    assert_eq!(code, 0, "{err}");
    let (_, md, _) = obsdebt(
        dir.path(),
        &["check", "--compare", "base.json", "--output-format", "markdown"],
    );
    assert_eq!(
        findings_line(&md),
        "**Findings:** 2 (0 errors, 2 warnings): 0 new · 2 existing · 0 fixed"
    );
    let (_, json, _) = obsdebt(
        dir.path(),
        &["check", "--compare", "base.json", "--output-format", "json"],
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["baseline"]["existing"], 2);
    let after = "fn a() { if let Err(e) = save() { tracing::warn!(%e); } }\nfn b() { let v = load().ok(); }\nfn c() { let _ = send(); }\n";
    std::fs::write(dir.path().join("src/main.rs"), after).unwrap();
    let (_, md, _) = obsdebt(
        dir.path(),
        &["check", "--compare", "base.json", "--output-format", "markdown"],
    );
    assert_eq!(
        findings_line(&md),
        "**Findings:** 2 (0 errors, 2 warnings): 1 new · 1 existing · 1 fixed"
    );
}

/// `path:line` of every diagnostic of a JSON report.
fn places(json: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}\n{json}"));
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}:{}", d["path"].as_str().unwrap(), d["line"]))
        .collect()
}

#[test]
fn diff_base_keeps_files_whose_names_git_quotes() {
    let names = [
        "src/café.rs",
        "src/a b.rs",
        "src/q\"t.rs",
        "src/back\\slash.rs",
        "src/new\nline.rs",
        "src/tab\t.rs",
    ];
    let clean = "fn ok() {}\n";
    let mut files = vec![("Cargo.toml", PKG)];
    files.extend(names.iter().map(|n| (*n, clean)));
    let dir = repo(&files);
    // Settings that change how git names files in a diff.
    git(dir.path(), &["config", "diff.noprefix", "true"]);
    git(dir.path(), &["config", "diff.mnemonicPrefix", "true"]);
    git(dir.path(), &["config", "diff.relative", "true"]);
    for n in names {
        std::fs::write(dir.path().join(n), format!("{clean}fn f() {{ let _ = save(); }}\n")).unwrap();
    }
    std::fs::write(
        dir.path().join("src/new ünt\"racked.rs"),
        "fn g() { let _ = send(); }\n",
    )
    .unwrap();
    let mut expected: Vec<String> = names
        .iter()
        .map(|n| format!("{}:2", n.replace('\n', "\\u{a}").replace('\t', "\\u{9}")))
        .collect();
    expected.push("src/new ünt\"racked.rs:1".into());
    expected.sort();
    let (code, out, err) = obsdebt(dir.path(), &["check", "--diff-base", "HEAD", "--output-format", "json"]);
    assert_eq!(code, 0, "{err}");
    let mut got = places(&out);
    got.sort();
    assert_eq!(got, expected, "every changed file keeps its findings");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["coverage"]["patch"]["changed_files"], names.len() + 1);
    assert_eq!(v["coverage"]["patch"]["unlogged"], names.len() + 1);
    // From a subdirectory too (`diff.relative` would make git's paths relative to it).
    let (code, out, err) = obsdebt(
        &dir.path().join("src"),
        &["check", "--diff-base", "HEAD", "--output-format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(places(&out).len(), names.len() + 1, "{out}");
}

#[test]
fn markdown_lists_every_finding_it_counts_internal_errors_too() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/boom.rs", "fn b() { let _ = save(); }\n"),
        ("src/good.rs", "fn ok() { let _ = save(); }\n"),
        ("src/broken.rs", "fn f( {\n"),
    ]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        .args(["check", "--no-cache", "--output-format", "markdown"])
        .current_dir(dir.path())
        .env(obsdebt::rules::internal_error::INJECT_ENV, "report:boom.rs")
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "an internal error exits 2");
    assert!(md.contains("**Findings:** 3 (2 errors, 1 warning)"), "{md}");
    for listed in [
        "- **error** `internal-error` `src/boom.rs:",
        "- **error** `parse-error` `src/broken.rs:",
        "- warning `swallowed-error` `src/good.rs:1`",
    ] {
        assert!(md.contains(listed), "`{listed}` is listed:\n{md}");
    }
    assert_eq!(md.lines().filter(|l| l.starts_with("- ")).count(), 3, "{md}");
}

#[test]
fn rdjson_columns_count_utf8_bytes() {
    let line = "fn f() { let s = \"é€𐐀\"; let v = load().ok(); }";
    let other =
        "// ü\nfn g() { let u = \"ö\"; let x = std::env::var(\"PORT\").unwrap_or_else(|_| \"3000\".into()); }\n";
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/a.rs", &format!("{line}\n")),
        (
            "src/b.rs",
            "fn h() { let p = \"ß\"; let y = std::env::var(\"PORT\").unwrap_or_else(|_| \"8080\".into()); }\n",
        ),
        ("src/c.rs", other),
    ]);
    let (_, out, err) = obsdebt(dir.path(), &["check", "--output-format", "rdjson"]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}\n{out}\n{err}"));
    let diags = v["diagnostics"].as_array().unwrap();
    let ok = diags
        .iter()
        .find(|d| d["location"]["path"] == "src/a.rs")
        .unwrap_or_else(|| panic!("{out}"));
    let range = &ok["location"]["range"];
    let start = line.find("ok()").unwrap() as u64 + 1;
    assert_eq!(range["start"]["column"], start, "{ok}");
    assert_eq!(range["end"]["column"], start + 4, "{ok}");
    // The conflicting `PORT` defaults: the primary place and the other one, both in bytes.
    let port = diags
        .iter()
        .find(|d| d["code"]["value"] == "conflicting-config")
        .unwrap_or_else(|| panic!("{out}"));
    let b_line = "fn h() { let p = \"ß\"; let y = std::env::var(\"PORT\").unwrap_or_else(|_| \"8080\".into()); }";
    let c_line = other.lines().nth(1).unwrap();
    let col = |text: &str| text.find("std::env::var(").unwrap() as u64 + 1;
    let mut places = vec![(
        port["location"]["path"].as_str().unwrap().to_string(),
        port["location"]["range"]["start"]["column"].as_u64().unwrap(),
    )];
    for r in port["related_locations"].as_array().unwrap() {
        places.push((
            r["location"]["path"].as_str().unwrap().to_string(),
            r["location"]["range"]["start"]["column"].as_u64().unwrap(),
        ));
    }
    places.sort();
    assert_eq!(
        places,
        [
            ("src/b.rs".to_string(), col(b_line)),
            ("src/c.rs".to_string(), col(c_line))
        ],
        "{port}"
    );
}

#[test]
fn full_output_survives_a_parse_error_on_a_multibyte_character() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/quote.rs", "fn f() { let s = “x”; }\n"),
        ("src/accent.rs", "fn g() {\n    let é = (;\n}\n"),
        ("src/good.rs", "fn ok() { let _ = save(); }\n"),
    ]);
    let (code, out, err) = obsdebt(dir.path(), &["check", "--color", "never"]);
    assert_eq!(code, 1, "parse errors are error-level findings, not a crash:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.contains("error[parse-error]"), "{out}");
    for shown in [
        "--> src/quote.rs:1:18",
        "fn f() { let s = “x”; }",
        "--> src/accent.rs:",
        "warning[swallowed-error]",
        "--> src/good.rs:1:",
        "obsdebt: 2 errors, 1 warning in 3 files (2 not analysed)",
    ] {
        assert!(out.contains(shown), "`{shown}` is shown:\n{out}");
    }
}

/// Every bidirectional formatting character that must never be printed raw.
const BIDI: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
    '\u{200E}', '\u{200F}', '\u{061C}',
];

#[test]
fn bidirectional_controls_are_escaped_in_every_format() {
    let pkg = "[package]\nname = \"h\u{202E}x\"\nversion = \"0.1.0\"\n";
    // Values with a bidi override (a related place in another file), a suppression reason with
    // one, a finding in a file whose name holds one, and a parse error in another such file.
    let url = "const API_URL: &str = \"http://api\u{202E}\u{2066}.internal:80\";\n";
    let suppressed = "fn s() {\n    // obsdebt: allow(swallowed-error) -- reason \u{2067}\u{200F}hidden\u{2069}\n    let _ = save();\n}\n";
    let dir = temp_tree(&[
        ("Cargo.toml", pkg),
        ("src/one.rs", url),
        ("src/two.rs", url),
        ("src/sup.rs", suppressed),
        (
            "src/na\u{202E}me\u{061C}.rs",
            "fn f() { let s = \"\u{202D}x\u{202C}\"; let _ = save(); }\n",
        ),
        ("src/bro\u{202B}ken\u{200E}.rs", "fn f( {\n"),
        ("src/emb\u{202A}.rs", "fn g() { let v = load().ok(); }\n"),
    ]);
    for format in [
        "full", "concise", "json", "sarif", "github", "gitlab", "markdown", "rdjson",
    ] {
        let (code, out, err) = obsdebt(dir.path(), &["check", "--output-format", format, "--color", "never"]);
        assert_eq!(code, 1, "{format}: {err}");
        for c in BIDI {
            assert!(!out.contains(c), "{format} printed U+{:04X} raw:\n{out}", c as u32);
            assert!(
                !err.contains(c),
                "{format} printed U+{:04X} raw on stderr:\n{err}",
                c as u32
            );
        }
        assert!(out.contains("202e"), "{format} shows the escaped character:\n{out}");
    }
    let (_, full, _) = obsdebt(dir.path(), &["check", "--color", "never"]);
    for shown in [
        "src/na\\u{202e}me\\u{61c}.rs",
        "src/bro\\u{202b}ken\\u{200e}.rs",
        "reason \\u{2067}\\u{200f}hidden\\u{2069}",
        "http://api\\u{202e}\\u{2066}.internal:80",
        "h\\u{202e}x",
        // The code snippet: one replacement character for each.
        "let s = \"\u{FFFD}x\u{FFFD}\";",
    ] {
        assert!(full.contains(shown), "`{shown}` is shown:\n{full}");
    }
    let (_, json, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let not_analysed = v["files"]["not_analysed"].as_array().unwrap();
    assert_eq!(not_analysed.len(), 1);
    assert_eq!(not_analysed[0], "src/bro\\u{202b}ken\\u{200e}.rs");
    let related: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["related"].as_array().unwrap())
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(related.iter().any(|m| m.contains("\\u{202e}\\u{2066}")), "{related:?}");
}

#[test]
fn markdown_code_spans_survive_backticks_in_file_names() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/tick`x.rs", "fn a() { let _ = save(); }\n"),
        ("src/two``ticks.rs", "fn b() { let _ = save(); }\n"),
        ("`top.rs", "fn c() { let _ = save(); }\n"),
    ]);
    let (_, md, err) = obsdebt(dir.path(), &["check", "--output-format", "markdown"]);
    for listed in [
        "- warning `swallowed-error` ``src/tick`x.rs:1`` — ",
        "- warning `swallowed-error` ```src/two``ticks.rs:1``` — ",
        "- warning `swallowed-error` `` `top.rs:1 `` — ",
    ] {
        assert!(md.contains(listed), "`{listed}` is listed:\n{md}\n{err}");
    }
}

#[test]
fn a_baseline_that_is_not_a_list_of_findings_is_rejected() {
    let dir = temp_tree(&[("Cargo.toml", PKG), ("src/main.rs", "fn a() { let _ = save(); }\n")]);
    let report = |diagnostics: &str| {
        format!(
            "{{\"schema\": \"obsdebt/v1\", \"coverage\": {{\"logging\": {{\"percent\": 50.0}}, \"crates\": []}}, \"diagnostics\": {diagnostics}}}"
        )
    };
    let finding = "{\"rule\": \"swallowed-error\", \"path\": \"src/main.rs\", \"fingerprint\": \"0123456789abcdef\"}";
    for (text, says) in [
        (report("5"), "`diagnostics` is 5, not a list of findings"),
        (report("{}"), "`diagnostics` is an object, not a list of findings"),
        (report("[1, 2]"), "`diagnostics[0]` is 1, not a finding"),
        (
            report(&format!(
                "[{finding}, {{\"rule\": \"swallowed-error\", \"path\": \"src/main.rs\"}}]"
            )),
            "`diagnostics[1].fingerprint` is missing, not a non-empty string",
        ),
        (
            report("[{\"rule\": \"swallowed-error\", \"path\": \"src/main.rs\", \"fingerprint\": 7}]"),
            "`diagnostics[0].fingerprint` is 7, not a non-empty string",
        ),
        (
            report("[{\"path\": \"src/main.rs\", \"fingerprint\": \"ab\"}]"),
            "`diagnostics[0].rule` is missing",
        ),
        (
            "{\"schema\": \"obsdebt/v1\", \"coverage\": {\"logging\": {\"percent\": 1}}}".to_string(),
            "`diagnostics` is missing, not a list of findings",
        ),
        (
            "{\"schema\": \"obsdebt/v1\", \"diagnostics\": []}".to_string(),
            "it has no `coverage.logging` object",
        ),
        (
            "{\"schema\": \"obsdebt/v1\", \"coverage\": {\"logging\": {\"percent\": \"57%\"}}, \"diagnostics\": []}"
                .to_string(),
            "`coverage.logging.percent` is a string, not a number or null",
        ),
        ("[]".to_string(), "it is a list, not a JSON object"),
        (
            "{\"version\": 2, \"runs\": []}".to_string(),
            "is not an `obsdebt/v1` report (its schema is null)",
        ),
    ] {
        std::fs::write(dir.path().join("bad.json"), &text).unwrap();
        for flag in ["--baseline", "--compare"] {
            let (code, out, err) = obsdebt(dir.path(), &["check", flag, "bad.json"]);
            assert_eq!(code, 2, "{flag} {text}: {out}{err}");
            assert!(err.contains("bad.json") && err.contains(says), "{flag} {text}:\n{err}");
            assert!(out.is_empty(), "no report is printed: {out}");
        }
    }
    // Reports obsdebt writes are accepted: with findings, and with none.
    let (code, _, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "-o", "with.json"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = obsdebt(
        dir.path(),
        &["check", "--baseline", "with.json", "--output-format", "markdown"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("· 1 existing · 0 fixed"), "{out}");
    std::fs::write(dir.path().join("src/main.rs"), "fn a() {}\n").unwrap();
    let (code, _, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "-o", "empty.json"]);
    assert_eq!(code, 0, "{err}");
    let empty: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("empty.json")).unwrap()).unwrap();
    assert_eq!(empty["diagnostics"], Value::Array(Vec::new()));
    assert_eq!(empty["coverage"]["logging"]["percent"], Value::Null);
    for flag in ["--baseline", "--compare"] {
        let (code, _, err) = obsdebt(dir.path(), &["check", flag, "empty.json"]);
        assert_eq!(code, 0, "{flag}: {err}");
        let (code, _, err) = obsdebt(dir.path(), &["check", flag, "with.json"]);
        assert_eq!(code, 0, "{flag}: {err}");
    }
}
