//! A larger multi-crate workspace, generated here from module templates written for this test:
//! a `telemetry` crate with logging helpers used across crates, an `api` crate with many handler
//! modules, a `worker` binary crate, test targets and an examples crate. Every template's sites
//! are known, so the totals are exact; the same run also checks thread-count determinism.

mod common;

use common::{obsdebt, temp_tree};
use serde_json::Value;

fn code_with_engines(dir: &std::path::Path) -> i32 {
    obsdebt(dir, &["check", "-q"]).0
}

/// One handler module: 2 logged (cross-crate helper, local macro), 1 unlogged-error,
/// 1 swallowed-error, 1 silent-server-error, 1 propagated, 1 expected.
fn handler_module(i: usize) -> String {
    // Every third module calls the shared client helper in the telemetry crate (one constructor
    // reached from many handlers); every fifth builds a redis client in the handler itself.
    let mut extra = String::new();
    if i % 3 == 0 {
        extra.push_str("let _http = telemetry::clients::http();\n");
    }
    if i % 5 == 0 {
        extra.push_str("    let _redis = redis::Client::open(\"redis://cache/\");\n");
    }
    // Configuration: every module reads DATABASE_URL; every fourth reads PAGE_LIMIT with the
    // default 50, except module 8, which says 25. Every fourth also defines a `PAGE_SIZE`
    // constant, 25 in module 8: modules sharing a constant's name are not one setting.
    extra.push_str("    let _db = std::env::var(\"DATABASE_URL\");\n");
    let default = if i == 8 { "25" } else { "50" };
    if i % 4 == 0 {
        extra.push_str(&format!(
            "    let _limit = std::env::var(\"PAGE_LIMIT\").unwrap_or_else(|_| \"{default}\".into());\n"
        ));
    }
    let limit = match i {
        i if i % 4 == 0 => format!("pub const PAGE_SIZE: u32 = {default};\n"),
        _ => String::new(),
    };
    format!(
        r#"use axum::http::StatusCode;
use telemetry::report;
{limit}
pub async fn get_{i}(id: i64) -> Result<String, AppError> {{
    let row = match repo::find_{i}(id).await {{
        Ok(row) => row,
        Err(e) => return Err(AppError::Db(e)),
    }};
    let extra = match repo::extra_{i}(id).await {{
        Ok(x) => x,
        Err(e) => {{
            report(&e);
            String::new()
        }}
    }};
    if let Err(e) = repo::touch_{i}(id).await {{
        tracing::warn!(error = %e, "touch failed");
    }}
    let hint = repo::hint_{i}(id).await.unwrap_or_else(|_| String::from("none"));
    {extra}
    let cached = repo::cached_{i}(id).await.ok();
    Ok(format!("{{row}}{{extra}}{{hint}}{{cached:?}}"))
}}

pub async fn delete_{i}(id: i64) -> StatusCode {{
    match repo::delete_{i}(id).await {{
        Ok(()) => StatusCode::NO_CONTENT,
        Err(repo::Error::NotFound) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }}
}}

#[cfg(test)]
mod tests {{
    #[test]
    fn ignored() {{
        let _ = super::repo_call();
    }}
}}
"#
    )
}

const MODULES: usize = 30;

#[test]
fn larger_workspace_counts_are_exact_and_deterministic() {
    let mut files: Vec<(String, String)> = vec![
        ("Cargo.toml".into(), "[workspace]\nmembers = [\"crates/*\", \"examples/demo\"]\n".into()),
        ("crates/telemetry/Cargo.toml".into(), "[package]\nname = \"telemetry\"\nversion = \"0.1.0\"\n".into()),
        (
            "crates/telemetry/src/lib.rs".into(),
            "pub mod clients;\npub fn report(e: &dyn std::error::Error) { log_it(e) }\nfn log_it(e: &dyn std::error::Error) { tracing::error!(error = %e, \"failed\"); }\n".into(),
        ),
        (
            "crates/telemetry/src/clients.rs".into(),
            "pub fn http() -> reqwest::Client { reqwest::Client::new() }\n".into(),
        ),
        ("crates/api/Cargo.toml".into(), "[package]\nname = \"api\"\nversion = \"0.1.0\"\n".into()),
        ("crates/worker/Cargo.toml".into(), "[package]\nname = \"worker\"\nversion = \"0.1.0\"\n".into()),
        (
            "crates/worker/src/main.rs".into(),
            // 1 logged through the cross-crate helper, 1 swallowed.
            "fn main() { if let Err(e) = run() { telemetry::report(&e); } let _ = flush(); }\n".into(),
        ),
        // A test target: not counted.
        ("crates/api/tests/it.rs".into(), "#[test]\nfn t() { let _ = call(); let v = load().ok(); }\n".into()),
        // A crate in a folder named `examples` is ordinary code: 1 unlogged.
        ("examples/demo/Cargo.toml".into(), "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n".into()),
        ("examples/demo/src/main.rs".into(), "fn main() { let n = load().unwrap_or_else(|_| 0); }\n".into()),
    ];
    let mut lib = String::from("pub mod error;\npub mod router;\n");
    let mut router =
        String::from("use axum::routing::{delete, get};\npub fn app() -> axum::Router {\n    axum::Router::new()\n");
    for i in 0..MODULES {
        lib.push_str(&format!("pub mod h{i};\n"));
        files.push((format!("crates/api/src/h{i}.rs"), handler_module(i)));
        router.push_str(&format!(
            "        .route(\"/items/{i}\", get(crate::h{i}::get_{i}).delete(crate::h{i}::delete_{i}))\n"
        ));
    }
    router.push_str("}\n");
    files.push(("crates/api/src/router.rs".into(), router));
    files.push(("crates/api/src/lib.rs".into(), lib));
    files.push((
        "crates/api/src/error.rs".into(),
        "pub enum AppError { Db(repo::Error) }\nimpl axum::response::IntoResponse for AppError {\n    fn into_response(self) -> axum::response::Response { tracing::error!(\"db\"); todo!() }\n}\n".into(),
    ));
    let tree: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = temp_tree(&tree);

    let (_, out, err) = obsdebt(dir.path(), &["check", "--output-format", "json", "--threads", "1"]);
    assert!(err.is_empty(), "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let logging = &v["coverage"]["logging"];
    let n = MODULES as u64;
    // Per module: `Err(e) => return Err(AppError::Db(e))` is logged (AppError logs), the helper
    // and the macro log: 3 logged. Worker: 1 logged.
    assert_eq!(logging["logged"].as_u64(), Some(3 * n + 1), "{logging}");
    assert_eq!(logging["unlogged"].as_u64(), Some(3 * n + 1 + 1), "{logging}");
    assert_eq!(logging["expected"].as_u64(), Some(n), "{logging}");
    assert_eq!(logging["propagated"].as_u64(), Some(0), "{logging}");

    let crates: Vec<(&str, u64, u64)> = v["coverage"]["crates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["logged"].as_u64().unwrap(),
                c["unlogged"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        crates,
        [
            ("api", 3 * n, 3 * n),
            ("telemetry", 0, 0),
            ("worker", 1, 1),
            ("demo", 0, 1)
        ]
    );

    let rules = |name: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == name)
            .count()
    };
    assert_eq!(rules("unlogged-error"), MODULES + 1);
    assert_eq!(rules("swallowed-error"), MODULES + 1);
    assert_eq!(rules("silent-server-error"), MODULES);
    let in_tests = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"].as_str().unwrap().contains("/tests/"));
    assert!(!in_tests, "test targets are not reported");

    // Engines: a helper of the `telemetry` library (a crate without handlers) called in every
    // third module, and a redis client built in each of the 6 handlers of every fifth module. The
    // library's engine is reported where the service calls it: once per calling module.
    let engines: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "engine-in-handler")
        .collect();
    assert_eq!(engines.len(), MODULES.div_ceil(3) + MODULES.div_ceil(5), "{engines:#?}");
    let shared: Vec<&&Value> = engines
        .iter()
        .filter(|d| d["message"].as_str().unwrap().starts_with("`telemetry::clients::http`"))
        .collect();
    assert_eq!(shared.len(), MODULES.div_ceil(3));
    assert_eq!(shared[0]["path"], "crates/api/src/h0.rs");
    assert_eq!(shared[0]["related"][0]["message"], "handler `get_0` (GET /items/0)");
    assert_eq!(shared[0]["related"][1]["message"], "`http` builds it here");
    assert_eq!(shared[0]["related"][1]["path"], "crates/telemetry/src/clients.rs");
    assert!(engines.iter().all(|d| d["severity"] == "error"));
    assert_eq!(code_with_engines(dir.path()), 1, "error-level findings fail the run");

    // Configuration: one key read in every module; another read in every fourth module, once
    // with another default.
    let config: Vec<(&str, &str, usize)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        // These two rules' findings, by name: another configuration rule does not change them.
        .filter(|d| matches!(d["rule"].as_str().unwrap(), "duplicated-config" | "conflicting-config"))
        .map(|d| {
            (
                d["rule"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
                d["related"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        config,
        [
            // The redis URL of the every-fifth-module engines is written six times as well.
            (
                "duplicated-config",
                "`\"redis://cache/\"` is written in 6 places",
                MODULES.div_ceil(5) - 1
            ),
            (
                "duplicated-config",
                "environment variable `DATABASE_URL` is read in 30 places",
                MODULES - 1
            ),
            (
                "conflicting-config",
                "environment variable `PAGE_LIMIT` has conflicting defaults: `50` vs `25`",
                MODULES.div_ceil(4) - 1
            ),
        ]
    );
    let values = MODULES + 2 * MODULES.div_ceil(4) + MODULES.div_ceil(5);
    assert_eq!(v["config"]["values"].as_u64(), Some(values as u64));

    let (_, two, _) = obsdebt(dir.path(), &["check", "--output-format", "json", "--threads", "2"]);
    assert_eq!(out, two, "output depends on the thread count");
}
