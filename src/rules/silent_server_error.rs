//! `silent-server-error`: a 5xx response built on a path that does not log.

use crate::facts::{Outcome, SiteFact, SiteKind};
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::SILENT_SERVER_ERROR;

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
