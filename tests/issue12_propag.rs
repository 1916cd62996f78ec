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
