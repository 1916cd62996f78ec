//! The rules: their names, default levels and documentation, and the diagnostics they build.
//! One file per rule; each file's `RULE.doc` is the text `obsdebt rule NAME` prints.

pub mod conflicting_config;
pub mod duplicated_config;
pub mod engine_in_handler;
pub mod internal_error;
pub mod parse_error;
pub mod silent_server_error;
pub mod swallowed_error;
pub mod unlogged_error;
pub mod unused_suppression;

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::SiteFact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Off,
    Warn,
    Error,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "off" | "allow" => Some(Level::Off),
            "warn" | "warning" => Some(Level::Warn),
            "error" | "deny" => Some(Level::Error),
            _ => None,
        }
    }

    /// As written in `lint.toml`: `off`, `warn`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Warn => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

pub struct RuleInfo {
    pub name: &'static str,
    pub default_level: Level,
    /// Its sites count in logging coverage.
    pub counted: bool,
    /// One line: what it finds.
    pub summary: &'static str,
    /// The user documentation: What it finds / Why it matters / Example / Use instead / Options.
    pub doc: &'static str,
}

pub static ALL: &[&RuleInfo] = &[
    &unlogged_error::RULE,
    &swallowed_error::RULE,
    &silent_server_error::RULE,
    &engine_in_handler::RULE,
    &duplicated_config::RULE,
    &conflicting_config::RULE,
    &parse_error::RULE,
    &unused_suppression::RULE,
    &internal_error::RULE,
];

pub fn find(name: &str) -> Option<&'static RuleInfo> {
    ALL.iter().copied().find(|r| r.name == name)
}

/// A rule's name, as the rules define it. Written as an alias so that serde reads it with
/// [`deserialize_name`] (a known name, from owned input) instead of borrowing from the input.
pub type RuleName = &'static str;

/// Reads a rule name back (a cached report): only a known rule's name is accepted.
pub fn deserialize_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(d)?;
    find(&name)
        .map(|r| r.name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{name}`")))
}

pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|r| r.name).collect()
}

/// The rule that reports an unlogged error-path site: the most specific one.
pub fn rule_for_site(site: &SiteFact) -> &'static RuleInfo {
    use crate::facts::{Outcome, SiteKind};
    match site.outcome {
        Outcome::ServerError(_) => &silent_server_error::RULE,
        Outcome::Discarded => &swallowed_error::RULE,
        // `.ok().ok_or(..)`: the `.ok()` drops the error another one replaces.
        _ if site.kind == SiteKind::DiscardOk => &swallowed_error::RULE,
        _ => &unlogged_error::RULE,
    }
}

/// Builds the diagnostic for an unlogged site in the file shown as `path`.
/// `function` is the enclosing function's name, which keeps fingerprints apart across functions.
pub fn site_diagnostic(site: &SiteFact, function: Option<&str>, path: &str, severity: Severity) -> Diagnostic {
    let rule = rule_for_site(site);
    let (message, label, help) = match rule.name {
        "silent-server-error" => silent_server_error::describe(site),
        "swallowed-error" => swallowed_error::describe(site),
        _ => unlogged_error::describe(site),
    };
    Diagnostic {
        rule: rule.name,
        severity,
        message,
        label,
        help: Some(help),
        path: path.to_string(),
        span: site.span,
        related: Vec::new(),
        notes: Vec::new(),
        // The enclosing function keeps fingerprints apart across functions, so a new identical
        // site elsewhere does not shift the occurrence index of this one.
        site_text: format!("{}|{}", function.unwrap_or(""), site.text),
        fingerprint: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_documented_with_the_fixed_headings() {
        for rule in ALL {
            for heading in [
                "## What it finds",
                "## Why it matters",
                "## Example",
                "## Use instead",
                "## Options",
            ] {
                assert!(rule.doc.contains(heading), "{} lacks `{heading}`", rule.name);
            }
            assert!(
                !rule.summary.ends_with('.'),
                "{}: summary ends with a period",
                rule.name
            );
        }
    }

    #[test]
    fn rule_names_are_kebab_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for rule in ALL {
            assert!(
                rule.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
            assert!(seen.insert(rule.name), "duplicate rule {}", rule.name);
        }
    }
}
