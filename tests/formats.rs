//! Every output format on one fixture (pinned), SARIF's structure, GitHub annotations, baselines
//! that survive edits, and patch coverage on a real git repository.

mod common;

use common::{git, obsdebt, root, run_check_from, temp_tree};
use obsdebt::report::{self, Format, RenderOptions};
use serde_json::Value;

fn render(fixture: &str, format: Format) -> String {
    let out = run_check_from(
        Some(&root()),
        &[std::path::Path::new("fixtures").join(fixture).as_path()],
    );
    let opts = RenderOptions {
        color: false,
        quiet: false,
        statistics: false,
        max_annotations: 10,
    };
    report::render(&out.report, format, &opts)
}

#[test]
fn every_format_is_pinned() {
    // The step summary is written only when GitHub sets this.
    std::env::remove_var("GITHUB_STEP_SUMMARY");
    for (format, ext) in [
        (Format::Concise, "concise.txt"),
        (Format::Json, "json"),
        (Format::Sarif, "sarif"),
        (Format::Github, "github.txt"),
        (Format::Gitlab, "gitlab.json"),
        (Format::Markdown, "md"),
        (Format::Rdjson, "rdjson"),
    ] {
        let text = render("axum-orders", format);
        let snap = root().join(format!("tests/snapshots/axum-orders.{ext}"));
        if std::env::var_os("OBSDEBT_BLESS").is_some() {
            std::fs::write(&snap, &text).unwrap();
        }
        let want = std::fs::read_to_string(&snap).unwrap_or_default();
        assert_eq!(
            text, want,
            "{ext} output changed; review and re-bless with OBSDEBT_BLESS=1"
        );
    }
}

#[test]
fn sarif_has_the_structure_code_scanning_requires() {
    let v: Value = serde_json::from_str(&render("engines-workspace", Format::Sarif)).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &v["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "obsdebt");
    assert!(driver["version"].is_string() && driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), obsdebt::rule::ALL.len());
    for r in rules {
        for key in ["id", "shortDescription", "fullDescription", "helpUri", "help"] {
            assert!(!r[key].is_null(), "rule lacks {key}: {r}");
        }
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
    }
    // The fixture's engines built per request, by rule: another rule's findings do not change them.
    let results: Vec<&Value> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "engine-in-handler")
        .collect();
    assert_eq!(results.len(), 3);
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"], "ruleIndex points at the rule");
        assert!(matches!(res["level"].as_str(), Some("error" | "warning")));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("fixtures/"));
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(loc["region"][key].as_u64().unwrap() >= 1, "{key}");
        }
        assert_eq!(res["partialFingerprints"]["obsdebt/v1"].as_str().unwrap().len(), 16);
        assert!(!res["relatedLocations"].as_array().unwrap().is_empty());
        // The handler-to-constructor chain, ending at the constructor.
        let flow = res["codeFlows"][0]["threadFlows"][0]["locations"].as_array().unwrap();
        assert!(flow.len() >= 3, "{flow:?}");
        assert!(flow[0]["location"]["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("handler `"));
        assert_eq!(
            flow.last().unwrap()["location"]["physicalLocation"],
            res["locations"][0]["physicalLocation"]
        );
    }
}

#[test]
fn gitlab_and_rdjson_structures() {
    let gl: Value = serde_json::from_str(&render("config-sprawl", Format::Gitlab)).unwrap();
    let issues = gl.as_array().unwrap();
    // The fixture's duplicated and conflicting places, by name: another rule does not change them.
    let grouped = issues
        .iter()
        .filter(|i| {
            matches!(
                i["check_name"].as_str(),
                Some("duplicated-config" | "conflicting-config")
            )
        })
        .count();
    assert_eq!(grouped, 8);
    let mut fps: Vec<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), issues.len(), "fingerprints are unique per occurrence");
    for i in issues {
        assert!(matches!(i["severity"].as_str(), Some("major" | "minor")));
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
        // The check is named by its rule.
        assert!(obsdebt::rule::find(i["check_name"].as_str().unwrap()).is_some(), "{i}");
    }
    let rd: Value = serde_json::from_str(&render("config-sprawl", Format::Rdjson)).unwrap();
    assert_eq!(rd["source"]["name"], "obsdebt");
    let d = rd["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"]["value"] == "duplicated-config")
        .expect("a duplicated-config diagnostic");
    assert!(d["location"]["range"]["start"]["line"].as_u64().unwrap() >= 1);
    assert!(matches!(d["severity"].as_str(), Some("ERROR" | "WARNING")));
    assert!(d["code"]["url"].as_str().unwrap().contains("docs/rules/"));
    assert!(!d["related_locations"].as_array().unwrap().is_empty());
}

#[test]
fn github_annotations_are_limited_most_severe_first_and_summarised() {
    let mut src = String::from("#[actix_web::get(\"/x\")]\nasync fn x() { let c = reqwest::Client::new(); }\n");
    for i in 0..12 {
        src.push_str(&format!("fn f{i}() {{ let _ = a(); }}\n"));
    }
    let dir = temp_tree(&[
        ("Cargo.toml", "[package]\nname = \"s\"\nversion = \"0.1.0\"\n"),
        ("src/main.rs", &src),
    ]);
    let summary = dir.path().join("summary.md");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_obsdebt"))
        // The two rules the service exercises: another rule's findings would change the count.
        .args([
            "check",
            "--output-format",
            "github",
            "--max-annotations",
            "3",
            "--select",
            "engine-in-handler,swallowed-error",
        ])
        .current_dir(dir.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("::error file=src/main.rs,line=2,"), "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::warning ")).count(),
        2,
        "{text}"
    );
    assert!(
        lines[3].starts_with("::notice title=obsdebt::10 more finding(s) not shown"),
        "{text}"
    );
    assert!(lines[3].contains("--output-format sarif"));
    let md = std::fs::read_to_string(&summary).expect("step summary written");
    assert!(
        md.starts_with("## obsdebt") && md.contains("Engines built per request"),
        "{md}"
    );
    assert_eq!(out.status.code(), Some(1), "an error-level finding fails the step");
}

#[test]
fn a_baseline_survives_edits_above_the_findings() {
    let before = "fn a() { let _ = save(); }\nfn b() { let v = load().ok(); }\nfn c() { if let Err(e) = x() { tracing::warn!(%e); } }\n";
    let dir = temp_tree(&[
        ("Cargo.toml", "[package]\nname = \"s\"\nversion = \"0.1.0\"\n"),
        ("src/main.rs", before),
    ]);
    let (_, json, _) = obsdebt(dir.path(), &["check", "--output-format", "json", "-o", "base.json"]);
    assert!(json.is_empty());
    // Lines inserted above, a function renamed elsewhere, then one new finding.
    let after = format!("use std::io;\n\n/// docs\n{before}fn d() {{ let n = parse().unwrap_or_else(|_| 0); }}\n");
    std::fs::write(dir.path().join("src/main.rs"), after).unwrap();
    let (code, out, _) = obsdebt(
        dir.path(),
        &["check", "--baseline", "base.json", "--output-format", "json"],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["unlogged-error"], "only the new finding is reported: {out}");
    assert_eq!(v["diagnostics"][0]["line"], 7);
    assert_eq!(v["baseline"]["existing"], 2);
    assert_eq!(code, 0);
    // Markdown shows the change in Codecov's notation and the old findings apart.
    let (_, md, _) = obsdebt(
        dir.path(),
        &["check", "--baseline", "base.json", "--output-format", "markdown"],
    );
    assert!(md.contains("**Logging coverage: 25.0% (-8.3)**"), "{md}");
    assert!(
        md.contains("1 new finding") && md.contains("<summary>Existing findings (2)</summary>"),
        "{md}"
    );
    // The ratchet: coverage may not drop below the baseline's.
    std::fs::write(dir.path().join("lint.toml"), "[coverage]\nratchet = true\n").unwrap();
    let (code, _, err) = obsdebt(dir.path(), &["check", "--baseline", "base.json"]);
    assert_eq!(code, 1);
    assert!(err.contains("logging coverage dropped from 33.3% to 25.0%"), "{err}");
    // A file that is not a report is a clear error.
    std::fs::write(dir.path().join("bad.json"), "{\"schema\": \"other\"}").unwrap();
    let (code, _, err) = obsdebt(dir.path(), &["check", "--baseline", "bad.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json is not an `obsdebt/v1` report"), "{err}");
}

#[test]
fn diff_base_reports_the_changed_lines_and_their_coverage() {
    let old = "fn a() { let _ = save(); }\nfn b() { let v = load().ok(); }\n";
    let dir = temp_tree(&[
        ("Cargo.toml", "[package]\nname = \"s\"\nversion = \"0.1.0\"\n"),
        ("src/main.rs", old),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "first"]);
    let new = format!("{old}fn c() {{ if let Err(e) = x() {{ tracing::warn!(%e); }} }}\nfn d() {{ let n = parse().unwrap_or_else(|_| 0); }}\n");
    std::fs::write(dir.path().join("src/main.rs"), new).unwrap();
    std::fs::write(dir.path().join("src/extra.rs"), "fn e() { let _ = send(); }\n").unwrap();
    let (code, out, err) = obsdebt(dir.path(), &["check", "--diff-base", "HEAD", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let places: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}:{}", d["path"].as_str().unwrap(), d["line"]))
        .collect();
    assert_eq!(
        places,
        ["src/extra.rs:1", "src/main.rs:4"],
        "findings on changed lines only (untracked files count)"
    );
    let patch = &v["coverage"]["patch"];
    assert_eq!(
        (patch["logged"].as_u64(), patch["unlogged"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(patch["percent"], 33.3);
    assert_eq!(v["coverage"]["logging"]["unlogged"], 4, "the total is still shown");
    assert_eq!(code, 0);
    let (code, _, err) = obsdebt(dir.path(), &["check", "--diff-base", "HEAD", "--fail-under", "50"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("patch coverage 33.3% is under the required 50.0%"),
        "{err}"
    );
    let (code, _, err) = obsdebt(dir.path(), &["check", "--diff-base", "no-such-rev"]);
    assert_eq!(code, 2);
    assert!(err.contains("`no-such-rev` is not a commit"), "{err}");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("main.rs"), "fn main() {}\n").unwrap();
    let (code, _, err) = obsdebt(outside.path(), &["check", "--diff-base", "HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs a git repository"), "{err}");
}
