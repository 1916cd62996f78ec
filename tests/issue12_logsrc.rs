//! Issue 12, "logged where the site cannot show it": workspace `macro_rules!` macros read by
//! their arms, logging macros through any path, bare logging macros beside a module of the same
//! name, helpers whose other paths end the process, builder methods of logging error types, and
//! the same error value logged earlier in the function.

mod common;

use common::{classify, in_fn};
use obsdebt::knowledge::Knowledge;
use obsdebt::resolve::{self, Class, FileInput};
use obsdebt::workspace::FilePlace;

fn labels(src: &str) -> Vec<String> {
    classify(src).into_iter().map(|s| s.1).collect()
}

/// Classifies the sites of several crates resolved as one workspace: `(crate, source)` pairs,
/// the crates named `c0`, `c1`, ...; the labels of every file, in order.
fn classify_workspace(files: &[(usize, &str)]) -> Vec<Vec<String>> {
    let k = Knowledge::defaults();
    let facts: Vec<_> = files
        .iter()
        .map(|(_, src)| obsdebt::collect::analyse_source(src, &k, false).expect("snippet parses"))
        .collect();
    let places: Vec<FilePlace> = files
        .iter()
        .map(|(krate, _)| FilePlace {
            krate: *krate,
            module: Vec::new(),
            test_target: false,
            program: Default::default(),
        })
        .collect();
    let inputs: Vec<FileInput> = places
        .iter()
        .zip(&facts)
        .map(|(place, facts)| FileInput { place, facts })
        .collect();
    let crates = files.iter().map(|(k, _)| *k).max().unwrap_or(0) + 1;
    let names: Vec<String> = (0..crates).map(|i| format!("c{i}")).collect();
    let resolved = resolve::resolve(&inputs, &names);
    resolved
        .classes
        .iter()
        .map(|classes| {
            classes
                .iter()
                .flatten()
                .map(|c| match c {
                    Class::Logged => "logged".to_string(),
                    Class::LoggedWithoutError => "log-without-error".to_string(),
                    Class::Propagated => "propagated".to_string(),
                    Class::Expected => "expected".to_string(),
                    Class::Unlogged(rule) => rule.to_string(),
                })
                .collect()
        })
        .collect()
}

// --- workspace macros -----------------------------------------------------------------------

const FAIL_MACRO: &str = "
macro_rules! fail {
    ($msg:expr) => {{
        let msg = $msg;
        tracing::error!(\"{msg}\");
        return Err($crate::error::ApiError::message(msg));
    }};
    ($msg:expr, Detail $detail:tt) => {{
        let msg = $msg;
        tracing::error!(\"{msg}\");
        return Err($crate::error::ApiError::message(msg).with_detail(Detail $detail));
    }};
}
";

#[test]
fn a_workspace_macro_that_logs_in_every_arm_logs() {
    let src = format!(
        "{FAIL_MACRO}
fn f() -> Result<u32, ApiError> {{
    let n = match fetch() {{ Ok(n) => n, Err(e) => fail!(format!(\"fetch failed: {{e}}\")) }};
    let Ok(m) = load() else {{ fail!(\"no load\", Detail {{ code: 3 }}) }};
    if let Err(e) = store(n + m) {{ fail!(format!(\"store: {{e}}\")); }}
    Ok(n)
}}"
    );
    // It logs and returns an `Err`: propagated where the function returns a `Result`, as the
    // same code written out would be.
    assert_eq!(labels(&src), ["propagated", "propagated", "propagated"]);

    let src = "
macro_rules! or_default {
    ($e:expr) => {{ log::warn!(\"{}\", $e); Default::default() }};
    ($e:expr, $v:expr) => {{ log::warn!(\"{}\", $e); $v }};
}
fn f() -> u32 {
    let a = match fetch() { Ok(n) => n, Err(e) => or_default!(e) };
    let b = fetch().unwrap_or_else(|e| or_default!(e, 7));
    a + b
}";
    assert_eq!(labels(src), ["logged", "logged"]);
}

#[test]
fn a_macro_that_logs_in_only_some_arms_does_not() {
    let src = "
macro_rules! maybe_fail {
    (quiet $msg:expr) => { 0 };
    ($msg:expr) => {{ tracing::warn!(\"{}\", $msg); 0 }};
}
fn f() -> u32 { match fetch() { Ok(n) => n, Err(e) => maybe_fail!(e) } }";
    assert_eq!(labels(src), ["unlogged-error"]);
}

#[test]
fn a_macro_that_only_returns_err_propagates() {
    let src = "
macro_rules! bad_request { ($msg:expr) => { return Err(ApiError::bad_request($msg)) }; }
macro_rules! fallback { ($v:expr) => { $v }; }
fn f() -> Result<u32, ApiError> {
    let a = match fetch() { Ok(n) => n, Err(_) => bad_request!(\"no\") };
    let b = match fetch() { Ok(n) => n, Err(_) => fallback!(0) };
    Ok(a + b)
}";
    assert_eq!(labels(src), ["propagated", "unlogged-error"]);
}

#[test]
fn macros_are_followed_through_other_macros_and_helpers() {
    let src = "
macro_rules! tagged { ($level:ident, $tag:path, $($arg:tt)*) => {{
    let tag: u64 = $tag.into();
    tracing::event!(tracing::Level::$level, tag, $($arg)*)
}} }
macro_rules! ops_warn { ($($arg:tt)*) => { tagged!(WARN, Tag::Ops, $($arg)*) } }
macro_rules! report { ($e:expr) => { crate::obs::record(&$e) } }
mod obs { pub fn record(e: &dyn std::fmt::Display) { tracing::error!(%e, \"failed\"); } }
fn note(e: &Error) { report!(e); }
fn f() {
    if let Err(e) = a() { ops_warn!(\"a failed: {e}\"); }
    if let Err(e) = b() { report!(e); }
    if let Err(e) = c() { note(&e); }
    if let Err(e) = d() { undefined_elsewhere!(e); }
}";
    assert_eq!(labels(src), ["logged", "logged", "logged", "unlogged-error"]);
}

#[test]
fn exported_macros_reach_the_other_crates_of_the_workspace() {
    let lib = "
#[macro_export]
macro_rules! log_fail { ($e:expr) => { tracing::warn!(error = %$e, \"failed\") } }
macro_rules! local_fail { ($e:expr) => { tracing::warn!(error = %$e, \"failed\") } }
";
    let app = "
fn f() {
    if let Err(e) = a() { log_fail!(e); }
    if let Err(e) = b() { c0::log_fail!(e); }
    if let Err(e) = c() { local_fail!(e); }
}";
    let got = classify_workspace(&[(0, lib), (1, app)]);
    assert_eq!(got[1], ["logged", "logged", "unlogged-error"]);
}

#[test]
fn a_crate_s_own_macro_shadows_one_brought_in() {
    let lib = "#[macro_export]\nmacro_rules! fail { ($e:expr) => { tracing::warn!(\"{}\", $e) } }\n";
    let app = "
macro_rules! fail { ($e:expr) => { () } }
fn f() { if let Err(e) = a() { fail!(e); } }";
    let got = classify_workspace(&[(0, lib), (1, app)]);
    assert_eq!(got[1], ["unlogged-error"]);
}

#[test]
fn macros_defined_in_test_code_are_not_definitions() {
    let src = "
#[cfg(test)]
mod tests { macro_rules! fail { ($e:expr) => { tracing::warn!(\"{}\", $e) } } }
fn f() { if let Err(e) = a() { fail!(e); } }";
    assert_eq!(labels(src), ["unlogged-error"]);
}

// --- logging macros through any path ---------------------------------------------------------

#[test]
fn logging_crates_through_any_path() {
    for (import, call) in [
        ("", "slog_scope::warn!(\"{e}\")"),
        ("use slog_scope::error;", "error!(\"{e}\")"),
        ("", "sketching::tracing::warn!(?e, \"x\")"),
        ("", "crate::telemetry::warn!(?e, \"x\")"),
        ("use crate::prelude::warn;", "warn!(?e, \"x\")"),
    ] {
        let src = format!("{import}\nfn f() {{ if let Err(e) = a() {{ {call}; }} }}");
        assert_eq!(labels(&src), ["logged"], "{call}");
    }
    // Another crate's macro of a logging name is not a logging macro.
    assert_eq!(
        labels("fn f() { if let Err(e) = a() { metrics::info!(\"x\"); } }"),
        ["unlogged-error"]
    );
}

#[test]
fn a_bare_logging_macro_beside_a_module_of_the_same_name_logs() {
    let src = "use actix_web::error;
fn f() -> Result<(), actix_web::Error> {
    if let Err(e) = a() { error!(\"a failed: {e}\"); }
    b().map_err(|e| error::ErrorInternalServerError(e))?;
    Ok(())
}";
    assert_eq!(labels(src), ["logged", "silent-server-error"]);
}

// --- paths that end the process -------------------------------------------------------------

#[test]
fn a_helper_whose_other_paths_print_and_exit_always_logs() {
    let src = "
fn handle_error(e: ClientError) {
    match e {
        ClientError::Http(status) => { tracing::error!(%status, \"http error\"); std::process::exit(1); }
        ClientError::Bug => unreachable!(\"no such error\"),
        other => { eprintln!(\"{other:?}\"); std::process::exit(1); }
    }
}
fn handle_quietly(e: ClientError) {
    match e {
        ClientError::Http(status) => tracing::error!(%status, \"http error\"),
        _ => std::process::exit(2),
    }
}
fn f() {
    if let Err(e) = a() { handle_error(e); }
    if let Err(e) = b() { handle_quietly(e); }
}";
    assert_eq!(labels(src), ["logged", "unlogged-error"]);
}

#[test]
fn a_path_that_prints_and_exits_has_reported() {
    let src = "use std::process::exit;
fn main() {
    if let Err(e) = run() { eprintln!(\"error: {e}\"); exit(1); }
    if let Err(_) = setup() { exit(1); }
    let cfg = load().unwrap_or_else(|e| { println!(\"bad config: {e}\"); std::process::exit(2) });
}";
    assert_eq!(labels(src), ["logged", "unlogged-error", "logged"]);
}

// --- builder methods of logging error types ---------------------------------------------------

const LOGGING_ERROR: &str = "
struct ApiError { code: u16 }
impl IntoResponse for ApiError {
    fn into_response(self) -> Response { tracing::error!(code = self.code, \"request failed\"); todo() }
}
impl ApiError {
    fn with_code(mut self, code: u16) -> Self { self.code = code; self }
    fn with_note(self, _n: &str) -> ApiError { self }
    fn status(&self) -> StatusCode { StatusCode::INTERNAL_SERVER_ERROR }
}
";

#[test]
fn a_builder_method_keeps_a_logging_error_type() {
    let src = format!(
        "{LOGGING_ERROR}
async fn handler() -> Result<(), ApiError> {{
    save().await.map_err(|e| e.with_code(StatusCode::INTERNAL_SERVER_ERROR.as_u16()))?;
    load().await.map_err(|e| e.with_note(\"x\").with_code(StatusCode::INTERNAL_SERVER_ERROR.as_u16()))?;
    push().await.map_err(|e| e.status().with_code(StatusCode::INTERNAL_SERVER_ERROR.as_u16()))?;
    Ok(())
}}"
    );
    // `status(&self) -> StatusCode` only maps the error to a code: not a site of its own.
    assert_eq!(labels(&src), ["logged", "logged", "silent-server-error"]);
}

#[test]
fn a_builder_method_of_a_type_that_does_not_log_keeps_nothing() {
    let src = "
struct PlainError { code: u16 }
impl IntoResponse for PlainError { fn into_response(self) -> Response { build(self.code) } }
impl PlainError { fn with_code(mut self, code: u16) -> Self { self.code = code; self } }
async fn handler() -> Result<(), PlainError> {
    save().await.map_err(|e| e.with_code(StatusCode::INTERNAL_SERVER_ERROR.as_u16()))?;
    Ok(())
}";
    assert_eq!(labels(src), ["silent-server-error"]);
}

// --- the same error value logged earlier -----------------------------------------------------

#[test]
fn a_result_whose_error_was_logged_earlier_is_logged_when_dropped_later() {
    let src = in_fn(
        "let config = load_config();
if let Err(e) = &config { tracing::warn!(\"bad config: {e}\"); }
let limits = config.as_ref().ok().map(|c| c.limits);
let name = config.ok();",
    );
    assert_eq!(labels(&src), ["logged", "logged", "logged"]);
}

#[test]
fn logged_earlier_holds_only_for_the_same_value_in_an_enclosing_block() {
    let src = in_fn(
        "let config = load_config();
if let Err(e) = &config { tracing::warn!(\"bad config: {e}\"); }
let config = load_other();
let a = config.ok();
let other = load_config();
if let Err(e) = &other { retry(); }
let b = other.ok();
let third = load_config();
{ if let Err(e) = &third { tracing::warn!(\"{e}\"); } }
let c = third.ok();
let fourth = load_config();
match &fourth { Err(Error::Missing) => tracing::info!(\"missing\"), _ => {} }
let d = fourth.ok();",
    );
    assert_eq!(
        labels(&src),
        [
            "logged",
            "swallowed-error",
            "unlogged-error",
            "swallowed-error",
            "logged",
            "swallowed-error",
            "logged",
            "swallowed-error",
        ]
    );
}
