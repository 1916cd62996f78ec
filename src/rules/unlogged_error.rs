//! `unlogged-error`: an error handled and ended without a log line.

use crate::facts::{SiteFact, SiteKind};
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::UNLOGGED_ERROR;

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
