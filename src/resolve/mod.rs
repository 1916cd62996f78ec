//! Phase 2, resolve: the workspace view. Calls are resolved to in-workspace functions by name
//! (never guessing: a call logs only when every candidate logs), the logging-helper fixpoint
//! runs, error types whose response impl logs are found, and each site is classified.

mod calls;
pub mod config;
pub mod names;
pub mod requests;
pub mod service;

pub use calls::FnIndex;

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use crate::facts::extract::RESULT_ALIAS;
use crate::facts::{Callee, FileFacts, Outcome, SiteFact, SiteKind};
use crate::rule::{self, RuleName};
use crate::workspace::FilePlace;

/// The classification of an error-path site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Logged,
    /// Logged, by log lines that never carry the error value (`log-without-error`): counted
    /// as logged.
    LoggedWithoutError,
    Propagated,
    Expected,
    /// Reported by the rule of this name.
    Unlogged(RuleName),
}

/// One file's input to the resolve phase.
pub struct FileInput<'a> {
    pub place: &'a FilePlace,
    pub facts: &'a FileFacts,
}

/// The outcome of the resolve phase: a class per site, per file.
pub struct Resolved {
    /// `classes[file][site]`; `None` for a site that is dropped (not an error path after all).
    pub classes: Vec<Vec<Option<Class>>>,
    /// Functions found to always log, as `crate::module::name` strings (for diagnostics/tests).
    pub logging_helpers: Vec<String>,
    /// Error types whose response impl logs.
    pub logging_types: Vec<String>,
}

impl Resolved {
    /// No site classified: what is left when the resolve phase failed.
    pub fn unclassified(files: &[FileInput]) -> Resolved {
        Resolved {
            classes: files.iter().map(|f| vec![None; f.facts.site_count()]).collect(),
            logging_helpers: Vec::new(),
            logging_types: Vec::new(),
        }
    }
}

/// [`resolve_with`] on a name index of its own.
pub fn resolve<'a>(files: &'a [FileInput<'a>], crate_names: &[String]) -> Resolved {
    resolve_with(files, &names::Names::build(files, crate_names))
}

/// Classifies every site of `files`, whose functions `names` indexes (the index the call graph
/// reads too).
pub fn resolve_with<'a>(files: &'a [FileInput<'a>], names: &'a names::Names<'a>) -> Resolved {
    let index = FnIndex::build(files, names);
    let fn_logs = index.fixpoint();
    // The same callee is looked up from many sites: each (crate, callee) is resolved once.
    let memo: std::cell::RefCell<HashMap<usize, HashMap<Callee, bool>>> = Default::default();
    let logs_of = |krate: usize, callee: &Callee| {
        if let Some(&v) = memo.borrow().get(&krate).and_then(|m| m.get(callee)) {
            return v;
        }
        let v = index.call_logs(krate, callee, &fn_logs);
        memo.borrow_mut().entry(krate).or_default().insert(callee.clone(), v);
        v
    };
    let macro_logs_of = |krate: usize, callee: &Callee| index.macro_logs(krate, callee, &fn_logs);
    let macro_propagates_of = |krate: usize, callee: &Callee| index.macro_propagates(krate, callee, &fn_logs);

    // Error types whose response impl logs, by name, workspace-wide.
    let mut logging_types = BTreeSet::new();
    for f in files {
        for imp in &f.facts.response_impls {
            let krate = f.place.krate;
            if imp
                .logs
                .eval_with(&mut |c| logs_of(krate, c), &mut |c| macro_logs_of(krate, c))
            {
                logging_types.insert(imp.type_name.clone());
            }
        }
    }
    // The error type behind each crate's `Result<T>` alias.
    let mut alias_error: HashMap<usize, String> = HashMap::default();
    for f in files {
        for (alias, err) in &f.facts.result_aliases {
            if alias == "Result" {
                alias_error.entry(f.place.krate).or_insert_with(|| err.clone());
            }
        }
    }

    let classes = files
        .iter()
        .enumerate()
        .map(|(fi, f)| {
            let krate = f.place.krate;
            f.facts
                .sites()
                .iter()
                .map(|site| {
                    let source = source_kind(site, krate, &index);
                    // `let _ = f()` where every in-workspace `f` it can mean returns something
                    // other than a `Result`: nothing is discarded.
                    if site.kind == SiteKind::DiscardLet && source == SourceKind::NotResult {
                        return None;
                    }
                    if site.kind == SiteKind::DetachedTask && !task_result_lost(site, krate, &index, files, &logs_of) {
                        return None;
                    }
                    let path_logs = site
                        .logs
                        .eval_with(&mut |c| logs_of(krate, c), &mut |c| macro_logs_of(krate, c));
                    let is_logging_type = |krate: usize, t: &str| {
                        let name = if t == RESULT_ALIAS {
                            alias_error.get(&krate).map(String::as_str).unwrap_or(t)
                        } else {
                            t
                        };
                        logging_types.contains(name)
                    };
                    // `.map_err(|e| e.with_code(500))`: still the logging error value, whose
                    // response impl logs it.
                    let builder = builder_keeps_logging(site, krate, &index, &|t| logging_types.contains(t));
                    let logs = path_logs || builder;
                    let converts_to_logging = builder
                        || site.converts_to.iter().any(|t| is_logging_type(krate, t))
                        || source_is_logging(site, krate, &index, &is_logging_type);
                    // `Err(e) => err!(..)`: a workspace macro that returns an `Err` in every arm.
                    let propagates = matches!(site.outcome, Outcome::Fallback | Outcome::Discarded)
                        && site
                            .propagates_if
                            .eval_with(&mut |_| false, &mut |c| macro_propagates_of(krate, c));
                    let propagated;
                    let site = if propagates {
                        propagated = SiteFact {
                            outcome: Outcome::Propagated,
                            ..site.clone()
                        };
                        &propagated
                    } else {
                        site
                    };
                    let class = classify_origin(site, logs, converts_to_logging, source)?;
                    // Logged only by the path's own log lines (not by the error type it becomes),
                    // and none of them is handed the error.
                    // An error the path drops unbound is a decision about a value unless it is
                    // an operational failure's; a probe's error only says the value was not one.
                    let o = &site.origin;
                    let failure = !o.probe && !o.bare && (site.binding.is_some() || o.known_result || o.awaited);
                    let without_error = class == Class::Logged
                        && path_logs
                        && failure
                        && !site.specific
                        && !site.lock_poison
                        && classify_origin(site, builder, converts_to_logging, source) != Some(Class::Logged)
                        && !cause_known_inside(site, fi, &index, files, &logs_of)
                        && !site
                            .cause
                            .eval_with(&mut |c| logs_of(krate, c), &mut |c| macro_logs_of(krate, c));
                    Some(if without_error {
                        Class::LoggedWithoutError
                    } else {
                        class
                    })
                })
                .collect()
        })
        .collect();

    Resolved {
        classes,
        logging_helpers: index.names_where(&fn_logs),
        logging_types: logging_types.into_iter().collect(),
    }
}

/// The error comes from an in-workspace function whose declared error type is a logging type:
/// propagating it on ends in that type's logging response impl.
fn source_is_logging(site: &SiteFact, krate: usize, index: &FnIndex, is_logging: &dyn Fn(usize, &str) -> bool) -> bool {
    let Some(source) = &site.source else { return false };
    let candidates = index.candidates(krate, source);
    !candidates.is_empty()
        && candidates.iter().all(|&id| match index.err_type(id) {
            (k, Some(t)) => is_logging(k, t),
            _ => false,
        })
}

/// What the in-workspace functions a site's producer can mean declare they return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Not an in-workspace function, or its candidates disagree.
    Unknown,
    /// Every candidate returns a `Result`.
    Result,
    /// Every candidate returns something else.
    NotResult,
}

fn source_kind(site: &SiteFact, krate: usize, index: &FnIndex) -> SourceKind {
    let Some(source) = &site.source else {
        return SourceKind::Unknown;
    };
    let candidates = index.candidates(krate, source);
    if candidates.is_empty() {
        SourceKind::Unknown
    } else if candidates.iter().all(|&id| index.returns_result(id) == Some(true)) {
        SourceKind::Result
    } else if candidates.iter().all(|&id| index.returns_result(id) == Some(false)) {
        SourceKind::NotResult
    } else {
        SourceKind::Unknown
    }
}

/// The class of a site once where its `Result` comes from is known; `None` when it is not an
/// error path after all.
///
/// - A form that is not a `Result` by construction (`.unwrap_or(..)`, `.is_ok()`) counts only
///   when the producer is known to return one: from knowledge or its in-workspace signature.
/// - A probe's `Err` is an answer about a value: turned into a value, it is `expected`.
/// - An operational failure (knowledge, or an awaited call) ignored and replaced by another
///   error or a 4xx ends there: unlogged unless the path logs.
pub fn classify_origin(site: &SiteFact, logs: bool, converts_to_logging: bool, source: SourceKind) -> Option<Class> {
    let o = &site.origin;
    // Without types, a workspace function's name can mean several (`first`, `get`, `check`):
    // its signature says a `Result` for these forms only when it is awaited, a call that does I/O.
    let is_result = o.known_result || o.probe || o.typed_result || (source == SourceKind::Result && o.awaited);
    if o.needs_result && !is_result {
        return None;
    }
    // A workspace method of that name returning something else is another method: `bool` has no
    // `.unwrap_or(..)`, so the code calls the one the knowledge names.
    if o.needs_result && source == SourceKind::NotResult && !o.known_result {
        return None;
    }
    let server_error = matches!(site.outcome, Outcome::ServerError(_));
    if o.probe && !server_error {
        return Some(if logs { Class::Logged } else { Class::Expected });
    }
    if o.replaced && !server_error && !site.specific {
        let operational = o.known_result || (o.awaited && !o.probe);
        if operational {
            return Some(if logs {
                Class::Logged
            } else {
                Class::Unlogged(unlogged_rule(site))
            });
        }
        // `.ok().ok_or(..)` of an error that is not known to be a failure: the error flows on.
        if site.kind == SiteKind::DiscardOk {
            return None;
        }
    }
    Some(classify(site, logs, converts_to_logging))
}

/// `e.with_code(500)` on the error value: every method of the chain is, wherever the workspace
/// defines it, a method of a logging error type that returns `Self` — a builder that keeps the
/// error the logging type it was.
fn builder_keeps_logging(site: &SiteFact, krate: usize, index: &FnIndex, is_logging: &dyn Fn(&str) -> bool) -> bool {
    !site.builder.is_empty()
        && site.builder.iter().all(|m| {
            let callee = Callee {
                path: vec![m.clone()],
                method: true,
            };
            let candidates = index.candidates(krate, &callee);
            !candidates.is_empty()
                && candidates.iter().all(|&id| match index.builder_of(id) {
                    Some(owner) => is_logging(owner),
                    None => false,
                })
        })
}

/// The error comes from workspace functions that each either return an error carrying nothing
/// (`Result<T, ()>`) or log it where it arises: what reaches the site is a tag, the cause was
/// logged where it was known.
fn cause_known_inside(
    site: &SiteFact,
    file: usize,
    index: &FnIndex,
    files: &[FileInput],
    logs_of: &dyn Fn(usize, &Callee) -> bool,
) -> bool {
    let (Some(source), Some(function)) = (&site.source, site.function) else {
        return false;
    };
    let candidates = producers(source, None, file, function as usize, index, files);
    !candidates.is_empty()
        && candidates
            .iter()
            .all(|&id| index.err_type(id).1 == Some("()") || logs_its_errors(id, index, files, logs_of, 4))
}

/// Whether workspace function `id` logs on one of its error paths, or passes on (`?`,
/// `.map_err(..)?`) the error of workspace functions that do, `depth` calls down at most.
fn logs_its_errors(
    id: usize,
    index: &FnIndex,
    files: &[FileInput],
    logs_of: &dyn Fn(usize, &Callee) -> bool,
    depth: usize,
) -> bool {
    if logs_an_error_path(id, index, files, logs_of) {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let (fi, fn_index) = index.location(id);
    let passed_on = |callee: &Callee, line: Option<u32>| {
        let mut candidates = producers(callee, line, fi, fn_index, index, files);
        candidates.retain(|&c| c != id);
        !candidates.is_empty()
            && candidates
                .iter()
                .all(|&c| logs_its_errors(c, index, files, logs_of, depth - 1))
    };
    let fact = index.names().fact(id);
    fact.try_sources.iter().any(|(c, line)| passed_on(c, *line))
        || files[fi].facts.sites().iter().any(|s| {
            s.function == Some(fn_index as u32)
                && s.outcome == Outcome::Propagated
                && s.source.as_ref().is_some_and(|c| passed_on(c, None))
        })
}

/// The workspace functions a call in function `fn_index` of file `file` can be. A method whose
/// every call of that name there (on `line`, when known) the call graph resolves through the
/// receiver's type (`self.qs.write(..)` is `QueryServer::write`) is those functions; otherwise
/// every function of the name that returns a `Result` (one that returns something else is
/// another function).
fn producers(
    callee: &Callee,
    line: Option<u32>,
    file: usize,
    fn_index: usize,
    index: &FnIndex,
    files: &[FileInput],
) -> Vec<usize> {
    let typed = || -> Option<Vec<usize>> {
        let names = index.names();
        let caller = names.id_of(file, fn_index)?;
        let mut ids = Vec::new();
        let calls = names.fact(caller).calls.read();
        for call in calls
            .iter()
            .filter(|c| &c.callee == callee && line.is_none_or(|l| c.span.line == l))
        {
            match names.resolve(caller, call) {
                names::Res::Fn(id) => ids.push(id),
                _ => return None,
            }
        }
        ids.sort_unstable();
        ids.dedup();
        (!ids.is_empty()).then_some(ids)
    };
    if let Some(ids) = callee.method.then(typed).flatten() {
        return ids;
    }
    let mut candidates = index.candidates(files[file].place.krate, callee);
    candidates.retain(|&id| index.returns_result(id) != Some(false));
    candidates
}

/// Whether one of the error paths of workspace function `id` logs.
fn logs_an_error_path(
    id: usize,
    index: &FnIndex,
    files: &[FileInput],
    logs_of: &dyn Fn(usize, &Callee) -> bool,
) -> bool {
    let (file, fn_index) = index.location(id);
    let file = &files[file];
    file.facts
        .sites()
        .iter()
        .any(|s| s.function == Some(fn_index as u32) && s.logs.eval(&mut |c| logs_of(file.place.krate, c)))
}

/// `tokio::spawn(f(..))` with the handle dropped: the task's `Result` is lost when every
/// in-workspace function `f` can mean returns one and none of them logs on any of its error
/// paths (a task that logs its own failures has left its trace). A task whose output is a
/// `Result` by construction (no source) is lost as it is.
fn task_result_lost(
    site: &SiteFact,
    krate: usize,
    index: &FnIndex,
    files: &[FileInput],
    logs_of: &dyn Fn(usize, &Callee) -> bool,
) -> bool {
    let Some(callee) = &site.source else { return true };
    let candidates = index.candidates(krate, callee);
    !candidates.is_empty()
        && candidates
            .iter()
            .all(|&id| index.returns_result(id) == Some(true) && !logs_an_error_path(id, index, files, logs_of))
}

/// Propagated, logged, expected or unlogged — the most specific rule for the latter.
pub fn classify(site: &SiteFact, logs: bool, converts_to_logging: bool) -> Class {
    let class = classify_outcome(site, logs, converts_to_logging);
    // A poisoned lock's error carries no cause beyond the panic already printed.
    if site.lock_poison && matches!(class, Class::Unlogged(_)) {
        return Class::Expected;
    }
    class
}

/// The rule that reports an unlogged error-path site: the most specific one.
pub fn unlogged_rule(site: &SiteFact) -> RuleName {
    match site.outcome {
        Outcome::ServerError(_) => rule::SILENT_SERVER_ERROR.name,
        Outcome::Discarded => rule::SWALLOWED_ERROR.name,
        // `.ok().ok_or(..)`: the `.ok()` drops the error another one replaces.
        _ if site.kind == SiteKind::DiscardOk => rule::SWALLOWED_ERROR.name,
        _ => rule::UNLOGGED_ERROR.name,
    }
}

fn classify_outcome(site: &SiteFact, logs: bool, converts_to_logging: bool) -> Class {
    match &site.outcome {
        Outcome::ServerError(_) if logs => Class::Logged,
        Outcome::ServerError(_) => Class::Unlogged(unlogged_rule(site)),
        Outcome::Propagated if converts_to_logging || site.instrument_err => Class::Logged,
        Outcome::Propagated => Class::Propagated,
        _ if logs => Class::Logged,
        Outcome::ClientError => Class::Expected,
        // `Err(NotFound | BadKey) => {}`: ignoring the variants it names is a decision.
        Outcome::Discarded if site.specific => Class::Expected,
        Outcome::Discarded => Class::Unlogged(unlogged_rule(site)),
        Outcome::Fallback if site.specific => Class::Expected,
        Outcome::Fallback => Class::Unlogged(unlogged_rule(site)),
    }
}
