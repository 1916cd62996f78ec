//! `internal-error`: obsdebt failed on a file or a phase — a bug in obsdebt, never in your code.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::FileError;
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::INTERNAL_ERROR;

/// Set to a path fragment to make the analysis of matching files panic (`collect:FRAGMENT`) or
/// their report (`report:FRAGMENT`), or to a format name to make its printer panic
/// (`print:full`): lets the tests prove that a panic stays contained.
pub const INJECT_ENV: &str = "OBSDEBT_INJECT_PANIC";

pub fn inject(phase: &str, path: &str) {
    if let Some(spec) = std::env::var_os(INJECT_ENV) {
        let spec = spec.to_string_lossy();
        if let Some(fragment) = spec.strip_prefix(phase).and_then(|s| s.strip_prefix(':')) {
            if !fragment.is_empty() && path.contains(fragment) {
                panic!("injected panic ({INJECT_ENV}) in the {phase} phase");
            }
        }
    }
}

/// The `internal-error` of a file obsdebt failed on (always reported: the level cannot be off).
pub fn diagnostic(path: &str, err: &FileError) -> Diagnostic {
    Diagnostic::new(
        RULE,
        Severity::Error,
        path,
        err.span(),
        err.message(),
        "this file was not analysed",
        "internal-error",
    )
    .with_help(format!(
        "this is a bug in obsdebt: please report it with this file at {}/issues; until then, `[files] exclude` it",
        crate::report::HOMEPAGE
    ))
}
