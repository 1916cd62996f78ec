//! `unused-suppression`: an `obsdebt: allow(..)` comment that suppresses nothing, names an
//! unknown rule, or cannot be read.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule::{self, Level, Rule};
use crate::suppress::Suppression;

pub const RULE: &Rule = &rule::UNUSED_SUPPRESSION;

/// The file's suppressions that suppress nothing (`used` says which did), name an unknown rule
/// or cannot be read. A suppression of rules that are all off is not judged.
pub fn check(sups: &[Suppression], used: &[bool], path: &str, severity: Severity, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (s, &was_used) in sups.iter().zip(used) {
        let message = if let Some(problem) = &s.malformed {
            format!("malformed suppression: {problem}")
        } else if let Some(unknown) = s.rules.iter().find(|r| rule::find(r).is_none()) {
            format!("suppression names unknown rule `{unknown}`")
        } else if was_used {
            continue;
        } else if s.rules.iter().all(|r| config.level(r) == Level::Off) {
            // Rules that are off are not checked, so their suppressions are not judged either.
            continue;
        } else {
            let target = if s.file_level {
                "in this file".to_string()
            } else {
                format!("on line {}", s.target_line)
            };
            format!("unused suppression: no `{}` finding {target}", s.rules.join("`, `"))
        };
        let help = if s.malformed.is_some() {
            "write it as `// obsdebt: allow(rule-name) -- reason`".to_string()
        } else {
            format!("remove it, or name one of: {}", rule::names().join(", "))
        };
        out.push(
            Diagnostic::new(
                RULE,
                severity,
                path,
                s.span,
                message,
                "this suppression",
                format!("{:?}", s.rules),
            )
            .with_help(help),
        );
    }
    out
}
