//! Issue 12, propagation slice: error paths that hand the error on in less direct forms, lock
//! poisoning, Results inside macro calls that are not one expression list, best-effort calls,
//! decided empty arms, and detached tasks whose `Result` is lost.

mod common;

use common::{classify, in_fn};

fn one(src: &str) -> String {
    let sites = classify(src);
    assert_eq!(sites.len(), 1, "expected exactly one site in:\n{src}\ngot {sites:?}");
    sites[0].1.clone()
}

fn labels(src: &str) -> Vec<String> {
    classify(src).into_iter().map(|(_, c)| c).collect()
}

// --- propagation forms ----------------------------------------------------------------------

#[test]
fn wrapped_errs_flow_on() {
    for tail in [
        "Poll::Ready(Err(e))",
        "Poll::Ready(Err(e.into()))",
        "std::task::Poll::Ready(Some(Err(e)))",
        "Some(Err(e))",
        "Ok(Err(e))",
        "Poll::Ready(Err(Error::Io(e)))",
    ] {
        let src = format!(
            "fn poll_next(&mut self) -> Poll<Option<Result<u8, Error>>> {{\n match self.inner.poll_read() {{ Ok(v) => Poll::Ready(Some(Ok(v))), Err(e) => {tail} }}\n}}\n"
        );
        assert_eq!(one(&src), "propagated", "{tail}");
    }
}

#[test]
fn a_wrapper_without_the_error_is_not_propagation() {
    for tail in ["Poll::Ready(None)", "Some(Default::default())", "Poll::Pending"] {
        let src = format!(
            "fn poll_next(&mut self) -> Poll<Option<u8>> {{\n match self.inner.poll_read() {{ Ok(v) => Poll::Ready(Some(v)), Err(e) => {tail} }}\n}}\n"
        );
        assert_eq!(one(&src), "unlogged-error", "{tail}");
    }
}

#[test]
fn the_error_sent_to_the_caller_flows_on() {
    for body in [
        "{ tx.send(Err(e)).await.ok(); }",
        "{ let _ = reply.send(Err(e.into())); }",
        "{ let _ = sender.send(Err(e)); }",
        "{ let _ = respond_to.send(Response::Failed(format!(\"lookup failed: {e}\"))); }",
    ] {
        let src = in_fn(&format!(
            "match lookup().await {{ Ok(v) => use_it(v), Err(e) => {body} }}"
        ));
        assert_eq!(one(&src), "propagated", "{body}");
    }
}

#[test]
fn a_send_that_does_not_carry_the_error_is_not_propagation() {
    let src = in_fn("match lookup().await { Ok(v) => use_it(v), Err(_e) => { let _ = tx.send(Response::Failed); } }");
    assert_eq!(one(&src), "unlogged-error");
}

#[test]
fn the_error_formatted_into_the_result_value_is_handed_on() {
    for tail in [
        "ToolOutcome::Error(format!(\"Error reading file: {e}\"))",
        "ToolOutcome::Error(format!(\"Error reading file: {}\", e))",
        "ToolOutcome::Error(e.to_string())",
        "Outcome::Failed { reason: format!(\"{e:#}\") }",
        "(ToolOutcome::Error(format!(\"Error checking file state: {e:?}\")), None)",
    ] {
        let src = format!(
            "fn run(&self) -> (ToolOutcome, Option<Diff>) {{\n let c = match std::fs::read_to_string(p) {{ Ok(c) => c, Err(e) => return {tail} }};\n (ToolOutcome::Success(c), None)\n}}\n"
        );
        assert_eq!(one(&src), "propagated", "{tail}");
    }
}

#[test]
fn a_constructor_that_does_not_mention_the_error_is_a_fallback() {
    for tail in [
        "ToolOutcome::Error(format!(\"Error reading file {path}\"))",
        "ToolOutcome::Error(\"{e}\".to_string())",
        "ToolOutcome::Error(format!(\"{{e}}\"))",
        "(ToolOutcome::Empty, None)",
    ] {
        let src = format!(
            "fn run(&self) -> (ToolOutcome, Option<Diff>) {{\n let c = match std::fs::read_to_string(path) {{ Ok(c) => c, Err(e) => return {tail} }};\n (ToolOutcome::Success(c), None)\n}}\n"
        );
        assert_eq!(one(&src), "unlogged-error", "{tail}");
    }
}

#[test]
fn a_5xx_with_the_message_in_its_body_is_still_a_silent_server_error() {
    let src = in_fn(
        "match db.load().await { Ok(v) => Ok(v), Err(e) => Err((StatusCode::INTERNAL_SERVER_ERROR, Json(ErrorBody { message: e.to_string() }))) }",
    );
    assert_eq!(one(&src), "silent-server-error");
    let src = in_fn("match db.load().await { Ok(v) => v, Err(e) => ApiError::Internal(format!(\"{e}\")).with_status(StatusCode::INTERNAL_SERVER_ERROR) }");
    assert_eq!(one(&src), "silent-server-error");
}

// --- lock poisoning -------------------------------------------------------------------------

#[test]
fn a_poisoned_lock_mapped_to_a_fixed_answer_is_expected() {
    for stmt in [
        "let g = state.cache.lock().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;",
        "let g = match self.inner.lock() { Ok(g) => g, Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR) };",
        "let g = match registry.read() { Ok(g) => g, Err(_) => return Ok(Vec::new()) };",
        "let g = self.map.write().unwrap_or_else(|e| e.into_inner());",
        "let n = counters.lock().map(|g| g.len()).ok();",
        "let Ok(g) = (self.state.lock()) else { return Ok(()) };",
    ] {
        assert_eq!(one(&in_fn(stmt)), "expected", "{stmt}");
    }
}

#[test]
fn a_lock_path_that_logs_or_propagates_keeps_its_class() {
    let src = in_fn("let g = match self.inner.lock() { Ok(g) => g, Err(e) => { tracing::error!(\"poisoned: {e}\"); return Ok(()) } };");
    assert_eq!(one(&src), "logged");
    let src = in_fn("let g = self.inner.lock().map_err(|e| AppError::Poisoned(e.to_string()))?;");
    assert_eq!(one(&src), "propagated");
}

#[test]
fn reads_and_locks_that_are_not_std_locks_stay_findings() {
    for stmt in [
        // I/O with a buffer, a file read by path, an awaited call: not a `LockResult`.
        "let n = match file.read(&mut buf) { Ok(n) => n, Err(_) => 0 };",
        "let n = match store.read().await { Ok(n) => n, Err(_) => 0 };",
        "let n = match std::fs::read(path) { Ok(n) => n, Err(_) => Vec::new() };",
    ] {
        assert_eq!(one(&in_fn(stmt)), "unlogged-error", "{stmt}");
    }
    assert_eq!(one(&in_fn("file.lock_exclusive().ok();")), "swallowed-error");
}

// --- decided empty arms ---------------------------------------------------------------------

#[test]
fn an_empty_arm_on_named_variants_is_a_decision() {
    for stmt in [
        "match self.add(p) { Ok(()) | Err(AddError::KeyNotFound | AddError::BadKeyType) => {} }",
        "match self.add(p) { Ok(()) => {}, Err(AddError::KeyNotFound) => {}, Err(e) => return Err(e.into()) }",
        "if let Err(io::ErrorKind::NotFound) = remove(p) {}",
    ] {
        assert_eq!(
            labels(&in_fn(stmt)).first().map(String::as_str),
            Some("expected"),
            "{stmt}"
        );
    }
}

#[test]
fn an_empty_catch_all_arm_is_still_swallowed() {
    for stmt in [
        "match self.add(p) { Ok(()) | Err(_) => {} }",
        "match self.add(p) { Ok(()) | Err(AddError::KeyNotFound) | Err(_) => {} }",
        "match self.add(p) { Ok(()) => {}, Err(e) => {} }",
    ] {
        assert_eq!(one(&in_fn(stmt)), "swallowed-error", "{stmt}");
    }
}

// --- best-effort calls ----------------------------------------------------------------------

#[test]
fn best_effort_calls_are_not_discards() {
    for stmt in [
        "let _ = stream.set_nodelay(true);",
        "stream.set_read_timeout(Some(d)).ok();",
        "let _ = sock.set_write_timeout(None);",
        "let _ = sd_notify::notify(true, &[sd_notify::NotifyState::Ready]);",
        "let _ = sd_notify::notify_and_unset_env(&[sd_notify::NotifyState::Ready]);",
        "let _ = libsystemd::daemon::notify(false, &[NotifyState::Ready]);",
        "let _ = crossterm::terminal::disable_raw_mode();",
        "let _ = filetime::set_file_mtime(&path, mtime);",
        "let host = whoami::fallible::hostname().ok();",
        "let user = whoami::username().ok().unwrap_or_default();",
        "let _ = events_tx.blocking_send(ev);",
        "let _ = unsafe { libc::umask(before) };",
    ] {
        assert!(
            classify(&in_fn(stmt)).is_empty(),
            "{stmt}: {:?}",
            classify(&in_fn(stmt))
        );
    }
}

#[test]
fn a_removal_dropped_outright_is_cleanup_but_answered_it_is_judged() {
    for stmt in [
        "let _ = std::fs::remove_file(&tmp);",
        "let _ = tokio::fs::remove_dir_all(&dir).await;",
        "std::fs::remove_file(&socket_path).ok();",
        "match fs::remove_dir(path) { Ok(()) => {}, Err(_) => {} }",
    ] {
        assert!(
            classify(&in_fn(stmt)).is_empty(),
            "{stmt}: {:?}",
            classify(&in_fn(stmt))
        );
    }
    let src = in_fn(
        "match std::fs::remove_file(&path) { Ok(()) => Ok(()), Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR) }",
    );
    assert_eq!(one(&src), "silent-server-error");
    let src = in_fn("let removed = match std::fs::remove_file(&path) { Ok(()) => true, Err(_) => false };");
    assert_eq!(one(&src), "unlogged-error");
}

#[test]
fn look_alike_calls_stay_findings() {
    for stmt in [
        "let _ = stream.set_nonblocking(true);",
        "let _ = store.remove_file(&id).await;",
        "let _ = notify(&user).await;",
    ] {
        assert_eq!(one(&in_fn(stmt)), "swallowed-error", "{stmt}");
    }
}

// --- detached tasks -------------------------------------------------------------------------

const FALLIBLE: &str = "async fn serve_metrics(port: u16) -> Result<(), std::io::Error> { Ok(()) }\nasync fn tick() {}\nfn sync_job() -> anyhow::Result<()> { Ok(()) }\n";

#[test]
fn a_dropped_handle_of_a_fallible_task_loses_its_result() {
    for stmt in [
        "tokio::spawn(serve_metrics(9000));",
        "let _ = tokio::spawn(serve_metrics(9000));",
        "tokio::spawn(async move { serve_metrics(port).await });",
        "tokio::task::spawn_blocking(move || sync_job());",
        "std::thread::spawn(sync_job);",
        "tokio::spawn(async move { let v = load().await?; store(v).await?; Ok::<_, anyhow::Error>(()) });",
    ] {
        let src = format!("{FALLIBLE}{}", in_fn(stmt));
        let got = classify(&src);
        // `std::thread::spawn(sync_job)` hands over a function, not a call: nothing is known.
        let want: &[&str] = if stmt.contains("(sync_job)") {
            &[]
        } else {
            &["swallowed-error"]
        };
        assert_eq!(got.iter().map(|s| s.1.as_str()).collect::<Vec<_>>(), want, "{stmt}");
    }
}

#[test]
fn tasks_not_known_to_return_a_result_are_not_reported() {
    for stmt in [
        "tokio::spawn(tick());",
        "tokio::spawn(external::serve(9000));",
        "tokio::spawn(worker.run());",
        "tokio::spawn(async move { if let Err(e) = serve_metrics(1).await { tracing::error!(%e, \"metrics\") } });",
        "tokio::spawn(async move { loop { tick().await } });",
        "tokio::spawn(async move { let _x = 1; Ok::<_, anyhow::Error>(()) });",
        "let handle = tokio::spawn(serve_metrics(9000));",
        "tokio::spawn(serve_metrics(9000)).await??;",
    ] {
        let src = format!("{FALLIBLE}{}", in_fn(stmt));
        let got: Vec<_> = classify(&src).into_iter().filter(|s| s.1 != "logged").collect();
        assert!(got.is_empty(), "{stmt}: {got:?}");
    }
}

#[test]
fn a_task_that_logs_its_own_failures_has_left_a_trace() {
    let src = format!(
        "{}async fn handle_conn(s: Stream) -> Result<(), std::io::Error> {{\n let n = match s.peek().await {{ Ok(n) => n, Err(e) => {{ tracing::debug!(?e, \"closed early\"); return Err(e); }} }};\n Ok(())\n}}\n{}",
        FALLIBLE,
        in_fn("tokio::spawn(handle_conn(stream));")
    );
    let got: Vec<_> = classify(&src).into_iter().map(|s| s.1).collect();
    assert_eq!(
        got,
        ["propagated"],
        "only the logged, propagated arm in handle_conn is a site"
    );
    let silent = src.replace("tracing::debug!(?e, \"closed early\");", "");
    let got: Vec<_> = classify(&silent).into_iter().map(|s| s.1).collect();
    assert_eq!(got, ["propagated", "swallowed-error"]);
}

// --- Results inside macro calls that are not one expression list ----------------------------

#[test]
fn a_join_macro_with_a_pool_arrow_is_read_in_pieces() {
    let src = "async fn local_site(pool: &mut DbPool<'_>) -> LemmyResult<Data> {\n  let (site, allowed) = join_with_pool!(pool => (\n    |pool| async {\n      Ok(SiteView::read_local(pool).await.ok())\n    },\n    Instance::allowlist\n  ))?;\n  Ok(Data { site, allowed })\n}\n";
    assert_eq!(classify(src), [(4, "swallowed-error".to_string())]);
}

#[test]
fn a_per_backend_block_macro_is_read_in_pieces() {
    let src = "pub async fn find(code: &str, conn: &DbConn) -> Option<Auth> {\n    run_on! { conn: {\n        auth::table.filter(auth::code.eq(code)).first::<Auth>(conn).ok()\n    }}\n}\n\npub async fn version(conn: &DbConn) -> String {\n    run_on! { conn:\n        postgresql, mysql {\n            select_version().get_result::<String>(conn).unwrap_or_else(|_| \"Unknown\".to_owned())\n        }\n        sqlite {\n            let v = sqlite_version().get_result::<String>(conn);\n            match v { Ok(v) => v, Err(_) => String::new() }\n        }\n    }\n}\n";
    assert_eq!(
        classify(src),
        [
            (3, "swallowed-error".to_string()),
            (10, "unlogged-error".to_string()),
            (14, "unlogged-error".to_string())
        ]
    );
}

#[test]
fn values_of_a_json_like_macro_are_read() {
    let src = in_fn("let body = json!({ \"user\": users.find(id).await.ok(), \"tags\": [1, 2] });");
    assert_eq!(one(&src), "swallowed-error");
}

#[test]
fn each_piece_is_analysed_once() {
    // A piece that parses is not read again through its groups.
    let src = in_fn("with_conn!(conn => { let n = match count(conn) { Ok(n) => n, Err(_) => 0 }; n }, retry: 3);");
    assert_eq!(one(&src), "unlogged-error");
}

#[test]
fn token_templates_are_not_read_in_pieces() {
    for src in [
        "fn gen(x: &Ident) -> TokenStream { quote! { let _ = #x.send(); match load() { Ok(v) => v, Err(_) => 0 } } }\n",
        "fn gen(xs: &[Ident]) -> TokenStream { quote! { #(let _ = #xs.flush();)* fetch().ok() } }\n",
        "macro_rules! get { ($c:ident, $q:expr) => {{ let r = $q.first($c).ok(); match load() { Ok(v) => v, Err(_) => 0 } }}; }\n",
    ] {
        assert!(classify(src).is_empty(), "{src}: {:?}", classify(src));
    }
}

#[test]
fn attributes_inside_a_macro_do_not_make_it_a_template() {
    let src = "fn main() {\n  cfg_if! {\n    if #[cfg(unix)] {\n      let _ = install_handler();\n    } else {\n      fallback();\n    }\n  }\n}\n";
    assert_eq!(classify(src), [(4, "swallowed-error".to_string())]);
}

#[test]
fn a_macro_body_that_never_parses_is_read_to_a_bounded_depth() {
    // Groups that never parse are followed eight levels deep: each level reads its tokens a
    // few times, so the work stays linear however deep the body goes.
    let depth = 300;
    let mut body = String::from("x.ok()");
    for i in 0..depth {
        body = format!("k{i}: {{ step{i}().ok(); {body} }}");
    }
    let src = in_fn(&format!("weird!({body});"));
    let found = classify(&src).len();
    assert!((1..=9).contains(&found), "{found}");

    // Many pieces side by side are all read.
    let n = 5_000;
    let arms: String = (0..n).map(|i| format!("  db{i} {{ q{i}(conn).ok() }}\n")).collect();
    let src = in_fn(&format!("run_on! {{ conn:\n{arms}}}"));
    let sites = classify(&src);
    assert_eq!(sites.len(), n);
    assert!(sites.iter().all(|(_, c)| c == "swallowed-error"));
}

#[test]
fn the_error_formatted_into_a_response_body_is_only_a_message() {
    for tail in [
        "Json(ApiReply::error(e.to_string()))",
        "Ok(Json(ErrorBody { message: format!(\"lookup failed: {e}\") }))",
        "Html(format!(\"<p>{e}</p>\"))",
    ] {
        let src = in_fn(&format!(
            "let v = match db.load().await {{ Ok(v) => v, Err(e) => return {tail} }};"
        ));
        assert_eq!(one(&src), "unlogged-error", "{tail}");
    }
    // The error value itself in a body is still handed on, as before.
    let src = in_fn("let v = match db.load().await { Ok(v) => v, Err(e) => return Err(Json(e)) };");
    assert_eq!(one(&src), "propagated");
}

#[test]
fn a_reply_or_signal_sent_on_a_channel_is_not_a_discard() {
    for stmt in [
        "let _ = lmdb_writer_sx.send(Err(error));",
        "let _ = results.send(Ok(chunk));",
        "let _ = done.send(());",
        "search_request.try_send(Ok(permit)).ok();",
    ] {
        assert!(
            classify(&in_fn(stmt)).is_empty(),
            "{stmt}: {:?}",
            classify(&in_fn(stmt))
        );
    }
    // Anything else sent under another name is still judged.
    for stmt in [
        "let _ = mailer.send(message);",
        "let _ = client.send(Request::new(body)).await;",
    ] {
        assert_eq!(one(&in_fn(stmt)), "swallowed-error", "{stmt}");
    }
}
