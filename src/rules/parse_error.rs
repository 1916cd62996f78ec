//! `parse-error`: a file that could not be read or parsed, and so was not analysed.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::FileError;
use crate::rule::{self, Rule};

pub const RULE: &Rule = &rule::PARSE_ERROR;

/// The `parse-error` of a file that was not analysed.
pub fn diagnostic(path: &str, err: &FileError, severity: Severity) -> Diagnostic {
    let help = match err {
        FileError::Internal(_) => "this is a bug in obsdebt: please report it",
        FileError::Parse { .. } => {
            "fix the syntax, or add the file to `[files] exclude` in lint.toml if it is not Rust"
        }
        FileError::Utf8(_) => "save the file as UTF-8, or exclude it in lint.toml",
        FileError::Io(_) => "check the file's permissions, or exclude it in lint.toml",
        FileError::TooLarge(_) => "exclude it in lint.toml (`[files] exclude`); files this large are usually generated",
    };
    Diagnostic::new(
        RULE,
        severity,
        path,
        err.span(),
        err.message(),
        "obsdebt stopped reading here",
        err.message(),
    )
    .with_help(help)
}
