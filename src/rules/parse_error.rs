//! `parse-error`: a file that could not be read or parsed, and so was not analysed.

use super::{Level, RuleInfo};

pub const RULE: RuleInfo = RuleInfo {
    name: "parse-error",
    default_level: Level::Error,
    counted: false,
    summary: "a file could not be read or parsed and was not analysed",
    doc: r#"## What it finds
A `.rs` file obsdebt could not analyse: it could not be read (the OS reason is given), is not
UTF-8, or is not Rust syntax that `syn` accepts (the position syn reports is given). The file is
listed as not analysed and the rest of the run goes on.

## Why it matters
Coverage that silently skips a file is coverage you cannot trust. A file that does not parse is
usually half-edited or generated for another tool.

## Example
```rust
fn handler( {
```

## Use instead
Fix the syntax, or exclude generated files that are not Rust:
```toml
[files]
exclude = ["templates/**"]
```

## Options
`[files] exclude` in `lint.toml`; the rule's level under `[rules]`.
"#,
};
