//! Resolving calls to in-workspace functions by name, and the logging-helper fixpoint.
//!
//! Name resolution here is deliberately modest: a call resolves to the functions of that name
//! the path can denote (same crate for `crate::`/`self::`/`super::`/bare names, the named crate
//! for `other_crate::f`, module and owner segments filtering further). Every candidate must log
//! for the call to count as logging: an ambiguous call is never guessed to log.
//!
//! Macro calls resolve the same way to the workspace's `macro_rules!` definitions: a bare name
//! to the calling crate's definitions, else to the `#[macro_export]`ed ones of the other crates;
//! `crate::name!` to the calling crate's; `other_crate::name!` to that crate's. Functions and
//! macros reach each other (a helper calling `err!`, a macro calling a helper): one fixpoint
//! decides both.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::names::Names;
use super::FileInput;
use crate::facts::{Callee, FnFact, LogCond, MacroArm};

/// A `macro_rules!` definition.
struct MacroEntry<'a> {
    krate: usize,
    exported: bool,
    arms: &'a [MacroArm],
}

/// What the fixpoint found: which functions always log, which macros log in every arm, which
/// macros return an `Err` in every arm. Indexed like the index's functions and macros.
pub struct Logs {
    pub fns: Vec<bool>,
    pub macros: Vec<bool>,
    pub macro_propagates: Vec<bool>,
}

/// The logging fixpoint's view of the workspace's one name index ([`Names`]): its functions
/// (the same ids) looked up by the path a call site wrote, plus the `macro_rules!` definitions.
pub struct FnIndex<'a> {
    files: &'a [FileInput<'a>],
    names: &'a Names<'a>,
    macros: Vec<MacroEntry<'a>>,
    macros_by_name: HashMap<&'a str, Vec<usize>>,
    /// Module names of each crate that hold functions: a first segment that is none of them
    /// (`reqwest::get`) names another crate.
    modules: HashSet<(usize, &'a str)>,
}

impl<'a> FnIndex<'a> {
    pub fn build(files: &'a [FileInput<'a>], names: &'a Names<'a>) -> FnIndex<'a> {
        let mut modules: HashSet<(usize, &'a str)> = HashSet::default();
        let mut macros = Vec::new();
        let mut macros_by_name: HashMap<&'a str, Vec<usize>> = HashMap::default();
        let mut with_fns = vec![false; files.len()];
        for e in &names.fns {
            with_fns[e.file] = true;
            let fact = &files[e.file].facts.fns[e.idx];
            modules.extend(fact.module.iter().map(|m| (e.krate, m.as_str())));
        }
        for (f, has_fns) in files.iter().zip(with_fns) {
            let krate = f.place.krate;
            if has_fns {
                modules.extend(f.place.module.iter().map(|m| (krate, m.as_str())));
            }
            for def in &f.facts.macro_defs {
                macros_by_name.entry(def.name.as_str()).or_default().push(macros.len());
                macros.push(MacroEntry {
                    krate,
                    exported: def.exported,
                    arms: &def.arms,
                });
            }
        }
        FnIndex {
            files,
            names,
            macros,
            macros_by_name,
            modules,
        }
    }

    fn fact(&self, id: usize) -> &'a FnFact {
        self.names.fact(id)
    }

    /// The name index this one reads.
    pub fn names(&self) -> &'a Names<'a> {
        self.names
    }

    fn krate(&self, id: usize) -> usize {
        self.names.fns[id].krate
    }

    /// The innermost module of function `id`: its last inline module, else its file's.
    fn module_last(&self, id: usize) -> Option<&'a str> {
        let e = &self.names.fns[id];
        let file_module = &self.files[e.file].place.module;
        self.fact(id).module.last().or(file_module.last()).map(String::as_str)
    }

    /// Where function `id`'s facts are: (file index, index in that file's `fns`).
    pub fn location(&self, id: usize) -> (usize, usize) {
        let e = &self.names.fns[id];
        (e.file, e.idx)
    }

    pub fn returns_result(&self, id: usize) -> Option<bool> {
        self.fact(id).returns_result
    }

    /// For a method returning `Self` (a builder), its owner type.
    pub fn builder_of(&self, id: usize) -> Option<&'a str> {
        let f = self.fact(id);
        f.owner.as_deref().filter(|_| f.returns_self)
    }

    /// The declared error type of function `id` and its crate.
    pub fn err_type(&self, id: usize) -> (usize, Option<&'a str>) {
        (self.krate(id), self.fact(id).err_type.as_deref())
    }

    /// The in-workspace functions `callee`, called from crate `krate`, can denote.
    pub fn candidates(&self, krate: usize, callee: &Callee) -> Vec<usize> {
        let Some(name) = callee.path.last() else {
            return Vec::new();
        };
        let (free, methods) = self.names.by_name(name);
        if callee.method {
            return methods;
        }
        let path = &callee.path;
        let mut qualifiers: &[String] = &path[..path.len() - 1];
        let mut target_crate = krate;
        if let Some(first) = qualifiers.first() {
            match first.as_str() {
                "crate" | "self" | "super" => qualifiers = &qualifiers[1..],
                other => {
                    if let Some(c) = self.names.crate_ident(other) {
                        target_crate = c;
                        qualifiers = &qualifiers[1..];
                    } else if qualifiers.len() == path.len() - 1
                        && other.starts_with(|c: char| c.is_lowercase())
                        && !self.is_local_module(krate, other)
                    {
                        // `reqwest::get`, `std::fs::read`: another crate's function.
                        return Vec::new();
                    }
                }
            }
        }
        let in_crate = |id: &usize| self.krate(*id) == target_crate;
        match qualifiers.last() {
            None => free.iter().copied().filter(in_crate).collect(),
            // `Self::helper()`: whatever the name denotes in the crate.
            Some(q) if q == "Self" => {
                let mut all: Vec<usize> = free.iter().copied().chain(methods).filter(in_crate).collect();
                all.sort_unstable();
                all
            }
            // `Type::assoc()`
            Some(q) if q.starts_with(|c: char| c.is_uppercase()) => methods
                .into_iter()
                .filter(|id| in_crate(id) && self.fact(*id).owner.as_deref() == Some(q.as_str()))
                .collect(),
            // `module::f()`
            Some(q) => free
                .iter()
                .copied()
                .filter(|id| in_crate(id) && self.module_last(*id) == Some(q.as_str()))
                .collect(),
        }
    }

    fn is_local_module(&self, krate: usize, name: &str) -> bool {
        self.modules.contains(&(krate, name))
    }

    /// A call logs when it has candidates and every one of them always logs.
    pub fn call_logs(&self, krate: usize, callee: &Callee, logs: &Logs) -> bool {
        let c = self.candidates(krate, callee);
        !c.is_empty() && c.iter().all(|&id| logs.fns[id])
    }

    /// A macro call logs when it has definitions and every one of them logs in every arm.
    pub fn macro_logs(&self, krate: usize, callee: &Callee, logs: &Logs) -> bool {
        let c = self.macro_candidates(krate, callee);
        !c.is_empty() && c.iter().all(|&id| logs.macros[id])
    }

    /// A macro call propagates when it has definitions and every one of them returns an `Err`
    /// in every arm.
    pub fn macro_propagates(&self, krate: usize, callee: &Callee, logs: &Logs) -> bool {
        let c = self.macro_candidates(krate, callee);
        !c.is_empty() && c.iter().all(|&id| logs.macro_propagates[id])
    }

    /// The workspace `macro_rules!` definitions a macro call from crate `krate` can denote.
    pub fn macro_candidates(&self, krate: usize, callee: &Callee) -> Vec<usize> {
        let Some(name) = callee.path.last() else {
            return Vec::new();
        };
        let Some(all) = self.macros_by_name.get(name.as_str()) else {
            return Vec::new();
        };
        let in_crate = |c: usize| all.iter().copied().filter(move |&id| self.macros[id].krate == c);
        let qualifiers = &callee.path[..callee.path.len() - 1];
        match qualifiers.first().map(String::as_str) {
            // A bare name: the crate's own definitions shadow the ones brought in from others.
            None => {
                let own: Vec<usize> = in_crate(krate).collect();
                if !own.is_empty() {
                    return own;
                }
                all.iter()
                    .copied()
                    .filter(|&id| self.macros[id].exported && self.macros[id].krate != krate)
                    .collect()
            }
            Some("crate" | "self" | "super") => in_crate(krate).collect(),
            Some(first) => match self.names.crate_ident(first) {
                Some(c) => in_crate(c)
                    .filter(|&id| self.macros[id].exported || c == krate)
                    .collect(),
                // `macros::err!` through a `pub(crate) use`: a module of this crate.
                None if self.is_local_module(krate, first) => in_crate(krate).collect(),
                None => Vec::new(),
            },
        }
    }

    /// The functions that always log and the macros that log in every arm: the least fixpoint
    /// of their conditions; then the macros that return an `Err` in every arm. Calls written in
    /// a macro's arms are resolved in the crate that defines it.
    pub fn fixpoint(&self) -> Logs {
        let fns = &self.names.fns;
        let mut logs = Logs {
            fns: vec![false; fns.len()],
            macros: vec![false; self.macros.len()],
            macro_propagates: vec![false; self.macros.len()],
        };
        let conds: Vec<&LogCond> = (0..fns.len()).map(|id| &self.fact(id).always_logs).collect();
        // Candidates are computed once per (crate, callee).
        let mut fn_cache: HashMap<usize, HashMap<&'a Callee, Vec<usize>>> = HashMap::default();
        let mut macro_cache: HashMap<usize, HashMap<&'a Callee, Vec<usize>>> = HashMap::default();
        loop {
            let mut changed = false;
            let items = (0..fns.len())
                .map(|id| (false, id, fns[id].krate))
                .chain((0..self.macros.len()).map(|id| (true, id, self.macros[id].krate)));
            for (is_macro, id, krate) in items {
                if (is_macro && logs.macros[id]) || (!is_macro && logs.fns[id]) {
                    continue;
                }
                let fns_now = &logs.fns;
                let macros_now = &logs.macros;
                let mut calls = |c: &'a Callee| {
                    let per_crate = fn_cache.entry(krate).or_default();
                    let cands = per_crate.entry(c).or_insert_with(|| self.candidates(krate, c));
                    !cands.is_empty() && cands.iter().all(|&i| fns_now[i])
                };
                let mut macro_calls = |c: &'a Callee| {
                    let per_crate = macro_cache.entry(krate).or_default();
                    let cands = per_crate.entry(c).or_insert_with(|| self.macro_candidates(krate, c));
                    !cands.is_empty() && cands.iter().all(|&i| macros_now[i])
                };
                let now = if is_macro {
                    let arms = self.macros[id].arms;
                    !arms.is_empty() && arms.iter().all(|a| a.logs.eval_with(&mut calls, &mut macro_calls))
                } else {
                    conds[id].eval_with(&mut calls, &mut macro_calls)
                };
                if now {
                    if is_macro {
                        logs.macros[id] = true;
                    } else {
                        logs.fns[id] = true;
                    }
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        loop {
            let mut changed = false;
            for id in 0..self.macros.len() {
                if logs.macro_propagates[id] {
                    continue;
                }
                let krate = self.macros[id].krate;
                let props_now = &logs.macro_propagates;
                let mut macro_calls = |c: &'a Callee| {
                    let per_crate = macro_cache.entry(krate).or_default();
                    let cands = per_crate.entry(c).or_insert_with(|| self.macro_candidates(krate, c));
                    !cands.is_empty() && cands.iter().all(|&i| props_now[i])
                };
                let arms = self.macros[id].arms;
                if !arms.is_empty()
                    && arms
                        .iter()
                        .all(|a| a.propagates.eval_with(&mut |_| false, &mut macro_calls))
                {
                    logs.macro_propagates[id] = true;
                    changed = true;
                }
            }
            if !changed {
                return logs;
            }
        }
    }

    pub fn names_where(&self, logs: &Logs) -> Vec<String> {
        let mut out: Vec<String> = (0..self.names.fns.len())
            .filter(|&id| logs.fns[id])
            .map(|id| {
                let e = &self.names.fns[id];
                let fact = self.fact(id);
                let mut parts: Vec<&str> = self.files[e.file].place.module.iter().map(String::as_str).collect();
                parts.extend(fact.module.iter().map(String::as_str));
                parts.extend(fact.owner.as_deref());
                parts.push(&fact.name);
                parts.join("::")
            })
            .collect();
        out.sort();
        out
    }
}
