//! `conflicting-config`: one configuration name or key with different values.

use super::{Level, RuleInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::ConfigKind;
use crate::resolve::config::{Config, Conflict, Group};

pub const RULE: RuleInfo = RuleInfo {
    name: "conflicting-config",
    default_level: Level::Error,
    counted: false,
    summary: "one environment variable, configuration key or redefined constant has different values or defaults",
    doc: r#"## What it finds
One setting with different defaults, where the places are certainly one setting: an
environment variable read in several places of one program with different defaults
(`env::var("PORT").unwrap_or("8080")` here, `unwrap_or("3000")` there, or a clap
`default_value` that disagrees with a `.unwrap_or(..)`), or a configuration key whose default
is set twice with different values (`set_default("metrics.port", 9001)` and the settings
struct's `impl Default for Metrics { port: 9000 }`). The message shows the values side by side;
every place is annotated with its value, and a note says why the places are one setting. An
empty or zero default in a `Default` impl (`name: "".to_string()`) is a placeholder the real
default fills, not a second value.

A constant is a conflict only when it redefines one that the modules next to it import
(`use crate::proximity::MAX_DISTANCE` beside a module with its own `MAX_DISTANCE = 8`).
Constants that merely share a name (`BATCH_SIZE` in two modules) are not one setting and are
never a conflict; separate programs (two binaries, an example, a build script) do not share
configuration; `cfg` alternatives (`#[cfg(debug_assertions)]` and its `not`) are not copies.

## Why it matters
Which value wins depends on which code path reads it first. Two defaults for one port or two
pool sizes under one name are a bug waiting for the environment variable to be unset.

## Example
```rust
// src/main.rs
let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
// src/health.rs
let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
```

## Use instead
Read it once, at start-up, into a settings struct that is passed where it is needed.

## Options
The rule's level under `[rules]` in `lint.toml` (default: error).
"#,
};

pub fn diagnostic(
    cfg: &Config,
    g: &Group,
    primary: usize,
    path_of: &dyn Fn(usize) -> String,
    severity: Severity,
) -> Diagnostic {
    let conflict = g.conflict.as_ref().expect("conflicting groups carry their conflict");
    // The places that disagree, and every distinct value in order of appearance.
    let involved: Vec<usize> = g
        .members
        .iter()
        .copied()
        .filter(|&i| {
            let m = &cfg.members[i];
            match conflict {
                Conflict::EnvDefaults(k) => m.kind == ConfigKind::EnvRead && m.key.as_ref() == Some(k),
                Conflict::KeyDefaults(_) | Conflict::Redefined(_) => g.involved.contains(&i),
            }
        })
        .collect();
    let mut values: Vec<String> = Vec::new();
    for &i in &involved {
        if let Some(v) = &cfg.members[i].value {
            let shown = format!("`{}`", v.shown);
            if !values.contains(&shown) {
                values.push(shown);
            }
        }
    }
    let message = match conflict {
        Conflict::EnvDefaults(k) => format!(
            "environment variable `{k}` has conflicting defaults: {}",
            values.join(" vs ")
        ),
        Conflict::KeyDefaults(k) => format!(
            "configuration key `{k}` has conflicting defaults: {}",
            values.join(" vs ")
        ),
        Conflict::Redefined(n) => format!("`{n}` is redefined with a different value: {}", values.join(" vs ")),
    };
    let primary = if involved.contains(&primary) {
        primary
    } else {
        involved[0]
    };
    let p = &cfg.members[primary];
    let related = super::duplicated_config::other_places(cfg, g, primary, path_of, super::duplicated_config::describe);
    Diagnostic {
        rule: RULE.name,
        severity,
        message,
        label: super::duplicated_config::describe(p),
        help: Some(
            "decide on one value and define it once; until then the behaviour depends on which code path reads it"
                .into(),
        ),
        path: path_of(p.file),
        span: p.span,
        related,
        notes: super::duplicated_config::why(g),
        site_text: format!("config-conflict:{conflict:?}"),
        fingerprint: String::new(),
    }
}
