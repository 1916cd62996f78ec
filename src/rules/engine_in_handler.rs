//! `engine-in-handler`: a database pool, HTTP client, cache or broker client built on a path
//! that runs on every request.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::knowledge::Handlers;
use crate::resolve::names::Names;
use crate::resolve::requests::{self, EngineFinding};
use crate::rule::{self, Rule};
use crate::walk;

pub const RULE: &Rule = &rule::ENGINE_IN_HANDLER;

/// `create_user` or `create_user (POST /users)`.
fn handler_label(names: &Names, id: usize, route: Option<&str>) -> String {
    let name = names.fact(id).name.clone();
    match route {
        Some(r) => format!("`{name}` ({r})"),
        None => format!("`{name}`"),
    }
}

/// Builds the diagnostic for one finding; `path_of(file)` is a file's displayed path.
pub fn diagnostic(
    f: &EngineFinding,
    names: &Names,
    routes: &dyn Fn(usize) -> (Option<String>, Option<String>),
    path_of: &dyn Fn(usize) -> String,
    handlers: &Handlers,
    severity: Severity,
) -> Diagnostic {
    let engine = &f.site;
    let (route, framework) = routes(f.handler);
    let handler = handler_label(names, f.handler, route.as_deref());
    let mut related = Vec::new();
    let handler_fact = names.fact(f.handler);
    related.push(Related {
        path: path_of(names.fns[f.handler].file),
        span: handler_fact.span,
        message: format!("handler {handler}"),
    });
    let mut arrow = Vec::new();
    if let Some(r) = &route {
        arrow.push(r.clone());
    }
    arrow.push(handler_fact.name.clone());
    let mut chain_text = vec![handler_fact.name.clone()];
    for step in &f.chain {
        let caller = names.fact(step.caller);
        let calls = caller.calls.read();
        let call = &calls[step.call];
        related.push(Related {
            path: path_of(names.fns[step.caller].file),
            span: call.span,
            message: format!("`{}` calls `{}`", caller.name, call.text),
        });
        chain_text.push(if step.of > 1 {
            format!("{} (one of {})", call.text, step.of)
        } else {
            call.text.clone()
        });
    }
    chain_text.push(engine.text.clone());
    if let Some((wf, site)) = &f.inside {
        chain_text.push(site.text.clone());
        related.push(Related {
            path: path_of(names.fns[*wf].file),
            span: site.span,
            message: format!("`{}` builds it here", names.fact(*wf).name),
        });
    }
    let mut notes = vec![format!(
        "{} {}",
        arrow.first().filter(|_| route.is_some()).cloned().unwrap_or_default(),
        chain_text.join(" → ")
    )
    .trim()
    .to_string()];
    let others = &f.handlers[1..];
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(3)
            .map(|&h| handler_label(names, h, routes(h).0.as_deref()))
            .collect();
        let more = others.len().saturating_sub(3);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        notes.push(format!("also reached from {}{tail}", shown.join(", ")));
        for &h in others.iter().take(3) {
            related.push(Related {
                path: path_of(names.fns[h].file),
                span: names.fact(h).span,
                message: format!(
                    "also reached from handler {}",
                    handler_label(names, h, routes(h).0.as_deref())
                ),
            });
        }
    }
    let advice = framework
        .as_deref()
        .and_then(|name| handlers.framework(name))
        .map(|fw| fw.advice.clone())
        .unwrap_or_else(|| "build it once at start-up and share it (application state, or a `LazyLock`)".to_string());
    let reach = if f.handlers.len() > 1 {
        format!(" ({} handlers reach it)", f.handlers.len())
    } else {
        String::new()
    };
    Diagnostic::new(
        RULE,
        severity,
        path_of(names.fns[f.function].file),
        engine.span,
        format!("`{}` builds {} on every request{reach}", engine.text, engine.builds),
        format!("built per request: reached from handler {handler}"),
        engine.text.clone(),
    )
    .with_help(advice)
    .with_related(related)
    .with_notes(notes)
}

/// The world's engine-in-handler diagnostics, with the file each belongs to; `files` maps the world's file
/// indices (those of `names`) to the run's.
pub fn check(
    names: &Names,
    per_request: &requests::PerRequest,
    config: &Config,
    walked: &walk::Walk,
    files: &[usize],
) -> Vec<(usize, Diagnostic)> {
    let Some(severity) = Severity::of(config.level(RULE.name)) else {
        return Vec::new();
    };
    let routes = |id: usize| {
        let mark = per_request.handlers.get(&id);
        (
            mark.and_then(|m| m.route.clone()),
            mark.and_then(|m| m.framework.clone()),
        )
    };
    let path_of = |fi: usize| walked.files[files[fi]].display.clone();
    per_request
        .findings
        .iter()
        .map(|finding| {
            let d = diagnostic(finding, names, &routes, &path_of, &config.knowledge.handlers, severity);
            (files[names.fns[finding.function].file], d)
        })
        .collect()
}
