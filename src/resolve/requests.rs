//! The per-request set: handlers plus every workspace function they reach through
//! resolved calls. Startup functions are never entered. Each engine built inside the set becomes
//! a finding with the call chain from the nearest handler and the list of handlers that reach it.

use std::collections::{BTreeMap, VecDeque};

use super::names::{Names, Res};
use crate::facts::{HandlerHow, HandlerMark};
use crate::knowledge::Glob;

/// One step of a chain: `caller` calls `callee` at `caller`'s call site `call`.
#[derive(Debug, Clone, Copy)]
pub struct Step {
    pub caller: usize,
    pub call: usize,
    pub callee: usize,
}

#[derive(Debug, Clone)]
pub struct EngineFinding {
    /// The function that builds it, and the index of the engine site in it.
    pub function: usize,
    pub engine: usize,
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
    let mut stats = CallStats::default();
    let mut queue = VecDeque::new();
    for &h in marks.keys() {
        reached[h] = true;
        queue.push_back(h);
    }
    while let Some(cur) = queue.pop_front() {
        stats.unresolved += names
            .fact(cur)
            .value_methods
            .read()
            .iter()
            .filter(|m| names.is_method_name(m))
            .count();
        for (ci, call) in names.fact(cur).calls.read().iter().enumerate() {
            match names.resolve(cur, call) {
                Res::Fn(id) => {
                    stats.resolved += 1;
                    if names.fact(id).startup {
                        continue;
                    }
                    reverse[id].push(cur);
                    if !reached[id] {
                        reached[id] = true;
                        pred[id] = Some(Step {
                            caller: cur,
                            call: ci,
                            callee: id,
                        });
                        origin[id] = origin[cur];
                        queue.push_back(id);
                    }
                }
                Res::Ambiguous(_) => stats.ambiguous += 1,
                Res::Unresolved => stats.unresolved += 1,
                Res::External => {}
            }
        }
    }

    let mut findings = Vec::new();
    let mut search = ReverseSearch {
        stamp: vec![0; n],
        generation: 0,
    };
    for id in 0..n {
        if !reached[id] {
            continue;
        }
        let fact = names.fact(id);
        for (ei, engine) in fact.engines.iter().enumerate() {
            if engine
                .via_glob
                .as_ref()
                .is_some_and(|t| names.defines_type(names.fns[id].krate, t))
            {
                continue;
            }
            let mut chain = Vec::new();
            let mut at = id;
            while let Some(step) = pred[at] {
                chain.push(step);
                at = step.caller;
            }
            chain.reverse();
            let handlers = search.reaching_handlers(id, origin[id], &reverse, &marks);
            findings.push(EngineFinding {
                function: id,
                engine: ei,
                handler: origin[id],
                chain,
                handlers,
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
