//! `unlogged-error`: an error handled and ended without a log line.

use super::{Level, RuleInfo};
use crate::facts::{SiteFact, SiteKind};

pub const RULE: RuleInfo = RuleInfo {
    name: "unlogged-error",
    default_level: Level::Warn,
    counted: true,
    summary: "an error is handled and ends without a log line",
    doc: r#"## What it finds
An error path that receives an `Err` and ends there — a fallback value, `continue`, an early
`return` of a non-error, a `None` — when nothing on that path logs: an `Err(e) =>` arm, the
`else` of `if let Ok(..)` or of `let Ok(..) = .. else`, an `if let Err(..)` block, or the
closure of `.unwrap_or_else(..)`, `.or_else(..)`, `.map_or_else(..)`.

Paths that propagate the error (`?`, `return Err(..)`, `Err(AppError::from(e))`), that match a
specific error variant and turn it into a normal value or a 4xx response, or that log
(`tracing`, `log`, `slog`, a configured reporting function, an in-crate helper that always logs,
an earlier `.inspect_err(..)`) are not reported.

## Why it matters
When production misbehaves, the error that explains it was swallowed by a fallback: the service
answers, the dashboards stay green and nobody can tell why the data is wrong. Each such path is
counted as unlogged in the logging coverage.

## Example
```rust
let rate = match fetch_rate(&client).await {
    Ok(rate) => rate,
    Err(_) => 1.0,
};
```

## Use instead
```rust
let rate = match fetch_rate(&client).await {
    Ok(rate) => rate,
    Err(e) => {
        tracing::warn!(error = %e, "rate service unavailable, using 1.0");
        1.0
    }
};
```

## Options
`[logging] macros`, `[logging] functions` and `[logging] print` in `lint.toml` say what counts
as logging; `[discards] benign` lists calls whose errors are decided outcomes.
"#,
};

/// Message, label and help for an unlogged site.
pub fn describe(site: &SiteFact) -> (String, String, String) {
    let help_log =
        "log the error on this path, e.g. `tracing::warn!(error = %e, \"…\")`, or propagate it with `?`".to_string();
    match site.kind {
        SiteKind::MatchArm => (
            format!("`{}` arm handles the error without logging it", site.text),
            "the error ends here without a log line".into(),
            help_log,
        ),
        SiteKind::IfLetErr => (
            format!("`{}` handles the error without logging it", site.text),
            "the error ends in this block without a log line".into(),
            help_log,
        ),
        SiteKind::IfLetElse => (
            format!("the `else` of `{}` drops the error without logging it", site.text),
            "the error ends in this branch without a log line".into(),
            "bind the error with `match` (`Err(e) => …`) and log it there".into(),
        ),
        SiteKind::LetElse => (
            format!("`{}` drops the error without logging it", site.text),
            "the error ends in this branch without a log line".into(),
            "use `match` to bind the error and log it before giving up, or propagate it with `?`".into(),
        ),
        SiteKind::Test => (
            format!("`.{}()` tests the result and drops the error", site.detail),
            "the error is never looked at".into(),
            "bind the error with `if let Err(e) = …` or `match` and log it, or propagate it with `?`".into(),
        ),
        SiteKind::Combinator if site.detail == "unwrap_or" || site.detail == "unwrap_or_default" => (
            format!(
                "`.{}({})` replaces the error with a default without logging it",
                site.detail,
                if site.detail == "unwrap_or" { ".." } else { "" }
            ),
            "the error ends here without a log line".into(),
            "log it first with `.inspect_err(|e| tracing::warn!(error = %e, \"…\"))`, or propagate it with `?`".into(),
        ),
        SiteKind::DiscardOk => (
            "`.ok()` drops the error that another error replaces".into(),
            "the error ends here without a log line".into(),
            "log it first with `.inspect_err(|e| tracing::warn!(error = %e, \"…\"))`, or convert it into the new error instead of dropping it".into(),
        ),
        _ => (
            format!("`.{}(..)` replaces the error without logging it", site.detail),
            "the error ends in this closure without a log line".into(),
            "log it in the closure (`|e| { tracing::warn!(error = %e, \"…\"); … }`) or add `.inspect_err(..)` before it".into(),
        ),
    }
}
