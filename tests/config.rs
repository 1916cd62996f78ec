//! `duplicated-config` and `conflicting-config` on small workspaces.

mod common;

use common::{obsdebt, temp_tree};
use serde_json::Value;

const PKG: &str = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n";

/// (rule, message, primary path:line, related count) of the config findings, and the metric.
fn config(files: &[(&str, &str)]) -> (Vec<(String, String, String, usize)>, Value) {
    let mut tree = vec![("Cargo.toml", PKG)];
    tree.extend_from_slice(files);
    let dir = temp_tree(&tree);
    let (_, out, err) = obsdebt(
        dir.path(),
        &[
            "check",
            "--output-format",
            "json",
            "--select",
            "duplicated-config,conflicting-config",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
                format!("{}:{}", d["path"].as_str().unwrap(), d["line"]),
                d["related"].as_array().unwrap().len(),
            )
        })
        .collect();
    (found, v["config"].clone())
}

#[test]
fn an_env_key_read_in_several_places() {
    let (found, metric) = config(&[
        ("src/main.rs", "mod a;\nfn main() { let u = std::env::var(\"DATABASE_URL\").unwrap(); }\n"),
        ("src/a.rs", "use std::env;\npub fn f() { let u = env::var(\"DATABASE_URL\").ok(); let v = dotenvy::var(\"DATABASE_URL\"); }\n"),
    ]);
    assert_eq!(
        found,
        [(
            "duplicated-config".into(),
            "environment variable `DATABASE_URL` is read in 3 places".into(),
            "src/a.rs:2".into(),
            2
        )]
    );
    assert_eq!(
        metric,
        serde_json::json!({"values": 3, "duplicated": 1, "conflicting": 0, "places": 3})
    );
}

#[test]
fn conflicting_env_defaults_but_not_constants_that_share_a_name() {
    let (found, _) = config(&[(
        "src/main.rs",
        "mod a { pub const POOL_SIZE: u32 = 10; }\nmod b { pub const POOL_SIZE: u32 = 20; }\nfn main() {\n    let p = std::env::var(\"PORT\").unwrap_or_else(|_| \"8080\".into());\n    let q = std::env::var(\"PORT\").unwrap_or(\"3000\".to_string());\n}\n",
    )]);
    let messages: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    // Two modules' `POOL_SIZE` are two settings that share a name: no evidence they are one.
    assert_eq!(
        messages,
        ["environment variable `PORT` has conflicting defaults: `8080` vs `3000`"]
    );
    assert!(found.iter().all(|f| f.0 == "conflicting-config"));
}

#[test]
fn clap_defaults_are_reads_too() {
    let (found, _) = config(&[(
        "src/main.rs",
        "#[derive(clap::Parser)]\nstruct Cli { #[arg(long, env = \"WORKERS\", default_value_t = 4)] workers: usize }\nfn main() { let w = std::env::var(\"WORKERS\").ok().and_then(|w| w.parse().ok()).unwrap_or(8); }\n",
    )]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].1,
        "environment variable `WORKERS` has conflicting defaults: `4` vs `8`"
    );
}

#[test]
fn a_url_and_its_base_inside_format_are_one_value() {
    let (found, _) = config(&[(
        "src/main.rs",
        "const BILLING_URL: &str = \"https://billing.internal/\";\nfn invoice(id: u64) -> String { format!(\"https://billing.internal/invoices/{id}\") }\nfn other() -> &'static str { \"https://billing.internal.other\" }\n",
    )]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].1,
        "`BILLING_URL = \"https://billing.internal/\"` is defined in 2 places"
    );
    assert_eq!(
        found[0].3, 1,
        "a different host that merely starts alike is not the same value"
    );
}

#[test]
fn named_durations_tie_only_under_the_same_setting() {
    let (found, _) = config(&[(
        "src/main.rs",
        "use std::time::Duration;\nconst TIMEOUT_SECS: u64 = 30;\nconst CACHE_TTL_SECS: u64 = 30;\nfn a(b: Builder) { b.timeout(Duration::from_secs(30)); }\nfn c() { std::thread::sleep(Duration::from_secs(30)); }\n",
    )]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "`TIMEOUT_SECS = 30` is defined in 2 places");
}

#[test]
fn noise_is_kept_out() {
    let (found, metric) = config(&[(
        "src/main.rs",
        r#"
const MAX_RETRIES: u32 = 3;
const PAGE: u32 = 3;
mod a { pub const MAX: usize = 10; pub const ENABLED: bool = true; }
mod b { pub const MAX: usize = 64; pub const ENABLED: bool = true; }
#[cfg(debug_assertions)]
const RECHECK_DELAY: u64 = 5;
#[cfg(not(debug_assertions))]
const RECHECK_DELAY: u64 = 60;
const CONFIG_FILE: &str = "config/app.toml";
fn main() {
    let v = env!("CARGO_PKG_VERSION");
    let w = env!("CARGO_PKG_VERSION");
    tracing::info!("listening on http://0.0.0.0:8080");
    let docs = ["https://example.com/a", "https://example.com/b"];
    let path = std::env::var("APP_CONFIG").unwrap_or_else(|_| CONFIG_FILE.to_string());
}
#[cfg(test)]
mod tests {
    const DATABASE_URL: &str = "postgres://localhost/test";
    fn t() { let u = std::env::var("DATABASE_URL"); let v = "postgres://localhost/test"; }
}
"#,
    )]);
    assert!(found.is_empty(), "{found:#?}");
    assert!(metric["values"].as_u64().unwrap() >= 4);
}

#[test]
fn independent_services_are_separate_systems() {
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"orders\", \"billing\", \"shared\", \"api\"]\n",
        ),
        (
            "orders/Cargo.toml",
            "[package]\nname = \"orders\"\nversion = \"0.1.0\"\n",
        ),
        (
            "orders/src/main.rs",
            "fn main() { let a = \"0.0.0.0:3000\"; let u = std::env::var(\"DATABASE_URL\"); }\n",
        ),
        (
            "billing/Cargo.toml",
            "[package]\nname = \"billing\"\nversion = \"0.1.0\"\n",
        ),
        (
            "billing/src/main.rs",
            "fn main() { let a = \"0.0.0.0:3000\"; let u = std::env::var(\"DATABASE_URL\"); }\n",
        ),
        (
            "shared/Cargo.toml",
            "[package]\nname = \"shared\"\nversion = \"0.1.0\"\n",
        ),
        (
            "shared/src/lib.rs",
            "pub fn url() -> String { std::env::var(\"REDIS_URL\").unwrap_or_default() }\n",
        ),
        (
            "api/Cargo.toml",
            "[package]\nname = \"api\"\nversion = \"0.1.0\"\n\n[dependencies]\nshared = { path = \"../shared\" }\n",
        ),
        (
            "api/src/main.rs",
            "fn main() { let r = std::env::var(\"REDIS_URL\"); }\n",
        ),
    ];
    let dir = temp_tree(&files);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let messages: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "duplicated-config")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["environment variable `REDIS_URL` is read in 2 places"],
        "only the api and the library it uses are one system"
    );
}

#[test]
fn a_cfg_test_module_declared_elsewhere_is_test_code() {
    let (found, _) = config(&[
        ("src/main.rs", "#[cfg(test)]\nmod helpers;\nfn main() {}\n"),
        ("src/helpers.rs", "pub const DB_URL: &str = \"postgres://localhost/t\";\npub fn f() { let x = \"postgres://localhost/t\"; let _ = std::fs::remove_file(\"x\"); }\n"),
    ]);
    assert!(found.is_empty(), "{found:?}");
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/main.rs", "#[cfg(test)]\nmod helpers;\nfn main() {}\n"),
        (
            "src/helpers.rs",
            "pub fn f() { let _ = std::fs::remove_file(\"x\"); }\n",
        ),
    ]);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--output-format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["coverage"]["logging"]["percent"].is_null(),
        "its error paths are not counted: {out}"
    );
}

#[test]
fn a_value_read_in_many_places_shows_ten_and_counts_the_rest() {
    let mut files = vec![("Cargo.toml".to_string(), PKG.to_string())];
    let mut main = String::new();
    for i in 0..14 {
        main.push_str(&format!("mod m{i};\n"));
        files.push((
            format!("src/m{i}.rs"),
            "pub fn f() -> String { std::env::var(\"QUEUE_NAME\").unwrap_or_default() }\n".to_string(),
        ));
    }
    main.push_str("fn main() {}\n");
    files.push(("src/main.rs".to_string(), main));
    let tree: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = temp_tree(&tree);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--select", "duplicated-config"]);
    assert!(
        out.contains("environment variable `QUEUE_NAME` is read in 14 places"),
        "{out}"
    );
    assert_eq!(out.matches("also here").count(), 10, "{out}");
    assert!(
        out.contains("= note: and 3 more places (`--output-format json` or `sarif` lists every one)"),
        "{out}"
    );
    let (_, json, _) = obsdebt(
        dir.path(),
        &["check", "--select", "duplicated-config", "--output-format", "json"],
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["diagnostics"][0]["related"].as_array().unwrap().len(),
        13,
        "JSON lists every place"
    );
}

#[test]
fn every_place_is_annotated_in_full_output() {
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        (
            "src/main.rs",
            "mod jobs;\nconst REDIS_URL: &str = \"redis://cache:6379\";\nfn main() {}\n",
        ),
        (
            "src/jobs.rs",
            "pub fn f() { let c = redis::Client::open(\"redis://cache:6379/0\"); }\n",
        ),
    ]);
    let (_, out, _) = obsdebt(dir.path(), &["check", "--select", "duplicated-config"]);
    assert!(out.contains("--> src/main.rs:2:7"), "{out}");
    assert!(
        out.contains("^^^^^^^^^ first here: `REDIS_URL = \"redis://cache:6379\"`"),
        "{out}"
    );
    assert!(out.contains("::: src/jobs.rs:1:42"), "{out}");
    assert!(
        out.contains("---------------------- also here: `\"redis://cache:6379/0\"` given to `open`"),
        "{out}"
    );
    assert!(
        out.contains("configuration: 2 values found; 1 duplicated and 0 conflicting, in 2 places"),
        "{out}"
    );
}
