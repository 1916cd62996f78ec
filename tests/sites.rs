//! Each error-path site kind and each classification of the error-path model, positive and negative,
//! on small sources. `classify` returns `(line, outcome)` per site.

mod common;

use common::{classify, classify_with, in_fn};
use obsdebt::knowledge::{Knowledge, PathPattern};

fn one(src: &str) -> String {
    let sites = classify(src);
    assert_eq!(sites.len(), 1, "expected exactly one site in:\n{src}\ngot {sites:?}");
    sites[0].1.clone()
}

fn none(src: &str) {
    let sites = classify(src);
    assert!(sites.is_empty(), "expected no site in:\n{src}\ngot {sites:?}");
}

// --- match arms -----------------------------------------------------------------------------

#[test]
fn match_err_arm_with_fallback_is_unlogged() {
    assert_eq!(
        one(&in_fn("let n = match load() { Ok(n) => n, Err(_) => 0 };")),
        "unlogged-error"
    );
}

#[test]
fn match_err_arm_that_logs_is_logged() {
    for log in [
        "tracing::warn!(error = %e, \"x\")",
        "log::error!(\"{e}\")",
        "slog::crit!(logger, \"x: {}\", e)",
        "tracing::event!(Level::ERROR, ?e, \"x\")",
    ] {
        let src = in_fn(&format!(
            "let n = match load() {{ Ok(n) => n, Err(e) => {{ {log}; 0 }} }};"
        ));
        assert_eq!(one(&src), "logged", "{log}");
    }
}

#[test]
fn or_patterns_and_guards() {
    let src = in_fn("match op() { Ok(_) => {}, Err(Error::Io(_)) | Err(Error::Timeout) => retry(), Err(e) if e.is_fatal() => stop(), Err(_) => (), }");
    let got = classify(&src);
    assert_eq!(
        got.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(),
        ["expected", "expected", "swallowed-error"]
    );
}

#[test]
fn catch_all_arm_of_an_ok_match_is_a_site() {
    assert_eq!(
        one(&in_fn("let v = match parse(s) { Ok(v) => v, _ => default() };")),
        "unlogged-error"
    );
    assert_eq!(
        one(&in_fn(
            "let v = match parse(s) { Ok(v) => v, other => { tracing::info!(?other); 0 } };"
        )),
        "logged"
    );
    // A match on an Option is not an error path.
    none(&in_fn("let v = match find(s) { Some(v) => v, _ => default() };"));
}

#[test]
fn empty_err_arm_is_swallowed() {
    assert_eq!(
        one(&in_fn("match save() { Ok(()) => {}, Err(_) => {} }")),
        "swallowed-error"
    );
    assert_eq!(
        one(&in_fn("match save() { Ok(()) => (), Err(_e) => () }")),
        "swallowed-error"
    );
}

#[test]
fn specific_variant_to_value_is_expected() {
    assert_eq!(
        one(&in_fn(
            "let u = match find(id).await { Ok(u) => Some(u), Err(sqlx::Error::RowNotFound) => None, };"
        )),
        "expected"
    );
    assert_eq!(
        one(&in_fn(
            "let f = match open(p) { Ok(f) => f, Err(e) if e.kind() == NotFound => create(p), };"
        )),
        "expected"
    );
}

#[test]
fn uninhabited_err_arm_is_not_a_site() {
    none(&in_fn(
        "let v = match infallible() { Ok(v) => v, Err(e) => match e {} };",
    ));
}

// --- propagation ----------------------------------------------------------------------------

#[test]
fn returning_or_wrapping_the_error_is_propagated() {
    for body in [
        "return Err(e)",
        "return Err(e.into())",
        "Err(AppError::Db(e))",
        "Err(e)?",
        "anyhow::bail!(\"failed: {e}\")",
        "panic!(\"impossible: {e}\")",
        "{ failures.push(e); 0 }",
        "{ self.last_error = Some(e); 0 }",
    ] {
        let src = in_fn(&format!("let n = match load() {{ Ok(n) => n, Err(e) => {body} }};"));
        assert_eq!(one(&src), "propagated", "{body}");
    }
}

#[test]
fn a_different_error_from_the_path_is_not_propagation_of_this_one() {
    // `?` on something else: this error is dropped for the fallback's.
    let src = in_fn("let n = match load() { Ok(n) => n, Err(_) => fallback().await? };");
    assert_eq!(one(&src), "unlogged-error");
}

#[test]
fn conversion_into_an_error_type_whose_response_logs_is_logged() {
    let src = "
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        tracing::error!(error = %self, \"request failed\");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}
async fn h() -> Result<(), AppError> {
    let v = match load() { Ok(v) => v, Err(e) => return Err(AppError::Db(e)) };
    let w = other().map_err(AppError::from)?;
    Ok(())
}";
    let got: Vec<_> = classify(src).into_iter().map(|s| s.1).collect();
    // The 500 in the impl is logged by the statement before it; both conversions are logged.
    assert_eq!(got, ["logged", "logged", "logged"]);
}

#[test]
fn conversion_into_a_silent_error_type_is_propagated() {
    let src = "
impl IntoResponse for AppError {
    fn into_response(self) -> Response { (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response() }
}
async fn h() -> Result<(), AppError> {
    let v = match load() { Ok(v) => v, Err(e) => return Err(AppError::Db(e)) };
    Ok(())
}";
    let got: Vec<_> = classify(src).into_iter().map(|s| s.1).collect();
    assert_eq!(got, ["silent-server-error", "propagated"]);
}

#[test]
fn instrument_err_logs_errors_that_leave_the_function() {
    let src = "
#[tracing::instrument(skip(db), err(Display))]
async fn h(db: &Db) -> Result<u64, Error> {
    let n = match db.count().await { Ok(n) => n, Err(e) => return Err(e.into()) };
    let m = match db.count().await { Ok(n) => n, Err(_) => 0 };
    Ok(n + m)
}";
    let got: Vec<_> = classify(src).into_iter().map(|s| s.1).collect();
    assert_eq!(got, ["logged", "unlogged-error"]);
}

// --- if let / let-else ----------------------------------------------------------------------

#[test]
fn if_let_err() {
    assert_eq!(one(&in_fn("if let Err(e) = save() { retry(); }")), "unlogged-error");
    assert_eq!(
        one(&in_fn(
            "if let Err(e) = save() { tracing::warn!(%e, \"save failed\"); }"
        )),
        "logged"
    );
    assert_eq!(one(&in_fn("if let Err(e) = save() { return Err(e); }")), "propagated");
}

#[test]
fn if_let_ok_else_and_without_else() {
    assert_eq!(
        one(&in_fn(
            "if let Ok(cfg) = load() { apply(cfg); } else { use_defaults(); }"
        )),
        "unlogged-error"
    );
    assert_eq!(
        one(&in_fn("if let Ok(cfg) = load() { apply(cfg); }")),
        "swallowed-error"
    );
    none(&in_fn("if let Some(cfg) = load() { apply(cfg); }"));
}

#[test]
fn let_else() {
    assert_eq!(
        one(&in_fn("let Ok(v) = load() else { return Ok(()); };")),
        "unlogged-error"
    );
    assert_eq!(
        one(&in_fn("let Ok(v) = load() else { return Err(AppError::Missing); };")),
        "propagated"
    );
    assert_eq!(
        one(&in_fn(
            "let Ok(v) = load() else { log::warn!(\"no value\"); return Ok(()); };"
        )),
        "logged"
    );
    none(&in_fn("let Some(v) = load() else { return Ok(()); };"));
}

// --- combinators ----------------------------------------------------------------------------

#[test]
fn combinators() {
    assert_eq!(one(&in_fn("let n = load().unwrap_or_else(|_| 0);")), "unlogged-error");
    assert_eq!(
        one(&in_fn("let n = load().unwrap_or_else(|e| { tracing::warn!(%e); 0 });")),
        "logged"
    );
    assert_eq!(
        one(&in_fn("let n = load().map_or_else(|_| 0, |v| v + 1);")),
        "unlogged-error"
    );
    assert_eq!(one(&in_fn("let n = load().or_else(|_| backup());")), "unlogged-error");
    assert_eq!(
        one(&in_fn(
            "let n = load().or_else(|e| if retryable(&e) { backup() } else { Err(e) });"
        )),
        "propagated"
    );
    assert_eq!(
        one(&in_fn("let n = load().map_err(|e| AppError::Io(e))?;")),
        "propagated"
    );
    assert_eq!(
        one(&in_fn("let n = load().inspect_err(|e| tracing::warn!(%e))?;")),
        "propagated"
    );
    // Option's combinators take closures without an argument: not error paths.
    none(&in_fn(
        "let n = find().unwrap_or_else(|| 0); let m = find().or_else(|| other());",
    ));
}

#[test]
fn map_err_to_a_status() {
    assert_eq!(
        one(&in_fn(
            "let n = load().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;"
        )),
        "silent-server-error"
    );
    assert_eq!(
        one(&in_fn(
            "let n = load().map_err(|e| { tracing::error!(%e); StatusCode::INTERNAL_SERVER_ERROR })?;"
        )),
        "logged"
    );
    assert_eq!(
        one(&in_fn(
            "let n = s.parse::<u32>().map_err(|_| StatusCode::BAD_REQUEST)?;"
        )),
        "expected"
    );
    assert_eq!(
        one(&in_fn(
            "let n = load().map_err(|e| tonic::Status::internal(e.to_string()))?;"
        )),
        "silent-server-error"
    );
    assert_eq!(
        one(&in_fn("let n = load().map_err(error::ErrorInternalServerError)?;")),
        "silent-server-error"
    );
}

// --- discards -------------------------------------------------------------------------------

#[test]
fn discards() {
    assert_eq!(one(&in_fn("let v = load().ok();")), "swallowed-error");
    assert_eq!(one(&in_fn("let _ = save();")), "swallowed-error");
    assert_eq!(one(&in_fn("_ = save().await;")), "swallowed-error");
    // The error flows on or panics: nothing is discarded.
    none(&in_fn("let _ = save()?;"));
    none(&in_fn("let v = load().ok().unwrap();"));
    none(&in_fn("let v = load().ok().ok_or(AppError::Missing)?;"));
    none(&in_fn("let _ = x;"));
}

#[test]
fn an_earlier_inspect_err_that_logs_makes_later_sites_logged() {
    let got = classify(&in_fn(
        "let v = load().inspect_err(|e| tracing::warn!(%e, \"load\")).ok();",
    ));
    assert_eq!(
        got.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(),
        ["logged", "propagated"]
    );
}

#[test]
fn benign_discards_are_not_counted() {
    none(&in_fn("let port = std::env::var(\"PORT\").ok();"));
    none(&in_fn("let url = env::var(\"URL\").unwrap_or_else(|_| \"x\".into());"));
    none(&in_fn("let _ = tx.send(event);"));
    none(&in_fn("let _ = self.reply_tx.send(v).await;"));
    none(&in_fn("let _ = write!(out, \"{x}\");"));
    none(&in_fn("unsafe { dotenvy::dotenv() }.ok();"));
    none(&in_fn(
        "let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| \"info\".into());",
    ));
    none(&in_fn("let _ = map.insert(k, v);"));
}

#[test]
fn let_underscore_of_an_in_crate_function_that_returns_no_result_is_not_a_discard() {
    let src = "fn bump(n: u64) -> u64 { n + 1 }\nfn save() -> Result<(), E> { Ok(()) }\nfn f() { let _ = bump(1); let _ = save(); }";
    assert_eq!(
        classify(src).into_iter().map(|s| s.1).collect::<Vec<_>>(),
        ["swallowed-error"]
    );
}

// --- server errors --------------------------------------------------------------------------

#[test]
fn server_errors() {
    assert_eq!(
        one(&in_fn(
            "match save() { Ok(_) => StatusCode::OK, Err(_) => StatusCode::INTERNAL_SERVER_ERROR }"
        )),
        "silent-server-error"
    );
    assert_eq!(one(&in_fn("match save() { Ok(_) => HttpResponse::Ok().finish(), Err(_) => HttpResponse::InternalServerError().finish() }")), "silent-server-error");
    assert_eq!(
        one(&in_fn(
            "match save() { Ok(_) => Ok(()), Err(_) => Err(Status::InternalServerError) }"
        )),
        "silent-server-error"
    );
    // A bare 500 outside an error path is a site of its own, judged by its block.
    assert_eq!(
        one("fn h() -> StatusCode { if broken() { return StatusCode::INTERNAL_SERVER_ERROR; } StatusCode::OK }"),
        "silent-server-error"
    );
    assert_eq!(
        one("fn h() -> StatusCode { tracing::error!(\"broken\"); StatusCode::INTERNAL_SERVER_ERROR }"),
        "logged"
    );
    // Comparisons and status-only mappers build no response.
    none("fn h(s: StatusCode) -> bool { s == StatusCode::INTERNAL_SERVER_ERROR }");
    none("impl AppError { fn status_code(&self) -> StatusCode { StatusCode::INTERNAL_SERVER_ERROR } }");
    // 503 is a site only inside an error path.
    none("fn ready(ok: bool) -> StatusCode { if ok { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE } }");
}

// --- what counts as logging -----------------------------------------------------------------

#[test]
fn imported_renamed_and_glob_imported_macros_log() {
    for (uses, call) in [
        ("use tracing::error;", "error!(\"x: {e}\")"),
        ("use log::warn as log_warn;", "log_warn!(\"x: {}\", e)"),
        ("use tracing::*;", "info!(?e, \"x\")"),
        ("use tracing as t;", "t::error!(%e, \"x\")"),
    ] {
        let src = format!("{uses}\nfn f() {{ if let Err(e) = save() {{ {call}; }} }}");
        assert_eq!(one(&src), "logged", "{uses} {call}");
    }
    // `println!` is not logging unless configured.
    assert_eq!(
        one("fn f() { if let Err(e) = save() { eprintln!(\"{e}\"); } }"),
        "unlogged-error"
    );
    let mut k = Knowledge::defaults();
    k.print_counts = true;
    assert_eq!(
        classify_with("fn f() { if let Err(e) = save() { eprintln!(\"{e}\"); } }", &k)[0].1,
        "logged"
    );
}

#[test]
fn logging_helpers_are_found_by_fixpoint() {
    let src = "
fn report(e: &Error) { tracing::warn!(%e, \"failed\"); }
fn report_twice(e: &Error) { report(e); }
fn maybe_report(e: &Error) { if verbose() { report(e); } }
struct Svc;
impl Svc { fn log_failure(&self, e: &Error) { report_twice(e) } }
fn f(s: &Svc) {
    if let Err(e) = a() { report_twice(&e); }
    if let Err(e) = b() { maybe_report(&e); }
    if let Err(e) = c() { s.log_failure(&e); }
}";
    let got: Vec<_> = classify(src).into_iter().map(|s| s.1).collect();
    assert_eq!(got, ["logged", "unlogged-error", "logged"]);
}

#[test]
fn configured_reporting_functions_and_macros_log() {
    assert_eq!(
        one("fn f() { if let Err(e) = save() { sentry::capture_error(&e); } }"),
        "logged"
    );
    let mut k = Knowledge::defaults();
    k.log_functions.push(PathPattern::parse("crate::telemetry::report"));
    k.extra_log_macros.push(PathPattern::parse("audit"));
    let src = "use crate::telemetry::report;\nfn f() { if let Err(e) = a() { report(&e); } if let Err(e) = b() { audit!(\"x\", e); } }";
    assert_eq!(
        classify_with(src, &k).into_iter().map(|s| s.1).collect::<Vec<_>>(),
        ["logged", "logged"]
    );
}

// --- macros and test code -------------------------------------------------------------------

#[test]
fn error_paths_inside_macros_are_analysed() {
    let src = in_fn("tokio::select! { r = fetch() => { if let Err(e) = r { retry(); } } _ = sleep(d) => {} }");
    assert_eq!(one(&src), "unlogged-error");
    assert_eq!(one(&in_fn("let v = vec![load().ok()];")), "swallowed-error");
    assert_eq!(
        one(&in_fn("let s = format!(\"{}\", load().unwrap_or_else(|_| 0));")),
        "unlogged-error"
    );
    // A macro whose body is not Rust is read for the Rust pieces in it (issue 12): the
    // braced expression of a template; the rest is skipped silently.
    assert_eq!(
        one(&in_fn("html! { <div class=\"x\">{ load().ok() }</div> };")),
        "swallowed-error"
    );
    none(&in_fn("html! { <div class=\"x\">{ \"ok\" }</div> };"));
}

#[test]
fn test_code_is_not_counted() {
    none("#[cfg(test)]\nmod tests { fn f() { let _ = save(); } }");
    none("#[test]\nfn t() { let v = load().ok(); }");
    none("#[tokio::test]\nasync fn t() { if let Err(_) = save() {} }");
}
