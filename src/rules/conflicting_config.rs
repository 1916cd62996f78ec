//! `conflicting-config`: one configuration name or key with different values.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::ConfigKind;
use crate::resolve::config::{Config, Conflict, Group};
use crate::rule::{self, Rule};
use crate::walk;

pub const RULE: &Rule = &rule::CONFLICTING_CONFIG;

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
    Diagnostic::new(
        RULE,
        severity,
        path_of(p.file),
        p.span,
        message,
        super::duplicated_config::describe(p),
        format!("config-conflict:{conflict:?}"),
    )
    .with_help("decide on one value and define it once; until then the behaviour depends on which code path reads it")
    .with_related(related)
    .with_notes(super::duplicated_config::why(g))
}

/// One diagnostic per group whose copies disagree, with the file it belongs to.
pub fn check(cfg: &Config, config: &crate::config::Config, walked: &walk::Walk) -> Vec<(usize, Diagnostic)> {
    super::duplicated_config::per_group(RULE, true, diagnostic, cfg, config, walked)
}
