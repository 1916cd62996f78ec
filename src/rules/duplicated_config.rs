//! `duplicated-config`: one configuration value or key defined in several places.

use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::facts::ConfigKind;
use crate::resolve::config::{Config, Group, Member};
use crate::rule::{self, Rule};
use crate::walk;

pub const RULE: &Rule = &rule::DUPLICATED_CONFIG;

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
    Diagnostic::new(
        RULE,
        severity,
        path_of(p.file),
        p.span,
        format!("{subject} in {} places", g.members.len()),
        format!("first here: {}", describe(p)),
        format!("config:{subject}"),
    )
    .with_help(help(cfg, g))
    .with_related(other_places(cfg, g, primary, path_of, |m| {
        format!("also here: {}", describe(m))
    }))
    .with_notes(why(g))
}

/// The place a group's diagnostic points at: the first definition (a `const`/`static`) in path
/// order, else the first place; it must be in a reported file. `None` when no place is.
pub fn primary(cfg: &Config, g: &Group, walked: &walk::Walk) -> Option<usize> {
    let in_scope = |i: &&usize| walked.files[cfg.members[**i].file].in_scope;
    let is_definition = |i: &&usize| matches!(cfg.members[**i].kind, ConfigKind::Const | ConfigKind::Static);
    let definition = g.members.iter().filter(in_scope).find(is_definition);
    definition.or_else(|| g.members.iter().find(in_scope)).copied()
}

/// Builds a group's diagnostic: the groups, the group, its primary place, each file's displayed
/// path, the severity.
pub(super) type BuildGroup = fn(&Config, &Group, usize, &dyn Fn(usize) -> String, Severity) -> Diagnostic;

/// The diagnostics of `rule` (duplicated or conflicting), one per group `build` describes, each
/// with the file it belongs to: the groups with a conflict or without one.
pub(super) fn per_group(
    rule: &Rule,
    conflicting: bool,
    build: BuildGroup,
    cfg: &Config,
    config: &crate::config::Config,
    walked: &walk::Walk,
) -> Vec<(usize, Diagnostic)> {
    let Some(severity) = Severity::of(config.level(rule.name)) else {
        return Vec::new();
    };
    let path_of = |fi: usize| walked.files[fi].display.clone();
    let groups = cfg.groups.iter().filter(|g| g.conflict.is_some() == conflicting);
    groups
        .filter_map(|g| {
            let primary = primary(cfg, g, walked)?;
            Some((cfg.members[primary].file, build(cfg, g, primary, &path_of, severity)))
        })
        .collect()
}

/// One diagnostic per group without a conflict, with the file it belongs to.
pub fn check(cfg: &Config, config: &crate::config::Config, walked: &walk::Walk) -> Vec<(usize, Diagnostic)> {
    per_group(RULE, false, diagnostic, cfg, config, walked)
}
