//! Hostile sizes: inputs on which obsdebt used to take quadratic or exponential time, at sizes
//! where that showed (seconds to hours before the fix, well under a second of analysis after).
//! Each test asserts what the run finds, never how long it takes.

mod common;

use common::{classify, obsdebt, temp_tree};
use obsdebt::facts::LogCond;
use obsdebt::knowledge::Knowledge;

const PKG: &str = "[package]\nname = \"h\"\nversion = \"0.1.0\"\n";

/// The `rule` of every line of a concise report.
fn rules_reported(out: &str) -> Vec<&str> {
    out.lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|r| r.contains('-'))
        .collect()
}

#[test]
fn one_match_with_a_hundred_thousand_err_arms() {
    // Each arm was looked up in the list of error arms: 5 billion comparisons.
    let n = 100_000;
    let arms: String = (0..n).map(|i| format!("        Err(E::V{i}) => {i},\n")).collect();
    let src =
        format!("fn f() -> i32 {{\n    match g() {{\n        Ok(v) => v,\n{arms}        Err(e) => 0,\n    }}\n}}\n");
    let sites = classify(&src);
    assert_eq!(sites.len(), n + 1);
    assert!(sites[..n].iter().all(|(_, c)| c == "expected"));
    assert_eq!(sites[n], (n as u32 + 4, "unlogged-error".to_string()));
}

#[test]
fn one_block_with_twenty_thousand_server_errors() {
    // Each 5xx read its whole block again and every statement before it: cubic with the
    // conditions merged pairwise (20k ran for more than two minutes).
    let n = 20_000;
    let lines: String = (0..n)
        .map(|i| {
            format!(
                "    let r{i} = StatusCode::INTERNAL_SERVER_ERROR;\n    step{}();\n",
                i % 50
            )
        })
        .collect();
    let src = format!(
        "use axum::http::StatusCode;\nasync fn silent() {{\n{lines}}}\nasync fn loud() {{\n{lines}    tracing::error!(\"failed\");\n}}\n"
    );
    let sites = classify(&src);
    assert_eq!(sites.len(), 2 * n);
    assert!(sites[..n].iter().all(|(_, c)| c == "silent-server-error"));
    assert!(sites[n..].iter().all(|(_, c)| c == "logged"), "the block logs");
}

#[test]
fn one_body_calling_twenty_thousand_functions_and_methods() {
    // Method names were kept unique by a search of the list, calls by a pairwise comparison.
    let n = 20_000;
    let body: String = (0..n)
        .map(|i| format!("    f{i}(x.m{i}());\n    f{i}(x.m{i}());\n"))
        .collect();
    let src = format!("fn f() {{\n{body}}}\n");
    let facts = obsdebt::collect::analyse_source(&src, &Knowledge::defaults(), false).unwrap();
    let f = &facts.fns[0];
    assert_eq!(f.calls.len(), 2 * n);
    let methods = f.value_methods.read();
    assert_eq!(methods.len(), n);
    assert_eq!((methods[0].as_str(), methods[n - 1].as_str()), ("m0", "m19999"));
    let LogCond::Any(calls) = &f.always_logs else {
        panic!("logs if one of the calls does: {:?}", f.always_logs)
    };
    assert_eq!(calls.len(), 2 * n, "each function and method once");
}

#[test]
fn forty_thousand_url_constants_group_in_pairs() {
    // Every pair of URLs was compared: 800 million comparisons.
    let mut files = vec![("Cargo.toml".to_string(), PKG.to_string())];
    let mut lib = String::new();
    for f in 0..40 {
        lib.push_str(&format!("pub mod u{f};\n"));
        let consts: String = (f * 1000..(f + 1) * 1000)
            .map(|i| {
                let url = match i % 2 {
                    0 => format!("https://svc{}.internal:8443/api", i / 2),
                    _ => format!("https://svc{}.internal:8443/api/v1/items?page=1#top", i / 2),
                };
                format!("pub const SVC_{i}_URL: &str = \"{url}\";\n")
            })
            .collect();
        files.push((format!("src/u{f}.rs"), consts));
    }
    files.push(("src/lib.rs".to_string(), lib));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let dir = temp_tree(&refs);
    let (_, out, err) = obsdebt(dir.path(), &["check", "--output-format", "concise", "--no-cache"]);
    let rules = rules_reported(&out);
    assert_eq!(rules.len(), 20_000, "{err}");
    assert!(rules.iter().all(|r| *r == "duplicated-config"));
    assert!(
        out.contains(
            "src/u0.rs:1:11: duplicated-config `SVC_0_URL = \"https://svc0.internal:8443/api\"` is defined in 2 places"
        ),
        "{}",
        &out[..out.len().min(500)]
    );
}

#[test]
fn patterns_of_fifteen_stars_on_long_names() {
    // Backtracking tried every way to share 300 characters among 15 stars when a pattern did not
    // match: it never finished.
    let stars = "*a".repeat(15);
    let lint = format!(
        "[handlers]\nfunctions = [\"crate::{stars}b\"]\n\n[discards]\nbenign = [\"{stars}b.commit\"]\n\n\
         [engines]\nconstructors = [\"acme::{stars}b::new\"]\n"
    );
    let a = "a".repeat(300);
    let src = format!(
        "pub fn {a}() {{ let _ = {a}.commit(); acme::{a}::new(); }}\n\
         pub fn {a}b() {{ let _ = {a}b.commit(); acme::{a}b::new(); reqwest::Client::new(); }}\n"
    );
    let dir = temp_tree(&[("Cargo.toml", PKG), ("lint.toml", &lint), ("src/lib.rs", &src)]);
    let (_, out, err) = obsdebt(dir.path(), &["check", "--output-format", "concise", "--no-cache"]);
    let found: Vec<(&str, &str)> = out
        .lines()
        .filter_map(|l| Some((l.split(':').nth(1)?, l.split_whitespace().nth(1)?)))
        .filter(|(_, r)| matches!(*r, "swallowed-error" | "engine-in-handler"))
        .collect();
    // The first function's discard is no benign one and it is no handler; the second's is, and
    // its two engines are built per request.
    assert_eq!(
        found,
        [
            ("1", "swallowed-error"),
            ("2", "engine-in-handler"),
            ("2", "engine-in-handler")
        ],
        "{out}{err}"
    );
}

/// About `bytes` of handlers with error paths, calls and strings (in the shape of the README's
/// scaling measurements), in one file.
fn large_service(bytes: usize) -> String {
    let mut src =
        String::from("use axum::{extract::{Path, State}, http::StatusCode, Json};\nuse crate::{audit, cache, db};\n\n");
    let mut i = 0;
    while src.len() < bytes {
        src.push_str(&format!(
            "/// Loads item {i} and records the view.\n\
             pub async fn handler_{i}(State(state): State<AppState>, Path(id): Path<u64>) -> Result<Json<Item>, StatusCode> {{\n\
             \x20   let conn = state.pool.get().await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;\n\
             \x20   let item = match db::load_item_{i}(&conn, id).await {{\n\
             \x20       Ok(v) => v,\n\
             \x20       Err(e) => {{\n\
             \x20           tracing::warn!(error = %e, \"loading item {i} failed\");\n\
             \x20           return Err(StatusCode::NOT_FOUND);\n\
             \x20       }}\n\
             \x20   }};\n\
             \x20   let _ = audit::record(&conn, \"item.viewed.{i}\", id).await;\n\
             \x20   if let Err(e) = cache::put(&format!(\"item-{i}-{{}}\", item.name), &item) {{\n\
             \x20       return Err(StatusCode::INTERNAL_SERVER_ERROR);\n\
             \x20   }}\n\
             \x20   let retries = std::env::var(\"RETRIES_{}\").ok();\n\
             \x20   Ok(Json(item))\n\
             }}\n\n",
            i % 50
        ));
        i += 1;
    }
    src
}

#[test]
fn a_twelve_megabyte_file_takes_less_than_twenty_times_its_size() {
    // Parsed whole, syn's tree of a file takes some 90 times its size; in parts, a few parts' at once.
    let src = large_service(12 << 20);
    let functions = src.matches("pub async fn").count();
    // A service: with a binary, the library's 5xx answers requests (a library alone returns them).
    let dir = temp_tree(&[
        ("Cargo.toml", PKG),
        ("src/lib.rs", &src),
        ("src/main.rs", "fn main() {}\n"),
    ]);
    let (_, out, err) = obsdebt(
        dir.path(),
        &["check", "--output-format", "concise", "--no-cache", "--timings"],
    );
    let rules = rules_reported(&out);
    let count = |rule: &str| rules.iter().filter(|r| **r == rule).count();
    // Per handler: the 5xx of `.map_err(..)` and of the `if let`, and the discard; the 50
    // variables are each read in many places.
    assert_eq!(
        (
            count("silent-server-error"),
            count("swallowed-error"),
            count("duplicated-config")
        ),
        (2 * functions, functions, 50),
        "{}",
        &out[..out.len().min(2000)]
    );
    let peak_mib: u64 = err
        .lines()
        .find(|l| l.starts_with("peak memory:"))
        .and_then(|l| l.rsplit(' ').nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {err}"));
    let size_mib = (src.len() >> 20) as u64;
    assert!(peak_mib < 20 * size_mib, "{peak_mib} MiB for {size_mib} MiB: {err}");
}
