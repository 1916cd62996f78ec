//! What each rule reports: one file per rule, which turns resolved facts into its diagnostics.
//! The rules' names, levels and documentation are in the registry, `crate::rule`.

pub mod conflicting_config;
pub mod duplicated_config;
pub mod engine_in_handler;
pub mod fix;
pub mod internal_error;
pub mod log_without_error;
pub mod parse_error;
pub mod silent_server_error;
pub mod swallowed_error;
pub mod unlogged_error;
pub mod unused_suppression;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::SiteFact;
use crate::resolve::names::Names;
use crate::resolve::requests::PerRequest;
use crate::rule::{RuleName, LOG_WITHOUT_ERROR, SILENT_SERVER_ERROR, SWALLOWED_ERROR, UNLOGGED_ERROR};
use crate::walk;

/// What one world (Cargo workspace) resolved, for the rules that read it whole.
pub struct World<'a> {
    pub names: &'a Names<'a>,
    pub per_request: &'a PerRequest,
    /// Configuration groups; their members' files are already the run's indices.
    pub config: &'a crate::resolve::config::Config,
    /// The world's files, by the run's file index (`names` counts files in this list).
    pub files: &'a [usize],
}

/// The diagnostics of the rules that read a whole world, each with the run's index of the file
/// it belongs to. A rule of this kind is added here.
pub fn world_diagnostics(world: &World, config: &Config, walked: &walk::Walk) -> Vec<(usize, Diagnostic)> {
    let mut out = engine_in_handler::check(world.names, world.per_request, config, walked, world.files);
    out.extend(duplicated_config::check(world.config, config, walked));
    out.extend(conflicting_config::check(world.config, config, walked));
    out
}

/// Builds the diagnostic of `rule` for an unlogged site (or one logged without its error) in the file shown as `path` (the rule
/// the logging analysis classified it under). `function` is the enclosing function's name.
pub fn site_diagnostic(
    site: &SiteFact,
    rule: RuleName,
    function: Option<&str>,
    path: &str,
    severity: Severity,
    style: fix::LogStyle,
) -> Diagnostic {
    let (rule, (message, label, help)) = match rule {
        r if r == SILENT_SERVER_ERROR.name => (&SILENT_SERVER_ERROR, silent_server_error::describe(site)),
        r if r == SWALLOWED_ERROR.name => (&SWALLOWED_ERROR, swallowed_error::describe(site)),
        r if r == LOG_WITHOUT_ERROR.name => (&LOG_WITHOUT_ERROR, log_without_error::describe(site)),
        _ => (&UNLOGGED_ERROR, unlogged_error::describe(site)),
    };
    // The enclosing function keeps fingerprints apart across functions, so a new identical
    // site elsewhere does not shift the occurrence index of this one.
    let site_text = format!("{}|{}", function.unwrap_or(""), site.text);
    let fix = if rule.name == LOG_WITHOUT_ERROR.name {
        fix::add_error(site, style)
    } else {
        fix::insert_log(site, style)
    };
    Diagnostic::new(rule, severity, path, site.span, message, label, site_text)
        .with_help(help)
        .with_fix(fix)
}
