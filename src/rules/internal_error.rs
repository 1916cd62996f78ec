//! `internal-error`: obsdebt failed on a file or a phase — a bug in obsdebt, never in your code.

use super::{Level, RuleInfo};

pub const RULE: RuleInfo = RuleInfo {
    name: "internal-error",
    default_level: Level::Error,
    counted: false,
    summary: "obsdebt itself failed while analysing a file; the rest of the run is unaffected",
    doc: r#"## What it finds
A panic inside obsdebt while it analysed one file (or one workspace-wide phase). The panic is
caught: the file is listed as not analysed, the other files' results are printed as usual, and
the run exits with code 2 so that CI notices.

## Why it matters
It is a bug in obsdebt, and a file that was not analysed is a hole in the coverage.

## Example
```text
error[internal-error]: obsdebt failed while analysing this file (collect phase): index out of bounds
```

## Use instead
Please report it with the file (or a reduced version of it) at
https://github.com/obsdebt/obsdebt/issues. Until it is fixed, `[files] exclude` the file.

## Options
None: internal errors are always reported.
"#,
};

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
