//! The rule registry: every rule's name, default level, category, whether its sites count in
//! logging coverage, and its documentation. A leaf module: diagnostics, configuration, printers,
//! coverage and suppressions read it; what each rule reports is built in `src/rules/`.
//! A rule's documentation is the Markdown file beside its code (`src/rules/NAME.md`): what
//! `obsdebt rule NAME` prints, and the source of `docs/rules/NAME.md`.

/// How loud a rule is: off, a warning, or an error.
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
}

/// What a rule is about: the section a report lists it in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Error paths that end without a log line (logging coverage).
    ErrorPaths,
    /// Engines built per request.
    Engines,
    /// Configuration defined in several places.
    Config,
    /// About obsdebt's own run: files it could not read, suppressions, its failures.
    Tool,
}

/// How a rule's sites count in logging coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Its sites are unlogged ones: with every such rule off, there is no coverage to show.
    Unlogged,
    /// Its sites are logged ones, counted as logged whatever the rule's level.
    Logged,
    /// Not in coverage.
    No,
}

impl Counted {
    /// As the rules table says it: `yes`, `as logged`, `no`.
    pub fn as_str(self) -> &'static str {
        match self {
            Counted::Unlogged => "yes",
            Counted::Logged => "as logged",
            Counted::No => "no",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub name: &'static str,
    pub default_level: Level,
    pub category: Category,
    /// How its sites count in logging coverage.
    pub counted: Counted,
    /// One line: what it finds.
    pub summary: &'static str,
    /// The user documentation: What it finds / Why it matters / Example / Use instead / Options.
    pub doc: &'static str,
}

pub static UNLOGGED_ERROR: Rule = Rule {
    name: "unlogged-error",
    default_level: Level::Warn,
    category: Category::ErrorPaths,
    counted: Counted::Unlogged,
    summary: "an error is handled and ends without a log line",
    doc: include_str!("rules/unlogged_error.md"),
};

pub static SWALLOWED_ERROR: Rule = Rule {
    name: "swallowed-error",
    default_level: Level::Warn,
    category: Category::ErrorPaths,
    counted: Counted::Unlogged,
    summary: "an error is discarded: `.ok()`, `let _ =`, an empty `Err` arm, `if let Ok` without `else`",
    doc: include_str!("rules/swallowed_error.md"),
};

pub static SILENT_SERVER_ERROR: Rule = Rule {
    name: "silent-server-error",
    default_level: Level::Warn,
    category: Category::ErrorPaths,
    counted: Counted::Unlogged,
    summary: "a 5xx response is built on a path that does not log the cause",
    doc: include_str!("rules/silent_server_error.md"),
};

pub static LOG_WITHOUT_ERROR: Rule = Rule {
    name: "log-without-error",
    default_level: Level::Warn,
    category: Category::ErrorPaths,
    counted: Counted::Logged,
    summary: "an error path logs, but its log line never mentions the error",
    doc: include_str!("rules/log_without_error.md"),
};

pub static ENGINE_IN_HANDLER: Rule = Rule {
    name: "engine-in-handler",
    default_level: Level::Error,
    category: Category::Engines,
    counted: Counted::No,
    summary: "a database pool, HTTP client, cache or broker client is built on every request",
    doc: include_str!("rules/engine_in_handler.md"),
};

pub static DUPLICATED_CONFIG: Rule = Rule {
    name: "duplicated-config",
    default_level: Level::Warn,
    category: Category::Config,
    counted: Counted::No,
    summary: "one configuration value or environment variable is defined or read in several places",
    doc: include_str!("rules/duplicated_config.md"),
};

pub static CONFLICTING_CONFIG: Rule = Rule {
    name: "conflicting-config",
    default_level: Level::Error,
    category: Category::Config,
    counted: Counted::No,
    summary: "one environment variable, configuration key or redefined constant has different values or defaults",
    doc: include_str!("rules/conflicting_config.md"),
};

pub static PARSE_ERROR: Rule = Rule {
    name: "parse-error",
    default_level: Level::Error,
    category: Category::Tool,
    counted: Counted::No,
    summary: "a file could not be read or parsed and was not analysed",
    doc: include_str!("rules/parse_error.md"),
};

pub static UNUSED_SUPPRESSION: Rule = Rule {
    name: "unused-suppression",
    default_level: Level::Warn,
    category: Category::Tool,
    counted: Counted::No,
    summary: "a suppression comment suppresses nothing, names an unknown rule or is malformed",
    doc: include_str!("rules/unused_suppression.md"),
};

pub static INTERNAL_ERROR: Rule = Rule {
    name: "internal-error",
    default_level: Level::Error,
    category: Category::Tool,
    counted: Counted::No,
    summary: "obsdebt itself failed while analysing a file; the rest of the run is unaffected",
    doc: include_str!("rules/internal_error.md"),
};

/// Every rule, in the order `obsdebt rules` lists them.
pub static ALL: &[&Rule] = &[
    &UNLOGGED_ERROR,
    &SWALLOWED_ERROR,
    &SILENT_SERVER_ERROR,
    &LOG_WITHOUT_ERROR,
    &ENGINE_IN_HANDLER,
    &DUPLICATED_CONFIG,
    &CONFLICTING_CONFIG,
    &PARSE_ERROR,
    &UNUSED_SUPPRESSION,
    &INTERNAL_ERROR,
];

pub fn find(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.name == name)
}

pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|r| r.name).collect()
}

/// A rule's name, as the registry defines it. Written as an alias so that serde reads it with
/// [`deserialize_name`] (a known name, from owned input) instead of borrowing from the input.
pub type RuleName = &'static str;

/// Reads a rule name back (a cached report): only a known rule's name is accepted.
pub fn deserialize_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = <String as serde::Deserialize>::deserialize(d)?;
    find(&name)
        .map(|r| r.name)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown rule `{name}`")))
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
