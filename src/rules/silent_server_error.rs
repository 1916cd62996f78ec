//! `silent-server-error`: a 5xx response built on a path that does not log.

use super::{Level, RuleInfo};
use crate::facts::{Outcome, SiteFact, SiteKind};

pub const RULE: RuleInfo = RuleInfo {
    name: "silent-server-error",
    default_level: Level::Warn,
    counted: true,
    summary: "a 5xx response is built on a path that does not log the cause",
    doc: r#"## What it finds
An error path that answers with a server error — `StatusCode::INTERNAL_SERVER_ERROR`,
`HttpResponse::InternalServerError()`, rocket's `Status::InternalServerError`,
`tonic::Status::internal(..)`, actix's `ErrorInternalServerError(..)`, poem's
`InternalServerError(..)`, 502 and 504, and 503 inside an error path — when nothing on the path
logs. A 500 built outside any error path (for example in an error type's `IntoResponse` impl) is
checked against its enclosing block, and against the statements before it. A 5xx built from a
number (`.status(500)`, `StatusCode::from_u16(502)`) counts the same.

Not reported: a 5xx on a path that a middleware of the service logs with its cause
(tracing-actix-web's `TracingLogger`, sentry's actix integration, or a workspace `Service`
whose `call` logs the failed response's error or `Status` message at error level); a method
that only maps an error's variants to codes (`fn error_code(&self) -> Code`); a library (no
binary in its workspace and no route handler), which returns the 5xx to its caller; generated
files, build scripts and procedural macros. A layer that logs only the status line
(tower-http's `TraceLayer`, actix-web's `Logger`) does not log the cause: the finding stays,
and its help says how to have the cause recorded.

## Why it matters
The client gets a 500 and the operator gets nothing: access logs show the status, but not the
database timeout or the panic that caused it. This is the most expensive kind of unlogged error
to debug.

## Example
```rust
async fn create_user(State(db): State<PgPool>, Json(new): Json<NewUser>) -> StatusCode {
    match insert_user(&db, &new).await {
        Ok(_) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
```

## Use instead
```rust
    match insert_user(&db, &new).await {
        Ok(_) => StatusCode::CREATED,
        Err(e) => {
            tracing::error!(error = %e, "insert_user failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
```
or convert into an error type whose `IntoResponse`/`ResponseError` impl logs, once for all
handlers.

## Options
The 5xx constructors are listed in obsdebt's `rules/logging.toml` (`[status]`); what counts as
logging is configured under `[logging]` in `lint.toml`.
"#,
};

/// The help when the service installs a layer that logs only the status (`help`, which names
/// it and says how to have the cause logged).
pub fn name_the_layer(d: &mut crate::diagnostic::Diagnostic, help: &str) {
    if d.rule == RULE.name {
        d.help = Some(help.to_string());
    }
}

pub fn describe(site: &SiteFact) -> (String, String, String) {
    let status = match &site.outcome {
        Outcome::ServerError(s) => s.clone(),
        _ => "a 5xx".into(),
    };
    let help = "log the cause before responding (`tracing::error!(error = %e, \"…\")`), or do it once in the error type's `IntoResponse`/`ResponseError` impl".to_string();
    let message = match site.kind {
        SiteKind::ServerError => format!("`{status}` is returned without logging the cause"),
        SiteKind::Combinator => format!(
            "`.{}(..)` turns the error into `{status}` without logging it",
            site.detail
        ),
        SiteKind::IfLetElse | SiteKind::LetElse => {
            format!(
                "the `else` of `{}` answers `{status}` without logging the error",
                site.text
            )
        }
        _ => format!("`{}` answers `{status}` without logging the error", site.text),
    };
    (message, "5xx response on a path with no log line".into(), help)
}
