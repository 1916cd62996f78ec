//! `engine-in-handler`: a database pool, HTTP client, cache or broker client built on a path
//! that runs on every request.

use super::{Level, RuleInfo};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::knowledge::Handlers;
use crate::resolve::names::Names;
use crate::resolve::requests::EngineFinding;

pub const RULE: RuleInfo = RuleInfo {
    name: "engine-in-handler",
    default_level: Level::Error,
    counted: false,
    summary: "a database pool, HTTP client, cache or broker client is built on every request",
    doc: r#"## What it finds
A constructor of an *engine* — a database pool or connection, an HTTP client (reqwest, hyper,
awc, ureq, ...), an SDK client that owns one (stripe, S3, OpenAI, AWS, ...), a tonic channel,
redis, mongodb, an SMTP transport, a broker client — called inside a request handler or
middleware, or inside any workspace function they call, directly or through helpers, across
modules and crates, through methods on typed values (`data: web::Data<Db>`), trait impls and
`#[cfg]` alternatives. A builder counts where it is made when it is finished later or by a
helper's caller. An engine built inside a workspace crate without handlers is reported where the
service calls it. The diagnostic shows the chain from the handler
(`POST /users create_user → db::connect → PgPoolOptions::connect`) and how many handlers reach it.

Handlers are found from route attributes (`#[get("/")]`, `#[handler]`), routing calls
(`get(h)`, `.route("/p", post(h))`, `web::get().to(h)`, `.service(h)`, `routes![h]`, warp's
`.and_then(h)`), tonic service impls, middleware (`wrap_fn`, `from_fn`, `Service::call`,
fairings, interceptors, request extractors), and `async fn`s taking a framework's extractors
(`State`, `Json`, `web::Data`, ...). Code that runs once is not per-request: `main`, `#[tokio::main]`,
`#[launch]`, functions only reached from there, and the initialisers of `OnceLock`/`OnceCell`
`get_or_init`, `LazyLock`/`Lazy::new`, `lazy_static!`, `thread_local!`. Constructors match on
the path a call resolves to: your own `Client::new()` is not reqwest's.

## Why it matters
An engine owns a connection pool, TLS sessions and background tasks. Built per request, every
request opens new connections: latency grows, the database's connection limit is reached and
the service falls over under load. reqwest's documentation says to create one `Client` and reuse
it, since it holds a connection pool internally; sqlx's `Pool` is meant to be created once at
start-up and cloned cheaply into handlers.

## Example
```rust
async fn create_user(Json(new): Json<NewUser>) -> Result<Json<User>, AppError> {
    let pool = PgPoolOptions::new().connect(&std::env::var("DATABASE_URL")?).await?;
    Ok(Json(insert_user(&pool, new).await?))
}
```

## Use instead
```rust
async fn create_user(State(pool): State<PgPool>, Json(new): Json<NewUser>) -> Result<Json<User>, AppError> {
    Ok(Json(insert_user(&pool, new).await?))
}
// in main: let pool = PgPoolOptions::new().connect(&url).await?;
//          let app = Router::new().route("/users", post(create_user)).with_state(pool);
```
actix-web: `App::app_data(web::Data::new(pool))`; rocket: `.manage(pool)` and `&State<PgPool>`;
tonic: a field of the service struct; anywhere: a `static CLIENT: LazyLock<Client>`.

## Options
`[engines] constructors = ["my_db::Pool::connect", "acme::Client::builder().build"]` adds
constructors; `[handlers] functions = ["crate::api::*"]` marks handlers of a framework obsdebt
does not know. Both in `lint.toml`.
"#,
};

/// `create_user` or `create_user (POST /users)`.
fn handler_label(names: &Names, id: usize, route: Option<&str>) -> String {
    let name = names.fact(id).name.clone();
    match route {
        Some(r) => format!("`{name}` ({r})"),
        None => format!("`{name}`"),
    }
}

/// Builds the diagnostic for one finding; `path_of(file)` is a file's displayed path.
pub fn diagnostic(
    f: &EngineFinding,
    names: &Names,
    routes: &dyn Fn(usize) -> (Option<String>, Option<String>),
    path_of: &dyn Fn(usize) -> String,
    handlers: &Handlers,
    severity: Severity,
) -> Diagnostic {
    let engine = &f.site;
    let (route, framework) = routes(f.handler);
    let handler = handler_label(names, f.handler, route.as_deref());
    let mut related = Vec::new();
    let handler_fact = names.fact(f.handler);
    related.push(Related {
        path: path_of(names.fns[f.handler].file),
        span: handler_fact.span,
        message: format!("handler {handler}"),
    });
    let mut arrow = Vec::new();
    if let Some(r) = &route {
        arrow.push(r.clone());
    }
    arrow.push(handler_fact.name.clone());
    let mut chain_text = vec![handler_fact.name.clone()];
    for step in &f.chain {
        let caller = names.fact(step.caller);
        let calls = caller.calls.read();
        let call = &calls[step.call];
        related.push(Related {
            path: path_of(names.fns[step.caller].file),
            span: call.span,
            message: format!("`{}` calls `{}`", caller.name, call.text),
        });
        chain_text.push(if step.of > 1 {
            format!("{} (one of {})", call.text, step.of)
        } else {
            call.text.clone()
        });
    }
    chain_text.push(engine.text.clone());
    if let Some((wf, site)) = &f.inside {
        chain_text.push(site.text.clone());
        related.push(Related {
            path: path_of(names.fns[*wf].file),
            span: site.span,
            message: format!("`{}` builds it here", names.fact(*wf).name),
        });
    }
    let mut notes = vec![format!(
        "{} {}",
        arrow.first().filter(|_| route.is_some()).cloned().unwrap_or_default(),
        chain_text.join(" → ")
    )
    .trim()
    .to_string()];
    let others = &f.handlers[1..];
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(3)
            .map(|&h| handler_label(names, h, routes(h).0.as_deref()))
            .collect();
        let more = others.len().saturating_sub(3);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        notes.push(format!("also reached from {}{tail}", shown.join(", ")));
        for &h in others.iter().take(3) {
            related.push(Related {
                path: path_of(names.fns[h].file),
                span: names.fact(h).span,
                message: format!(
                    "also reached from handler {}",
                    handler_label(names, h, routes(h).0.as_deref())
                ),
            });
        }
    }
    let advice = framework
        .as_deref()
        .and_then(|name| handlers.framework(name))
        .map(|fw| fw.advice.clone())
        .unwrap_or_else(|| "build it once at start-up and share it (application state, or a `LazyLock`)".to_string());
    let reach = if f.handlers.len() > 1 {
        format!(" ({} handlers reach it)", f.handlers.len())
    } else {
        String::new()
    };
    Diagnostic {
        rule: RULE.name,
        severity,
        message: format!("`{}` builds {} on every request{reach}", engine.text, engine.builds),
        label: format!("built per request: reached from handler {handler}"),
        help: Some(advice),
        path: path_of(names.fns[f.function].file),
        span: engine.span,
        related,
        notes,
        site_text: engine.text.clone(),
        fingerprint: String::new(),
    }
}
