//! `log-without-error`: an error path that logs, but not the error.

use crate::facts::{SiteFact, SiteKind};
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::LOG_WITHOUT_ERROR;

/// Message, label and help for a logged site whose log lines leave the error out.
pub fn describe(site: &SiteFact) -> (String, String, String) {
    let field = |name: &str| format!("add it to the log line, e.g. `tracing::warn!(error = %{name}, \"…\")`");
    match (&site.binding, site.kind) {
        (Some(name), _) => (
            format!("`{}` logs, but not the error `{name}`", site.text),
            format!("no log line on this path mentions `{name}`"),
            field(name),
        ),
        (None, SiteKind::IfLetElse) => (
            format!(
                "the `else` of `{}` logs without the error, which it never binds",
                site.text
            ),
            "the log line here cannot say why it failed".into(),
            "bind the error with `match` (`Err(e) => …`) and add it to the log line".into(),
        ),
        (None, SiteKind::LetElse) => (
            format!("`{}` logs without the error, which it never binds", site.text),
            "the log line here cannot say why it failed".into(),
            "bind the error with `match` (`Err(e) => …`) and add it to the log line".into(),
        ),
        (None, SiteKind::Test) => (
            format!("`.{}()` tests the result, then logs without the error", site.detail),
            "the log line here cannot say why it failed".into(),
            "bind the error with `if let Err(e) = …` and add it to the log line".into(),
        ),
        (None, SiteKind::MatchArm) => (
            format!("`{}` arm drops the error, then logs without it", site.text),
            "the error is not bound, so no log line can say why it failed".into(),
            format!("bind it (`Err(e)`) and {}", field("e")),
        ),
        (None, _) => (
            format!("`{}` drops the error, then logs without it", site.text),
            "the error is not bound, so no log line can say why it failed".into(),
            format!("bind it (`Err(e)`, `|e|`) and {}", field("e")),
        ),
    }
}
