//! `swallowed-error`: an error discarded outright.

use super::{Level, RuleInfo};
use crate::facts::{SiteFact, SiteKind};

pub const RULE: RuleInfo = RuleInfo {
    name: "swallowed-error",
    default_level: Level::Warn,
    counted: true,
    summary: "an error is discarded: `.ok()`, `let _ =`, an empty `Err` arm, `if let Ok` without `else`",
    doc: r#"## What it finds
Places where an `Err` vanishes without being looked at: `.ok()`, `let _ = call()` and
`_ = call()`, an empty `Err(_) => {}` arm or `if let Err(..) {}` block, `if let Ok(..)`
without an `else`, and a task started with `tokio::spawn(f(..))` (or `spawn_blocking`,
`thread::spawn`) whose handle is dropped, when `f` is a workspace function that returns a
`Result` and logs none of its errors.

Benign discards are not reported: optional configuration (`std::env::var(..).ok()`), sends on
channels whose receiver may be gone (`let _ = tx.send(..)`), `write!` into a `String`, best-effort
calls (socket tweaks such as `set_nodelay`, `sd_notify`, restoring the terminal, file metadata,
host and user name probes, and file removals whose error is dropped outright), and the rest of
the list in obsdebt's `rules/logging.toml`. A poisoned lock (`m.lock().ok()`) carries no cause
beyond the panic already printed, and an empty arm on named variants
(`Err(NotFound | Invalid) => {}`) is a decision: neither is reported. A `let _ =` of an
in-workspace function that does not return a `Result` is not a discard. An earlier
`.inspect_err(..)` that logs makes the discard logged.

## Why it matters
A discarded error leaves no trace at all: the write that did not happen, the message that was not
sent, the cache that was not refreshed. Each discard counts as unlogged in the logging coverage.

## Example
```rust
let _ = audit_log.record(&event).await;
let user = cache.get(&id).await.ok();
```

## Use instead
```rust
if let Err(e) = audit_log.record(&event).await {
    tracing::warn!(error = %e, "audit record lost");
}
let user = cache.get(&id).await
    .inspect_err(|e| tracing::debug!(error = %e, "cache miss on error"))
    .ok();
```

## Options
`[discards] benign` in `lint.toml` adds benign discards: `"path::to::fn"`, `"receiver.method"`
(a glob on the receiver's name, e.g. `"*cache.invalidate"`) or `"macro!"`. A deliberate discard
can also be marked in place: `// obsdebt: allow(swallowed-error) -- <why>`.
"#,
};

pub fn describe(site: &SiteFact) -> (String, String, String) {
    let suppress = "if ignoring it is deliberate, say why: `// obsdebt: allow(swallowed-error) -- <reason>`";
    match site.kind {
        SiteKind::DiscardOk if site.detail == "ok().ok_or" => (
            "`.ok().ok_or(..)` replaces the error with another one and drops it".into(),
            "the error is dropped here".into(),
            format!("log it first with `.inspect_err(|e| tracing::warn!(error = %e, \"…\"))`, or map it with `.map_err(..)` so it travels on; {suppress}"),
        ),
        SiteKind::Combinator if site.detail == "unwrap_or" => (
            "`.unwrap_or(())` discards the error".into(),
            "the error is dropped here".into(),
            format!("log it first with `.inspect_err(|e| tracing::warn!(error = %e, \"…\"))`; {suppress}"),
        ),
        SiteKind::DiscardOk => (
            "`.ok()` discards the error".into(),
            "the error is dropped here".into(),
            format!("log it first with `.inspect_err(|e| tracing::warn!(error = %e, \"…\"))`, or handle it with `match`; {suppress}"),
        ),
        SiteKind::DiscardLet => (
            format!("`let _ =` discards the error of `{}`", site.detail),
            "the result, and its error, is dropped here".into(),
            format!("handle or log the error (`if let Err(e) = … {{ tracing::warn!(…) }}`); {suppress}"),
        ),
        SiteKind::DiscardIfLet => (
            format!("`{}` without `else` discards the error", site.text),
            "the `Err` case is ignored".into(),
            format!("add an `else` branch that logs the error, or use `match`; {suppress}"),
        ),
        SiteKind::DetachedTask => (
            format!("the `Result` of the task `{}` spawns is dropped with its handle", site.text),
            format!("`{}` returns a `Result` that nobody reads", site.detail),
            format!("log the error inside the task (`if let Err(e) = … {{ tracing::error!(…) }}`), or keep the handle and check what it returns; {suppress}"),
        ),
        SiteKind::Combinator => (
            format!("`.{}(..)` discards the error", site.detail),
            "the error is dropped in this closure".into(),
            format!("log the error in the closure; {suppress}"),
        ),
        _ => (
            format!("empty `{}` discards the error", site.text),
            "nothing happens with the error here".into(),
            format!("log the error in this branch; {suppress}"),
        ),
    }
}
