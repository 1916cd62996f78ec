//! `log-without-error`: a logged error path whose log lines never carry the error. `classify`
//! names such a site `log-without-error`; one whose log line carries it stays `logged`.

mod common;

use common::{classify, in_fn};

fn one(src: &str) -> String {
    let sites = classify(src);
    assert_eq!(sites.len(), 1, "expected exactly one site in:\n{src}\ngot {sites:?}");
    sites[0].1.clone()
}

/// An arm `Err(e) => { LOG; 0 }` around an awaited call, for each log line.
fn arm_logging(log: &str) -> String {
    one(&in_fn(&format!(
        "let n = match store.load(id).await {{ Ok(n) => n, Err(e) => {{ {log}; 0 }} }};"
    )))
}

#[test]
fn a_log_line_that_names_the_error_carries_it() {
    for log in [
        "tracing::warn!(error = %e, \"load failed\")",
        "tracing::warn!(?e, \"load failed\")",
        "tracing::warn!(%e, \"load failed\")",
        "log::error!(\"load failed: {}\", e)",
        "log::error!(\"load failed: {e}\")",
        "log::error!(\"load failed: {e:?}\")",
        "log::error!(\"load failed: {e:#}\")",
        "log::error!(\"load failed: {}\", e.to_string())",
        "tracing::error!(error = e.as_ref() as &dyn std::error::Error, \"load failed\")",
    ] {
        assert_eq!(arm_logging(log), "logged", "{log}");
    }
}

#[test]
fn a_log_line_that_leaves_the_bound_error_out_is_reported() {
    for log in [
        "tracing::warn!(\"load failed\")",
        "tracing::warn!(id, \"load failed\")",
        // `{err}` is another name; `{{e}}` is not a placeholder but `e` is not named either
        "log::error!(\"load failed for {id}\")",
        "log::error!(\"load failed: {error}\")",
    ] {
        assert_eq!(arm_logging(log), "log-without-error", "{log}");
    }
}

#[test]
fn the_error_carried_through_a_local_a_field_a_match_or_a_loop_is_mentioned() {
    for body in [
        "let reason = e.to_string(); tracing::warn!(%reason, \"load failed\"); 0",
        "let reason = format!(\"{e}\"); tracing::warn!(reason, \"load failed\"); 0",
        "msg.detail = format!(\"{e:?}\"); tracing::error!(\"{}\", msg); 0",
        "match e { Error::Db(inner) => tracing::warn!(%inner, \"db\"), _ => tracing::warn!(\"other\") }; 0",
        "for cause in e.chain() { tracing::warn!(%cause, \"load failed\"); } 0",
    ] {
        let src = in_fn(&format!(
            "let n = match store.load(id).await {{ Ok(n) => n, Err(e) => {{ {body} }} }};"
        ));
        assert_eq!(one(&src), "logged", "{body}");
    }
}

#[test]
fn a_helper_handed_the_error_carries_it_only_when_it_always_logs() {
    let helper = "fn report(e: &Error) { tracing::warn!(error = %e, \"failed\"); }\n\
                  fn count(e: &Error) { METRIC.inc(); }\n";
    let with = |body: &str| {
        format!(
            "{helper}{}",
            in_fn(&format!(
                "let n = match store.load(id).await {{ Ok(n) => n, Err(e) => {{ {body}; 0 }} }};"
            ))
        )
    };
    let sites = |src: String| classify(&src).into_iter().map(|s| s.1).collect::<Vec<_>>();
    assert_eq!(sites(with("report(&e)")), ["logged"]);
    // `count` does not log: the site is logged by the warn! alone, which leaves `e` out.
    assert_eq!(
        sites(with("count(&e); tracing::warn!(\"load failed\")")),
        ["log-without-error"]
    );
    // A helper that logs, but is not given the error.
    let src = format!(
        "fn note_failure() {{ tracing::warn!(\"a load failed\"); }}\n{}",
        in_fn("let n = match store.load(id).await { Ok(n) => n, Err(e) => { note_failure(); 0 } };")
    );
    assert_eq!(
        classify(&src).into_iter().map(|s| s.1).collect::<Vec<_>>(),
        ["log-without-error"]
    );
}

#[test]
fn a_pattern_that_drops_an_operational_error_cannot_log_it() {
    for src in [
        "let n = match store.load(id).await { Ok(n) => n, Err(_) => { tracing::warn!(\"load failed\"); 0 } };",
        "let Ok(conn) = pool.get().await else { tracing::error!(\"no connection\"); return Ok(()); };",
        "if let Ok(conn) = pool.get().await { use_it(conn); } else { tracing::error!(\"no connection\"); }",
        "let n = store.load(id).await.unwrap_or_else(|_| { tracing::warn!(\"load failed\"); 0 });",
        "let r = store.load(id).await; if r.is_err() { tracing::warn!(\"load failed\"); }",
    ] {
        assert_eq!(one(&in_fn(src)), "log-without-error", "{src}");
    }
}

#[test]
fn a_dropped_error_that_is_not_a_failure_or_says_nothing_more_is_not_reported() {
    for src in [
        // a parse: its error says the value was not a number, which the message says
        "let port = match raw.parse::<u16>() { Ok(p) => p, Err(_) => { tracing::warn!(%raw, \"not a port\"); 8080 } };",
        // a value-level call whose origin is unknown: dropping its error is a decision
        "let n = match decode(raw) { Ok(n) => n, Err(_) => { tracing::warn!(\"undecodable\"); 0 } };",
        // a timeout's and a channel's errors say no more than that they happened
        "let n = match tokio::time::timeout(d, store.load(id)).await { Err(_) => { tracing::warn!(\"timed out\"); 0 } Ok(n) => n? };",
        "let msg = match rx.recv() { Ok(m) => m, Err(_) => { tracing::info!(\"channel closed\"); return Ok(()); } };",
        "if tx.send(job).await.is_err() { tracing::warn!(\"worker gone\"); }",
        // a specific variant says what happened by its pattern
        "let n = match store.load(id).await { Ok(n) => n, Err(Error::NotFound) => { tracing::info!(\"no row\"); 0 } Err(e) => return Err(e.into()) };",
    ] {
        let got = classify(&in_fn(src));
        assert!(
            got.iter().all(|s| s.1 != "log-without-error"),
            "{src}\ngot {got:?}"
        );
    }
}

#[test]
fn only_the_branch_an_err_takes_logs_for_a_test() {
    // `is_ok()`'s `then` is the success path: its log line is not the error path's.
    let src = in_fn("let r = store.load(id).await; if r.is_ok() { tracing::info!(\"loaded\"); }");
    assert_eq!(one(&src), "unlogged-error");
    let src = in_fn("let r = store.load(id).await; if !r.is_ok() { tracing::warn!(\"load failed\"); }");
    assert_eq!(one(&src), "log-without-error");
    let src = in_fn("let r = store.load(id).await; if r.is_ok() { go(); } else { tracing::warn!(\"load failed\"); }");
    assert_eq!(one(&src), "log-without-error");
}

#[test]
fn an_error_that_flows_on_is_judged_where_it_ends() {
    // Converted and propagated: the log line beside it is not where the error ends.
    let src = in_fn("store.load(id).await.map_err(|e| { tracing::warn!(\"load failed\"); AppError::Db(e) })?;");
    assert_eq!(one(&src), "propagated");
    // Replaced by another error: `#[instrument(err)]` records the replacement, not the cause.
    let src = "#[tracing::instrument(err)]\nasync fn handler() -> Result<(), AppError> {\n    \
               store.load(id).await.map_err(|_| { tracing::warn!(\"load failed\"); AppError::Internal })?;\n    Ok(())\n}\n";
    assert_eq!(one(src), "log-without-error");
}

#[test]
fn an_error_logged_where_it_arose_or_carrying_nothing_is_not_reported() {
    let site = "let n = match outer(id).await { Ok(n) => n, Err(_) => { tracing::warn!(\"load failed\"); 0 } };";
    let with = |fns: &str| {
        let src = format!("{fns}\n{}", in_fn(site));
        classify(&src).into_iter().map(|s| s.1).collect::<Vec<_>>()
    };
    // `outer` returns an error that carries nothing.
    assert!(!with("async fn outer(id: i64) -> Result<i64, ()> { Ok(id) }").contains(&"log-without-error".to_string()));
    // `outer` passes on the error of `inner` (by `?`, or `.map_err(..)?`), which logs it where it
    // arises; also through a method the receiver's type names (`self.store.fetch(..)`).
    let inner = "async fn inner(id: i64) -> Result<i64, Error> { \
        match store.load(id).await { Ok(n) => Ok(n), Err(e) => { tracing::error!(error = %e, \"load\"); Err(Error::Load) } } }\n";
    for outer in [
        "async fn outer(id: i64) -> Result<i64, Error> { let n = inner(id).await.map_err(Error::Outer)?; Ok(n) }",
        "async fn outer(id: i64) -> Result<i64, Error> { let n = inner(id).await?; Ok(n) }",
        "struct Store;\nstruct Svc { store: Store }\n\
         impl Store { async fn fetch(&self, id: i64) -> Result<i64, Error> { let n = inner(id).await?; Ok(n) } }\n\
         impl Other { async fn fetch(&self, id: i64) -> Result<i64, Error> { other(id).await } }\n\
         impl Svc { async fn get(&self, id: i64) -> Result<i64, Error> { let n = self.store.fetch(id).await?; Ok(n) } }\n\
         async fn outer(id: i64) -> Result<i64, Error> { let n = svc().get(id).await?; Ok(n) }",
    ] {
        let fns = format!("{inner}{outer}");
        assert!(
            !with(&fns).contains(&"log-without-error".to_string()),
            "{outer}: {:?}",
            with(&fns)
        );
    }
    // Nothing on the way logs it: reported.
    let silent = "async fn inner(id: i64) -> Result<i64, Error> { store.load(id).await }\n\
        async fn outer(id: i64) -> Result<i64, Error> { let n = inner(id).await.map_err(Error::Outer)?; Ok(n) }";
    assert!(
        with(silent).contains(&"log-without-error".to_string()),
        "{:?}",
        with(silent)
    );
}
