//! `swallowed-error`: an error discarded outright.

use crate::facts::{SiteFact, SiteKind};
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::SWALLOWED_ERROR;

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
