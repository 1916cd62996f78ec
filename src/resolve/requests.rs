//! The per-request set: handlers plus every workspace function they reach through
//! resolved calls. Startup functions are never entered. Each engine built inside the set becomes
//! a finding with the call chain from the nearest handler and the list of handlers that reach it.

use std::collections::{BTreeMap, VecDeque};

use super::names::{Names, Res};
use crate::facts::{EngineSite, HandlerHow, HandlerMark};
use crate::knowledge::Glob;

/// One step of a chain: `caller` calls `callee` at `caller`'s call site `call`.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub caller: usize,
    pub call: usize,
    pub callee: usize,
    /// How many workspace functions the call may denote (the impls of a trait method, the
    /// `#[cfg]` alternatives of a function): each is followed.
    pub of: usize,
}

/// The most candidates a call may have and still be followed to each: more is a name that says
/// too little (a common method name on an unknown type), not alternatives.
const MAX_ALTERNATIVES: usize = 8;

#[derive(Debug, Clone)]
pub struct EngineFinding {
    /// The function that builds it, and the engine site in it.
    pub function: usize,
    pub site: EngineSite,
    /// When `site` is a call into a crate without handlers (a wrapper library of the workspace),
    /// the function there that builds the engine and its site.
    pub inside: Option<(usize, EngineSite)>,
    /// The handler the chain starts from.
    pub handler: usize,
    /// Calls from `handler` down to `function`.
    pub chain: Vec<Step>,
    /// Every handler that reaches `function`, nearest chain's first.
    pub handlers: Vec<usize>,
}

/// How calls in the per-request set resolved, for the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallStats {
    pub resolved: usize,
    pub ambiguous: usize,
    pub unresolved: usize,
}

#[derive(Default)]
pub struct PerRequest {
    /// Handler marks by function id (registrations merged in).
    pub handlers: BTreeMap<usize, HandlerMark>,
    pub reached: Vec<bool>,
    pub findings: Vec<EngineFinding>,
    pub stats: CallStats,
    /// Registrations whose path named no workspace function.
    pub unresolved_registrations: usize,
}

fn merge(marks: &mut BTreeMap<usize, HandlerMark>, id: usize, mark: HandlerMark) {
    match marks.get_mut(&id) {
        Some(existing) => {
            if existing.route.is_none() {
                existing.route = mark.route;
            }
            if existing.framework.is_none() {
                existing.framework = mark.framework;
            }
        }
        None => {
            marks.insert(id, mark);
        }
    }
}

pub fn per_request(names: &Names, files: &[super::FileInput], custom: &[Glob], crate_names: &[String]) -> PerRequest {
    let n = names.fns.len();
    let mut marks: BTreeMap<usize, HandlerMark> = BTreeMap::new();
    for id in 0..n {
        let f = names.fact(id);
        if f.startup {
            continue;
        }
        if let Some(m) = &f.handler {
            merge(&mut marks, id, m.clone());
        }
        if !custom.is_empty() {
            let krate = &crate_names[names.fns[id].krate];
            let path = names.display(id);
            let full = [format!("crate::{path}"), format!("{}::{path}", krate.replace('-', "_"))];
            if custom.iter().any(|g| full.iter().any(|p| g.is_match(p))) {
                merge(
                    &mut marks,
                    id,
                    HandlerMark {
                        how: HandlerHow::Attribute,
                        framework: None,
                        route: None,
                    },
                );
            }
        }
    }
    let mut unresolved_registrations = 0;
    for f in files {
        let mut module_base = f.place.module.clone();
        for r in &f.facts.registrations {
            module_base.truncate(f.place.module.len());
            module_base.extend(r.module.iter().cloned());
            let ids = names.resolve_path(f.place.krate, &module_base, &r.path, None, &f.facts.globs);
            let ids: Vec<usize> = ids.into_iter().filter(|&id| !names.fact(id).startup).collect();
            if ids.len() != 1 {
                // Not a function of ours (`MethodFilter::GET`, a closure variable) or ambiguous.
                unresolved_registrations += usize::from(r.path.len() > 1 || ids.len() > 1);
                continue;
            }
            let route = match (&r.method, &r.route) {
                (Some(m), Some(p)) => Some(format!("{m} {p}")),
                (Some(m), None) => Some(m.clone()),
                (None, Some(p)) => Some(p.clone()),
                (None, None) => None,
            };
            merge(
                &mut marks,
                ids[0],
                HandlerMark {
                    how: HandlerHow::Attribute,
                    framework: r.framework.clone(),
                    route,
                },
            );
        }
    }

    // Forward BFS from every handler at once: the nearest handler and the step into each function.
    let mut reached = vec![false; n];
    let mut pred: Vec<Option<Step>> = vec![None; n];
    let mut origin: Vec<usize> = (0..n).collect();
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Per reached function: each call's followed targets, by call index.
    let mut targets: Vec<Vec<(usize, Vec<usize>)>> = vec![Vec::new(); n];
    let mut stats = CallStats::default();
    let mut queue = VecDeque::new();
    for &h in marks.keys() {
        reached[h] = true;
        queue.push_back(h);
    }
    while let Some(cur) = queue.pop_front() {
        let fact = names.fact(cur);
        stats.unresolved += fact
            .value_methods
            .read()
            .iter()
            .filter(|m| names.is_method_name(m))
            .count();
        for (ci, call) in fact.calls.read().iter().enumerate() {
            // The engine's own constructor (a workspace copy of a known crate): not entered.
            if fact.engines.iter().any(|e| e.span == call.span) {
                continue;
            }
            let ids = match names.resolve(cur, call) {
                Res::Fn(id) => {
                    stats.resolved += 1;
                    vec![id]
                }
                Res::Ambiguous(ids) => {
                    stats.ambiguous += 1;
                    if ids.len() > MAX_ALTERNATIVES {
                        continue;
                    }
                    ids
                }
                Res::Unresolved => {
                    stats.unresolved += 1;
                    continue;
                }
                Res::External => continue,
            };
            let of = ids.len();
            let ids: Vec<usize> = ids.into_iter().filter(|&id| !names.fact(id).startup).collect();
            for &id in &ids {
                reverse[id].push(cur);
                if !reached[id] {
                    reached[id] = true;
                    pred[id] = Some(Step {
                        caller: cur,
                        call: ci,
                        callee: id,
                        of,
                    });
                    origin[id] = origin[cur];
                    queue.push_back(id);
                }
            }
            if !ids.is_empty() {
                targets[cur].push((ci, ids));
            }
        }
    }

    // Crates with handlers: the service's. An engine built in another crate of the workspace (a
    // wrapper library) is reported where the service calls into it.
    let mut service = vec![false; crate_names.len()];
    for &h in marks.keys() {
        service[names.fns[h].krate] = true;
    }
    let sites: Vec<Vec<EngineSite>> = (0..n)
        .map(|id| {
            if reached[id] {
                engine_sites(names, id)
            } else {
                Vec::new()
            }
        })
        .collect();
    // For each reached function of a library crate: an engine it builds, itself or through the
    // library functions it calls (the least fixpoint; the first witness is kept).
    let mut inside: Vec<Option<(usize, usize)>> = vec![None; n];
    loop {
        let mut changed = false;
        for id in 0..n {
            if !reached[id] || service[names.fns[id].krate] || inside[id].is_some() {
                continue;
            }
            inside[id] = if !sites[id].is_empty() {
                Some((id, 0))
            } else {
                targets[id]
                    .iter()
                    .flat_map(|(_, ids)| ids)
                    .find_map(|&t| inside[t].filter(|_| !service[names.fns[t].krate]))
            };
            changed |= inside[id].is_some();
        }
        if !changed {
            break;
        }
    }

    let mut findings = Vec::new();
    let mut search = ReverseSearch {
        stamp: vec![0; n],
        generation: 0,
    };
    let chain_to = |id: usize| {
        let mut chain = Vec::new();
        let mut at = id;
        while let Some(step) = pred[at] {
            chain.push(step);
            at = step.caller;
        }
        chain.reverse();
        chain
    };
    for id in 0..n {
        if !reached[id] || !service[names.fns[id].krate] {
            continue;
        }
        let mut found: Vec<(EngineSite, Option<(usize, EngineSite)>)> =
            sites[id].iter().map(|s| (s.clone(), None)).collect();
        let calls = names.fact(id).calls.read();
        for (ci, ids) in &targets[id] {
            let Some(&(wf, wi)) = ids
                .iter()
                .find_map(|&t| inside[t].as_ref().filter(|_| !service[names.fns[t].krate]))
            else {
                continue;
            };
            let call = &calls[*ci];
            let witness = sites[wf][wi].clone();
            found.push((
                EngineSite {
                    builds: witness.builds.clone(),
                    text: call.text.clone(),
                    span: call.span,
                    via_glob: None,
                },
                Some((wf, witness)),
            ));
        }
        if found.is_empty() {
            continue;
        }
        let handlers = search.reaching_handlers(id, origin[id], &reverse, &marks);
        for (site, inside) in found {
            findings.push(EngineFinding {
                function: id,
                site,
                inside,
                handler: origin[id],
                chain: chain_to(id),
                handlers: handlers.clone(),
            });
        }
    }
    PerRequest {
        handlers: marks,
        reached,
        findings,
        stats,
        unresolved_registrations,
    }
}

/// The engines function `id` builds: its constructor calls (a glob-imported name the crate
/// defines itself is void), and its finishing calls on builders that workspace functions return.
fn engine_sites(names: &Names, id: usize) -> Vec<EngineSite> {
    let fact = names.fact(id);
    let krate = names.fns[id].krate;
    let mut out: Vec<EngineSite> = fact
        .engines
        .iter()
        .filter(|e| !e.via_glob.as_ref().is_some_and(|t| names.defines_type(krate, t)))
        .cloned()
        .collect();
    for p in &fact.pending {
        let returned = names.resolve_from(id, &p.root).into_iter().find_map(|f| {
            names
                .fact(f)
                .returns_builder
                .as_ref()
                .filter(|b| b.finish.iter().any(|g| Glob::new(g).is_match(&p.method)))
        });
        if let Some(b) = returned {
            out.push(EngineSite {
                builds: b.builds.clone(),
                text: p.text.clone(),
                span: p.span,
                via_glob: None,
            });
        }
    }
    out
}

/// Reverse searches over the call graph that reuse one visited array (stamped per search)
/// instead of allocating one per finding.
struct ReverseSearch {
    stamp: Vec<u32>,
    generation: u32,
}

impl ReverseSearch {
    /// Handlers from which `id` is reachable, `first` leading, the rest in id order.
    fn reaching_handlers(
        &mut self,
        id: usize,
        first: usize,
        reverse: &[Vec<usize>],
        marks: &BTreeMap<usize, HandlerMark>,
    ) -> Vec<usize> {
        self.generation += 1;
        let g = self.generation;
        let mut queue = VecDeque::from([id]);
        self.stamp[id] = g;
        let mut out = Vec::new();
        while let Some(cur) = queue.pop_front() {
            if marks.contains_key(&cur) {
                out.push(cur);
            }
            for &p in &reverse[cur] {
                if self.stamp[p] != g {
                    self.stamp[p] = g;
                    queue.push_back(p);
                }
            }
        }
        out.sort_unstable();
        out.retain(|&h| h != first);
        out.insert(0, first);
        out
    }
}
