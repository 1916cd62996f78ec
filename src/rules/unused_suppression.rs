//! `unused-suppression`: an `obsdebt: allow(..)` comment that suppresses nothing, names an
//! unknown rule, or cannot be read.

use super::{Level, RuleInfo};

pub const RULE: RuleInfo = RuleInfo {
    name: "unused-suppression",
    default_level: Level::Warn,
    counted: false,
    summary: "a suppression comment suppresses nothing, names an unknown rule or is malformed",
    doc: r#"## What it finds
`// obsdebt: allow(rule) -- reason` comments that no longer match a finding on their line (or
the line below when the comment stands alone), that name a rule obsdebt does not have, or that
cannot be read (`allow-file(..)` below the file's header, a missing `)`, a reason not introduced
by `--`).

## Why it matters
Stale suppressions hide the next real finding on that line, and a misspelt rule name suppresses
nothing while looking like it does.

## Example
```rust
// obsdebt: allow(swalowed-error) -- typo: suppresses nothing
let _ = tx.send(event);
```

## Use instead
```rust
let _ = notify(&event); // obsdebt: allow(swallowed-error) -- best-effort notification
```

## Options
The rule's level under `[rules]` in `lint.toml`. Suppressions of rules that are turned off are
not reported as unused.
"#,
};
