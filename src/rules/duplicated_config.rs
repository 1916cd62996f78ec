//! `duplicated-config`: one configuration value or key defined in several places.

use super::{Level, RuleInfo};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::facts::ConfigKind;
use crate::resolve::config::{Config, Group, Member};

pub const RULE: RuleInfo = RuleInfo {
    name: "duplicated-config",
    default_level: Level::Warn,
    counted: false,
    summary: "one configuration value or environment variable is defined or read in several places",
    doc: r#"## What it finds
The same setting written more than once in one program, when the places are tied by evidence a
reviewer accepts; the note under each finding says which:

- **the same environment variable**, read with `std::env::var`/`dotenvy::var`, by clap's
  `#[arg(env = "…")]`, or through a workspace helper that reads the variable its first
  parameter names (`get_env("DATA_FOLDER")`);
- **the same configuration key**: `set_default("metrics.port", 9001)` and the settings struct's
  `impl Default for Metrics { port: 9001, .. }`; an environment variable named like a settings
  field (`DATA_FOLDER`, `data_folder` in a settings table macro) with the same default;
- **the same value**: one URL, DSN or `host:port` typed in several places — as a `const`, a
  default, or inline, including the base of a URL built with `format!("http://pricing:8080/{id}")`
  — a port constant and an address on that port (`PORT = 21116`, `"0.0.0.0:21116"`), or a
  range a random delay is drawn from (`rng.random_range(900..=1100)`);
- **a constant copied**: a constant of a specific name (two words of its own, such as
  `MAX_CONFIGS_PER_CRATE`) defined again with the same number or duration;
- **the same setting name**: one duration or number given to the same setting within one crate
  (`.timeout(Duration::from_secs(30))` again and again, `TIMEOUT_SECS = 30`), a literal passed by
  position named by the callee's parameter (`Database::new(path, 1.0)` where the parameter is
  `timeout`).

One diagnostic per group, at its first place in path order, with every other place annotated.

Not evidence, and not reported: a constant name shared by unrelated modules (`BATCH_SIZE`), a
common value (`10`, `0`, `""`, booleans), separate programs (each binary, example, build script;
a library is shared by the programs that use it), `cfg` alternatives, compile-time `env!`,
variables of the system, shells, CI and SDKs (`HOME`, `XDG_*`, `RUST_LOG`, `AWS_*`), links to
public sites (`https://github.com/…`), placeholder and dummy addresses (`example.com`, port 0),
bare file names (`config.json`), protocol strings such as header names, values handed to another
program (`Command::env`), strings in log lines, panics and attributes, and test code.

## Why it matters
Copies drift. The day the database moves, one of the three URLs is not updated and a code path
keeps talking to the old host; a timeout raised in one place is still 5 s in another.

## Example
```rust
// src/db.rs
const DATABASE_URL: &str = "postgres://db:5432/orders";
// src/jobs.rs
let pool = PgPool::connect("postgres://db:5432/orders").await?;
```

## Use instead
```rust
// src/config.rs — one place, read at start-up
pub struct Settings { pub database_url: String }
impl Settings {
    pub fn from_env() -> Self {
        Self { database_url: std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://db:5432/orders".into()) }
    }
}
```

## Options
`[config] names` in `lint.toml` adds words that make a constant's name look like configuration;
the defaults (URL, HOST, PORT, TIMEOUT, TTL, RETRIES, LIMIT, MAX, SIZE, KEY, SECRET, ...), the
URL schemes, the well-known variables and the public sites are in obsdebt's `rules/config.toml`.
"#,
};

/// How one place is described in labels.
pub fn describe(m: &Member) -> String {
    let value = m.value.as_ref().map(|v| v.shown.as_str());
    match (m.kind, &m.key, &m.name, value) {
        (ConfigKind::EnvRead, Some(k), _, Some(v)) => format!("reads `{k}` with default `{v}`"),
        (ConfigKind::EnvRead, Some(k), _, None) => format!("reads `{k}`"),
        (ConfigKind::Const | ConfigKind::Static, _, Some(n), Some(v)) => format!("`{n} = {v}`"),
        (ConfigKind::Literal, _, Some(n), Some(v)) => format!("`{v}` given to `{n}`"),
        (ConfigKind::Key, Some(k), _, Some(v)) => format!("key `{k}` defaults to `{v}`"),
        (ConfigKind::Key, Some(k), _, None) => format!("key `{k}` given a default"),
        (ConfigKind::DefaultField, _, Some(n), Some(v)) => match &m.owner {
            Some(o) if o.ends_with('!') => format!("settings entry `{n}` in `{o}` defaults to `{v}`"),
            Some(o) => format!("`{o}::default()` sets `{n}: {v}`"),
            None => format!("default `{n}: {v}`"),
        },
        (_, _, _, Some(v)) => format!("`{v}`"),
        _ => "here".to_string(),
    }
}

/// Every member of the group but `primary`, as related places labelled by `label`.
pub(crate) fn other_places(
    cfg: &Config,
    g: &Group,
    primary: usize,
    path_of: &dyn Fn(usize) -> String,
    label: impl Fn(&Member) -> String,
) -> Vec<Related> {
    g.members
        .iter()
        .filter(|&&i| i != primary)
        .map(|&i| {
            let m = &cfg.members[i];
            Related {
                path: path_of(m.file),
                span: m.span,
                message: label(m),
            }
        })
        .collect()
}

/// Notes saying why the places are one setting.
pub(crate) fn why(g: &Group) -> Vec<String> {
    let reasons: Vec<String> = g.evidence.iter().map(|e| e.describe()).collect();
    if reasons.is_empty() {
        return Vec::new();
    }
    vec![format!("one setting: {}", reasons.join("; "))]
}

/// The group's subject: an environment variable, a key, a named constant, or a value.
fn subject(cfg: &Config, g: &Group) -> String {
    let ms: Vec<&Member> = g.members.iter().map(|&i| &cfg.members[i]).collect();
    let keys: Vec<&String> = ms.iter().filter_map(|m| m.key.as_ref()).collect();
    if !keys.is_empty()
        && keys.len() == ms.len()
        && keys.iter().all(|k| *k == keys[0])
        && ms.iter().all(|m| m.kind == ConfigKind::EnvRead)
    {
        return format!("environment variable `{}` is read", keys[0]);
    }
    if let Some(k) = ms
        .iter()
        .find(|m| m.kind == ConfigKind::Key)
        .and_then(|m| m.key.as_ref())
    {
        return format!("the default of key `{k}` is set");
    }

    if let Some(m) = ms
        .iter()
        .find(|m| matches!(m.kind, ConfigKind::Const | ConfigKind::Static))
    {
        if let (Some(n), Some(v)) = (&m.name, &m.value) {
            return format!("`{n} = {}` is defined", v.shown);
        }
    }
    if ms.iter().any(|m| m.kind == ConfigKind::DefaultField) {
        if let Some(k) = ms
            .iter()
            .find(|m| m.kind == ConfigKind::EnvRead)
            .and_then(|m| m.key.as_ref())
        {
            return format!("environment variable `{k}` is read or given a default");
        }
    }
    match ms.iter().find_map(|m| m.value.as_ref()) {
        Some(v) => format!("`{}` is written", v.shown),
        None => "a setting is written".to_string(),
    }
}

/// What to do: one source of defaults for a key, else one definition.
fn help(cfg: &Config, g: &Group) -> &'static str {
    if g.members.iter().any(|&i| cfg.members[i].kind == ConfigKind::Key) {
        "keep one source of defaults: the settings struct's `Default` impl or the `set_default` calls (for example, seed the builder from the serialized `Default`)"
    } else {
        "define it once — a `const` in a config module, or a settings struct read at start-up — and use that everywhere"
    }
}

pub fn diagnostic(
    cfg: &Config,
    g: &Group,
    primary: usize,
    path_of: &dyn Fn(usize) -> String,
    severity: Severity,
) -> Diagnostic {
    let p = &cfg.members[primary];
    let subject = subject(cfg, g);
    Diagnostic {
        rule: RULE.name,
        severity,
        message: format!("{subject} in {} places", g.members.len()),
        label: format!("first here: {}", describe(p)),
        help: Some(help(cfg, g).into()),
        path: path_of(p.file),
        span: p.span,
        related: other_places(cfg, g, primary, path_of, |m| format!("also here: {}", describe(m))),
        notes: why(g),
        site_text: format!("config:{subject}"),
        fingerprint: String::new(),
    }
}
